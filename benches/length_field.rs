//! `LengthField` on tokio-util's default layout (a 4-byte big-endian
//! length at offset 0) against `Binary::U32_BE`, which reads the same
//! bytes, and tokio-util's `LengthDelimitedCodec::new()`, all through a
//! buffer fed 64 KiB pieces, on the same ~32 MiB stream in the same group.
//! A layout off the fast path (`HDR1 | LEN | HDR2`, netty's example 6)
//! shows what the general header parse costs.
//!
//! `cargo bench -p sockframe-bench --bench length_field -- --warm-up-time 1
//! --measurement-time 3`; `-- 'length_field/16B/'` runs one group.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use sockframe::framing::length_field::LengthField;
use sockframe::{Binary, Decoder, FrameBuffer, Framing, Status};
use tokio_util::codec::{Decoder as _, LengthDelimitedCodec};

mod common;
use common::{frame_count, size_name, stream_of};

/// One large socket read.
const CHUNK: usize = 64 * 1024;

/// Payload sizes the goals name.
const SIZES: [usize; 2] = [16, 256];

/// What every variant does with a frame: keeps the payload opaque to the
/// optimiser and counts it.
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

/// `FrameBuffer` fed `CHUNK`-byte pieces, frames taken as they complete.
fn buffered<F: Framing>(buffer: &mut FrameBuffer<F>, stream: &[u8]) -> Tally {
    buffer.reset();
    let mut tally = Tally::default();
    for piece in stream.chunks(CHUNK) {
        buffer.push(piece);
        while let Some(frame) = buffer.next_frame().expect("valid stream") {
            tally.take(frame.payload());
        }
    }
    buffer.finish().expect("ends at a frame boundary");
    tally
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

/// `LengthDelimitedCodec` fed `CHUNK`-byte pieces appended to a reused
/// `BytesMut`, frames taken as they complete.
fn tokio_codec(codec: &mut LengthDelimitedCodec, buf: &mut BytesMut, stream: &[u8]) -> Tally {
    buf.clear();
    let mut tally = Tally::default();
    for piece in stream.chunks(CHUNK) {
        buf.extend_from_slice(piece);
        while let Some(frame) = codec.decode(buf).expect("valid stream") {
            tally.take(&frame);
        }
    }
    assert!(buf.is_empty());
    tally
}

/// netty's example 6: `HDR1 | LEN | HDR2 | payload`, HDR1 and LEN dropped.
fn netty_example_6() -> LengthField {
    LengthField::builder()
        .length_field_offset(1)
        .length_field_length(2)
        .length_adjustment(1)
        .num_skip(3)
        .header_fields(b"\xCA", b"")
        .build()
        .expect("a valid layout")
}

fn length_field(c: &mut Criterion) {
    for size in SIZES {
        let frames = frame_count(size, common::STREAM_BYTES);
        let expected = Tally {
            frames,
            bytes: frames * size,
        };
        let stream = stream_of(&LengthField::new(), size, frames);
        // The same bytes for all three.
        assert_eq!(stream, stream_of(&Binary::U32_BE, size, frames));

        let mut group = c.benchmark_group(format!("length_field/{}", size_name(size)));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: stream.len() as u64,
        });

        let mut buffer = FrameBuffer::new(Decoder::new(LengthField::new()));
        group.bench_function(BenchmarkId::new("LengthField", "buffer_64k"), |b| {
            b.iter(|| assert_eq!(buffered(&mut buffer, &stream), expected))
        });
        let mut buffer = FrameBuffer::new(Decoder::new(Binary::U32_BE));
        group.bench_function(BenchmarkId::new("Binary_U32_BE", "buffer_64k"), |b| {
            b.iter(|| assert_eq!(buffered(&mut buffer, &stream), expected))
        });
        let mut codec = LengthDelimitedCodec::new();
        let mut buf = BytesMut::with_capacity(2 * CHUNK);
        group.bench_function(
            BenchmarkId::new("LengthDelimitedCodec", "buffer_64k"),
            |b| b.iter(|| assert_eq!(tokio_codec(&mut codec, &mut buf, &stream), expected)),
        );

        let mut decoder = Decoder::new(LengthField::new());
        group.bench_function(BenchmarkId::new("LengthField", "zero_copy"), |b| {
            b.iter(|| assert_eq!(zero_copy(&mut decoder, &stream), expected))
        });
        let mut decoder = Decoder::new(Binary::U32_BE);
        group.bench_function(BenchmarkId::new("Binary_U32_BE", "zero_copy"), |b| {
            b.iter(|| assert_eq!(zero_copy(&mut decoder, &stream), expected))
        });

        // Off the fast path: a 3-byte header around the length field.
        let netty = netty_example_6();
        let netty_stream = stream_of(&netty, size, frames);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: netty_stream.len() as u64,
        });
        let mut buffer = FrameBuffer::new(Decoder::new(netty));
        group.bench_function(BenchmarkId::new("LengthField_netty6", "buffer_64k"), |b| {
            b.iter(|| assert_eq!(buffered(&mut buffer, &netty_stream), expected))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = length_field
}
criterion_main!(benches);
