//! Counts in messages: "1 frame", "2 frames".

/// `n` and `noun`, plural unless `n` is 1.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
