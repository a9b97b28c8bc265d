//! Decoding throughput: every framing and decoding API against
//! `tokio_util`'s `LengthDelimitedCodec`, a minimal length-prefix loop and a
//! plain chunked copy, on the same ~32 MiB stream in the same group.
//!
//! `cargo bench --bench decode -- 'decode/16B/'` runs one group; criterion
//! filters are regexes over `group/function/parameter`.

use std::hint::black_box;

use bytes::BytesMut;
use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use sockframe::{Decoder, Event, FrameBuffer, Framing, Status};
use tokio_util::codec::{Decoder as _, LengthDelimitedCodec};

mod common;
use common::{ascii_for, binary, frame_count, json, size_name, slice_loop, stream_of};

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

/// `FrameBuffer::next_event` fed `chunk`-byte pieces: the streaming-body
/// API as a socket reader with bounded memory uses it.
fn buffered_events<F: Framing>(buffer: &mut FrameBuffer<F>, stream: &[u8], chunk: usize) -> Tally {
    buffer.reset();
    let mut tally = Tally::default();
    let mut body = 0;
    for piece in stream.chunks(chunk) {
        buffer.push(piece);
        while let Some(event) = buffer.next_event().expect("valid stream") {
            match event {
                Event::Header { .. } => body = 0,
                Event::Body(chunk) => body += black_box(chunk).len(),
                Event::End => {
                    tally.frames += 1;
                    tally.bytes += body;
                }
            }
        }
    }
    buffer.finish().expect("ends at a frame boundary");
    tally
}

/// `LengthDelimitedCodec` (4-byte little-endian length) fed `chunk`-byte
/// pieces appended to a reused `BytesMut`, frames taken as they complete.
fn tokio_codec(
    codec: &mut LengthDelimitedCodec,
    buf: &mut BytesMut,
    stream: &[u8],
    chunk: usize,
) -> Tally {
    buf.clear();
    let mut tally = Tally::default();
    for piece in stream.chunks(chunk) {
        buf.extend_from_slice(piece);
        while let Some(frame) = codec.decode(buf).expect("valid stream") {
            tally.take(&frame);
        }
    }
    assert!(buf.is_empty());
    tally
}

fn tokio_length_delimited() -> LengthDelimitedCodec {
    LengthDelimitedCodec::builder()
        .little_endian()
        .length_field_length(4)
        .new_codec()
}

/// Copies the stream in 64 KiB pieces into a reused buffer: the cost of
/// moving the bytes once, with no framing at all.
fn chunked_copy(stream: &[u8], buf: &mut [u8]) -> usize {
    let mut copied = 0;
    for piece in stream.chunks(LARGE_CHUNK) {
        buf[..piece.len()].copy_from_slice(piece);
        black_box(&mut *buf);
        copied += piece.len();
    }
    copied
}

/// Benchmarks every decoding API of one framing on `stream`.
fn framing_apis<F: Framing + Clone>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    framing: F,
    stream: &[u8],
    expected: &Tally,
) {
    group.throughput(Throughput::ElementsAndBytes {
        elements: expected.frames as u64,
        bytes: stream.len() as u64,
    });
    let mut decoder = Decoder::new(framing.clone());
    group.bench_function(BenchmarkId::new(name, "zero_copy"), |b| {
        b.iter(|| assert_eq!(&zero_copy(&mut decoder, stream), expected))
    });
    for (label, chunk) in [("buffer_1500", MTU_CHUNK), ("buffer_64k", LARGE_CHUNK)] {
        let mut buffer = FrameBuffer::new(Decoder::new(framing.clone()));
        group.bench_function(BenchmarkId::new(name, label), |b| {
            b.iter(|| assert_eq!(&buffered(&mut buffer, stream, chunk), expected))
        });
    }
    group.bench_function(BenchmarkId::new(name, "events"), |b| {
        b.iter(|| assert_eq!(&events(&mut decoder, stream), expected))
    });
    let mut buffer = FrameBuffer::new(Decoder::new(framing));
    group.bench_function(BenchmarkId::new(name, "buffer_64k_events"), |b| {
        b.iter(|| assert_eq!(&buffered_events(&mut buffer, stream, LARGE_CHUNK), expected))
    });
}

fn decode(c: &mut Criterion) {
    for size in common::PAYLOAD_SIZES {
        let frames = frame_count(size, common::STREAM_BYTES);
        let expected = Tally {
            frames,
            bytes: frames * size,
        };
        let binary_stream = stream_of(&binary(), size, frames);

        let mut group = c.benchmark_group(format!("decode/{}", size_name(size)));
        // Iterations take milliseconds: flat sampling keeps runs short.
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: binary_stream.len() as u64,
        });

        let mut copy_buf = vec![0u8; LARGE_CHUNK];
        group.bench_function(BenchmarkId::new("limit", "copy_64k"), |b| {
            b.iter(|| {
                assert_eq!(
                    chunked_copy(&binary_stream, &mut copy_buf),
                    binary_stream.len()
                )
            })
        });
        group.bench_function(BenchmarkId::new("limit", "slice_loop"), |b| {
            b.iter(|| assert_eq!(slice_loop(&binary_stream), (frames, frames * size)))
        });
        for (label, chunk) in [("buffer_1500", MTU_CHUNK), ("buffer_64k", LARGE_CHUNK)] {
            let mut codec = tokio_length_delimited();
            let mut buf = BytesMut::with_capacity(LARGE_CHUNK);
            group.bench_function(BenchmarkId::new("tokio_codec", label), |b| {
                b.iter(|| {
                    assert_eq!(
                        &tokio_codec(&mut codec, &mut buf, &binary_stream, chunk),
                        &expected
                    )
                })
            });
        }

        framing_apis(&mut group, "binary", binary(), &binary_stream, &expected);
        drop(binary_stream);
        let ascii = ascii_for(size);
        framing_apis(
            &mut group,
            "ascii",
            ascii,
            &stream_of(&ascii, size, frames),
            &expected,
        );
        if ascii.width() != 4 {
            // A control for the ascii/binary ratio: binary frames as long
            // as the ascii ones (a 5-digit header makes each a byte longer),
            // to tell the cost of the header parse from that of the stride.
            let longer = size + ascii.width() - 4;
            let stream = stream_of(&binary(), longer, frames);
            let control = Tally {
                frames,
                bytes: frames * longer,
            };
            let mut decoder = Decoder::new(binary());
            group.throughput(Throughput::ElementsAndBytes {
                elements: frames as u64,
                bytes: stream.len() as u64,
            });
            group.bench_function(
                BenchmarkId::new("binary_ascii_frame_len", "zero_copy"),
                |b| b.iter(|| assert_eq!(&zero_copy(&mut decoder, &stream), &control)),
            );
        }
        framing_apis(
            &mut group,
            "json",
            json(),
            &stream_of(&json(), size, frames),
            &expected,
        );
        group.finish();
    }
}

/// Byte-at-a-time feeding: the cost per byte must not grow with the stream.
fn bytewise(c: &mut Criterion) {
    const PAYLOAD: usize = 256;
    let mut group = c.benchmark_group("bytewise");
    group.sampling_mode(SamplingMode::Flat);
    for stream_bytes in [64 * 1024, 1024 * 1024] {
        let frames = frame_count(PAYLOAD, stream_bytes);
        let expected = Tally {
            frames,
            bytes: frames * PAYLOAD,
        };
        let label = size_name(stream_bytes);
        bytewise_framing(&mut group, "binary", binary(), &label, &expected);
        bytewise_framing(&mut group, "ascii", ascii_for(PAYLOAD), &label, &expected);
        bytewise_framing(&mut group, "json", json(), &label, &expected);
    }
    group.finish();
}

fn bytewise_framing<F: Framing + sockframe::Encode + Clone>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    framing: F,
    size: &str,
    expected: &Tally,
) {
    let stream = stream_of(&framing, expected.bytes / expected.frames, expected.frames);
    group.throughput(Throughput::Bytes(stream.len() as u64));
    let mut buffer = FrameBuffer::new(Decoder::new(framing.clone()));
    group.bench_function(BenchmarkId::new(format!("{name}/buffer"), size), |b| {
        b.iter(|| assert_eq!(&buffered(&mut buffer, &stream, 1), expected))
    });
    let mut decoder = Decoder::new(framing);
    group.bench_function(BenchmarkId::new(format!("{name}/decoder"), size), |b| {
        b.iter(|| {
            decoder.reset();
            let mut tally = Tally::default();
            let mut start = 0;
            for end in 1..=stream.len() {
                if let Status::Complete((frame, used)) =
                    decoder.decode(&stream[start..end]).expect("valid stream")
                {
                    tally.take(frame.payload());
                    start += used;
                }
            }
            assert_eq!(&tally, expected);
        })
    });
}

/// `{"data_size": N}`, as the baseline reads it.
#[derive(serde::Deserialize)]
struct DataSize {
    data_size: u64,
}

/// A file-transfer header, as the baseline reads it: only the size.
#[derive(serde::Deserialize)]
struct FileSize {
    file_size: u64,
}

/// The baseline for the JSON framing: a hand-written loop that reads the
/// 4-byte prefix and has `serde_json::from_slice` parse each header into `T`
/// (a struct with only the size field, other keys skipped, or a `Value`),
/// then skips the body. Everything sockframe adds beyond it is overhead.
fn serde_walk<T: serde::de::DeserializeOwned>(
    mut input: &[u8],
    size_of: impl Fn(&T) -> u64,
) -> Tally {
    let mut tally = Tally::default();
    while input.len() >= 4 {
        let header_len = u32::from_le_bytes([input[0], input[1], input[2], input[3]]) as usize;
        let header: T = serde_json::from_slice(&input[4..4 + header_len]).expect("valid header");
        let body_start = 4 + header_len;
        let body_end = body_start + size_of(&header) as usize;
        tally.take(&input[body_start..body_end]);
        input = &input[body_end..];
    }
    tally
}

/// JSON framing overhead against `serde_json` parsing the same headers alone.
fn json_overhead(c: &mut Criterion) {
    const PAYLOAD: usize = 16;
    let frames = frame_count(PAYLOAD, common::STREAM_BYTES / 4);
    let expected = Tally {
        frames,
        bytes: frames * PAYLOAD,
    };
    let mut group = c.benchmark_group("json_overhead");
    group.sampling_mode(SamplingMode::Flat);

    // What `json.dumps({"data_size": n})` sends.
    let small = stream_of(&json(), PAYLOAD, frames);
    // What a file-transfer peer sends.
    let file_json = json().with_size_key(sockframe::Json::FILE_SIZE);
    let fields = serde_json::json!({
        "file_name": "report-2024-q3.pdf",
        "file_size": 0,
        "md5": "9e107d9d372bb6826bd81d3542a419d6",
    });
    let mut file_frame = file_json
        .encode_header_with(&fields, PAYLOAD)
        .expect("valid fields");
    file_frame.extend_from_slice(&common::payload(PAYLOAD));
    let file = file_frame.repeat(frames);
    // The same with a non-ASCII file name, which json.dumps escapes
    // ("\u4f60\u597d"): sockframe reads such headers with serde_json.
    let fields = serde_json::json!({
        "file_name": "你好-2024-q3.pdf",
        "file_size": 0,
        "md5": "9e107d9d372bb6826bd81d3542a419d6",
    });
    let mut escaped_frame = file_json
        .encode_header_with(&fields, PAYLOAD)
        .expect("valid fields");
    assert!(escaped_frame.windows(6).any(|w| w == br"\u4f60"));
    escaped_frame.extend_from_slice(&common::payload(PAYLOAD));
    let escaped = escaped_frame.repeat(frames);

    for (label, framing, stream) in [
        ("data_size", json(), &small),
        ("file", file_json.clone(), &file),
        ("file_escaped", file_json, &escaped),
    ] {
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: stream.len() as u64,
        });
        group.bench_function(BenchmarkId::new("serde_struct", label), |b| {
            b.iter(|| {
                let tally = if label.starts_with("file") {
                    serde_walk(stream, |h: &FileSize| h.file_size)
                } else {
                    serde_walk(stream, |h: &DataSize| h.data_size)
                };
                assert_eq!(tally, expected);
            })
        });
        let key = framing.size_key().to_owned();
        group.bench_function(BenchmarkId::new("serde_value", label), |b| {
            b.iter(|| {
                let tally = serde_walk(stream, |h: &serde_json::Value| {
                    h[key.as_str()].as_u64().expect("integer size")
                });
                assert_eq!(tally, expected);
            })
        });
        let mut decoder = Decoder::new(framing);
        group.bench_function(BenchmarkId::new("sockframe", label), |b| {
            b.iter(|| assert_eq!(zero_copy(&mut decoder, stream), expected))
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = decode, bytewise, json_overhead
}
criterion_main!(benches);
