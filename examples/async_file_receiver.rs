//! An async file receiver for the JSON-header file transfer that Python
//! socket programs use: `{"file_name": ..., "file_size": ..., "md5": ...}`
//! then the file's bytes.
//!
//! The receiver serves each sender in a task, streams each body to a file
//! in bounded memory (`read_header_owned`, then `copy_body_to` a
//! `tokio::fs::File` through an md5 hasher) and checks the md5. A sender
//! task on loopback sends two files to show it.
//!
//! ```sh
//! cargo run --example async_file_receiver --features tokio
//! ```

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};

use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;
use sockframe::tokio::{FrameReader, FrameWriter};
use sockframe::Json;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Deserialize)]
struct FileHeader {
    file_name: String,
    file_size: u64,
    md5: String,
}

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
    let dir = std::env::temp_dir().join(format!("sockframe-received-{}", std::process::id()));
    tokio::fs::create_dir_all(&dir).await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    println!("receiving into {} on {addr}", dir.display());

    let receiver = tokio::spawn({
        let dir = dir.clone();
        async move {
            let (stream, peer) = listener.accept().await?;
            println!("sender {peer} connected");
            receive(stream, &dir).await
        }
    });
    send(addr).await?;
    let received = receiver.await.expect("receiver task")?;
    for path in &received {
        println!("received {}", path.display());
    }
    tokio::fs::remove_dir_all(&dir).await?;
    Ok(())
}

/// Receives files until the sender closes; returns their paths.
async fn receive(stream: TcpStream, dir: &Path) -> io::Result<Vec<PathBuf>> {
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut reader = FrameReader::new(stream, json);
    let mut received = Vec::new();
    while let Some((header, size)) = reader.read_header_owned().await? {
        let file: FileHeader = header.deserialize()?;
        // Only a plain name: never a path the sender chose.
        let name = Path::new(&file.file_name)
            .file_name()
            .filter(|name| *name == file.file_name.as_str())
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "not a plain file name"))?;
        let path = dir.join(name);
        let mut out = Hashing(Md5::new(), tokio::fs::File::create(&path).await?);
        let copied = reader.copy_body_to(&mut out).await?;
        out.1.flush().await?;
        let md5 = format!("{:x}", out.0.finalize());
        if (copied, md5.as_str()) != (file.file_size, file.md5.as_str()) {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{} is damaged ({copied} of {size} bytes, md5 {md5})",
                    file.file_name
                ),
            ));
        }
        received.push(path);
    }
    Ok(received)
}

/// What a Python sender does: header, then the file's bytes.
async fn send(addr: std::net::SocketAddr) -> io::Result<()> {
    let stream = TcpStream::connect(addr).await?;
    let mut writer = FrameWriter::new(stream, Json::new().with_size_key(Json::FILE_SIZE));
    for (name, body) in [
        ("a.txt", b"hello".repeat(1000)),
        ("b.bin", vec![7; 300_000]),
    ] {
        let md5 = format!("{:x}", Md5::digest(&body));
        // A tokio::fs::File in real life: the body is streamed, not held.
        let mut file = &body[..];
        writer
            .write_frame_with_from(
                &json!({"file_name": name, "md5": md5}),
                body.len() as u64,
                &mut file,
            )
            .await?;
    }
    writer.shutdown().await
}

/// Hashes what it writes on to a file.
struct Hashing<W>(Md5, W);

impl<W: AsyncWrite + Unpin> AsyncWrite for Hashing<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bytes: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let n = std::task::ready!(Pin::new(&mut this.1).poll_write(cx, bytes))?;
        this.0.update(&bytes[..n]);
        Poll::Ready(Ok(n))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.1).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.1).poll_shutdown(cx)
    }
}
