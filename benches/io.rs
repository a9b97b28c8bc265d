//! The blocking adapters over loopback TCP against raw `read`/`write` loops
//! moving the same bytes, and how many `read`/`write` calls they make.
//!
//! Each connection stays open for the whole benchmark: a thread on the
//! other end sends (or drains) the stream once per iteration. Call counts
//! are printed to stderr before the timings (`io counts: ...`), measured
//! with counting `Read`/`Write` wrappers over an in-memory source, a sink
//! and the loopback socket.
//!
//! `cargo bench --bench io -- 'io_read/16B/'` runs one group.

use std::hint::black_box;
use std::io::{self, IoSlice, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::sync::Arc;
use std::thread;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use sockframe::io::{FrameReader, FrameWriter, DEFAULT_READ_CHUNK};
use sockframe::{Binary, Limits};

mod common;
use common::{binary, payload, size_name, stream_of, PAYLOAD_SIZES};

/// Frames per stream: up to 32 MiB, and at most 64 Ki frames so that the
/// unbuffered writer (one system call per frame) keeps runs short.
fn frames_for(size: usize) -> usize {
    (common::STREAM_BYTES / (size + 4)).clamp(1, 1 << 16)
}

/// Counts the calls made on a reader or writer.
struct Counting<T> {
    inner: T,
    calls: u64,
    bytes: u64,
    largest_offer: usize,
}

impl<T> Counting<T> {
    fn new(inner: T) -> Self {
        Counting {
            inner,
            calls: 0,
            bytes: 0,
            largest_offer: 0,
        }
    }
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.calls += 1;
        self.largest_offer = self.largest_offer.max(buf.len());
        let n = self.inner.read(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.calls += 1;
        let n = self.inner.write_vectored(bufs)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Both ends of a loopback TCP connection.
fn loopback() -> (TcpStream, TcpStream) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let client = TcpStream::connect(listener.local_addr().expect("address")).expect("connect");
    let (server, _) = listener.accept().expect("accept");
    client.set_nodelay(true).expect("nodelay");
    server.set_nodelay(true).expect("nodelay");
    (client, server)
}

/// A thread writing `data` into `stream` once per message on the channel.
fn feeder(mut stream: TcpStream, data: Arc<Vec<u8>>) -> mpsc::Sender<()> {
    let (go, rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        for () in rx {
            stream.write_all(&data).expect("feed the stream");
        }
    });
    go
}

/// A thread reading `stream` and reporting every `expected` bytes.
fn drain(mut stream: TcpStream, expected: usize) -> mpsc::Receiver<()> {
    let (done, rx) = mpsc::channel::<()>();
    thread::spawn(move || {
        let mut buf = vec![0u8; DEFAULT_READ_CHUNK];
        let mut got = 0;
        loop {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got += n,
            }
            while got >= expected {
                got -= expected;
                if done.send(()).is_err() {
                    return;
                }
            }
        }
    });
    rx
}

/// Reads exactly `len` bytes with plain `read` calls into a reused 64 KiB
/// buffer: the raw loop the reader is compared with.
fn raw_read(stream: &mut TcpStream, buf: &mut [u8], len: usize) {
    let mut got = 0;
    while got < len {
        let n = stream.read(buf).expect("read");
        assert!(n > 0, "stream ended early");
        black_box(&buf[..n]);
        got += n;
    }
}

fn read_frames<R: Read>(reader: &mut FrameReader<R, Binary>, frames: usize, size: usize) {
    for _ in 0..frames {
        let frame = reader.read_frame().expect("read").expect("a frame");
        assert_eq!(black_box(frame.payload()).len(), size);
    }
}

fn reader(c: &mut Criterion) {
    for size in PAYLOAD_SIZES {
        let frames = frames_for(size);
        let data = Arc::new(stream_of(&binary(), size, frames));
        print_read_counts(size, frames, &data);

        let mut group = c.benchmark_group(format!("io_read/{}", size_name(size)));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: data.len() as u64,
        });

        let (mut raw, server) = loopback();
        let go = feeder(server, Arc::clone(&data));
        let mut buf = vec![0u8; DEFAULT_READ_CHUNK];
        group.bench_function(BenchmarkId::new("raw", "read_64k"), |b| {
            b.iter(|| {
                go.send(()).expect("feeder alive");
                raw_read(&mut raw, &mut buf, data.len());
            })
        });

        let (client, server) = loopback();
        let go = feeder(server, Arc::clone(&data));
        let mut framed = FrameReader::new(client, binary());
        group.bench_function(BenchmarkId::new("frame_reader", "read_frame"), |b| {
            b.iter(|| {
                go.send(()).expect("feeder alive");
                read_frames(&mut framed, frames, size);
            })
        });
        group.finish();
    }
}

/// Read calls per frame and per 64 KiB, from memory and from loopback.
fn print_read_counts(size: usize, frames: usize, data: &Arc<Vec<u8>>) {
    let mut in_memory = FrameReader::new(Counting::new(&data[..]), binary());
    read_frames(&mut in_memory, frames, size);
    let source = in_memory.get_ref();
    let (client, server) = loopback();
    let go = feeder(server, Arc::clone(data));
    let mut over_tcp = FrameReader::new(Counting::new(client), binary());
    go.send(()).expect("feeder alive");
    read_frames(&mut over_tcp, frames, size);
    let socket = over_tcp.get_ref();
    let per_64k = |calls: u64| calls as f64 / (data.len() as f64 / 65536.0);
    eprintln!(
        "io counts: read_frame, {} payloads, {frames} frames, {} bytes: \
         in memory {} reads ({:.3} per frame, {:.2} per 64 KiB); \
         loopback {} reads ({:.3} per frame, {:.2} per 64 KiB, {} bytes per read)",
        size_name(size),
        data.len(),
        source.calls,
        source.calls as f64 / frames as f64,
        per_64k(source.calls),
        socket.calls,
        socket.calls as f64 / frames as f64,
        per_64k(socket.calls),
        socket.bytes / socket.calls.max(1),
    );
}

/// Large bodies: `read_header` then `read_body` into the caller's buffer,
/// and `copy_body_to` a sink, against the raw loop.
fn body(c: &mut Criterion) {
    const BODY: usize = 8 << 20;
    const FRAMES: usize = 4;
    let data = Arc::new(stream_of(&binary(), BODY, FRAMES));
    let limits = Limits::new().max_frame(BODY as u64);

    // Where the body bytes went: the largest buffer offered to the source
    // shows whether reads went straight into the caller's buffer.
    let mut counted = FrameReader::with_limits(Counting::new(&data[..]), binary(), limits);
    let mut out = vec![0u8; BODY];
    for _ in 0..FRAMES {
        read_body_into(&mut counted, &mut out);
    }
    let source = counted.get_ref();
    eprintln!(
        "io counts: read_header + read_body, 8 MiB bodies into an 8 MiB buffer, from memory: \
         {} reads for {FRAMES} frames, largest buffer offered {} bytes",
        source.calls, source.largest_offer
    );

    let mut group = c.benchmark_group("io_body/8MiB");
    group.sampling_mode(SamplingMode::Flat);
    group.throughput(Throughput::ElementsAndBytes {
        elements: FRAMES as u64,
        bytes: data.len() as u64,
    });

    let (mut raw, server) = loopback();
    let go = feeder(server, Arc::clone(&data));
    let mut buf = vec![0u8; BODY];
    group.bench_function(BenchmarkId::new("raw", "read_into_8MiB"), |b| {
        b.iter(|| {
            go.send(()).expect("feeder alive");
            raw_read(&mut raw, &mut buf, data.len());
        })
    });

    let (client, server) = loopback();
    let go = feeder(server, Arc::clone(&data));
    let mut framed = FrameReader::with_limits(client, binary(), limits);
    group.bench_function(BenchmarkId::new("frame_reader", "read_body"), |b| {
        b.iter(|| {
            go.send(()).expect("feeder alive");
            for _ in 0..FRAMES {
                read_body_into(&mut framed, &mut out);
            }
        })
    });

    let (client, server) = loopback();
    let go = feeder(server, Arc::clone(&data));
    let mut framed = FrameReader::with_limits(client, binary(), limits);
    group.bench_function(BenchmarkId::new("frame_reader", "copy_body_to_sink"), |b| {
        b.iter(|| {
            go.send(()).expect("feeder alive");
            for _ in 0..FRAMES {
                let (_, len) = framed.read_header().expect("read").expect("a frame");
                assert_eq!(framed.copy_body_to(&mut io::sink()).expect("copy"), len);
            }
        })
    });
    group.finish();
}

fn read_body_into<R: Read>(reader: &mut FrameReader<R, Binary>, out: &mut [u8]) {
    let (_, len) = reader.read_header().expect("read").expect("a frame");
    let mut filled = 0;
    while filled < len as usize {
        let n = reader.read_body(&mut out[filled..]).expect("read body");
        assert!(n > 0, "body ended early");
        filled += n;
    }
    black_box(&out[..filled]);
}

fn writer(c: &mut Criterion) {
    for size in PAYLOAD_SIZES {
        let frames = frames_for(size);
        let payload = payload(size);
        let data = stream_of(&binary(), size, frames);
        print_write_counts(size, frames, &payload);

        let mut group = c.benchmark_group(format!("io_write/{}", size_name(size)));
        group.sampling_mode(SamplingMode::Flat);
        group.throughput(Throughput::ElementsAndBytes {
            elements: frames as u64,
            bytes: data.len() as u64,
        });

        let (mut raw, server) = loopback();
        let done = drain(server, data.len());
        group.bench_function(BenchmarkId::new("raw", "write_64k"), |b| {
            b.iter(|| {
                for chunk in data.chunks(DEFAULT_READ_CHUNK) {
                    raw.write_all(chunk).expect("write");
                }
                done.recv().expect("drained");
            })
        });

        for (label, buffered) in [("unbuffered", false), ("buffered", true)] {
            let (client, server) = loopback();
            let done = drain(server, data.len());
            let mut framed = if buffered {
                FrameWriter::buffered(client, binary())
            } else {
                FrameWriter::new(client, binary())
            };
            group.bench_function(BenchmarkId::new("frame_writer", label), |b| {
                b.iter(|| {
                    for _ in 0..frames {
                        framed.write_frame(black_box(&payload)).expect("write");
                    }
                    framed.flush().expect("flush");
                    done.recv().expect("drained");
                })
            });
        }
        group.finish();
    }
}

/// Write calls per frame, unbuffered and buffered, into a sink.
fn print_write_counts(size: usize, frames: usize, payload: &[u8]) {
    let mut unbuffered = FrameWriter::new(Counting::new(io::sink()), binary());
    let mut buffered = FrameWriter::buffered(Counting::new(io::sink()), binary());
    for _ in 0..frames {
        unbuffered.write_frame(payload).expect("write");
        buffered.write_frame(payload).expect("write");
    }
    unbuffered.flush().expect("flush");
    buffered.flush().expect("flush");
    let (u, b) = (unbuffered.get_ref(), buffered.get_ref());
    eprintln!(
        "io counts: write_frame, {} payloads, {frames} frames, {} bytes: unbuffered {} calls \
         ({:.3} per frame); buffered {} calls ({:.2} per 64 KiB)",
        size_name(size),
        u.bytes,
        u.calls,
        u.calls as f64 / frames as f64,
        b.calls,
        b.calls as f64 / (b.bytes as f64 / 65536.0),
    );
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = reader, body, writer
}
criterion_main!(benches);
