use std::path::Path;
struct Fake;
impl troupe_registry::SourceChecker for Fake {
    fn check_lua(&self, s: &str) -> Result<(), (usize, String)> {
        match s.lines().position(|l| l.contains("SYNTAX_ERROR")) { Some(i) => Err((i + 1, "unexpected symbol near 'SYNTAX_ERROR'".into())), None => Ok(()) }
    }
    fn check_wat(&self, s: &str) -> Result<(), String> {
        if s.contains("BAD_WAT") { Err("unknown operator BAD_WAT".into()) } else { Ok(()) }
    }
}
#[test]
fn dump() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/check");
    let mut dirs: Vec<_> = std::fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).collect();
    dirs.sort();
    for d in dirs {
        println!("== {}", d.display());
        match troupe_registry::load(&d, &Fake) {
            Ok(r) => println!("OK {} entries", r.entries.len()),
            Err(e) => for x in e.0 { println!("{}:{}:{} [{:?}] {}", x.location.file.strip_prefix(&d).unwrap_or(&x.location.file).display(), x.location.line, x.location.column, x.entry, x.message) },
        }
    }
}
