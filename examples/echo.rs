//! An echo server and two clients on loopback, with `FrameStream`.
//!
//! The server serves each client in its own thread and sends every frame
//! back unchanged (JSON header included); each client sends a few messages
//! with headers of its own and prints the replies. Everything stops once
//! both clients are done.
//!
//! ```sh
//! cargo run --example echo
//! ```

use std::io;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;

use serde_json::json;
use sockframe::io::FrameStream;
use sockframe::Json;

const CLIENTS: usize = 2;

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
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    println!("echo server on {addr}");

    let server = thread::spawn(move || -> io::Result<()> {
        let mut connections = Vec::new();
        for stream in listener.incoming().take(CLIENTS) {
            connections.push(thread::spawn(move || echo(stream?)));
        }
        for connection in connections {
            connection.join().expect("connection thread")?;
        }
        Ok(())
    });

    let clients: Vec<_> = ["alice", "bob"]
        .into_iter()
        .map(|name| thread::spawn(move || client(name, addr)))
        .collect();
    for client in clients {
        client.join().expect("client thread")?;
    }
    server.join().expect("server thread")?;
    println!("all clients done, server stopped");
    Ok(())
}

/// Sends every frame back as it came, until the client closes.
fn echo(stream: TcpStream) -> io::Result<()> {
    let peer = stream.peer_addr()?;
    let (mut frames_in, mut frames_out) = FrameStream::new(stream, Json::new())?.split();
    let mut count = 0;
    while let Some(frame) = frames_in.read_frame()? {
        frames_out.write_raw_frames(frame.raw())?;
        count += 1;
    }
    println!("server: {peer} closed after {count} frames");
    Ok(())
}

fn client(name: &str, addr: std::net::SocketAddr) -> io::Result<()> {
    let mut stream = FrameStream::new(TcpStream::connect(addr)?, Json::new())?;
    for (seq, text) in ["hello", "你好", "goodbye"].into_iter().enumerate() {
        stream.write_frame_with(&json!({"from": name, "seq": seq}), text.as_bytes())?;
        let reply = stream.read_frame()?.ok_or_else(|| {
            io::Error::new(io::ErrorKind::UnexpectedEof, "the server closed early")
        })?;
        println!(
            "{name}: echo {} {:?}",
            reply.header().as_str(),
            String::from_utf8_lossy(reply.payload())
        );
    }
    stream.get_ref().shutdown(Shutdown::Write)?;
    // The server closes its side once it has seen ours.
    assert!(stream.read_frame()?.is_none());
    Ok(())
}
