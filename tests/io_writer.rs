//! `FrameWriter` over writers that record every call, take a few bytes at a
//! time or fail partway.

use std::io::{self, ErrorKind, IoSlice, Read, Write};

use serde_json::json;
use sockframe::io::{frame_error, FrameReader, FrameWriter, DEFAULT_BUFFER_LIMIT};
use sockframe::{Ascii, Binary, Encode, Endian, Error, Json, Signedness, Width};

/// One `write` or `write_vectored` call: the slices offered.
#[derive(Debug)]
struct Call {
    slices: Vec<(*const u8, usize)>,
}

/// Records calls; takes at most `max_per_call` bytes per call; fails with
/// `fail_kind` on the calls listed in `fail_on` (1-based).
struct RecordingWriter {
    out: Vec<u8>,
    calls: Vec<Call>,
    max_per_call: usize,
    vectored: bool,
    fail_on: Vec<usize>,
    fail_kind: ErrorKind,
}

impl RecordingWriter {
    fn new() -> Self {
        RecordingWriter {
            out: Vec::new(),
            calls: Vec::new(),
            max_per_call: usize::MAX,
            vectored: true,
            fail_on: Vec::new(),
            fail_kind: ErrorKind::WouldBlock,
        }
    }

    fn take(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        self.calls.push(Call {
            slices: bufs.iter().map(|b| (b.as_ptr(), b.len())).collect(),
        });
        if self.fail_on.contains(&self.calls.len()) {
            return Err(io::Error::new(self.fail_kind, "scripted failure"));
        }
        let mut budget = self.max_per_call;
        let mut taken = 0;
        for buf in bufs {
            let n = buf.len().min(budget);
            self.out.extend_from_slice(&buf[..n]);
            budget -= n;
            taken += n;
            if budget == 0 {
                break;
            }
        }
        Ok(taken)
    }
}

impl Write for RecordingWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.take(&[IoSlice::new(buf)])
    }
    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        if self.vectored {
            self.take(bufs)
        } else {
            // What `Write`'s default does: the first non-empty buffer only.
            let first = bufs
                .iter()
                .find(|b| !b.is_empty())
                .map_or(&[][..], |b| &b[..]);
            self.take(&[IoSlice::new(first)])
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

const PAYLOADS: &[&[u8]] = &[b"hello", b"", "你好".as_bytes(), b"\x00\xff binary"];

fn expected<E: Encode>(encoder: &E, payloads: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for payload in payloads {
        encoder.encode_into(payload, &mut out).unwrap();
    }
    out
}

#[test]
fn header_and_payload_go_out_in_one_vectored_call_without_a_copy() {
    let payload = vec![42u8; 1 << 20];
    let mut writer = FrameWriter::new(RecordingWriter::new(), Binary::default());
    writer.write_frame(&payload).unwrap();
    let calls = &writer.get_ref().calls;
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0].slices.len(), 2);
    assert_eq!(calls[0].slices[0].1, 4);
    // The payload slice is the caller's memory itself.
    assert_eq!(calls[0].slices[1], (payload.as_ptr(), payload.len()));
    assert_eq!(
        writer.get_ref().out,
        expected(&Binary::default(), &[&payload])
    );
}

#[test]
fn partial_writes_are_finished_for_every_framing() {
    let network = Binary::from_struct_format("!I").unwrap();
    let json = Json::new().with_size_key("file_size");
    for vectored in [true, false] {
        for max_per_call in [1, 3, 7] {
            let sink = || {
                let mut sink = RecordingWriter::new();
                sink.vectored = vectored;
                sink.max_per_call = max_per_call;
                sink
            };
            let what = format!("vectored {vectored}, {max_per_call} bytes per call");
            assert_eq!(
                run_all(sink(), Ascii::new()),
                expected(&Ascii::new(), PAYLOADS),
                "ascii {what}"
            );
            assert_eq!(
                run_all(sink(), network),
                expected(&network, PAYLOADS),
                "struct {what}"
            );
            assert_eq!(
                run_all(sink(), json.clone()),
                expected(&json, PAYLOADS),
                "json {what}"
            );
        }
    }
}

fn run_all<E: Encode>(sink: RecordingWriter, encoder: E) -> Vec<u8> {
    let mut writer = FrameWriter::new(sink, encoder);
    for payload in PAYLOADS {
        writer.write_frame(payload).unwrap();
        assert!(writer.pending().is_empty());
    }
    writer.into_inner().unwrap().out
}

#[test]
fn an_undescribable_payload_is_refused_before_anything_is_written() {
    let mut writer = FrameWriter::new(RecordingWriter::new(), Ascii::new());
    let error = writer.write_frame(&[b'x'; 10_000]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        frame_error(&error),
        Some(&Error::PayloadTooLong {
            length: 10_000,
            max: 9999
        })
    );
    assert!(writer.get_ref().calls.is_empty());

    let one_byte = Binary::new(Width::One, Endian::Little, Signedness::Signed);
    let mut writer = FrameWriter::buffered(RecordingWriter::new(), one_byte);
    writer.write_frame(&[1; 127]).unwrap();
    let error = writer.write_frame(&[1; 128]).unwrap_err();
    assert_eq!(
        frame_error(&error),
        Some(&Error::PayloadTooLong {
            length: 128,
            max: 127
        })
    );
    // Only the good frame is there.
    assert_eq!(writer.pending().len(), 128);
    let out = writer.into_inner().unwrap().out;
    assert_eq!(out, expected(&one_byte, &[&[1; 127]]));

    let mut writer = FrameWriter::new(RecordingWriter::new(), Json::new());
    let error = writer.write_frame_with(&json!([1, 2]), b"x").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(writer.get_ref().calls.is_empty());
}

#[test]
fn buffered_frames_are_gathered_until_flush() {
    let mut writer = FrameWriter::buffered(RecordingWriter::new(), Ascii::new());
    assert_eq!(writer.buffer_limit(), DEFAULT_BUFFER_LIMIT);
    for i in 0..100 {
        writer
            .write_frame(format!("message {i}").as_bytes())
            .unwrap();
    }
    assert!(writer.get_ref().calls.is_empty());
    writer.flush().unwrap();
    assert_eq!(writer.get_ref().calls.len(), 1);
    let payloads: Vec<String> = (0..100).map(|i| format!("message {i}")).collect();
    let refs: Vec<&[u8]> = payloads.iter().map(|p| p.as_bytes()).collect();
    assert_eq!(writer.get_ref().out, expected(&Ascii::new(), &refs));
}

#[test]
fn a_buffered_writer_writes_out_once_its_limit_is_reached() {
    let mut writer = FrameWriter::with_buffer_limit(RecordingWriter::new(), Ascii::new(), 1000);
    let payload = [b'p'; 96]; // 100-byte frames
    for _ in 0..9 {
        writer.write_frame(&payload).unwrap();
    }
    assert!(writer.get_ref().calls.is_empty());
    // The tenth frame reaches the limit: everything goes out in one call.
    writer.write_frame(&payload).unwrap();
    assert_eq!(writer.get_ref().calls.len(), 1);
    assert!(writer.pending().is_empty());
    assert_eq!(writer.get_ref().out.len(), 1000);
}

#[test]
fn a_large_payload_bypasses_the_buffer_uncopied() {
    let mut writer = FrameWriter::buffered(RecordingWriter::new(), Binary::default());
    writer.write_frame(b"small one").unwrap();
    writer.write_frame(b"small two").unwrap();
    let large = vec![9u8; 200_000];
    writer.write_frame(&large).unwrap();
    let calls = &writer.get_ref().calls;
    assert_eq!(calls.len(), 1, "{calls:?}");
    let slices = &calls[0].slices;
    assert_eq!(slices.len(), 3);
    assert_eq!(slices[0].1, 26); // the two gathered frames
    assert_eq!(slices[2], (large.as_ptr(), large.len()));
    assert_eq!(
        writer.get_ref().out,
        expected(&Binary::default(), &[b"small one", b"small two", &large])
    );
}

#[test]
fn a_failure_partway_through_a_frame_keeps_the_rest() {
    let mut sink = RecordingWriter::new();
    sink.max_per_call = 5;
    sink.fail_on = vec![2];
    let mut writer = FrameWriter::new(sink, Ascii::new());
    // 5 bytes went out, then the writer failed: the frame is accepted and
    // its rest kept, so the stream never stops mid-frame.
    writer.write_frame(b"hello world").unwrap();
    assert_eq!(writer.pending(), b"ello world");
    writer.get_mut().max_per_call = usize::MAX;
    writer.flush().unwrap();
    assert!(writer.pending().is_empty());
    assert_eq!(writer.get_ref().out, b"0011hello world");
}

#[test]
fn a_failure_before_a_frame_starts_refuses_it_and_a_retry_is_safe() {
    let mut sink = RecordingWriter::new();
    sink.fail_on = vec![1];
    let mut writer = FrameWriter::new(sink, Ascii::new());
    let error = writer.write_frame(b"hello").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::WouldBlock);
    assert!(writer.pending().is_empty());
    writer.write_frame(b"hello").unwrap();
    assert_eq!(writer.get_ref().out, b"0005hello");

    // Kept bytes of an earlier frame go first; if the writer fails while
    // still on them, the new frame is refused whole.
    let mut sink = RecordingWriter::new();
    sink.max_per_call = 3;
    sink.fail_on = vec![2, 3];
    let mut writer = FrameWriter::new(sink, Ascii::new());
    writer.write_frame(b"first").unwrap();
    assert_eq!(writer.pending(), b"5first");
    assert!(writer.write_frame(b"second").is_err());
    assert_eq!(writer.pending(), b"5first");
    writer.write_frame(b"second").unwrap();
    writer.flush().unwrap();
    assert_eq!(writer.get_ref().out, b"0005first0006second");
}

#[test]
fn interrupted_writes_are_retried() {
    let mut sink = RecordingWriter::new();
    sink.fail_on = vec![1, 2, 4];
    sink.fail_kind = ErrorKind::Interrupted;
    sink.max_per_call = 4;
    let mut writer = FrameWriter::new(sink, Ascii::new());
    writer.write_frame(b"interrupted").unwrap();
    assert_eq!(writer.get_ref().out, b"0011interrupted");
}

#[test]
fn dropping_a_buffered_writer_flushes_it() {
    let mut out = Vec::new();
    {
        let mut writer = FrameWriter::buffered(&mut out, Ascii::new());
        writer.write_frame(b"kept").unwrap();
    }
    assert_eq!(out, b"0004kept");
}

#[test]
fn raw_frames_are_relayed_unchanged() {
    let wire = expected(&Json::new(), PAYLOADS);
    let mut reader = FrameReader::new(&wire[..], Json::new());
    let mut writer = FrameWriter::buffered(Vec::new(), Json::new());
    while let Some(frame) = reader.read_frame().unwrap() {
        writer.write_raw_frames(frame.raw()).unwrap();
    }
    assert_eq!(writer.into_inner().unwrap(), wire);
}

#[test]
fn json_headers_carry_the_callers_fields() {
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut writer = FrameWriter::new(Vec::new(), json.clone());
    let fields = json!({"file_name": "报告.txt", "file_size": 0, "md5": "abc"});
    writer.write_frame_with(&fields, b"body").unwrap();
    let wire = writer.into_inner().unwrap();
    // Python: json.dumps({"file_name": "报告.txt", "file_size": 4, "md5": "abc"})
    let text = r#"{"file_name": "\u62a5\u544a.txt", "file_size": 4, "md5": "abc"}"#;
    let mut expected = (text.len() as i32).to_le_bytes().to_vec();
    expected.extend_from_slice(text.as_bytes());
    expected.extend_from_slice(b"body");
    assert_eq!(wire, expected);
}

/// Hands out the bytes of `data`, at most `max` per read.
struct SlowBody<'a> {
    data: &'a [u8],
    max: usize,
}

impl Read for SlowBody<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.data.len().min(buf.len()).min(self.max);
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

#[test]
fn a_body_streams_from_a_reader_in_bounded_chunks() {
    let data: Vec<u8> = (0..300_000u32).map(|i| (i % 253) as u8).collect();
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut writer = FrameWriter::buffered(RecordingWriter::new(), json.clone());
    writer.write_frame(b"before").unwrap();
    let mut body = SlowBody {
        data: &data,
        max: 10_000,
    };
    writer
        .write_frame_with_from(&json!({"file_name": "x.bin"}), data.len() as u64, &mut body)
        .unwrap();
    writer.write_frame(b"after").unwrap();
    writer.flush().unwrap();
    let sink = writer.into_inner().unwrap();
    assert!(sink
        .calls
        .iter()
        .all(|call| call.slices.iter().map(|s| s.1).sum::<usize>() <= DEFAULT_BUFFER_LIMIT));

    let mut reader = FrameReader::new(&sink.out[..], json);
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"before");
    let frame = reader.read_frame().unwrap().unwrap();
    assert_eq!(frame.header().to_map().unwrap()["file_name"], "x.bin");
    assert!(frame.payload() == &data[..]);
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"after");
    assert!(reader.read_frame().unwrap().is_none());

    let mut writer = FrameWriter::new(Vec::new(), Binary::default());
    writer.write_frame_from(3, &mut &b"abc"[..]).unwrap();
    assert_eq!(writer.into_inner().unwrap(), b"\x03\0\0\0abc");
}

#[test]
fn a_body_reader_that_ends_before_anything_was_sent_refuses_the_frame() {
    let mut writer = FrameWriter::new(Vec::new(), Ascii::new());
    let error = writer.write_frame_from(10, &mut &b"short"[..]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert!(error.to_string().contains("5 of the 10"), "{error}");
    // Nothing of it reached the writer: the stream is still usable.
    writer.write_frame(b"more").unwrap();
    assert_eq!(writer.into_inner().unwrap(), b"0004more");

    let too_long =
        FrameWriter::new(Vec::new(), Ascii::new()).write_frame_from(10_000, &mut io::empty());
    assert_eq!(too_long.unwrap_err().kind(), ErrorKind::InvalidInput);
}

#[test]
fn a_body_reader_that_ends_after_part_was_sent_breaks_the_writer_for_good() {
    let data = vec![5u8; 100_000];
    let mut writer = FrameWriter::new(Vec::new(), Binary::default());
    let error = writer
        .write_frame_from(
            200_000,
            &mut SlowBody {
                data: &data,
                max: 4096,
            },
        )
        .unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert!(
        error.to_string().contains("100000 of the 200000"),
        "{error}"
    );
    let refused = writer.write_frame(b"more").unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::BrokenPipe);
    assert!(
        refused.to_string().contains("100000 of its 200000"),
        "{refused}"
    );
    let (out, pending) = writer.into_parts();
    assert!(pending.is_empty());
    // The peer got the header and the first 64 KiB chunk: its decoder will
    // report the frame cut short.
    assert_eq!(out.len(), DEFAULT_BUFFER_LIMIT);
    assert_eq!(&out[..4], &200_000i32.to_le_bytes());
}

/// A per-message header field (say, a custom framing's topic) changes
/// between frames through `encoder_mut`.
#[test]
fn encoder_mut_changes_the_next_frames_headers() {
    let mut writer = FrameWriter::new(Vec::new(), Ascii::new());
    writer.write_frame(b"hi").unwrap();
    *writer.encoder_mut() = Ascii::with_width(2).unwrap();
    writer.write_frame(b"hey").unwrap();
    assert_eq!(writer.get_ref(), b"0002hi03hey");
}
