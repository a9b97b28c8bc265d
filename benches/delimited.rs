//! Delimited lines: sockframe's `Delimited` against tokio-util's
//! `LinesCodec` and `AnyDelimiterCodec`, each fed the same stream in
//! 64 KiB pieces, in the same group.
//!
//! - `delimited/lines_16-256B`: lines of 16 to 256 bytes (printable ASCII,
//!   lengths spread evenly), about 16 MiB. Goal: `Delimited` at least 3x
//!   `LinesCodec`.
//! - `delimited/lines_64KiB`: 64 KiB lines, about 32 MiB. Goal: at least
//!   1 GB/s.
//!
//! The work differs, and the comparison says so: `LinesCodec` checks that
//! each line is UTF-8 and returns it as a new `String` (also stripping a
//! `\r` before the `\n`); `AnyDelimiterCodec` returns each line as `Bytes`
//! split off its buffer (no copy, no UTF-8 check), the fair byte-for-byte
//! rival; sockframe lends each line as `&[u8]` from its buffer. All three
//! copy each 64 KiB piece into their own buffer (`BytesMut::
//! extend_from_slice`, `FrameBuffer::push`), as a socket reader would.
//! `limit/copy_64k` is that copy alone, and `zero_copy` is
//! `Decoder::decode` over the whole stream with no buffer at all.
//!
//! `cargo bench -p sockframe-bench --bench delimited -- --warm-up-time 1
//! --measurement-time 3`

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{
    criterion_group, criterion_main, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode,
    Throughput,
};
use sockframe::framing::delimited::Delimited;
use sockframe::{Decoder, Encode, FrameBuffer, Status};
use tokio_util::codec::{AnyDelimiterCodec, Decoder as _, LinesCodec};

mod common;

/// A socket reader's large read.
const CHUNK: usize = 64 * 1024;

/// What every variant does with a line: keeps it opaque to the optimiser
/// and counts it.
#[derive(Default, PartialEq, Eq, Debug)]
struct Tally {
    lines: usize,
    bytes: usize,
}

impl Tally {
    #[inline(always)]
    fn take(&mut self, line: &[u8]) {
        let line = black_box(line);
        self.lines += 1;
        self.bytes += line.len();
    }
}

/// Lines of `lengths` bytes of printable ASCII (never `\n`), each ended
/// by `\n`, about `total` bytes in all; and their tally.
fn stream_of_lines(lengths: impl Iterator<Item = usize>, total: usize) -> (Vec<u8>, Tally) {
    let lines = Delimited::lines();
    let mut stream = Vec::with_capacity(total + CHUNK);
    let mut tally = Tally::default();
    let mut seed = 7u32;
    for len in lengths {
        if stream.len() >= total {
            break;
        }
        let line: Vec<u8> = (0..len)
            .map(|_| {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                b' ' + (seed >> 16) as u8 % 95
            })
            .collect();
        lines.encode_into(&line, &mut stream).expect("no newline");
        tally.lines += 1;
        tally.bytes += len;
    }
    (stream, tally)
}

/// `FrameBuffer` fed 64 KiB pieces, lines taken as they complete.
fn sockframe_buffer(buffer: &mut FrameBuffer<Delimited>, stream: &[u8]) -> Tally {
    buffer.reset();
    let mut tally = Tally::default();
    for piece in stream.chunks(CHUNK) {
        buffer.push(piece);
        while let Some(frame) = buffer.next_frame().expect("valid stream") {
            tally.take(frame.payload());
        }
    }
    buffer.finish().expect("ends at a line boundary");
    tally
}

/// `Decoder::decode` over the whole stream: no copy at all.
fn sockframe_zero_copy(decoder: &mut Decoder<Delimited>, stream: &[u8]) -> Tally {
    decoder.reset();
    let mut tally = Tally::default();
    let mut rest = stream;
    while let Status::Complete((frame, used)) = decoder.decode(rest).expect("valid stream") {
        tally.take(frame.payload());
        rest = &rest[used..];
    }
    decoder.finish(rest).expect("ends at a line boundary");
    tally
}

/// `LinesCodec` fed 64 KiB pieces appended to a reused `BytesMut`: a
/// `String` per line, UTF-8 checked.
fn tokio_lines(buf: &mut BytesMut, stream: &[u8]) -> Tally {
    let mut codec = LinesCodec::new();
    buf.clear();
    let mut tally = Tally::default();
    for piece in stream.chunks(CHUNK) {
        buf.extend_from_slice(piece);
        while let Some(line) = codec.decode(buf).expect("valid stream") {
            tally.take(line.as_bytes());
        }
    }
    assert!(codec.decode_eof(buf).expect("valid stream").is_none());
    tally
}

/// `AnyDelimiterCodec` on `\n`, fed 64 KiB pieces: `Bytes` per line.
fn tokio_any_delimiter(buf: &mut BytesMut, stream: &[u8]) -> Tally {
    let mut codec = AnyDelimiterCodec::new(b"\n".to_vec(), b"\n".to_vec());
    buf.clear();
    let mut tally = Tally::default();
    for piece in stream.chunks(CHUNK) {
        buf.extend_from_slice(piece);
        while let Some(line) = codec.decode(buf).expect("valid stream") {
            tally.take(&line);
        }
    }
    assert!(codec.decode_eof(buf).expect("valid stream").is_none());
    tally
}

/// Copies the stream in 64 KiB pieces into a reused buffer: moving the
/// bytes once, with no framing.
fn chunked_copy(stream: &[u8], buf: &mut [u8]) -> usize {
    let mut copied = 0;
    for piece in stream.chunks(CHUNK) {
        buf[..piece.len()].copy_from_slice(piece);
        black_box(&mut *buf);
        copied += piece.len();
    }
    copied
}

/// Every variant on one stream.
fn variants(
    group: &mut BenchmarkGroup<'_, criterion::measurement::WallTime>,
    stream: &[u8],
    expected: &Tally,
) {
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::ElementsAndBytes {
        elements: expected.lines as u64,
        bytes: stream.len() as u64,
    });
    let mut copy_buf = vec![0u8; CHUNK];
    group.bench_function(BenchmarkId::new("limit", "copy_64k"), |b| {
        b.iter(|| assert_eq!(chunked_copy(stream, &mut copy_buf), stream.len()))
    });
    let mut buffer = FrameBuffer::new(Decoder::new(Delimited::lines()));
    group.bench_function(BenchmarkId::new("sockframe", "buffer_64k"), |b| {
        b.iter(|| assert_eq!(&sockframe_buffer(&mut buffer, stream), expected))
    });
    let mut decoder = Decoder::new(Delimited::lines());
    group.bench_function(BenchmarkId::new("sockframe", "zero_copy"), |b| {
        b.iter(|| assert_eq!(&sockframe_zero_copy(&mut decoder, stream), expected))
    });
    let mut buf = BytesMut::with_capacity(CHUNK);
    group.bench_function(BenchmarkId::new("tokio_lines_codec", "buffer_64k"), |b| {
        b.iter(|| assert_eq!(&tokio_lines(&mut buf, stream), expected))
    });
    group.bench_function(BenchmarkId::new("tokio_any_delimiter", "buffer_64k"), |b| {
        b.iter(|| assert_eq!(&tokio_any_delimiter(&mut buf, stream), expected))
    });
}

fn delimited(c: &mut Criterion) {
    // Lengths 16..=256, spread evenly and in no order a branch predictor
    // learns.
    let spread = (0usize..).map(|i| 16 + (i * 7919) % 241);
    let (stream, expected) = stream_of_lines(spread, 16 << 20);
    let mut group = c.benchmark_group("delimited/lines_16-256B");
    variants(&mut group, &stream, &expected);
    group.finish();

    let (stream, expected) = stream_of_lines(std::iter::repeat(64 * 1024), common::STREAM_BYTES);
    let mut group = c.benchmark_group("delimited/lines_64KiB");
    variants(&mut group, &stream, &expected);
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = delimited
}
criterion_main!(benches);
