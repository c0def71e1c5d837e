//! A WASI command (SPEC §6.3): prints its arguments, an environment variable and a file
//! from its mount to stdout, a line to stderr, and exits with the code its last argument
//! names.

fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("hello from a wasi command: args={:?}", &args[1..]);
    println!("GREETING={}", std::env::var("GREETING").unwrap_or_default());
    match std::fs::read_to_string("/data/input.txt") {
        Ok(text) => println!("input: {}", text.trim()),
        Err(e) => println!("input: unreadable ({e})"),
    }
    match std::fs::write("/data/written.txt", "x") {
        Ok(()) => println!("write: allowed"),
        Err(_) => println!("write: denied"),
    }
    eprintln!("a line on stderr");
    let code = args.last().and_then(|a| a.parse::<i32>().ok()).unwrap_or(0);
    std::process::exit(code);
}
