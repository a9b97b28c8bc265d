//! `Varint` and `Netstring` against `Binary` (the 4-byte length prefix) in
//! the same criterion group, on streams of the same frame count: zero-copy
//! `Decoder::decode`, `FrameBuffer` fed 64 KiB and 1500 B pieces, and
//! `decode_event`; then byte-at-a-time feeding (the resumed scans) and
//! header encoding.
//!
//! The issue's goal: `Varint` within 1.5x of `Binary` at 16 B and 256 B.
//!
//! ```sh
//! cargo bench -p sockframe-bench --bench varint_netstring -- --warm-up-time 1 --measurement-time 3
//! cargo bench -p sockframe-bench --bench varint_netstring -- 'varint_netstring/16B/'
//! ```

use std::hint::black_box;

use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use sockframe::framing::netstring::Netstring;
use sockframe::framing::varint::Varint;
use sockframe::{Decoder, Encode, Event, FrameBuffer, Framing, Status};

#[path = "common/mod.rs"]
mod common;
use common::{binary, frame_count, size_name, stream_of};

type Group<'a> = BenchmarkGroup<'a, criterion::measurement::WallTime>;

/// A socket reader's typical read sizes: one Ethernet MTU, one large read.
const MTU_CHUNK: usize = 1500;
const LARGE_CHUNK: usize = 64 * 1024;

/// What every variant does with a frame: keeps the payload opaque to the
/// optimiser and counts it, so all variants do the same per-frame work.
#[derive(Default, PartialEq, Eq, Debug)]
struct Tally {
    frames: usize,
    bytes: usize,
}

impl Tally {
    #[inline(always)]
    fn take(&mut self, payload: &[u8]) {
        let payload = black_box(payload);
        self.frames += 1;
        self.bytes += payload.len();
    }
}

/// `Decoder::decode` over the whole stream: zero-copy.
fn zero_copy<F: Framing>(decoder: &mut Decoder<F>, stream: &[u8]) -> Tally {
    decoder.reset();
    let mut tally = Tally::default();
    let mut rest = stream;
    while let Status::Complete((frame, used)) = decoder.decode(rest).expect("valid stream") {
        tally.take(frame.payload());
        rest = &rest[used..];
    }
    decoder.finish(rest).expect("ends at a frame boundary");
    tally
}

/// `FrameBuffer` fed `chunk`-byte pieces, frames taken as they complete.
fn buffered<F: Framing>(buffer: &mut FrameBuffer<F>, stream: &[u8], chunk: usize) -> Tally {
    buffer.reset();
    let mut tally = Tally::default();
    for piece in stream.chunks(chunk) {
        buffer.push(piece);
        while let Some(frame) = buffer.next_frame().expect("valid stream") {
            tally.take(frame.payload());
        }
    }
    buffer.finish().expect("ends at a frame boundary");
    tally
}

/// `Decoder::decode_event` over the whole stream: header, body, end.
fn events<F: Framing>(decoder: &mut Decoder<F>, stream: &[u8]) -> Tally {
    decoder.reset();
    let mut tally = Tally::default();
    let mut body = 0;
    let mut rest = stream;
    while let Status::Complete((event, used)) = decoder.decode_event(rest).expect("valid stream") {
        match event {
            Event::Header { .. } => body = 0,
            Event::Body(chunk) => body += black_box(chunk).len(),
            Event::End => {
                tally.frames += 1;
                tally.bytes += body;
            }
        }
        rest = &rest[used..];
    }
    decoder.finish(rest).expect("ends at a frame boundary");
    tally
}

/// Every decoding API of one framing on `frames` frames of `size` bytes.
fn framing_apis<F: Framing + Encode + Clone>(
    group: &mut Group<'_>,
    name: &str,
    framing: F,
    size: usize,
    frames: usize,
) {
    let stream = stream_of(&framing, size, frames);
    let expected = Tally {
        frames,
        bytes: frames * size,
    };
    group.throughput(Throughput::ElementsAndBytes {
        elements: frames as u64,
        bytes: stream.len() as u64,
    });
    let mut decoder = Decoder::new(framing.clone());
    group.bench_function(BenchmarkId::new(name, "zero_copy"), |b| {
        b.iter(|| assert_eq!(zero_copy(&mut decoder, &stream), expected))
    });
    for (label, chunk) in [("buffer_64k", LARGE_CHUNK), ("buffer_1500", MTU_CHUNK)] {
        let mut buffer = FrameBuffer::new(Decoder::new(framing.clone()));
        group.bench_function(BenchmarkId::new(name, label), |b| {
            b.iter(|| assert_eq!(buffered(&mut buffer, &stream, chunk), expected))
        });
    }
    group.bench_function(BenchmarkId::new(name, "events"), |b| {
        b.iter(|| assert_eq!(events(&mut decoder, &stream), expected))
    });
}

fn decode(c: &mut Criterion) {
    for size in common::PAYLOAD_SIZES {
        let frames = frame_count(size, common::STREAM_BYTES);
        let mut group = c.benchmark_group(format!("varint_netstring/{}", size_name(size)));
        // Iterations take milliseconds: flat sampling keeps runs short.
        group.sampling_mode(SamplingMode::Flat);
        framing_apis(&mut group, "binary", binary(), size, frames);
        framing_apis(&mut group, "varint", Varint::new(), size, frames);
        framing_apis(&mut group, "netstring", Netstring::new(), size, frames);
        group.finish();
    }
}

/// One byte per push: what the resumed scans cost, per byte of stream.
fn bytewise(c: &mut Criterion) {
    const PAYLOAD: usize = 16;
    let frames = frame_count(PAYLOAD, 256 * 1024);
    let mut group = c.benchmark_group("varint_netstring_bytewise/16B");
    group.sampling_mode(SamplingMode::Flat);
    fn one<F: Framing + Encode + Clone>(group: &mut Group<'_>, name: &str, framing: F, n: usize) {
        let stream = stream_of(&framing, PAYLOAD, n);
        let expected = Tally {
            frames: n,
            bytes: n * PAYLOAD,
        };
        group.throughput(Throughput::Bytes(stream.len() as u64));
        let mut buffer = FrameBuffer::new(Decoder::new(framing));
        group.bench_function(BenchmarkId::new(name, "buffer_1"), |b| {
            b.iter(|| assert_eq!(buffered(&mut buffer, &stream, 1), expected))
        });
    }
    one(&mut group, "binary", binary(), frames);
    one(&mut group, "varint", Varint::new(), frames);
    one(&mut group, "netstring", Netstring::new(), frames);
    group.finish();
}

/// Whole frames appended to a reused `Vec` with `encode_into`.
fn encode(c: &mut Criterion) {
    const FRAMES: usize = 4096;
    for size in [16usize, 256] {
        let mut group = c.benchmark_group(format!("varint_netstring_encode/{}", size_name(size)));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::Elements(FRAMES as u64));
        let payload = common::payload(size);
        fn one<E: Encode>(group: &mut Group<'_>, name: &str, framing: E, payload: &[u8]) {
            let mut out = Vec::with_capacity(FRAMES * (payload.len() + 32));
            group.bench_function(BenchmarkId::new(name, "encode_into"), |b| {
                b.iter(|| {
                    out.clear();
                    for _ in 0..FRAMES {
                        framing
                            .encode_into(black_box(payload), &mut out)
                            .expect("encodable");
                    }
                    black_box(&out);
                })
            });
        }
        one(&mut group, "binary", binary(), &payload);
        one(&mut group, "varint", Varint::new(), &payload);
        one(&mut group, "netstring", Netstring::new(), &payload);
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = decode, bytewise, encode
}
criterion_main!(benches);
