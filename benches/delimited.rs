//! Benchmarks of the delimited framing(s): being written.

fn main() {}
