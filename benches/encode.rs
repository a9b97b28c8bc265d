//! Encoding: headers alone (what a vectored writer sends next to the caller's
//! payload, no copy) and whole frames copied into a reused `Vec`, against
//! `LengthDelimitedCodec` and a minimal hand-written loop.
//!
//! `cargo bench --bench encode -- 'encode/16B/'` runs one group.

use std::hint::black_box;

use bytes::{Bytes, BytesMut};
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use sockframe::Encode;
use tokio_util::codec::{Encoder as _, LengthDelimitedCodec};

mod common;
use common::{ascii_for, binary, frame_count, json, payload, size_name};

/// Encodes `frames` headers for `payload_len`, keeping each opaque.
fn headers_only<E: Encode>(framing: &E, payload_len: usize, frames: usize) -> usize {
    let mut header_bytes = 0;
    for _ in 0..frames {
        let header = framing
            .encode_header(black_box(payload_len))
            .expect("payload fits");
        header_bytes += black_box(header.as_ref()).len();
    }
    header_bytes
}

/// Appends `frames` whole frames (header and payload copy) to `out`.
fn whole_frames<E: Encode>(framing: &E, payload: &[u8], frames: usize, out: &mut Vec<u8>) {
    out.clear();
    for _ in 0..frames {
        framing
            .encode_into(black_box(payload), out)
            .expect("payload fits");
    }
    black_box(&out);
}

/// The minimal loop: a little-endian `u32` then the payload.
fn write_loop(payload: &[u8], frames: usize, out: &mut Vec<u8>) {
    out.clear();
    for _ in 0..frames {
        let payload = black_box(payload);
        out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        out.extend_from_slice(payload);
    }
    black_box(&out);
}

fn tokio_encode(
    codec: &mut LengthDelimitedCodec,
    payload: &Bytes,
    frames: usize,
    out: &mut BytesMut,
) {
    out.clear();
    for _ in 0..frames {
        codec
            .encode(black_box(payload.clone()), out)
            .expect("payload fits");
    }
    black_box(&out);
}

fn framing_encodes<E: Encode>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    framing: &E,
    payload: &[u8],
    frames: usize,
) {
    let frame_len = framing.encode_to_vec(payload).expect("payload fits").len();
    group.throughput(Throughput::ElementsAndBytes {
        elements: frames as u64,
        bytes: (frame_len * frames) as u64,
    });
    let header_len = frame_len - payload.len();
    group.bench_function(BenchmarkId::new(name, "header_only"), |b| {
        b.iter(|| {
            assert_eq!(
                headers_only(framing, payload.len(), frames),
                header_len * frames
            )
        })
    });
    let mut out = Vec::with_capacity(frame_len * frames);
    group.bench_function(BenchmarkId::new(name, "encode_into"), |b| {
        b.iter(|| {
            whole_frames(framing, payload, frames, &mut out);
            assert_eq!(out.len(), frame_len * frames);
        })
    });
}

fn encode(c: &mut Criterion) {
    for size in common::PAYLOAD_SIZES {
        let frames = frame_count(size, common::STREAM_BYTES);
        let payload = payload(size);
        let mut group = c.benchmark_group(format!("encode/{}", size_name(size)));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: ((size + 4) * frames) as u64,
        });

        let mut out = Vec::with_capacity((size + 4) * frames);
        group.bench_function(BenchmarkId::new("limit", "write_loop"), |b| {
            b.iter(|| {
                write_loop(&payload, frames, &mut out);
                assert_eq!(out.len(), (size + 4) * frames);
            })
        });
        drop(out);
        let mut codec = LengthDelimitedCodec::builder()
            .little_endian()
            .length_field_length(4)
            .new_codec();
        let shared = Bytes::from(payload.clone());
        let mut out = BytesMut::with_capacity((size + 4) * frames);
        group.bench_function(BenchmarkId::new("tokio_codec", "encode"), |b| {
            b.iter(|| {
                tokio_encode(&mut codec, &shared, frames, &mut out);
                assert_eq!(out.len(), (size + 4) * frames);
            })
        });
        drop(out);

        framing_encodes(&mut group, "binary", &binary(), &payload, frames);
        framing_encodes(&mut group, "ascii", &ascii_for(size), &payload, frames);
        framing_encodes(&mut group, "json", &json(), &payload, frames);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = encode
}
criterion_main!(benches);
