//! Streams and settings shared by the benchmarks.
#![allow(dead_code)] // Each bench uses a different part of this module.

use std::time::Duration;

use criterion::Criterion;
use sockframe::{Ascii, Binary, Encode, Json};

/// Payload sizes the issue asks for.
pub const PAYLOAD_SIZES: [usize; 4] = [16, 256, 4096, 65536];

/// Target stream length: about 32 MiB of frames.
pub const STREAM_BYTES: usize = 32 << 20;

/// Short runs: the machine has two cores and is shared. Command-line flags
/// (`--measurement-time`, `--sample-size`, filters) still override this.
pub fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(2))
        .sample_size(10)
}

/// Human name of a payload size: `16B`, `4KiB`.
pub fn size_name(size: usize) -> String {
    if size >= 1024 && size % 1024 == 0 {
        format!("{}KiB", size / 1024)
    } else {
        format!("{size}B")
    }
}

/// Deterministic payload bytes.
pub fn payload(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i * 31 + 7) as u8).collect()
}

/// The ASCII framing able to describe `size`: the usual 4 digits, or 5 for
/// payloads over 9999 bytes (64 KiB).
pub fn ascii_for(size: usize) -> Ascii {
    if size as u64 <= Ascii::new().max_len() {
        Ascii::new()
    } else {
        Ascii::with_width(5).expect("5 digits is a valid width")
    }
}

/// The JSON framing as a Python peer uses it: `{"data_size": N}`.
pub fn json() -> Json {
    Json::new()
}

/// A stream of `frames` identical frames of `size`-byte payloads.
pub fn stream_of<E: Encode>(framing: &E, size: usize, frames: usize) -> Vec<u8> {
    let payload = payload(size);
    let frame = framing.encode_to_vec(&payload).expect("payload fits");
    let mut out = Vec::with_capacity(frame.len() * frames);
    for _ in 0..frames {
        out.extend_from_slice(&frame);
    }
    out
}

/// How many frames of `size`-byte payloads make about `bytes` of stream
/// with a 4-byte header; every framing gets the same count so frames/s
/// compare directly.
pub fn frame_count(size: usize, bytes: usize) -> usize {
    (bytes / (size + 4)).max(1)
}

/// The minimal hand-written length-prefix loop: 4-byte little-endian length,
/// then the payload, over a whole slice. Returns (frames, payload bytes).
#[inline(never)]
pub fn slice_loop(mut input: &[u8]) -> (usize, usize) {
    let (mut frames, mut bytes) = (0, 0);
    while input.len() >= 4 {
        let len = u32::from_le_bytes([input[0], input[1], input[2], input[3]]) as usize;
        let Some(payload) = input.get(4..4 + len) else {
            break;
        };
        let payload = std::hint::black_box(payload);
        frames += 1;
        bytes += payload.len();
        input = &input[4 + len..];
    }
    (frames, bytes)
}

/// Default binary framing, for symmetry with the others.
pub fn binary() -> Binary {
    Binary::default()
}
