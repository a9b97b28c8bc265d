//! The async reader, writer and codec against the blocking ones' promises:
//! every framing under random splits, reads cancelled at random points
//! (nothing lost, nothing twice), bodies streamed, limits, errors.
#![cfg(all(feature = "tokio", feature = "testing"))]

use std::future::Future;
use std::io;
use std::pin::{pin, Pin};
use std::task::{Context, Poll, Waker};

use proptest::prelude::*;
use sockframe::io::frame_error;
use sockframe::testing::{ScriptedReader, Split, Step};
use sockframe::tokio::{FrameCodec, FrameReader, FrameWriter};
use sockframe::{
    Ascii, Binary, Delimited, Encode, Error, Framing, Json, LengthField, Limits, Needed, Netstring,
    Varint,
};
use tokio::io::AsyncWrite;
use tokio_util::codec::Decoder as _;

/// Polls `future` to completion with a waker that does nothing (the
/// scripted reader never waits on anything outside).
fn block_on<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Polls the future `$make` builds; each time it is pending, asks
/// `$cancels` whether to drop it and build it again (a cancelled read).
macro_rules! cancellable {
    ($cancels:expr, $make:expr) => {{
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            let mut future = pin!($make);
            let done = loop {
                match future.as_mut().poll(&mut cx) {
                    Poll::Ready(out) => break Some(out),
                    Poll::Pending if $cancels.next().unwrap_or(false) => break None,
                    Poll::Pending => {}
                }
            };
            if let Some(out) = done {
                break out;
            }
        }
    }};
}

/// A destination that takes at most 3 bytes per write and is pending
/// every other call: cancellation can strike inside `copy_body_to` too.
#[derive(Default)]
struct Choppy {
    got: Vec<u8>,
    pend: bool,
}

impl AsyncWrite for Choppy {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.pend = !self.pend;
        if self.pend {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        let n = bytes.len().min(3);
        self.got.extend_from_slice(&bytes[..n]);
        Poll::Ready(Ok(n))
    }
    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// What one take of the reader gave: a payload, or frames skipped.
#[derive(Debug, PartialEq)]
enum Took {
    Payload(Vec<u8>),
    Skipped { frames: u64, payload_bytes: u64 },
}

/// Reads `wire` (the frames of `payloads`) through the async reader, cut
/// by `split`, taking each frame the way `ways` says, cancelling pending
/// reads where `cancels` says; checks every payload comes out once, in
/// order.
fn check_cancelled<F: Framing + Clone>(
    framing: F,
    payloads: &[Vec<u8>],
    wire: &[u8],
    split: &Split,
    ways: &[u8],
    cancels: &[bool],
) {
    let mut cancels = cancels.iter().copied().cycle();
    let source = ScriptedReader::new(wire, split);
    let mut reader = FrameReader::new(source, framing).with_read_chunk(7);
    assert_eq!(reader.read_chunk(), 7);
    let mut took = Vec::new();
    let mut ways = ways.iter().copied().cycle();
    loop {
        let step = match ways.next().unwrap_or(0) % 5 {
            0 => cancellable!(cancels, reader.read_frame_owned())
                .map(|frame| frame.map(|frame| Took::Payload(frame.payload))),
            1 => match cancellable!(cancels, reader.read_header_owned()) {
                Ok(Some((_, body_len))) => {
                    let mut body = Vec::new();
                    let mut buf = [0; 5];
                    loop {
                        match cancellable!(cancels, reader.read_body(&mut buf)) {
                            Ok(0) => break,
                            Ok(n) => body.extend_from_slice(&buf[..n]),
                            Err(e) => panic!("read_body: {e} (split {split})"),
                        }
                    }
                    assert_eq!(body.len() as u64, body_len, "split {split}");
                    Ok(Some(Took::Payload(body)))
                }
                other => other.map(|_| None),
            },
            2 => match cancellable!(cancels, reader.read_header_owned()) {
                Ok(Some((_, body_len))) => {
                    let mut out = Choppy::default();
                    let mut copied = 0;
                    while reader.body_remaining().is_some() {
                        copied += cancellable!(cancels, reader.copy_body_to(&mut out))
                            .unwrap_or_else(|e| panic!("copy_body_to: {e} (split {split})"));
                    }
                    assert!(copied <= body_len);
                    assert_eq!(out.got.len() as u64, body_len, "split {split}");
                    Ok(Some(Took::Payload(out.got)))
                }
                other => other.map(|_| None),
            },
            3 => cancellable!(cancels, reader.skip_frame()).map(|skipped| {
                skipped.map(|s| Took::Skipped {
                    frames: s.frames,
                    payload_bytes: s.payload_bytes,
                })
            }),
            _ => cancellable!(cancels, reader.skip_frames()).map(|skipped| {
                skipped.map(|s| Took::Skipped {
                    frames: s.frames,
                    payload_bytes: s.payload_bytes,
                })
            }),
        };
        match step {
            Ok(Some(one)) => took.push(one),
            Ok(None) => break,
            Err(e) => panic!("{e} after {} takes (split {split})", took.len()),
        }
        assert!(
            took.len() <= payloads.len(),
            "more frames than sent (split {split})"
        );
    }
    // Each take matches the next payload(s), in order, each once.
    let mut next = 0;
    for one in &took {
        match one {
            Took::Payload(payload) => {
                assert_eq!(payload, &payloads[next], "frame {next}, split {split}");
                next += 1;
            }
            Took::Skipped {
                frames,
                payload_bytes,
            } => {
                let frames = *frames as usize;
                let expected: usize = payloads[next..next + frames].iter().map(Vec::len).sum();
                assert_eq!(
                    *payload_bytes, expected as u64,
                    "frames {next}.., split {split}"
                );
                next += frames;
            }
        }
    }
    assert_eq!(next, payloads.len(), "frames lost (split {split})");
}

fn wire_of<E: Encode>(encoder: &E, payloads: &[Vec<u8>]) -> Vec<u8> {
    let mut wire = Vec::new();
    for payload in payloads {
        encoder.encode_into(payload, &mut wire).unwrap();
    }
    wire
}

fn steps() -> impl Strategy<Value = Split> {
    prop::collection::vec(
        prop_oneof![
            3 => (1usize..40).prop_map(Step::Bytes),
            2 => Just(Step::WouldBlock),
            1 => Just(Step::Interrupted),
        ],
        1..12,
    )
    .prop_map(Split::from_steps)
}

fn payloads() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(any::<u8>(), 0..60), 0..8)
}

/// Payloads without a newline, for the line framing.
fn lines() -> impl Strategy<Value = Vec<Vec<u8>>> {
    prop::collection::vec(prop::collection::vec(b'a'..=b'z', 0..60), 0..8)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn cancelled_reads_lose_nothing_and_repeat_nothing(
        payloads in payloads(),
        lines in lines(),
        split in steps(),
        ways in prop::collection::vec(any::<u8>(), 1..10),
        cancels in prop::collection::vec(any::<bool>(), 1..10),
    ) {
        check_cancelled(Ascii::new(), &payloads, &wire_of(&Ascii::new(), &payloads), &split, &ways, &cancels);
        check_cancelled(Binary::default(), &payloads, &wire_of(&Binary::default(), &payloads), &split, &ways, &cancels);
        check_cancelled(Json::new(), &payloads, &wire_of(&Json::new(), &payloads), &split, &ways, &cancels);
        check_cancelled(Varint::new(), &payloads, &wire_of(&Varint::new(), &payloads), &split, &ways, &cancels);
        check_cancelled(Netstring::new(), &payloads, &wire_of(&Netstring::new(), &payloads), &split, &ways, &cancels);
        check_cancelled(LengthField::new(), &payloads, &wire_of(&LengthField::new(), &payloads), &split, &ways, &cancels);
        let crlf = Delimited::new(b"\r\n").unwrap();
        check_cancelled(crlf, &lines, &wire_of(&crlf, &lines), &split, &ways, &cancels);
    }

    /// The codec in `FramedRead`'s place: the buffer grows only with what
    /// arrives, frames come out whole with their headers, and payloads
    /// share the read buffer's memory.
    #[test]
    fn codec_decodes_any_split(payloads in payloads(), split in steps()) {
        let wire = wire_of(&Json::new(), &payloads);
        let mut codec = FrameCodec::new(Json::new());
        let mut buf = bytes::BytesMut::new();
        let mut got = Vec::new();
        for piece in split.pieces(&wire) {
            buf.extend_from_slice(piece);
            loop {
                // The read buffer's bytes: the payload must be among them.
                let range = buf.as_ptr() as usize..buf.as_ptr() as usize + buf.len();
                let Some(frame) = codec.decode(&mut buf).unwrap() else { break };
                prop_assert!(frame.payload.is_empty() || range.contains(&(frame.payload.as_ptr() as usize)));
                prop_assert_eq!(frame.header.as_str(), format!(r#"{{"data_size": {}}}"#, frame.payload.len()));
                got.push(frame.payload.to_vec());
            }
        }
        prop_assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
        prop_assert_eq!(got, payloads);
    }
}

#[test]
fn a_read_dropped_while_pending_keeps_what_it_read() {
    let split = Split::from_steps([Step::Bytes(3), Step::WouldBlock]);
    let source = ScriptedReader::new(b"0005hello", &split);
    let mut reader = FrameReader::new(source, Ascii::new());
    let mut cx = Context::from_waker(Waker::noop());
    for buffered in [3, 6] {
        let mut read = Box::pin(reader.read_frame_owned());
        assert!(read.as_mut().poll(&mut cx).is_pending());
        drop(read);
        assert_eq!(reader.buffer().len(), buffered);
    }
    let frame = block_on(reader.read_frame_owned()).unwrap().unwrap();
    assert_eq!(frame.payload, b"hello");
    assert!(block_on(reader.read_frame()).unwrap().is_none());
}

#[test]
fn codec_end_of_stream_says_how_many_bytes_are_missing() {
    let mut codec = FrameCodec::new(Ascii::new());
    let mut buf = bytes::BytesMut::from(&b"0002hi0005hel"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap().payload, "hi");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    let error = codec.decode_eof(&mut buf).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    match frame_error(&error) {
        Some(Error::UnexpectedEof { offset, needed }) => {
            assert_eq!((*offset, *needed), (13, Needed::exact(2)));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn payload_codec_yields_what_the_frame_codec_does_without_headers() {
    let wire = wire_of(
        &Json::new(),
        &[b"one".to_vec(), b"".to_vec(), b"three".to_vec()],
    );
    let mut frames = FrameCodec::new(Json::new());
    let mut payloads = FrameCodec::new(Json::new()).payloads();
    let (mut a, mut b) = (bytes::BytesMut::new(), bytes::BytesMut::new());
    for piece in wire.chunks(5) {
        a.extend_from_slice(piece);
        b.extend_from_slice(piece);
        loop {
            let (frame, payload) = (
                frames.decode(&mut a).unwrap(),
                payloads.decode(&mut b).unwrap(),
            );
            assert_eq!(frame.map(|frame| frame.payload), payload);
            if payload.is_none() {
                break;
            }
        }
    }
    assert_eq!(payloads.decoder().offset(), wire.len() as u64);
    // A cut stream: the same error from both.
    let mut b = bytes::BytesMut::from(&wire[..7]);
    let mut payloads = FrameCodec::new(Json::new()).payloads();
    let error = payloads.decode_eof(&mut b).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
    assert!(matches!(
        frame_error(&error),
        Some(Error::UnexpectedEof { offset: 7, .. })
    ));
}

#[test]
fn codec_takes_a_delimited_streams_last_line_when_configured() {
    let lines = Delimited::new(b"\n").unwrap().take_last_frame(true);
    let mut codec = FrameCodec::new(lines);
    let mut buf = bytes::BytesMut::from(&b"one\ntwo"[..]);
    assert_eq!(codec.decode(&mut buf).unwrap().unwrap().payload, "one");
    assert_eq!(codec.decode_eof(&mut buf).unwrap().unwrap().payload, "two");
    assert_eq!(codec.decode_eof(&mut buf).unwrap(), None);
}

#[test]
fn codec_reserves_from_what_is_needed_not_from_an_announced_length() {
    let limits = Limits::new().max_frame(u64::MAX);
    let mut codec = FrameCodec::with_limits(Binary::default(), limits).with_read_chunk(4096);
    // 2 GiB announced, 10 bytes sent.
    let mut buf = bytes::BytesMut::new();
    buf.extend_from_slice(&i32::MAX.to_le_bytes());
    buf.extend_from_slice(b"0123456789");
    assert!(codec.decode(&mut buf).unwrap().is_none());
    assert!(buf.capacity() <= 64 * 1024, "reserved {}", buf.capacity());
    // Over the default limit, refused at the header with its numbers.
    let mut codec = FrameCodec::new(Binary::default());
    let mut buf = bytes::BytesMut::from(&i32::MAX.to_le_bytes()[..]);
    let error = codec.decode(&mut buf).unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
    assert!(matches!(
        frame_error(&error),
        Some(Error::FrameTooLong { offset: 0, length, .. }) if *length == i32::MAX as u64
    ));
}

#[test]
fn frames_before_a_bad_header_come_first_and_the_error_is_sticky() {
    let wire = b"0002hi0001!zzzz";
    let mut reader = FrameReader::new(&wire[..], Ascii::new());
    block_on(async {
        assert_eq!(reader.read_frame().await.unwrap().unwrap().payload(), b"hi");
        assert_eq!(reader.read_frame().await.unwrap().unwrap().payload(), b"!");
        let first = reader.read_frame().await.unwrap_err();
        let again = reader.read_frame().await.unwrap_err();
        assert_eq!(first.kind(), io::ErrorKind::InvalidData);
        assert_eq!(frame_error(&first), frame_error(&again));
        assert_eq!(frame_error(&first).and_then(Error::offset), Some(11));
    });
}

#[test]
fn a_stream_cut_mid_body_is_unexpected_eof_for_every_body_method() {
    let wire = b"0010hello";
    block_on(async {
        let mut reader = FrameReader::new(&wire[..], Ascii::new());
        let error = reader.read_frame().await.unwrap_err();
        assert!(matches!(
            frame_error(&error),
            Some(Error::UnexpectedEof { needed, .. }) if *needed == Needed::exact(5)
        ));
        let mut reader = FrameReader::new(&wire[..], Ascii::new());
        assert_eq!(reader.read_header().await.unwrap().unwrap().1, 10);
        let mut sink = Vec::new();
        let error = reader.copy_body_to(&mut sink).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert_eq!(sink, b"hello");
        // Sticky: the body stays cut short.
        let mut buf = [0; 4];
        assert!(reader.read_body(&mut buf).await.is_err());
        let mut reader = FrameReader::new(&wire[..], Ascii::new());
        assert!(reader.skip_frame().await.is_err());
    });
}

#[test]
fn streamed_bodies_pass_max_frame_but_not_max_streamed_body() {
    let body = vec![9u8; 100_000];
    let wire = Binary::default().encode_to_vec(&body).unwrap();
    let limits = Limits::new().max_frame(1_000);
    block_on(async {
        let mut reader = FrameReader::with_limits(&wire[..], Binary::default(), limits);
        let (_, len) = reader.read_header().await.unwrap().unwrap();
        let mut out = Vec::new();
        assert_eq!(reader.copy_body_to(&mut out).await.unwrap(), len);
        assert_eq!(out, body);
        assert!(
            reader.buffer().capacity() < 80_000,
            "{}",
            reader.buffer().capacity()
        );

        let mut reader = FrameReader::with_limits(&wire[..], Binary::default(), limits);
        assert!(reader.read_frame().await.is_err());
        let limits = Limits::new().max_streamed_body(10);
        let mut reader = FrameReader::with_limits(&wire[..], Binary::default(), limits);
        assert!(reader.read_header().await.is_err());
    });
}

#[test]
fn writer_gathers_writes_vectored_and_keeps_the_rest_of_a_cut_frame() {
    block_on(async {
        // Unbuffered: every frame written by the time write_frame returns.
        let mut writer = FrameWriter::new(Vec::new(), Netstring::new());
        writer.write_frame(b"hello").await.unwrap();
        writer.write_raw_frames(b"0:,").await.unwrap();
        assert_eq!(writer.get_ref(), b"5:hello,0:,");
        // Buffered: gathered until flush.
        let mut writer = FrameWriter::buffered(Vec::new(), Ascii::new());
        writer.write_frame(b"a").await.unwrap();
        assert!(writer.get_ref().is_empty());
        assert_eq!(writer.pending(), b"0001a");
        writer.flush().await.unwrap();
        assert_eq!(writer.get_ref(), b"0001a");
        // A payload the header cannot describe: refused, nothing written.
        let error = writer.write_frame(&[0; 10_000]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(writer.get_ref(), b"0001a");
    });
    // A writer taking 3 bytes at a time and pending every other call, with
    // each pending write_frame dropped: frames arrive whole or not at all.
    let mut writer = FrameWriter::new(Choppy::default(), Ascii::new());
    let mut cancels = [true, false, false].into_iter().cycle();
    let mut accepted = Vec::new();
    for payload in [&b"first"[..], b"second", b"third"] {
        let before = writer.pending().len();
        let done = {
            let mut cx = Context::from_waker(Waker::noop());
            let mut future = pin!(writer.write_frame(payload));
            loop {
                match future.as_mut().poll(&mut cx) {
                    Poll::Ready(out) => break Some(out),
                    Poll::Pending if cancels.next().unwrap() => break None,
                    Poll::Pending => {}
                }
            }
        };
        if done.is_some() || writer.pending().len() > before {
            accepted.push(payload);
        }
    }
    block_on(writer.flush()).unwrap();
    let wire = wire_of(
        &Ascii::new(),
        &accepted.iter().map(|p| p.to_vec()).collect::<Vec<_>>(),
    );
    assert_eq!(writer.get_ref().got, wire);
}

#[cfg(feature = "futures-io")]
#[test]
fn futures_io_streams_work_through_the_compat_layer() {
    use futures_util::io::Cursor;
    block_on(async {
        let mut writer = FrameWriter::from_futures_io(Cursor::new(Vec::new()), Json::new());
        writer.write_frame(b"over futures-io").await.unwrap();
        writer.flush().await.unwrap();
        let (cursor, _) = writer.into_parts();
        let wire = cursor.into_inner().into_inner();
        let mut reader = FrameReader::from_futures_io(Cursor::new(wire), Json::new());
        let frame = reader.read_frame().await.unwrap().unwrap();
        assert_eq!(frame.payload(), b"over futures-io");
        assert!(reader.read_frame().await.unwrap().is_none());
    });
}

#[test]
fn write_frame_from_streams_a_body_and_refuses_or_breaks_as_the_blocking_writer_does() {
    let body: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
    block_on(async {
        // Whole: the frame reads back.
        let mut writer = FrameWriter::new(Vec::new(), Binary::default());
        writer
            .write_frame_from(body.len() as u64, &mut &body[..])
            .await
            .unwrap();
        let wire = writer.get_ref().clone();
        let mut reader = FrameReader::new(&wire[..], Binary::default());
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            &body[..]
        );

        // The body ends before anything went out: refused whole, and the
        // writer stays usable.
        let mut writer = FrameWriter::new(Vec::new(), Ascii::new());
        let error = writer
            .write_frame_from(10, &mut &b"abc"[..])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        assert!(writer.get_ref().is_empty() && writer.pending().is_empty());
        writer.write_frame(b"ok").await.unwrap();
        assert_eq!(writer.get_ref(), b"0002ok");

        // The body ends after 64 KiB went out: the stream is broken.
        let mut writer = FrameWriter::new(Vec::new(), Binary::default());
        let error = writer
            .write_frame_from(300_000, &mut &body[..])
            .await
            .unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof);
        let refused = writer.write_frame(b"next").await.unwrap_err();
        assert_eq!(refused.kind(), io::ErrorKind::BrokenPipe);
        assert!(
            refused.to_string().contains("of its 300000 body bytes"),
            "{refused}"
        );
    });
}

#[test]
fn a_dropped_write_frame_from_is_forgotten_before_its_first_byte_and_breaks_the_stream_after() {
    let body = vec![5u8; 100_000];
    let mut cx = Context::from_waker(Waker::noop());
    // Pending before any byte went out (the writer pends first): dropped,
    // nothing of it is sent and the next frame goes out clean.
    let mut writer = FrameWriter::new(Choppy::default(), Ascii::new());
    {
        let mut source = &body[..10];
        let mut copy = Box::pin(writer.write_frame_from(10, &mut source));
        assert!(copy.as_mut().poll(&mut cx).is_pending());
    }
    block_on(writer.write_frame(b"ok")).unwrap();
    assert_eq!(writer.get_ref().got, b"0002ok");
    // Dropped after some bytes went out: every later write is refused.
    let mut writer = FrameWriter::new(Choppy::default(), Binary::default());
    {
        let mut source = &body[..];
        let mut copy = Box::pin(writer.write_frame_from(body.len() as u64, &mut source));
        for _ in 0..4 {
            assert!(copy.as_mut().poll(&mut cx).is_pending());
        }
    }
    assert!(!writer.get_ref().got.is_empty());
    let refused = block_on(writer.write_frame(b"next")).unwrap_err();
    assert_eq!(refused.kind(), io::ErrorKind::BrokenPipe);
    assert_eq!(
        block_on(writer.flush()).unwrap_err().kind(),
        io::ErrorKind::BrokenPipe
    );
}

#[test]
fn shrinking_an_idle_readers_buffer_keeps_its_bytes_and_its_place() {
    let wire = wire_of(&Ascii::new(), &[b"one".to_vec(), b"two".to_vec()]);
    let split = Split::at(&[9]); // "0003one00" then "03two"
    let mut reader = FrameReader::new(ScriptedReader::new(&wire, &split), Ascii::new());
    block_on(async {
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"one"
        );
        assert!(reader.buffer().capacity() >= 4096);
        reader.shrink_buffer();
        assert_eq!(reader.buffer().buffered(), b"00");
        assert_eq!(reader.buffer().capacity(), 2);
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"two"
        );
        assert!(reader.read_frame().await.unwrap().is_none());
        assert_eq!(reader.decoder().offset(), wire.len() as u64);
    });
    let mut writer = FrameWriter::buffered(Vec::new(), Ascii::new());
    block_on(async {
        writer.write_frame(b"x").await.unwrap();
        writer.flush().await.unwrap();
        writer.shrink_buffer();
        writer.write_frame(b"y").await.unwrap();
        writer.flush().await.unwrap();
    });
    assert_eq!(writer.get_ref(), b"0001x0001y");
}

/// A destination that is interrupted once, then fails for good; it panics
/// if written to again after failing, rather than let a retry loop spin.
#[derive(Default)]
struct FailsAfterAnInterrupt {
    writes: usize,
}

impl AsyncWrite for FailsAfterAnInterrupt {
    fn poll_write(
        mut self: Pin<&mut Self>,
        _cx: &mut Context<'_>,
        _buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.writes += 1;
        Poll::Ready(match self.writes {
            1 => Err(io::ErrorKind::Interrupted.into()),
            2 => Err(io::ErrorKind::BrokenPipe.into()),
            n => panic!("written to {n} times: a failed write was retried"),
        })
    }

    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }
}

/// `copy_body_to` retries an interrupted write and returns any other
/// error of the destination (found by mutation testing: every error could
/// be retried without a test noticing).
#[test]
fn copy_body_to_retries_interrupts_and_returns_the_destinations_error() {
    let wire = Ascii::new().encode_to_vec(b"hello").unwrap();
    block_on(async {
        let mut reader = FrameReader::new(&wire[..], Ascii::new());
        assert_eq!(reader.read_header().await.unwrap().unwrap().1, 5);
        let mut out = FailsAfterAnInterrupt::default();
        let error = reader.copy_body_to(&mut out).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::BrokenPipe);
        assert_eq!(out.writes, 2);
    });
}

#[test]
fn has_buffered_frame_tells_whether_the_next_frame_needs_a_read() {
    let wire = wire_of(
        &Ascii::new(),
        &[b"one".to_vec(), b"two".to_vec(), b"three".to_vec()],
    );
    // The first read brings two frames and half the third.
    let split = Split::at(&[16]);
    let mut reader = FrameReader::new(ScriptedReader::new(&wire, &split), Ascii::new());
    assert!(!reader.has_buffered_frame().unwrap(), "nothing read yet");
    block_on(async {
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"one"
        );
        assert!(reader.has_buffered_frame().unwrap());
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"two"
        );
        assert!(!reader.has_buffered_frame().unwrap(), "half of the third");
        assert_eq!(reader.get_ref().position(), 16, "it never reads");
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"three"
        );
    });
    let bad = Split::whole();
    let mut reader = FrameReader::new(ScriptedReader::new(b"0001a0x", &bad), Ascii::new());
    block_on(async {
        assert_eq!(reader.read_frame().await.unwrap().unwrap().payload(), b"a");
    });
    let error = reader.has_buffered_frame().unwrap_err();
    assert_eq!(error.kind(), io::ErrorKind::InvalidData);
}

#[test]
fn both_codecs_encode_what_the_framing_encodes() {
    use tokio_util::codec::Encoder as _;
    fn check<F: Framing + Encode + Clone>(framing: F) {
        for payload in [&b""[..], b"hello", &[7; 300]] {
            let expected = framing.encode_to_vec(payload).unwrap();
            let mut whole = bytes::BytesMut::from(&b"before"[..]);
            FrameCodec::new(framing.clone())
                .encode(payload, &mut whole)
                .unwrap();
            assert_eq!(&whole[..6], b"before");
            assert_eq!(&whole[6..], expected, "FrameCodec");
            let mut alone = bytes::BytesMut::new();
            FrameCodec::new(framing.clone())
                .payloads()
                .encode(bytes::Bytes::copy_from_slice(payload), &mut alone)
                .unwrap();
            assert_eq!(&alone[..], expected, "PayloadCodec");
        }
    }
    check(Ascii::new());
    check(Json::new());
    check(Netstring::new()); // with a trailer
    check(Delimited::new(b"\r\n").unwrap()); // a trailer and no header
    check(LengthField::new());
    // A payload the header cannot describe: refused, nothing appended.
    let mut dst = bytes::BytesMut::new();
    let error = FrameCodec::new(Ascii::new())
        .payloads()
        .encode(vec![0u8; 10_000], &mut dst)
        .unwrap_err();
    assert!(matches!(
        frame_error(&error),
        Some(Error::PayloadTooLong {
            length: 10_000,
            max: 9999
        })
    ));
    assert!(dst.is_empty());
}

#[test]
fn discard_body_skips_to_the_next_frame() {
    let big: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
    let wire = wire_of(&Binary::default(), &[big, b"kept".to_vec()]);
    // Pieces of 7 bytes: the body spans many reads.
    let split = Split::from_steps([Step::Bytes(7)]);
    let mut reader = FrameReader::new(ScriptedReader::new(&wire, &split), Binary::default());
    block_on(async {
        let (_, body_len) = reader.read_header().await.unwrap().unwrap();
        assert_eq!(body_len, 10_000);
        assert_eq!(reader.discard_body().await.unwrap(), 10_000);
        assert_eq!(reader.body_remaining(), None);
        // Nothing left to discard between frames.
        assert_eq!(reader.discard_body().await.unwrap(), 0);
        assert_eq!(
            reader.read_frame().await.unwrap().unwrap().payload(),
            b"kept"
        );
        assert!(reader.read_frame().await.unwrap().is_none());
    });
    assert_eq!(reader.get_ref().position(), wire.len());
}

#[test]
fn a_read_straight_into_the_callers_buffer_reports_a_timeout_and_resumes() {
    let body: Vec<u8> = (0..10_000u32).map(|i| (i % 251) as u8).collect();
    let wire = wire_of(&Binary::default(), std::slice::from_ref(&body));
    // The header alone, then a timeout where the body's first read goes.
    let split = Split::from_steps([Step::Bytes(4), Step::TimedOut, Step::Bytes(usize::MAX)]);
    let mut reader = FrameReader::new(ScriptedReader::new(&wire, &split), Binary::default());
    let mut out = vec![0; body.len()];
    block_on(async {
        assert_eq!(reader.read_header().await.unwrap().unwrap().1, 10_000);
        let error = reader.read_body(&mut out).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert_eq!(reader.body_remaining(), Some(10_000), "nothing lost");
        let mut filled = 0;
        while filled < out.len() {
            filled += reader.read_body(&mut out[filled..]).await.unwrap();
        }
        assert_eq!(reader.read_body(&mut out).await.unwrap(), 0);
    });
    assert!(out == body);
}

#[test]
fn the_json_writer_streams_a_body_under_its_fields() {
    let fields = serde_json::json!({"file_name": "a.bin"});
    let mut writer = FrameWriter::new(Vec::new(), Json::new());
    block_on(async {
        writer
            .write_frame_with_from(&fields, 5, &mut &b"hello"[..])
            .await
            .unwrap();
        writer.flush().await.unwrap();
    });
    let wire = writer.get_ref().clone();
    let mut codec = FrameCodec::new(Json::new());
    let frame = codec
        .decode(&mut bytes::BytesMut::from(&wire[..]))
        .unwrap()
        .expect("a frame");
    assert_eq!(frame.payload, "hello");
    let header = frame.header.to_map().unwrap();
    assert_eq!(header["file_name"], "a.bin");
    assert_eq!(header["data_size"], 5);
}

#[test]
fn buffer_limit_says_what_the_writer_was_built_with() {
    assert_eq!(FrameWriter::new(Vec::new(), Ascii::new()).buffer_limit(), 0);
    let buffered = FrameWriter::buffered(Vec::new(), Ascii::new());
    assert_eq!(buffered.buffer_limit(), sockframe::io::DEFAULT_BUFFER_LIMIT);
    assert_eq!(
        FrameWriter::with_buffer_limit(Vec::new(), Ascii::new(), 10).buffer_limit(),
        10
    );
}
