//! Intentionally empty. `sockframe-bench` is the package that holds
//! sockframe's criterion benchmarks (`decode.rs`, `encode.rs`, `io.rs`) so
//! that their dev-dependencies (criterion, tokio-util, bytes) are compiled
//! only by `cargo bench`, not by every `cargo run --example` of sockframe.
//! Cargo needs a library or a binary in every package; this is it.
#![no_std]
