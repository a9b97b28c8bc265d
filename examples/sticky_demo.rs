//! The sticky-packet problem, live on loopback, for all three framings.
//!
//! A client sends four framed messages the way Python peers do (the header
//! and the body in separate sends), the last one in two halves with a pause
//! between. A naive server does one `read` and takes what it gets as "the
//! message"; a sockframe server gets exactly the four messages.
//!
//! ```sh
//! cargo run --example sticky_demo
//! ```

use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

use sockframe::io::FrameReader;
use sockframe::{Ascii, Binary, Decoder, Encode, FrameBuffer, Framing, Json};

const MESSAGES: [&str; 4] = [
    "hello",
    "sticky packets",
    "你好",
    "this one arrives in two pieces",
];

/// Reports an error by its message (`{}`): returning it from `main` would
/// print its `Debug` form.
fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> io::Result<()> {
    println!("TCP keeps no message boundaries. Four messages are sent; watch what arrives.\n");
    demo("ascii4: str(len(m)).zfill(4).encode() + m", Ascii::new())?;
    demo("struct: struct.pack('i', len(m)) + m", Binary::default())?;
    demo(
        "json:   struct.pack('i', len(hb)) + hb + body, hb = json.dumps({\"data_size\": n})",
        Json::new(),
    )?;
    Ok(())
}

fn demo<F>(title: &str, framing: F) -> io::Result<()>
where
    F: Framing + Encode + Clone + Send + 'static,
{
    println!("=== {title}");
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;

    // 1. A naive server: one read of up to 1024 bytes is "a message".
    let client = spawn_client(addr, framing.clone());
    let (mut naive, _) = listener.accept()?;
    thread::sleep(Duration::from_millis(50)); // the client has sent by now
    let mut buf = [0u8; 1024];
    let n = naive.read(&mut buf)?;
    println!("  naive recv(1024) returned {n} bytes in one go:");
    println!("    {}", shown(&buf[..n]));
    // What those bytes really hold, told by sockframe's no-IO buffer.
    let mut parts = FrameBuffer::new(Decoder::new(framing.clone()));
    parts.push(&buf[..n]);
    let mut whole = 0;
    while parts.next_frame().ok().flatten().is_some() {
        whole += 1;
    }
    println!(
        "    -> that single read holds {whole} whole messages and {} bytes of the next one",
        parts.len()
    );
    drop(naive);
    client.join().expect("client thread")?;

    // 2. The same client, read by sockframe.
    let client = spawn_client(addr, framing.clone());
    let (stream, _) = listener.accept()?;
    let mut reader = FrameReader::new(stream, framing);
    println!("  sockframe FrameReader delivered:");
    let mut count = 0;
    while let Some(frame) = reader.read_frame()? {
        count += 1;
        println!(
            "    message {count}: {:?} ({} bytes)",
            String::from_utf8_lossy(frame.payload()),
            frame.payload().len()
        );
    }
    println!("    -> exactly the {count} messages that were sent, then a clean end of stream\n");
    client.join().expect("client thread")?;
    Ok(())
}

/// Sends the messages as a Python peer would: header and body in separate
/// writes, the last message in two halves 100 ms apart.
fn spawn_client<F: Encode + Send + 'static>(
    addr: std::net::SocketAddr,
    framing: F,
) -> thread::JoinHandle<io::Result<()>> {
    thread::spawn(move || {
        let mut stream = TcpStream::connect(addr)?;
        let frames: Vec<Vec<u8>> = MESSAGES
            .iter()
            .map(|m| framing.encode_to_vec(m.as_bytes()).expect("short messages"))
            .collect();
        for (frame, message) in frames.iter().zip(MESSAGES).take(3) {
            let header_len = frame.len() - message.len();
            stream.write_all(&frame[..header_len])?;
            stream.write_all(&frame[header_len..])?;
        }
        let last = &frames[3];
        stream.write_all(&last[..last.len() / 2])?;
        thread::sleep(Duration::from_millis(100));
        // The naive server may have hung up already; that is its problem.
        let _ = stream.write_all(&last[last.len() / 2..]);
        Ok(())
    })
}

/// Bytes as a Python bytes literal, UTF-8 text kept readable.
fn shown(mut bytes: &[u8]) -> String {
    let mut out = String::from("b\"");
    while !bytes.is_empty() {
        let (text, bad) = match std::str::from_utf8(bytes) {
            Ok(text) => (text, 0),
            Err(e) => (
                std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
                e.error_len().unwrap_or(bytes.len() - e.valid_up_to()),
            ),
        };
        for c in text.chars() {
            match c {
                '"' | '\\' => out.extend(['\\', c]),
                ' '..='~' => out.push(c),
                _ if !c.is_ascii() => out.push(c),
                _ => out.push_str(&format!("\\x{:02x}", c as u32)),
            }
        }
        let rest = &bytes[text.len()..];
        for b in &rest[..bad] {
            out.push_str(&format!("\\x{b:02x}"));
        }
        bytes = &rest[bad..];
    }
    out.push('"');
    out
}
