//! `FrameReader` over in-memory sources that misbehave on purpose: counted
//! reads, one byte per read, `Interrupted`, `WouldBlock`/`TimedOut` mid-frame,
//! truncated and malformed streams, and streamed bodies.

use std::collections::VecDeque;
use std::io::{self, ErrorKind, Read, Write};

use sockframe::io::{frame_error, FrameReader, DEFAULT_READ_CHUNK};
use sockframe::{Ascii, Binary, Encode, Error, Json, Limits, Needed};

/// Counts `read` calls and remembers the size of every buffer offered.
struct CountingReader<R> {
    inner: R,
    offered: Vec<usize>,
}

impl<R> CountingReader<R> {
    fn new(inner: R) -> Self {
        CountingReader {
            inner,
            offered: Vec::new(),
        }
    }
}

impl<R: Read> Read for CountingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.offered.push(buf.len());
        self.inner.read(buf)
    }
}

/// Plays a script: data (handed out as far as the buffer allows) and errors.
enum Step {
    Data(Vec<u8>),
    Fail(ErrorKind),
}

struct ScriptedReader {
    steps: VecDeque<Step>,
    /// Most bytes handed out per read.
    max_read: usize,
}

impl ScriptedReader {
    fn new(steps: Vec<Step>) -> Self {
        ScriptedReader {
            steps: steps.into(),
            max_read: usize::MAX,
        }
    }
}

impl Read for ScriptedReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.steps.pop_front() {
            None => Ok(0),
            Some(Step::Fail(kind)) => Err(io::Error::new(kind, "scripted")),
            Some(Step::Data(mut data)) => {
                let n = data.len().min(buf.len()).min(self.max_read);
                buf[..n].copy_from_slice(&data[..n]);
                if n < data.len() {
                    data.drain(..n);
                    self.steps.push_front(Step::Data(data));
                }
                Ok(n)
            }
        }
    }
}

fn one_byte_at_a_time(stream: &[u8]) -> ScriptedReader {
    let mut reader = ScriptedReader::new(vec![Step::Data(stream.to_vec())]);
    reader.max_read = 1;
    reader
}

fn stream_of<E: Encode>(encoder: &E, payloads: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for payload in payloads {
        encoder.encode_into(payload, &mut out).unwrap();
    }
    out
}

const PAYLOADS: &[&[u8]] = &[
    b"hello",
    b"",
    "你好".as_bytes(),
    b"\x00\xff binary",
    b"sticky",
];

fn read_all_payloads<R: Read, F: sockframe::Framing>(
    reader: &mut FrameReader<R, F>,
) -> Vec<Vec<u8>> {
    let mut payloads = Vec::new();
    while let Some(frame) = reader.read_frame().unwrap() {
        payloads.push(frame.payload().to_vec());
    }
    payloads
}

#[test]
fn a_thousand_small_frames_cost_one_read() {
    let frames: Vec<Vec<u8>> = (0..1000).map(|i| format!("m{i:04}").into_bytes()).collect();
    let refs: Vec<&[u8]> = frames.iter().map(Vec::as_slice).collect();
    let stream = stream_of(&Ascii::new(), &refs);
    assert!(stream.len() < DEFAULT_READ_CHUNK);

    let mut reader = FrameReader::new(CountingReader::new(&stream[..]), Ascii::new());
    assert_eq!(read_all_payloads(&mut reader), frames);
    // One read brought every frame, one more saw the end of the stream;
    // recv(4) + recv(n) per frame would have made 2000.
    assert_eq!(reader.get_ref().offered.len(), 2);
    assert!(reader
        .get_ref()
        .offered
        .iter()
        .all(|&n| n >= DEFAULT_READ_CHUNK));
}

#[test]
fn small_frames_keep_the_buffer_at_a_read_chunk_and_4_kib() {
    let payload = [7u8; 16];
    let stream = stream_of(&Binary::default(), &[&payload[..]; 50_000]);
    let mut reader = FrameReader::new(CountingReader::new(&stream[..]), Binary::default());
    assert_eq!(read_all_payloads(&mut reader).len(), 50_000);
    // Each read tops the buffer up to the chunk at least: a frame cut by
    // one read is finished by the next without growing the buffer.
    assert_eq!(reader.buffer().capacity(), DEFAULT_READ_CHUNK + 4096);
    let offered = &reader.get_ref().offered;
    assert!(offered.iter().all(|&n| n <= DEFAULT_READ_CHUNK + 4096));
    assert!(
        offered.len() <= stream.len() / (DEFAULT_READ_CHUNK - 20) + 2,
        "{} reads for {} bytes",
        offered.len(),
        stream.len()
    );
}

#[test]
fn reads_that_come_short_still_top_the_buffer_up_to_a_chunk() {
    let payload = [7u8; 1000];
    let stream = stream_of(&Binary::default(), &[&payload[..]; 500]);
    // At most 60,000 bytes a read, as a socket holding less than was asked.
    let mut source = ScriptedReader::new(vec![Step::Data(stream)]);
    source.max_read = 60_000;
    let mut reader = FrameReader::new(CountingReader::new(source), Binary::default());
    assert_eq!(read_all_payloads(&mut reader).len(), 500);
    // Less than a frame is buffered when a read is asked for, so each read
    // offers at least a chunk less that, whatever the last read brought.
    let offered = &reader.get_ref().offered;
    assert!(
        offered.iter().all(|&n| n >= DEFAULT_READ_CHUNK - 1004),
        "{offered:?}"
    );
    assert_eq!(reader.buffer().capacity(), DEFAULT_READ_CHUNK + 4096);
}

#[test]
fn a_frame_longer_than_the_chunk_grows_the_buffer_to_its_length() {
    const PAYLOAD: usize = 100_000;
    const FRAME: usize = PAYLOAD + 4;
    const FRAMES: usize = 12;
    let payload = vec![7u8; PAYLOAD];
    let stream = stream_of(&Binary::default(), &[&payload[..]; FRAMES]);
    let mut reader = FrameReader::new(CountingReader::new(&stream[..]), Binary::default());
    assert_eq!(read_all_payloads(&mut reader).len(), FRAMES);
    // The first chunk found the frame's length; the buffer then grew to
    // the frame, not to twice the bytes it held, and every later read
    // brought one frame whole.
    assert_eq!(reader.buffer().capacity(), FRAME);
    let offered = &reader.get_ref().offered;
    assert!(offered.len() <= FRAMES + 2, "{offered:?}");
}

#[test]
fn the_read_chunk_is_configurable() {
    let stream = stream_of(&Binary::default(), &[&[7u8; 100][..]; 10]);
    let mut reader =
        FrameReader::new(CountingReader::new(&stream[..]), Binary::default()).with_read_chunk(256);
    assert_eq!(reader.read_chunk(), 256);
    assert_eq!(read_all_payloads(&mut reader).len(), 10);
    // 1040 bytes in reads of at least 256: the buffer grows by doubling.
    let offered = &reader.get_ref().offered;
    assert!(offered.iter().all(|&n| n >= 256), "{offered:?}");
    assert!(offered.len() <= 6, "{offered:?}");
}

#[test]
fn one_byte_per_read_reassembles_every_framing() {
    let ascii = stream_of(&Ascii::new(), PAYLOADS);
    let mut reader = FrameReader::new(one_byte_at_a_time(&ascii), Ascii::new());
    assert_eq!(read_all_payloads(&mut reader), PAYLOADS);

    let network = Binary::from_struct_format("!I").unwrap();
    let binary = stream_of(&network, PAYLOADS);
    let mut reader = FrameReader::new(one_byte_at_a_time(&binary), network);
    assert_eq!(read_all_payloads(&mut reader), PAYLOADS);

    let json = stream_of(&Json::new(), PAYLOADS);
    let mut reader = FrameReader::new(one_byte_at_a_time(&json), Json::new());
    for payload in PAYLOADS {
        let frame = reader.read_frame().unwrap().expect("a frame");
        assert_eq!(frame.payload(), *payload);
        assert_eq!(frame.header().body_len(), payload.len() as u64);
        assert_eq!(
            frame.header().as_str(),
            format!(r#"{{"data_size": {}}}"#, payload.len())
        );
    }
    assert!(reader.read_frame().unwrap().is_none());
}

#[test]
fn end_between_frames_is_none_and_stays_none() {
    let mut reader = FrameReader::new(&b"0002hi"[..], Ascii::new());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"hi");
    assert!(reader.read_frame().unwrap().is_none());
    assert!(reader.read_frame().unwrap().is_none());

    let mut empty = FrameReader::new(&b""[..], Json::new());
    assert!(empty.read_frame().unwrap().is_none());
}

#[track_caller]
fn assert_eof_missing(error: &io::Error, offset: u64, needed: Needed) {
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof, "{error}");
    assert_eq!(
        frame_error(error),
        Some(&Error::UnexpectedEof { offset, needed }),
        "{error}"
    );
}

fn exact(n: usize) -> Needed {
    Needed::Exact(n.try_into().unwrap())
}

fn at_least(n: usize) -> Needed {
    Needed::AtLeast(n.try_into().unwrap())
}

#[test]
fn end_mid_frame_says_how_many_bytes_were_missing() {
    // In the payload: exact count.
    let mut reader = FrameReader::new(&b"0002hi0010hello"[..], Ascii::new());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"hi");
    let error = reader.read_frame().unwrap_err();
    assert_eof_missing(&error, 15, exact(5));
    assert!(error.to_string().contains("5 more bytes"), "{error}");

    // In the length header: at least that many.
    let mut reader = FrameReader::new(&b"\x05\0"[..], Binary::default());
    assert_eof_missing(&reader.read_frame().unwrap_err(), 2, at_least(2));

    // In a JSON header: the header length is known.
    let wire = Json::new().encode_to_vec(b"hello").unwrap();
    let mut reader = FrameReader::new(&wire[..10], Json::new());
    assert_eof_missing(&reader.read_frame().unwrap_err(), 10, at_least(10));
}

#[test]
fn frames_before_bad_input_come_first_and_the_error_names_the_byte() {
    let mut reader = FrameReader::new(one_byte_at_a_time(b"0002hi0003you00x1"), Ascii::new());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"hi");
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"you");
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    let expected = Error::InvalidDigit {
        offset: 15,
        byte: b'x',
    };
    assert_eq!(frame_error(&error), Some(&expected));
    // Sticky: the reader never resynchronises into garbage.
    let again = reader.read_frame().unwrap_err();
    assert_eq!(frame_error(&again), Some(&expected));
}

#[test]
fn an_oversized_announcement_is_refused_before_any_allocation() {
    let mut reader = FrameReader::new(&b"\xff\xff\xff\x7f"[..], Binary::default());
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_eq!(
        frame_error(&error),
        Some(&Error::FrameTooLong {
            offset: 0,
            length: 0x7fff_ffff,
            limit: Limits::DEFAULT_MAX_FRAME
        })
    );
    assert!(reader.buffer().capacity() <= DEFAULT_READ_CHUNK + 4096);

    let limits = Limits::new().max_frame(4);
    let mut reader = FrameReader::with_limits(&b"0005hello"[..], Ascii::new(), limits);
    let error = reader.read_frame().unwrap_err();
    assert!(error.to_string().contains("over the limit of 4"), "{error}");
}

#[test]
fn interrupted_reads_are_retried() {
    let stream = stream_of(&Ascii::new(), PAYLOADS);
    let mut steps = Vec::new();
    for chunk in stream.chunks(3) {
        steps.push(Step::Fail(ErrorKind::Interrupted));
        steps.push(Step::Data(chunk.to_vec()));
    }
    let mut reader = FrameReader::new(ScriptedReader::new(steps), Ascii::new());
    assert_eq!(read_all_payloads(&mut reader), PAYLOADS);
}

#[test]
fn would_block_and_timed_out_lose_no_byte() {
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let wire = stream_of(&json, &[b"first frame", "第二".as_bytes()]);
    // Pause inside the length prefix, the JSON header and the body.
    for cuts in [[2, 9, 30], [4, 20, 31], [1, 2, 3]] {
        let steps = vec![
            Step::Data(wire[..cuts[0]].to_vec()),
            Step::Fail(ErrorKind::WouldBlock),
            Step::Data(wire[cuts[0]..cuts[1]].to_vec()),
            Step::Fail(ErrorKind::TimedOut),
            Step::Data(wire[cuts[1]..cuts[2]].to_vec()),
            Step::Fail(ErrorKind::WouldBlock),
            Step::Data(wire[cuts[2]..].to_vec()),
        ];
        let mut reader = FrameReader::new(ScriptedReader::new(steps), json.clone());
        let mut kinds = Vec::new();
        let mut payloads = Vec::new();
        loop {
            match reader.read_frame() {
                Ok(Some(frame)) => {
                    assert_eq!(
                        frame.header().to_map().unwrap()["file_size"],
                        frame.payload().len()
                    );
                    payloads.push(frame.payload().to_vec());
                }
                Ok(None) => break,
                Err(e) => kinds.push(e.kind()),
            }
        }
        assert_eq!(
            kinds,
            [
                ErrorKind::WouldBlock,
                ErrorKind::TimedOut,
                ErrorKind::WouldBlock
            ]
        );
        assert_eq!(
            payloads,
            [&b"first frame"[..], "第二".as_bytes()],
            "cuts {cuts:?}"
        );
    }
}

#[test]
fn owned_frames_iterate_and_the_iterator_stops_at_an_error() {
    let mut wire = stream_of(&Json::new(), &[b"a", b"bc"]);
    wire.extend_from_slice(b"\x02\0\0\0[]");
    let array_at = wire.len() as u64 - 2;
    let mut reader = FrameReader::new(&wire[..], Json::new());
    let results: Vec<_> = reader.frames().collect();
    assert_eq!(results.len(), 3);
    let first = results[0].as_ref().unwrap();
    assert_eq!(first.payload, b"a");
    assert_eq!(first.header.as_header().as_str(), r#"{"data_size": 1}"#);
    assert_eq!(results[1].as_ref().unwrap().payload, b"bc");
    let error = results[2].as_ref().unwrap_err();
    assert!(matches!(
        frame_error(error),
        Some(Error::HeaderNotObject { offset, found: sockframe::JsonKind::Array }) if *offset == array_at
    ));

    let mut clean = FrameReader::new(&b"0001a0001b"[..], Ascii::new());
    let payloads: Vec<Vec<u8>> = clean.frames().map(|f| f.unwrap().payload).collect();
    assert_eq!(payloads, [b"a", b"b"]);
}

/// A body of `len` bytes that is not all the same byte.
fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

#[test]
fn a_body_reads_into_small_buffers_then_the_next_frame_follows() {
    let json = Json::new();
    let big = body(300_000);
    let mut wire = Vec::new();
    json.encode_with_into(&serde_json::json!({"name": "big"}), &big, &mut wire)
        .unwrap();
    json.encode_into(b"next", &mut wire).unwrap();

    let limits = Limits::new().max_frame(u64::MAX);
    let mut reader = FrameReader::with_limits(&wire[..], json, limits);
    let (header, body_len) = reader.read_header().unwrap().expect("a header");
    assert_eq!(header.to_map().unwrap()["name"], "big");
    assert_eq!(body_len, 300_000);
    assert_eq!(reader.body_remaining(), Some(300_000));

    // A whole frame cannot be asked for mid-body.
    let misuse = reader.read_frame().unwrap_err();
    assert_eq!(misuse.kind(), ErrorKind::InvalidInput);
    assert!(matches!(
        frame_error(&misuse),
        Some(Error::BodyInProgress { remaining: 300_000 })
    ));

    let mut received = Vec::new();
    let mut piece = [0u8; 1000];
    loop {
        let n = reader.read_body(&mut piece).unwrap();
        if n == 0 {
            break;
        }
        received.extend_from_slice(&piece[..n]);
    }
    assert!(received == big, "body differs");
    assert_eq!(reader.body_remaining(), None);
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"next");
    assert!(reader.read_frame().unwrap().is_none());
}

#[test]
fn a_large_caller_buffer_is_read_into_directly() {
    let wire = Binary::default().encode_to_vec(&body(200_000)).unwrap();
    let mut reader =
        FrameReader::new(CountingReader::new(&wire[..]), Binary::default()).with_read_chunk(4096);
    let (_, body_len) = reader.read_header().unwrap().unwrap();
    assert_eq!(body_len, 200_000);
    // The first read brought the header and 8188 bytes of body (the buffer
    // is a chunk plus 4 KiB).
    let mut out = vec![0u8; 200_000];
    let mut filled = 0;
    loop {
        let n = reader.read_body(&mut out[filled..]).unwrap();
        if n == 0 {
            break;
        }
        filled += n;
    }
    assert_eq!(filled, 200_000);
    assert!(out == wire[4..], "body differs");
    // After the buffered part, one read of exactly the rest went straight
    // into `out`; the internal buffer never grew.
    assert_eq!(reader.get_ref().offered[1], 200_000 - (8192 - 4));
    assert_eq!(reader.buffer().capacity(), 8192);
}

/// Accepts at most 3 bytes per call and refuses every other call.
struct ReluctantWriter {
    out: Vec<u8>,
    calls: usize,
}

impl Write for ReluctantWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.calls += 1;
        if self.calls % 2 == 0 {
            return Err(io::Error::new(ErrorKind::WouldBlock, "full"));
        }
        let n = buf.len().min(3);
        self.out.extend_from_slice(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[test]
fn copy_body_to_resumes_after_the_destination_fails() {
    let wire = stream_of(&Ascii::new(), &[b"a body of some length", b"after"]);
    let mut reader = FrameReader::new(one_byte_at_a_time(&wire), Ascii::new());
    reader.read_header().unwrap().unwrap();
    let mut dest = ReluctantWriter {
        out: Vec::new(),
        calls: 0,
    };
    let mut copied = 0;
    let mut failures = 0;
    loop {
        match reader.copy_body_to(&mut dest) {
            Ok(n) => {
                copied += n;
                break;
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::WouldBlock);
                failures += 1;
                copied = 21 - reader.body_remaining().unwrap();
            }
        }
    }
    assert!(failures > 3);
    assert_eq!(copied, 21);
    assert_eq!(dest.out, b"a body of some length");
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"after");
}

#[test]
fn a_huge_body_streams_in_bounded_memory() {
    const LEN: usize = 24 * 1024 * 1024;
    let data = body(LEN);
    let mut wire = Json::new()
        .with_size_key(Json::FILE_SIZE)
        .encode_header(LEN)
        .unwrap();
    wire.extend_from_slice(&data);

    let limits = Limits::new().max_frame(u64::MAX);
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut reader = FrameReader::with_limits(&wire[..], json, limits);
    let (header, len) = reader.read_header().unwrap().unwrap();
    assert_eq!(header.to_map().unwrap()["file_size"], LEN);
    assert_eq!(len, LEN as u64);

    struct Compare<'a> {
        expected: &'a [u8],
        seen: usize,
    }
    impl Write for Compare<'_> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            assert!(buf == &self.expected[self.seen..self.seen + buf.len()]);
            self.seen += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut dest = Compare {
        expected: &data,
        seen: 0,
    };
    assert_eq!(reader.copy_body_to(&mut dest).unwrap(), LEN as u64);
    assert_eq!(dest.seen, LEN);
    assert!(
        reader.buffer().capacity() <= 2 * DEFAULT_READ_CHUNK,
        "buffer grew to {}",
        reader.buffer().capacity()
    );
    assert!(reader.read_header().unwrap().is_none());
}

#[test]
fn end_mid_body_says_how_many_bytes_were_missing() {
    let wire = Json::new().encode_to_vec(&body(1000)).unwrap();
    let cut = &wire[..wire.len() - 250];

    let mut reader = FrameReader::new(cut, Json::new());
    reader.read_header().unwrap().unwrap();
    let error = reader.copy_body_to(&mut io::sink()).unwrap_err();
    assert_eof_missing(&error, cut.len() as u64, exact(250));

    let mut reader = FrameReader::new(cut, Json::new());
    reader.read_header().unwrap().unwrap();
    let mut buf = vec![0; 2000];
    assert_eq!(reader.read_body(&mut buf).unwrap(), 750);
    assert_eof_missing(
        &reader.read_body(&mut buf).unwrap_err(),
        cut.len() as u64,
        exact(250),
    );

    // A body of 0 bytes is complete at once.
    let empty = Ascii::new().encode_to_vec(b"").unwrap();
    let mut reader = FrameReader::new(&empty[..], Ascii::new());
    assert_eq!(reader.read_header().unwrap().unwrap().1, 0);
    assert_eq!(reader.read_body(&mut buf).unwrap(), 0);
    assert!(reader.read_header().unwrap().is_none());
}

#[test]
fn discard_body_skips_to_the_next_frame() {
    let wire = stream_of(&Binary::default(), &[&body(10_000), b"kept"]);
    let mut reader = FrameReader::new(one_byte_at_a_time(&wire), Binary::default());
    reader.read_header().unwrap().unwrap();
    assert_eq!(reader.discard_body().unwrap(), 10_000);
    assert_eq!(reader.read_frame_owned().unwrap().unwrap().payload, b"kept");
    let (source, buffer) = reader.into_parts();
    assert!(buffer.is_empty());
    assert!(source.steps.is_empty());
}

#[test]
fn has_buffered_frame_tells_whether_the_next_frame_needs_a_read() {
    let wire = stream_of(&Ascii::new(), &[b"one", b"two", b"three"]);
    // The source hands out the first two frames and half the third at once.
    let steps = vec![
        Step::Data(wire[..16].to_vec()),
        Step::Data(wire[16..].to_vec()),
    ];
    let mut reader = FrameReader::new(
        CountingReader::new(ScriptedReader::new(steps)),
        Ascii::new(),
    );
    assert!(!reader.has_buffered_frame().unwrap(), "nothing read yet");
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"one");
    assert!(reader.has_buffered_frame().unwrap());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"two");
    assert!(!reader.has_buffered_frame().unwrap(), "half of the third");
    assert_eq!(
        reader.get_ref().offered.len(),
        1,
        "has_buffered_frame never reads"
    );
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"three");

    let mut bad = FrameReader::new(&b"0001a0x"[..], Ascii::new());
    assert_eq!(bad.read_frame().unwrap().unwrap().payload(), b"a");
    let error = bad.has_buffered_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
}

#[test]
fn skip_frame_steps_over_frames_and_streams_the_large_ones() {
    const LARGE: usize = 3 * DEFAULT_READ_CHUNK + 17;
    let wire = stream_of(
        &Binary::default(),
        &[
            b"small",
            &body(LARGE),
            b"",
            &body(DEFAULT_READ_CHUNK - 10),
            b"last",
        ],
    );
    let limits = Limits::new().max_frame(u64::MAX);
    let mut reader = FrameReader::with_limits(&wire[..], Binary::default(), limits);
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(5)
    );
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(LARGE as u64)
    );
    // The large body went through a read chunk at a time, never held whole.
    assert!(
        reader.buffer().capacity() <= 2 * DEFAULT_READ_CHUNK,
        "buffer grew to {}",
        reader.buffer().capacity()
    );
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(0)
    );
    assert_eq!(
        reader.read_frame().unwrap().unwrap().payload(),
        body(DEFAULT_READ_CHUNK - 10)
    );
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(4)
    );
    assert_eq!(reader.decoder().offset(), wire.len() as u64);
    assert_eq!(reader.skip_frame().unwrap(), None);
    assert_eq!(reader.skip_frame().unwrap(), None);
}

#[test]
fn skip_frame_reports_a_cut_stream_and_bad_bytes_after_the_good_frames() {
    // Cut inside a frame too large to hold: streamed, then the missing count.
    let wire = stream_of(&Ascii::with_width(7).unwrap(), &[b"ok", &body(200_000)]);
    let cut = &wire[..wire.len() - 1234];
    let mut reader = FrameReader::new(one_byte_at_a_time(cut), Ascii::with_width(7).unwrap())
        .with_read_chunk(4096);
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(2)
    );
    assert_eof_missing(
        &reader.skip_frame().unwrap_err(),
        cut.len() as u64,
        exact(1234),
    );

    // Cut inside a small frame.
    let wire = stream_of(&Ascii::new(), &[b"one", b"two"]);
    let mut reader = FrameReader::new(&wire[..wire.len() - 2], Ascii::new());
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(3)
    );
    assert_eof_missing(
        &reader.skip_frame().unwrap_err(),
        wire.len() as u64 - 2,
        exact(2),
    );

    // A bad digit after a good frame: the frame first, then the error.
    let mut reader = FrameReader::new(&b"0001a00x1"[..], Ascii::new());
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(1)
    );
    let error = reader.skip_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_eq!(
        frame_error(&error),
        Some(&Error::InvalidDigit {
            offset: 7,
            byte: b'x'
        })
    );
}

#[test]
fn a_skip_cut_by_would_block_resumes_the_same_frame() {
    const LARGE: usize = 200_000;
    let wire = stream_of(
        &Binary::default(),
        &[&body(LARGE), b"next", &body(LARGE), b"end"],
    );
    let first = 4 + LARGE;
    let script = |wire: &[u8]| {
        vec![
            Step::Data(wire[..1000].to_vec()),
            Step::Fail(ErrorKind::WouldBlock),
            Step::Data(wire[1000..first + 8 + 5000].to_vec()),
            Step::Fail(ErrorKind::TimedOut),
            Step::Data(wire[first + 8 + 5000..].to_vec()),
        ]
    };

    let mut reader = FrameReader::new(ScriptedReader::new(script(&wire)), Binary::default())
        .with_read_chunk(4096);
    assert_eq!(
        reader.skip_frame().unwrap_err().kind(),
        ErrorKind::WouldBlock
    );
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(LARGE as u64)
    );
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"next");
    assert_eq!(reader.skip_frame().unwrap_err().kind(), ErrorKind::TimedOut);
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(LARGE as u64)
    );
    assert_eq!(
        reader.skip_frame().unwrap().map(|s| s.payload_bytes),
        Some(3)
    );
    assert_eq!(reader.skip_frame().unwrap(), None);

    // The batch API counts a resumed frame whole.
    let mut reader = FrameReader::new(ScriptedReader::new(script(&wire)), Binary::default())
        .with_read_chunk(4096);
    let mut total = sockframe::Skipped::default();
    let mut interruptions = 0;
    loop {
        match reader.skip_frames() {
            Ok(Some(skipped)) => total.add(skipped),
            Ok(None) => break,
            Err(e) => {
                assert!(matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut
                ));
                interruptions += 1;
            }
        }
    }
    assert_eq!(interruptions, 2);
    assert_eq!(
        (total.frames, total.payload_bytes, total.stream_bytes),
        (4, 2 * LARGE as u64 + 7, wire.len() as u64)
    );
}

/// A body far over `max_frame` streams with the default limits: only
/// `max_streamed_body` bounds it, and memory stays at the read chunk.
#[test]
fn a_large_body_streams_without_raising_max_frame() {
    use std::io::Read as _;
    const LEN: u64 = 3 * Limits::DEFAULT_MAX_FRAME; // 24 MiB
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let header = json
        .encode_header_with(&serde_json::json!({"file_name": "big.bin"}), LEN as usize)
        .unwrap();
    let source = (&header[..]).chain(std::io::repeat(7).take(LEN));
    let mut reader = FrameReader::new(source, json.clone());
    let (header, size) = reader.read_header_owned().unwrap().expect("a header");
    assert_eq!((size, header.body_len()), (LEN, LEN));
    assert_eq!(reader.copy_body_to(&mut std::io::sink()).unwrap(), LEN);
    assert!(reader.buffer().capacity() <= 2 * reader.read_chunk());
    assert!(reader.read_header().unwrap().is_none());

    // Held whole, the same frame is refused before anything is reserved.
    let header = json.encode_header(LEN as usize).unwrap();
    let source = (&header[..]).chain(std::io::repeat(7).take(LEN));
    let mut reader = FrameReader::new(source, json.clone());
    let error = reader.read_frame().expect_err("over max_frame");
    assert_eq!(
        sockframe::io::frame_error(&error),
        Some(&sockframe::Error::FrameTooLong {
            offset: 0,
            length: LEN,
            limit: Limits::DEFAULT_MAX_FRAME
        })
    );
    assert!(reader.buffer().capacity() <= 2 * reader.read_chunk());

    // And a streamed body over its own limit is refused at its header.
    let limits = Limits::new().max_streamed_body(LEN - 1);
    let source = (&header[..]).chain(std::io::repeat(7).take(LEN));
    let mut reader = FrameReader::with_limits(source, json, limits);
    assert!(reader.read_header().is_err());
}
