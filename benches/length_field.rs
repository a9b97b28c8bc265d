//! Benchmarks of the length_field framing(s): being written.

fn main() {}
