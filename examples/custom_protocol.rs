//! A protocol of your own on sockframe: a text header line
//! `MSG <len> <topic>\r\n`, then `len` payload bytes.
//!
//! `Msg` implements [`Framing`] with nom's streaming parsers; the decoder
//! does the rest (reassembly, limits, offsets). A client sends a few
//! messages cut into pieces of 1, 3 and 7 bytes, so the server sees headers
//! split anywhere, and the topic reaches the server as each frame's header,
//! parsed once. A second client sends a bad header, refused with a typed
//! error naming its stream offset.
//!
//! ```sh
//! cargo run --example custom_protocol
//! ```

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::ops::Range;
use std::thread;
use std::time::Duration;

use nom::bytes::streaming::{tag, take_while1};
use nom::character::streaming::{space1, u64 as decimal};
use nom::error::ErrorKind;
use nom::{IResult, Offset, Parser};
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{Encode, Error, Framing, Head, Limits, Needed, Status};

/// Longest topic the encoder writes.
const MAX_TOPIC: usize = 64;
/// Longest header line: `MSG`, a space, a u64's 20 digits, a space, a
/// topic, `\r\n`.
const MAX_LINE: usize = 4 + 20 + 1 + MAX_TOPIC + 2;

/// Topic bytes: printable ASCII but space. Hence a topic is valid UTF-8.
fn is_topic_byte(b: u8) -> bool {
    b.is_ascii_graphic()
}

/// The decoding side: `MSG <len> <topic>\r\n` then `len` payload bytes.
#[derive(Debug, Clone, Copy)]
struct Msg;

impl Framing for Msg {
    /// How many bytes were already searched for the line's `\n`.
    type Scan = usize;
    /// Where the topic lies in the header line, so it is never parsed again.
    type Meta = Range<usize>;
    /// The caller sees the topic.
    type Header<'a> = &'a str;
    type OwnedHeader = String;

    fn parse_header(
        &self,
        input: &[u8],
        searched: &mut usize,
        offset: u64,
        _: &Limits,
    ) -> Result<Status<Head<Range<usize>>>, Error> {
        // Only bytes new since the last call are searched: a header fed one
        // byte at a time is examined once in all, not once per byte.
        let from = (*searched).min(input.len());
        let Some(newline) = input[from..].iter().position(|&b| b == b'\n') else {
            *searched = input.len();
            return Ok(Status::Partial(Needed::at_least(1)));
        };
        // nom runs once, over the whole line. Running it on every partial
        // line would catch a bad byte sooner but re-read the line each call;
        // `max_header_len` bounds what is buffered before the verdict.
        let line = &input[..from + newline + 1];
        let parsed: IResult<&[u8], _> = (
            tag("MSG"),
            space1,
            decimal,
            space1,
            take_while1(is_topic_byte),
            tag("\r\n"),
        )
            .parse(line);
        match parsed {
            Ok((_, (_, _, len, _, topic, _))) => {
                let start = line.offset(topic);
                let head = Head::new(line.len(), len).with_meta(start..start + topic.len());
                Ok(Status::Complete(head))
            }
            // nom's "need more bytes" is sockframe's `Partial` (not met on a
            // whole line, but the honest answer if it were).
            Err(nom::Err::Incomplete(needed)) => Ok(Status::Partial(needed.into())),
            Err(nom::Err::Error(e) | nom::Err::Failure(e)) => {
                let at = line.offset(e.input);
                let reason = expected(e.code, at);
                Err(Error::invalid_header(offset + at as u64, reason))
            }
        }
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<Range<usize>>) -> &'a str {
        // `parse_header` let only ASCII into the topic: this check cannot
        // fail, and costs one pass over a few bytes (no `unsafe` needed).
        let topic = header.get(head.meta.clone()).unwrap_or_default();
        std::str::from_utf8(topic).unwrap_or_default()
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        // A peer that never sends `\n` is refused after a line's worth of
        // bytes, not after the 64 KiB default.
        limits.max_header.min(MAX_LINE)
    }
}

/// What the line lacked where nom stopped, `at` bytes into it.
fn expected(kind: ErrorKind, at: usize) -> &'static str {
    match kind {
        ErrorKind::Tag if at == 0 => "expected `MSG`",
        ErrorKind::Tag => "expected `\\r\\n` after the topic (printable ASCII, no spaces)",
        ErrorKind::Space => "expected a space",
        ErrorKind::Digit => "expected a decimal length (at most 2^64 - 1)",
        ErrorKind::TakeWhile1 => "expected a topic (printable ASCII, no spaces)",
        _ => "expected `MSG <len> <topic>\\r\\n`",
    }
}

/// The encoding side: `MSG` frames on one topic.
#[derive(Debug, Clone, Copy)]
struct Topic<'a>(&'a str);

impl<'a> Topic<'a> {
    /// `None` for a name that would break the header line.
    fn new(name: &'a str) -> Option<Self> {
        let valid = (1..=MAX_TOPIC).contains(&name.len()) && name.bytes().all(is_topic_byte);
        valid.then_some(Topic(name))
    }
}

impl Encode for Topic<'_> {
    /// The line's length varies with the topic, so a `Vec`.
    type Header = Vec<u8>;

    fn encode_header(&self, payload_len: usize) -> Result<Vec<u8>, Error> {
        Ok(format!("MSG {payload_len} {}\r\n", self.0).into_bytes())
    }
}

/// (topic, payload). The third payload holds a fake header: the announced
/// length, not the line, decides where a frame ends.
const MESSAGES: [(&str, &str); 5] = [
    ("news", "sockframe speaks MSG now"),
    ("chat", "hi there"),
    ("news", "not a header:\r\nMSG 99 fake\r\n"),
    ("chat", ""),
    ("metrics", "cpu=0.42"),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server = thread::spawn(move || -> io::Result<()> {
        for stream in listener.incoming().take(2) {
            serve(stream?)?;
        }
        Ok(())
    });

    client(addr)?;
    bad_client(addr)?;
    server.join().map_err(|_| "the server thread panicked")??;
    Ok(())
}

/// Prints every message on one connection, then acknowledges them.
fn serve(stream: TcpStream) -> io::Result<()> {
    let mut reader = FrameReader::new(CountReads(&stream, 0), Msg);
    let mut count = 0;
    loop {
        match reader.read_frame() {
            Ok(Some(frame)) => {
                let payload = String::from_utf8_lossy(frame.payload());
                println!("server: [{}] {payload:?}", frame.header());
                count += 1;
            }
            Ok(None) => break,
            // Bad bytes from the peer: `InvalidData` carrying sockframe's
            // typed error. Only this connection is dropped.
            Err(e) => match frame_error(&e) {
                Some(Error::InvalidHeader { offset, reason }) => {
                    println!("server: refused the header at stream offset {offset}: {reason}");
                    return Ok(());
                }
                _ => return Err(e),
            },
        }
    }
    println!("server: {count} messages from {} reads", reader.get_ref().1);
    let ack = Topic::new("ack").ok_or_else(|| io::Error::other("bad topic"))?;
    FrameWriter::new(&stream, ack).write_frame(format!("got {count}").as_bytes())
}

/// Sends MESSAGES in small pieces, then prints the server's reply.
fn client(addr: SocketAddr) -> Result<(), Box<dyn std::error::Error>> {
    let mut wire = Vec::new();
    for (topic, payload) in MESSAGES {
        let topic = Topic::new(topic).ok_or("bad topic")?;
        topic.encode_into(payload.as_bytes(), &mut wire)?;
    }
    let stream = TcpStream::connect(addr)?;
    println!("client: {} bytes in pieces of 1, 3 and 7 bytes", wire.len());
    send_in_pieces(&stream, &wire)?;
    // End of messages: the server's `read_frame` returns `None`.
    stream.shutdown(Shutdown::Write)?;
    let mut replies = FrameReader::new(&stream, Msg);
    while let Some(reply) = replies.read_frame()? {
        let payload = String::from_utf8_lossy(reply.payload());
        println!("client: [{}] {payload:?}", reply.header());
    }
    Ok(())
}

/// One good message, then a header whose length is not a number.
fn bad_client(addr: SocketAddr) -> io::Result<()> {
    let stream = TcpStream::connect(addr)?;
    let wire = b"MSG 2 ok\r\nhiMSG x news\r\n";
    println!("client: {:?}", String::from_utf8_lossy(wire));
    send_in_pieces(&stream, wire)
}

/// Writes `wire` in pieces of 1, 3 and 7 bytes, a millisecond apart.
fn send_in_pieces(mut stream: &TcpStream, mut wire: &[u8]) -> io::Result<()> {
    // No Nagle: each small write leaves at once, in a packet of its own
    // (`flush` is a no-op on a `TcpStream`).
    stream.set_nodelay(true)?;
    for size in [1, 3, 7].into_iter().cycle() {
        if wire.is_empty() {
            break;
        }
        let (piece, rest) = wire.split_at(size.min(wire.len()));
        stream.write_all(piece)?;
        wire = rest;
        thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}

/// A `Read` counting the reads that brought bytes: how cut up the stream
/// arrived.
struct CountReads<R>(R, usize);

impl<R: Read> Read for CountReads<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.0.read(buf)?;
        self.1 += usize::from(n > 0);
        Ok(n)
    }
}
