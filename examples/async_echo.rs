//! An async echo server and clients on loopback, on one tokio runtime.
//!
//! The server spawns a task per connection and sends every frame back
//! unchanged (`Frame::raw`, JSON header included), gathering replies and
//! flushing them only when no whole frame is left buffered, so a burst of
//! frames costs one write. Each client sends messages in awkward pieces
//! and checks the replies. Everything stops once the clients are done.
//!
//! ```sh
//! cargo run --example async_echo --features tokio
//! ```

use std::io;
use std::process::ExitCode;

use serde_json::json;
use sockframe::tokio::{FrameReader, FrameWriter};
use sockframe::Json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

const CLIENTS: usize = 3;

/// Reports an error by its message (`{}`).
fn main() -> ExitCode {
    let runtime = tokio::runtime::Runtime::new().expect("a tokio runtime");
    match runtime.block_on(run()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> io::Result<()> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("echo server on {addr}");

    let server = tokio::spawn(async move {
        let mut connections = Vec::new();
        for _ in 0..CLIENTS {
            let (stream, _) = listener.accept().await?;
            connections.push(tokio::spawn(echo(stream)));
        }
        for connection in connections {
            connection.await.expect("connection task")?;
        }
        Ok::<_, io::Error>(())
    });

    let clients: Vec<_> = (0..CLIENTS)
        .map(|n| tokio::spawn(client(n, addr)))
        .collect();
    for client in clients {
        client.await.expect("client task")?;
    }
    server.await.expect("server task")?;
    println!("all clients done, server stopped");
    Ok(())
}

/// Sends every frame back as it came, until the client half-closes.
async fn echo(stream: TcpStream) -> io::Result<()> {
    let (read, write) = stream.into_split();
    let mut reader = FrameReader::new(read, Json::new());
    let mut writer = FrameWriter::buffered(write, Json::new());
    while let Some(frame) = reader.read_frame().await? {
        writer.write_raw_frames(frame.raw()).await?;
        if !reader.has_buffered_frame()? {
            writer.flush().await?;
        }
    }
    writer.shutdown().await
}

/// Sends a few messages, written 3 bytes at a time, and checks the echoes.
async fn client(n: usize, addr: std::net::SocketAddr) -> io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let (read, mut write) = stream.into_split();
    let messages: Vec<String> = (0..4).map(|i| format!("client {n}, message {i}")).collect();

    let mut wire = Vec::new();
    for (i, message) in messages.iter().enumerate() {
        let mut encoder = FrameWriter::new(&mut wire, Json::new());
        encoder
            .write_frame_with(&json!({"client": n, "seq": i}), message.as_bytes())
            .await?;
    }
    for piece in wire.chunks(3) {
        write.write_all(piece).await?;
    }
    write.shutdown().await?;

    let mut reader = FrameReader::new(read, Json::new());
    let mut echoed = 0;
    while let Some(frame) = reader.read_frame().await? {
        let header = frame.header().to_map()?;
        println!(
            "client {n} got {:?} (header seq {})",
            String::from_utf8_lossy(frame.payload()),
            header["seq"]
        );
        if frame.payload() != messages[echoed].as_bytes() {
            return Err(io::Error::other("the echo differs from what was sent"));
        }
        echoed += 1;
    }
    if echoed != messages.len() {
        return Err(io::Error::other(format!(
            "{echoed} of {} echoed",
            messages.len()
        )));
    }
    Ok(())
}
