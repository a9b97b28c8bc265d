//! Benchmarks of the varint_netstring framing(s): being written.

fn main() {}
