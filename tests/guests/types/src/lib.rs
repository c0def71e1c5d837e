//! A component exporting `troupe:test-types/shapes` (see `wit/types.wit`).

wit_bindgen::generate!({ path: "wit", world: "types" });

use exports::troupe::test_types::shapes::{Color, Guest, Item, Perms, Shape};

struct Types;

impl Guest for Types {
    fn describe(i: Item) -> String {
        let color = match i.color {
            Color::Red => "red",
            Color::Green => "green",
            Color::Blue => "blue",
        };
        let shape = match i.the_shape {
            Shape::Circle(r) => format!("circle r={r}"),
            Shape::Rect(p) => format!("rect {}x{}", p.x, p.y),
            Shape::Empty => "empty".to_string(),
        };
        let origin = match i.origin {
            Some(p) => format!("({}, {})", p.x, p.y),
            None => "none".into(),
        };
        let mut perms = Vec::new();
        if i.perms.contains(Perms::READ) {
            perms.push("r");
        }
        if i.perms.contains(Perms::WRITE) {
            perms.push("w");
        }
        if i.perms.contains(Perms::EXEC) {
            perms.push("x");
        }
        format!(
            "{} [{}] {color} {} at {origin}: {shape}",
            i.name,
            i.tags.join(","),
            perms.join("")
        )
    }

    fn roundtrip(i: Item) -> Item {
        i
    }

    fn checked_div(a: i32, b: i32) -> Result<i32, String> {
        if b == 0 {
            Err("division by zero".into())
        } else {
            Ok(a / b)
        }
    }

    fn maybe_double(x: Option<u32>) -> Option<u32> {
        x.map(|v| v * 2)
    }

    fn swap(t: (String, u8)) -> (u8, String) {
        (t.1, t.0)
    }

    fn initial(s: String) -> char {
        s.chars().next().unwrap_or('?')
    }
}

export!(Types);
