//! The blocking and async `FrameWriter`s share their decisions: driven by
//! the same scripted writer (short writes, failures, interruptions), they
//! accept, refuse and keep exactly the same bytes. Plus the cases neither
//! writer's own tests reach: an empty frame behind bytes kept from a cut
//! frame, frames gathered behind bytes a flush left half written, and an
//! async body read dropped while it waits.
#![cfg(feature = "tokio")]

use std::future::Future;
use std::io::{self, ErrorKind, IoSlice, Read, Write};
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use sockframe::{Ascii, Binary, Encode, Netstring};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

fn block_on<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Takes at most `max_per_call` bytes a call; fails with `fail_kind` on the
/// calls listed in `fail_on` (1-based). Never pends.
#[derive(Debug, Clone)]
struct Scripted {
    out: Vec<u8>,
    calls: usize,
    max_per_call: usize,
    fail_on: Vec<usize>,
    fail_kind: ErrorKind,
}

impl Scripted {
    fn new(max_per_call: usize, fail_on: &[usize], fail_kind: ErrorKind) -> Self {
        Scripted {
            out: Vec::new(),
            calls: 0,
            max_per_call,
            fail_on: fail_on.to_vec(),
            fail_kind,
        }
    }

    fn take(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.calls += 1;
        if self.fail_on.contains(&self.calls) {
            return Err(io::Error::new(self.fail_kind, "scripted failure"));
        }
        let mut budget = self.max_per_call;
        let mut taken = 0;
        for buf in bufs {
            let n = buf.len().min(budget);
            self.out.extend_from_slice(&buf[..n]);
            budget -= n;
            taken += n;
        }
        Ok(taken)
    }
}

impl Write for Scripted {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.take(&[IoSlice::new(buf)])
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.take(bufs)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl AsyncWrite for Scripted {
    fn poll_write(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().take(&[IoSlice::new(buf)]))
    }
    fn poll_write_vectored(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        bufs: &[IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Poll::Ready(self.get_mut().take(bufs))
    }
    fn is_write_vectored(&self) -> bool {
        true
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// One call on a writer.
#[derive(Debug, Clone)]
enum Op {
    Frame(Vec<u8>),
    Raw(Vec<u8>),
    /// `len` announced, the body holding `body`.
    From(u64, Vec<u8>),
    Flush,
}

/// What a call returned, and what the writer held after it.
#[derive(Debug, PartialEq)]
struct Seen {
    result: Result<(), ErrorKind>,
    pending: Vec<u8>,
    out: Vec<u8>,
}

fn run_blocking<E: Encode>(sink: Scripted, encoder: E, limit: usize, ops: &[Op]) -> Vec<Seen> {
    let mut writer = sockframe::io::FrameWriter::with_buffer_limit(sink, encoder, limit);
    ops.iter()
        .map(|op| {
            let result = match op {
                Op::Frame(payload) => writer.write_frame(payload),
                Op::Raw(bytes) => writer.write_raw_frames(bytes),
                Op::From(len, body) => {
                    let mut body = &body[..];
                    writer.write_frame_from(*len, &mut body)
                }
                Op::Flush => writer.flush(),
            };
            Seen {
                result: result.map_err(|e| e.kind()),
                pending: writer.pending().to_vec(),
                out: writer.get_ref().out.clone(),
            }
        })
        .collect()
}

fn run_async<E: Encode>(sink: Scripted, encoder: E, limit: usize, ops: &[Op]) -> Vec<Seen> {
    let mut writer = sockframe::tokio::FrameWriter::with_buffer_limit(sink, encoder, limit);
    ops.iter()
        .map(|op| {
            let result = block_on(async {
                match op {
                    Op::Frame(payload) => writer.write_frame(payload).await,
                    Op::Raw(bytes) => writer.write_raw_frames(bytes).await,
                    Op::From(len, body) => {
                        let mut body = &body[..];
                        writer.write_frame_from(*len, &mut body).await
                    }
                    Op::Flush => writer.flush().await,
                }
            });
            Seen {
                result: result.map_err(|e| e.kind()),
                pending: writer.pending().to_vec(),
                out: writer.get_ref().out.clone(),
            }
        })
        .collect()
}

/// Runs `ops` through both writers under every script; they must agree
/// call by call.
fn check_agree<E: Encode + Clone>(encoder: E, ops: &[Op]) {
    let fail_ons: &[&[usize]] = &[&[], &[1], &[2], &[2, 3], &[1, 3, 4], &[3, 5, 6]];
    for max_per_call in [1, 3, 7, 100_000, usize::MAX] {
        for fail_on in fail_ons {
            for kind in [ErrorKind::WouldBlock, ErrorKind::Interrupted] {
                for limit in [0, 10, sockframe::io::DEFAULT_BUFFER_LIMIT] {
                    let sink = Scripted::new(max_per_call, fail_on, kind);
                    let blocking = run_blocking(sink.clone(), encoder.clone(), limit, ops);
                    let mut not_blocking = run_async(sink, encoder.clone(), limit, ops);
                    // One documented difference: after a streamed frame was
                    // cut short, the async flush reports it, the blocking
                    // one (with nothing left to write) does not.
                    for ((op, seen), async_seen) in ops.iter().zip(&blocking).zip(&mut not_blocking)
                    {
                        if matches!(op, Op::Flush)
                            && seen.result.is_ok()
                            && async_seen.result == Err(ErrorKind::BrokenPipe)
                        {
                            async_seen.result = Ok(());
                        }
                    }
                    assert_eq!(
                        blocking, not_blocking,
                        "max {max_per_call}, fail on {fail_on:?} ({kind:?}), limit {limit}"
                    );
                }
            }
        }
    }
}

#[test]
fn both_writers_accept_refuse_and_keep_the_same_bytes() {
    let ops = [
        Op::Frame(b"first".to_vec()),
        Op::Frame(Vec::new()),
        Op::Raw(b"0003raw".to_vec()),
        Op::Raw(Vec::new()),
        Op::Frame(b"second one".to_vec()),
        Op::Flush,
        Op::Frame(b"third".to_vec()),
        Op::Flush,
        Op::Flush,
    ];
    check_agree(Ascii::new(), &ops);
    check_agree(Netstring::new(), &ops);
}

#[test]
fn both_writers_stream_bodies_and_refuse_after_one_is_cut_short_alike() {
    let body: Vec<u8> = (0..70_000u32).map(|i| i as u8).collect();
    let whole = [
        Op::Frame(b"before".to_vec()),
        Op::From(body.len() as u64, body.clone()),
        Op::From(0, Vec::new()),
        Op::Frame(b"after".to_vec()),
        Op::Flush,
    ];
    check_agree(Binary::default(), &whole);
    check_agree(Netstring::new(), &whole);
    // Short before anything went out, then after the first 64 KiB did.
    let cut = [
        Op::Frame(b"gathered".to_vec()),
        Op::From(10, b"short".to_vec()),
        Op::Frame(b"still fine".to_vec()),
        Op::From(100_000, body),
        Op::Frame(b"refused".to_vec()),
    ];
    check_agree(Binary::default(), &cut);
}

/// A writer that takes one byte a call and fails on the calls listed.
fn one_byte_at_a_time(fail_on: &[usize]) -> Scripted {
    Scripted::new(1, fail_on, ErrorKind::WouldBlock)
}

#[test]
fn an_empty_frame_behind_the_kept_rest_of_a_cut_frame_writes_that_rest_out() {
    // "0002hi": one byte out, then a failure: "002hi" kept.
    let mut writer = sockframe::io::FrameWriter::new(one_byte_at_a_time(&[2]), Ascii::new());
    writer.write_frame(b"hi").unwrap();
    assert_eq!(writer.pending(), b"002hi");
    writer.write_raw_frames(b"").unwrap();
    assert!(writer.pending().is_empty());
    assert_eq!(writer.get_ref().out, b"0002hi");

    let mut writer = sockframe::tokio::FrameWriter::new(one_byte_at_a_time(&[2]), Ascii::new());
    block_on(writer.write_frame(b"hi")).unwrap();
    assert_eq!(writer.pending(), b"002hi");
    block_on(writer.write_raw_frames(b"")).unwrap();
    assert!(writer.pending().is_empty());
    assert_eq!(writer.get_ref().out, b"0002hi");

    // Failing while still on the kept bytes: the empty frame is refused,
    // and the bytes it did write out are gone from `pending`.
    let mut writer = sockframe::tokio::FrameWriter::new(one_byte_at_a_time(&[2, 4]), Ascii::new());
    block_on(writer.write_frame(b"hi")).unwrap();
    assert!(block_on(writer.write_raw_frames(b"")).is_err());
    assert_eq!(writer.pending(), b"02hi");
    block_on(writer.flush()).unwrap();
    assert_eq!(writer.get_ref().out, b"0002hi");
}

#[test]
fn frames_gathered_behind_a_half_written_flush_keep_their_order() {
    // A flush writes three bytes, then fails: the rest stays pending, and
    // later frames gather behind it.
    let sink = || Scripted::new(3, &[2], ErrorKind::WouldBlock);
    let mut writer = sockframe::io::FrameWriter::buffered(sink(), Ascii::new());
    writer.write_frame(b"first").unwrap();
    assert!(writer.flush().is_err());
    assert_eq!(writer.pending(), b"5first");
    writer.write_frame(b"second").unwrap();
    assert_eq!(writer.pending(), b"5first0006second");
    writer.shrink_buffer();
    assert_eq!(writer.pending(), b"5first0006second");
    writer.flush().unwrap();
    assert_eq!(writer.get_ref().out, b"0005first0006second");

    let mut writer = sockframe::tokio::FrameWriter::buffered(sink(), Ascii::new());
    block_on(writer.write_frame(b"first")).unwrap();
    assert!(block_on(writer.flush()).is_err());
    assert_eq!(writer.pending(), b"5first");
    block_on(writer.write_frame(b"second")).unwrap();
    let (out, pending) = writer.into_parts();
    assert_eq!(out.out, b"000");
    assert_eq!(pending, b"5first0006second");
}

/// A body whose every read pends.
struct Stalled;

impl AsyncRead for Stalled {
    fn poll_read(
        self: Pin<&mut Self>,
        _: &mut Context<'_>,
        _: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Poll::Pending
    }
}

#[test]
fn a_write_frame_from_dropped_while_its_body_pends_is_forgotten() {
    let mut writer = sockframe::tokio::FrameWriter::new(Vec::new(), Ascii::new());
    {
        let mut cx = Context::from_waker(Waker::noop());
        let mut body = Stalled;
        let mut copy = Box::pin(writer.write_frame_from(5, &mut body));
        assert!(copy.as_mut().poll(&mut cx).is_pending());
    }
    // Only the header is queued: no unread space was left behind.
    assert_eq!(writer.pending(), b"0005");
    block_on(writer.write_frame(b"ok")).unwrap();
    assert!(writer.pending().is_empty());
    assert_eq!(writer.get_ref(), b"0002ok");
}

/// A body reader that is interrupted once, then gives a byte at a time.
struct Trickle<'a> {
    data: &'a [u8],
    interrupted: bool,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if !self.interrupted {
            self.interrupted = true;
            return Err(io::Error::new(ErrorKind::Interrupted, "signal"));
        }
        let n = buf.len().min(1);
        self.data.read(&mut buf[..n])
    }
}

#[test]
fn a_body_read_interrupted_or_a_byte_at_a_time_is_finished() {
    let mut writer = sockframe::io::FrameWriter::new(Vec::new(), Netstring::new());
    let mut body = Trickle {
        data: b"abc",
        interrupted: false,
    };
    writer.write_frame_from(3, &mut body).unwrap();
    assert_eq!(writer.get_ref(), b"3:abc,");
}
