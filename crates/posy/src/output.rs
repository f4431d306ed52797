//! Small pieces of human output shared by commands.

use std::time::Instant;

/// Elapsed time the way uv prints it: `12ms`, `1.23s`.
pub fn elapsed(start: Instant) -> String {
    let d = start.elapsed();
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// `s` unless there is exactly one.
pub fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
