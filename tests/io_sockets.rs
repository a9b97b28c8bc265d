//! The blocking adapters over real loopback `TcpStream`s and `UnixStream`s:
//! a peer that pauses mid-frame against a read timeout and in non-blocking
//! mode, a stream cut mid-frame, a burst of frames in one read, duplex
//! echo, and a large body streamed to a file.

use std::fs::File;
use std::io::{self, ErrorKind, Read, Seek, SeekFrom, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::unix::net::UnixStream;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serde_json::json;
use sockframe::io::{frame_error, FrameReader, FrameStream, FrameWriter, TryCloneStream};
use sockframe::{Ascii, Binary, Encode, Error, Framing, Json, Limits, Needed};

const TIMEOUT: Duration = Duration::from_millis(50);

/// A socket type the tests run over.
trait Socket: Read + Write + TryCloneStream + Send + 'static {
    /// A connected pair: (peer, the side under test).
    fn pair() -> (Self, Self);
    fn set_timeout(&self, timeout: Option<Duration>);
    fn set_nonblock(&self, on: bool);
    fn shutdown_write(&self);
}

impl Socket for TcpStream {
    fn pair() -> (Self, Self) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let peer = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (side, _) = listener.accept().unwrap();
        (peer, side)
    }
    fn set_timeout(&self, timeout: Option<Duration>) {
        self.set_read_timeout(timeout).unwrap();
    }
    fn set_nonblock(&self, on: bool) {
        self.set_nonblocking(on).unwrap();
    }
    fn shutdown_write(&self) {
        self.shutdown(Shutdown::Write).unwrap();
    }
}

impl Socket for UnixStream {
    fn pair() -> (Self, Self) {
        UnixStream::pair().unwrap()
    }
    fn set_timeout(&self, timeout: Option<Duration>) {
        self.set_read_timeout(timeout).unwrap();
    }
    fn set_nonblock(&self, on: bool) {
        self.set_nonblocking(on).unwrap();
    }
    fn shutdown_write(&self) {
        self.shutdown(Shutdown::Write).unwrap();
    }
}

fn stream_of<E: Encode>(encoder: &E, payloads: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::new();
    for payload in payloads {
        encoder.encode_into(payload, &mut out).unwrap();
    }
    out
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}

/// The peer sends `wire[..cut]`, pauses until the reader timed out, then
/// sends the rest and closes. The reader must lose no byte.
fn timeout_then_resume<S: Socket, F: Framing + Clone>(
    framing: F,
    wire: &[u8],
    cut: usize,
) -> Vec<Vec<u8>> {
    let (mut peer, side) = S::pair();
    side.set_timeout(Some(TIMEOUT));
    peer.write_all(&wire[..cut]).unwrap();
    let rest = wire[cut..].to_vec();
    let (timed_out, wait) = mpsc::channel::<()>();
    let peer = thread::spawn(move || {
        wait.recv().unwrap();
        peer.write_all(&rest).unwrap();
    });

    let mut reader = FrameReader::new(side, framing);
    let error = reader.read_frame().err().expect("a timeout");
    assert!(is_timeout(&error), "{error:?}");
    assert_eq!(
        reader.buffer().len(),
        cut,
        "the bytes before the pause are kept"
    );
    // Timing out again changes nothing.
    assert!(is_timeout(&reader.read_frame().err().expect("a timeout")));
    timed_out.send(()).unwrap();

    let mut payloads = Vec::new();
    loop {
        match reader.read_frame() {
            Ok(Some(frame)) => payloads.push(frame.payload().to_vec()),
            Ok(None) => break,
            Err(e) if is_timeout(&e) => continue, // the rest is on its way
            Err(e) => panic!("{e}"),
        }
    }
    peer.join().unwrap();
    payloads
}

fn timeout_cases<S: Socket>() {
    let payloads: &[&[u8]] = &[b"paused frame", "你好".as_bytes()];
    let ascii = stream_of(&Ascii::new(), payloads);
    for cut in [2, 4, 9] {
        assert_eq!(
            timeout_then_resume::<S, _>(Ascii::new(), &ascii, cut),
            payloads,
            "ascii cut {cut}"
        );
    }
    let network = Binary::from_struct_format("!I").unwrap();
    let binary = stream_of(&network, payloads);
    for cut in [3, 10] {
        assert_eq!(
            timeout_then_resume::<S, _>(network, &binary, cut),
            payloads,
            "struct cut {cut}"
        );
    }
    let json = stream_of(&Json::new(), payloads);
    // In the prefix, in the JSON header, in the body.
    for cut in [1, 12, 25] {
        assert_eq!(
            timeout_then_resume::<S, _>(Json::new(), &json, cut),
            payloads,
            "json cut {cut}"
        );
    }
}

#[test]
fn tcp_read_timeout_mid_frame_loses_no_byte() {
    timeout_cases::<TcpStream>();
}

#[test]
fn unix_read_timeout_mid_frame_loses_no_byte() {
    timeout_cases::<UnixStream>();
}

fn nonblocking_resumes<S: Socket>() {
    let (mut peer, side) = S::pair();
    side.set_nonblock(true);
    let mut reader = FrameReader::new(side, Json::new());
    assert_eq!(
        reader.read_frame().unwrap_err().kind(),
        ErrorKind::WouldBlock
    );

    let wire = Json::new()
        .encode_to_vec(b"arrives in three parts")
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut frame = None;
    for part in [&wire[..3], &wire[3..11], &wire[11..]] {
        peer.write_all(part).unwrap();
        loop {
            match reader.read_frame_owned() {
                Ok(Some(got)) => {
                    frame = Some(got);
                    break;
                }
                Ok(None) => panic!("unexpected end of stream"),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    // Once this part is buffered, wait for the next one.
                    if reader.decoder().offset() as usize + reader.buffer().len()
                        == part_end(&wire, part)
                    {
                        break;
                    }
                    assert!(Instant::now() < deadline, "the part never arrived");
                    thread::sleep(Duration::from_millis(1));
                }
                Err(e) => panic!("{e}"),
            }
        }
    }
    let frame = frame.expect("the frame");
    assert_eq!(frame.payload, b"arrives in three parts");
    assert_eq!(frame.header.as_header().body_len(), 22);
}

/// Where `part` (a subslice of `wire`) ends in `wire`.
fn part_end(wire: &[u8], part: &[u8]) -> usize {
    part.as_ptr() as usize - wire.as_ptr() as usize + part.len()
}

#[test]
fn tcp_nonblocking_would_block_resumes() {
    nonblocking_resumes::<TcpStream>();
}

#[test]
fn unix_nonblocking_would_block_resumes() {
    nonblocking_resumes::<UnixStream>();
}

fn end_mid_frame<S: Socket>() {
    let (mut peer, side) = S::pair();
    peer.write_all(b"\x05\0\0\0hello\x0a\0\0\0short").unwrap();
    drop(peer);
    let mut reader = FrameReader::new(side, Binary::default());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"hello");
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert_eq!(
        frame_error(&error),
        Some(&Error::UnexpectedEof {
            offset: 18,
            needed: Needed::Exact(5.try_into().unwrap())
        })
    );
    assert!(
        error.to_string().contains("5 more bytes were missing"),
        "{error}"
    );

    // Between frames: a clean end.
    let (mut peer, side) = S::pair();
    peer.write_all(b"0002hi").unwrap();
    drop(peer);
    let mut reader = FrameReader::new(side, Ascii::new());
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"hi");
    assert!(reader.read_frame().unwrap().is_none());
}

#[test]
fn tcp_end_mid_frame_says_how_many_bytes_were_missing() {
    end_mid_frame::<TcpStream>();
}

#[test]
fn unix_end_mid_frame_says_how_many_bytes_were_missing() {
    end_mid_frame::<UnixStream>();
}

/// Counts `read` calls.
struct Counted<R> {
    inner: R,
    reads: usize,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        self.inner.read(buf)
    }
}

fn burst_in_one_read<S: Socket>() {
    let payloads: Vec<Vec<u8>> = (0..500)
        .map(|i| format!("frame {i}").into_bytes())
        .collect();
    let refs: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    let wire = stream_of(&Ascii::new(), &refs);
    let (mut peer, side) = S::pair();
    // Everything is in the receiving socket before the first read.
    peer.write_all(&wire).unwrap();
    peer.shutdown_write();

    let mut reader = FrameReader::new(
        Counted {
            inner: side,
            reads: 0,
        },
        Ascii::new(),
    );
    let mut got = Vec::new();
    while let Some(frame) = reader.read_frame().unwrap() {
        got.push(frame.payload().to_vec());
    }
    assert_eq!(got, payloads);
    // One read for the 500 frames, one for the end of the stream.
    assert_eq!(reader.get_ref().reads, 2);
}

#[test]
fn tcp_burst_of_frames_costs_one_read() {
    burst_in_one_read::<TcpStream>();
}

#[test]
fn unix_burst_of_frames_costs_one_read() {
    burst_in_one_read::<UnixStream>();
}

/// Payload `i`: sizes from 0 to about 100 KB, content depending on `i`.
fn payload(i: usize) -> Vec<u8> {
    let len = (i * i * 37) % 100_000;
    (0..len).map(|j| (i + j * 13) as u8).collect()
}

fn duplex_echo<S: Socket>() {
    const FRAMES: usize = 120;
    let (client, server) = S::pair();

    let echo = thread::spawn(move || {
        let (mut frames_in, mut frames_out) =
            FrameStream::new(server, Json::new()).unwrap().split();
        let mut echoed = 0;
        while let Some(frame) = frames_in.read_frame().unwrap() {
            frames_out.write_raw_frames(frame.raw()).unwrap();
            echoed += 1;
        }
        frames_out.flush().unwrap();
        echoed
    });

    let stream = FrameStream::new(client, Json::new()).unwrap();
    let (mut replies, mut requests) = stream.split();
    let sender = thread::spawn(move || {
        for i in 0..FRAMES {
            requests
                .write_frame_with(&json!({"seq": i, "note": "回声"}), &payload(i))
                .unwrap();
        }
        requests.flush().unwrap();
        requests.get_ref().shutdown_write();
    });
    let mut count = 0;
    while let Some(frame) = replies.read_frame().unwrap() {
        let header = frame.header().to_map().unwrap();
        assert_eq!(header["seq"], count);
        assert_eq!(header["note"], "回声");
        assert!(frame.payload() == payload(count), "payload {count}");
        count += 1;
    }
    sender.join().unwrap();
    assert_eq!(count, FRAMES);
    assert_eq!(echo.join().unwrap(), FRAMES);
}

#[test]
fn tcp_duplex_echo() {
    duplex_echo::<TcpStream>();
}

#[test]
fn unix_duplex_echo() {
    duplex_echo::<UnixStream>();
}

#[test]
fn duplex_stream_round_trip_in_one_thread() {
    let (peer, side) = UnixStream::pair().unwrap();
    let mut ours = FrameStream::new(side, Ascii::new()).unwrap();
    let reader = FrameReader::new(peer.try_clone().unwrap(), Ascii::new());
    let writer = FrameWriter::buffered(peer, Ascii::new());
    let mut theirs = FrameStream::from_parts(reader, writer);

    ours.write_frame(b"ping").unwrap();
    assert_eq!(theirs.read_frame().unwrap().unwrap().payload(), b"ping");
    theirs.write_frame(b"pong").unwrap();
    assert!(theirs.writer().pending().len() == 8, "gathered until flush");
    theirs.flush().unwrap();
    assert_eq!(ours.read_frame_owned().unwrap().unwrap().payload, b"pong");
    ours.get_ref().shutdown(Shutdown::Write).unwrap();
    assert!(theirs.read_frame().unwrap().is_none());
}

/// A scratch file removed on drop.
struct TempFile(std::path::PathBuf);

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

#[test]
fn tcp_large_body_streams_to_a_file_in_bounded_memory() {
    const LEN: u64 = 16 * 1024 * 1024;
    let (peer, side) = TcpStream::pair();
    let json = Json::new().with_size_key(Json::FILE_SIZE);

    let sending_json = json.clone();
    let sender = thread::spawn(move || {
        let mut writer = FrameWriter::new(peer, sending_json);
        let mut body = io::repeat(0xab).take(LEN);
        writer
            .write_frame_with_from(&json!({"file_name": "big.bin"}), LEN, &mut body)
            .unwrap();
        writer.write_frame(b"done").unwrap();
    });

    let path = std::env::temp_dir().join(format!("sockframe-io-{}-big.bin", std::process::id()));
    let _cleanup = TempFile(path.clone());
    let mut file = File::options()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();

    let limits = Limits::new().max_frame(u64::MAX);
    let mut reader = FrameReader::with_limits(side, json, limits);
    let (header, len) = reader.read_header().unwrap().unwrap();
    assert_eq!(header.to_map().unwrap()["file_name"], "big.bin");
    assert_eq!(len, LEN);
    assert_eq!(reader.copy_body_to(&mut file).unwrap(), LEN);
    assert!(
        reader.buffer().capacity() <= 2 * sockframe::io::DEFAULT_READ_CHUNK,
        "buffer grew to {}",
        reader.buffer().capacity()
    );
    assert_eq!(reader.read_frame().unwrap().unwrap().payload(), b"done");
    assert!(reader.read_frame().unwrap().is_none());
    sender.join().unwrap();

    assert_eq!(file.metadata().unwrap().len(), LEN);
    file.seek(SeekFrom::Start(0)).unwrap();
    let mut chunk = vec![0; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut chunk).unwrap();
        if n == 0 {
            break;
        }
        assert!(chunk[..n].iter().all(|&b| b == 0xab));
        total += n as u64;
    }
    assert_eq!(total, LEN);
}
