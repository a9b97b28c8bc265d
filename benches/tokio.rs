//! The async adapters against tokio-util's `FramedRead<_,
//! LengthDelimitedCodec>` on the same stream (a 4-byte big-endian length,
//! then the payload: `LengthField::new()` and `LengthDelimitedCodec::new()`
//! read the same bytes), over an in-memory duplex and over loopback TCP.
//!
//! - `async_read/<size>/<transport>/sockframe_reader`: `tokio::FrameReader`,
//!   borrowed frames;
//! - `.../sockframe_codec`: sockframe's `FrameCodec` inside `FramedRead`
//!   (frames with their headers: for `LengthField`, the header bytes
//!   copied into a `HeaderBytes`, inline up to 15 bytes, no allocation);
//! - `.../sockframe_payload_codec`: its `PayloadCodec` (payloads alone, as
//!   `LengthDelimitedCodec` yields);
//! - `.../sockframe_codec_binary_le` and `.../length_delimited_le`: the
//!   codec with `Binary` (no header to copy) and tokio-util little-endian,
//!   on the same stream;
//! - `.../length_delimited`: `FramedRead<_, LengthDelimitedCodec>`.
//!
//! A writer task sends the whole stream each iteration; every variant reads
//! it to the end and counts the frames. `cargo bench --bench tokio --
//! 'async_read/16B/'` runs one group.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use futures_util::StreamExt;
use sockframe::tokio::{FrameCodec, FrameReader};
use sockframe::{Binary, LengthField, Limits};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{FramedRead, LengthDelimitedCodec};

mod common;
use common::{size_name, stream_of};

/// Sizes the issue names.
const SIZES: [usize; 3] = [16, 4096, 65536];

/// About 4 MiB of stream per iteration.
const STREAM_BYTES: usize = 4 << 20;

fn limits() -> Limits {
    Limits::new().max_frame(8 << 20)
}

/// Reads every frame with the async reader; returns the count.
async fn with_reader<R: AsyncRead + Unpin>(source: R) -> usize {
    let mut reader = FrameReader::with_limits(source, LengthField::new(), limits());
    let mut frames = 0;
    while let Some(frame) = reader.read_frame().await.expect("a frame") {
        black_box(frame.payload());
        frames += 1;
    }
    frames
}

async fn with_codec<R: AsyncRead + Unpin>(source: R) -> usize {
    let codec = FrameCodec::with_limits(LengthField::new(), limits());
    let mut frames = FramedRead::new(source, codec);
    let mut count = 0;
    while let Some(frame) = frames.next().await {
        black_box(frame.expect("a frame").payload);
        count += 1;
    }
    count
}

/// The codec with a framing whose header has no owned form to copy
/// (`Binary`: the same stream as `LengthDelimitedCodec` little-endian).
async fn with_binary_codec<R: AsyncRead + Unpin>(source: R) -> usize {
    let codec = FrameCodec::with_limits(Binary::default(), limits());
    let mut frames = FramedRead::new(source, codec);
    let mut count = 0;
    while let Some(frame) = frames.next().await {
        black_box(frame.expect("a frame").payload);
        count += 1;
    }
    count
}

/// The codec yielding payloads alone, as `LengthDelimitedCodec` does.
async fn with_payload_codec<R: AsyncRead + Unpin>(source: R) -> usize {
    let codec = FrameCodec::with_limits(LengthField::new(), limits()).payloads();
    let mut frames = FramedRead::new(source, codec);
    let mut count = 0;
    while let Some(frame) = frames.next().await {
        black_box(frame.expect("a frame"));
        count += 1;
    }
    count
}

async fn with_length_delimited<R: AsyncRead + Unpin>(source: R, little_endian: bool) -> usize {
    let mut codec = LengthDelimitedCodec::builder();
    if little_endian {
        codec.little_endian();
    }
    let codec = codec.max_frame_length(8 << 20).new_codec();
    let mut frames = FramedRead::new(source, codec);
    let mut count = 0;
    while let Some(frame) = frames.next().await {
        black_box(frame.expect("a frame"));
        count += 1;
    }
    count
}

/// Sends `data` from a task and closes the sending side.
fn send<W: AsyncWrite + Unpin + Send + 'static>(mut out: W, data: &'static [u8]) {
    tokio::spawn(async move {
        out.write_all(data).await.expect("sent");
        out.shutdown().await.expect("closed");
    });
}

async fn loopback() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (client, server) = tokio::join!(TcpStream::connect(addr), listener.accept());
    (client.unwrap(), server.unwrap().0)
}

#[derive(Clone, Copy)]
enum Variant {
    Reader,
    Codec,
    PayloadCodec,
    LengthDelimited,
    /// `Binary` (4-byte little-endian length) in sockframe's codec, and
    /// `LengthDelimitedCodec` little-endian on the same stream.
    BinaryCodec,
    LengthDelimitedLe,
}

impl Variant {
    const ALL: [(Variant, &'static str); 6] = [
        (Variant::Reader, "sockframe_reader"),
        (Variant::Codec, "sockframe_codec"),
        (Variant::PayloadCodec, "sockframe_payload_codec"),
        (Variant::LengthDelimited, "length_delimited"),
        (Variant::BinaryCodec, "sockframe_codec_binary_le"),
        (Variant::LengthDelimitedLe, "length_delimited_le"),
    ];

    fn little_endian(self) -> bool {
        matches!(self, Variant::BinaryCodec | Variant::LengthDelimitedLe)
    }

    async fn read<R: AsyncRead + Unpin>(self, source: R) -> usize {
        match self {
            Variant::Reader => with_reader(source).await,
            Variant::Codec => with_codec(source).await,
            Variant::PayloadCodec => with_payload_codec(source).await,
            Variant::LengthDelimited => with_length_delimited(source, false).await,
            Variant::BinaryCodec => with_binary_codec(source).await,
            Variant::LengthDelimitedLe => with_length_delimited(source, true).await,
        }
    }
}

fn reading(c: &mut Criterion) {
    // One worker thread: the writer task and the reader take turns on it,
    // so the rows measure the readers, not cross-thread wakeups (on the
    // multi-threaded runtime they dominated and varied run to run).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    for size in SIZES {
        let frames = (STREAM_BYTES / (size + 4)).max(1);
        let big: &'static [u8] = Box::leak(stream_of(&LengthField::new(), size, frames).into());
        let little: &'static [u8] = Box::leak(stream_of(&Binary::default(), size, frames).into());
        let mut group = c.benchmark_group(format!("async_read/{}", size_name(size)));
        group.throughput(Throughput::Elements(frames as u64));
        for (variant, name) in Variant::ALL {
            let data = if variant.little_endian() { little } else { big };
            group.bench_function(BenchmarkId::new("duplex", name), |b| {
                b.iter(|| {
                    runtime.block_on(async {
                        let (tx, rx) = tokio::io::duplex(64 * 1024);
                        send(tx, data);
                        assert_eq!(variant.read(rx).await, frames);
                    })
                })
            });
            group.bench_function(BenchmarkId::new("tcp", name), |b| {
                b.iter(|| {
                    runtime.block_on(async {
                        let (tx, rx) = loopback().await;
                        send(tx, data);
                        assert_eq!(variant.read(rx).await, frames);
                    })
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = reading
}
criterion_main!(benches);
