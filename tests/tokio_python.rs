//! The async adapters against real Python peers (tests/python/peer.py)
//! over loopback TCP and Unix sockets: Python sends in whole sends, single
//! bytes, glued frames, odd pieces or cut short, and the async reader and
//! the codec in `FramedRead` get every frame; the async writer and the
//! codec in `FramedWrite` send, and Python reads every frame.
//!
//! These tests need `python3` on the PATH and fail, never skip, without it.
#![cfg(feature = "tokio")]

use std::io;
use std::process::Stdio;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use sockframe::io::frame_error;
use sockframe::tokio::{FrameCodec, FrameReader, FrameWriter};
use sockframe::{Ascii, Binary, Error, Framing, Json, Needed};
use tokio::io::{AsyncRead, AsyncWrite, AsyncWriteExt};
use tokio::net::{TcpListener, UnixListener};
use tokio::process::Command;
use tokio_util::codec::{FramedRead, FramedWrite};

const PEER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/peer.py");
const MODES: [&str; 5] = ["whole", "bytes", "glued", "odd", "cut"];

fn bodies() -> Vec<Vec<u8>> {
    vec![
        b"hello".to_vec(),
        Vec::new(),
        "你好, sockframe".as_bytes().to_vec(),
        (0..3000u32).map(|i| (i * 31 % 256) as u8).collect(),
    ]
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn spec(bodies: &[Vec<u8>]) -> String {
    let list: Vec<Value> = bodies
        .iter()
        .map(|b| json!({"body_hex": hex(b), "header": [["tag", "py"]]}))
        .collect();
    json!({ "messages": list }).to_string()
}

/// A listening socket, TCP or Unix, and the address Python connects to.
enum Listener {
    Tcp(TcpListener),
    // The directory is held for its removal on drop.
    Unix(UnixListener, #[allow(dead_code)] tempdir::Dir),
}

mod tempdir {
    /// A directory removed on drop, for a Unix socket's path.
    pub struct Dir(pub std::path::PathBuf);
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Listener {
    async fn new(unix: bool, tag: &str) -> (Self, String) {
        if unix {
            let dir = std::env::temp_dir().join(format!(
                "sockframe-tokio-{}-{tag}-{:?}",
                std::process::id(),
                std::thread::current().id()
            ));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("s");
            let listener = UnixListener::bind(&path).unwrap();
            (
                Listener::Unix(listener, tempdir::Dir(dir)),
                path.to_str().unwrap().to_owned(),
            )
        } else {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let port = listener.local_addr().unwrap().port().to_string();
            (Listener::Tcp(listener), port)
        }
    }

    async fn accept(&self) -> Box<dyn Stream> {
        match self {
            Listener::Tcp(listener) => Box::new(listener.accept().await.unwrap().0),
            Listener::Unix(listener, _) => Box::new(listener.accept().await.unwrap().0),
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Runs the Python peer with `spec` on stdin; returns its stdout lines.
async fn python(args: &[&str], spec: String) -> tokio::process::Child {
    let mut child = Command::new("python3")
        .arg(PEER)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("python3 is required by the interop tests: {e}"));
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(spec.as_bytes()).await.unwrap();
    drop(stdin);
    child
}

async fn finish(child: tokio::process::Child) -> Vec<Value> {
    let output = tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("the python peer finished within a minute")
        .unwrap();
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        output.status.success(),
        "python peer failed ({}):\n{stdout}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

/// Checks what came against what was sent: every frame whole, or, for a
/// stream cut inside the last frame, every frame before it then
/// `UnexpectedEof`.
fn check_received(mode: &str, sent: &[Vec<u8>], got: &[Vec<u8>], end: io::Result<()>, what: &str) {
    if mode == "cut" {
        assert_eq!(got, &sent[..sent.len() - 1], "{what}");
        let error = end.expect_err(what);
        assert_eq!(error.kind(), io::ErrorKind::UnexpectedEof, "{what}");
        assert!(
            matches!(frame_error(&error), Some(Error::UnexpectedEof { needed: Needed::Exact(n), .. }) if n.get() > 0),
            "{what}: {error}"
        );
    } else {
        end.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(got, sent, "{what}");
    }
}

/// Python sends in `mode`; the async reader, and the codec, read.
async fn python_sends(unix: bool, framing_name: &str, mode: &str) {
    let what = format!(
        "{framing_name} {mode} over {}",
        if unix { "unix" } else { "tcp" }
    );
    // One byte per send sleeps per byte: short bodies only.
    let mut sent = bodies();
    if mode == "bytes" {
        sent.retain(|body| body.len() < 100);
    }
    for via_codec in [false, true] {
        let (listener, address) = Listener::new(unix, mode).await;
        let child = python(&["send", framing_name, &address, mode], spec(&sent)).await;
        let stream = listener.accept().await;
        let (got, end) = match framing_name {
            "ascii4" => read_all(stream, Ascii::new(), via_codec).await,
            "struct" => read_all(stream, Binary::default(), via_codec).await,
            _ => read_all(stream, Json::new(), via_codec).await,
        };
        finish(child).await;
        check_received(
            mode,
            &sent,
            &got,
            end,
            &format!("{what}, codec: {via_codec}"),
        );
    }
}

async fn read_all<F: Framing>(
    stream: Box<dyn Stream>,
    framing: F,
    via_codec: bool,
) -> (Vec<Vec<u8>>, io::Result<()>) {
    let mut got = Vec::new();
    if via_codec {
        let mut frames = FramedRead::new(stream, FrameCodec::new(framing));
        while let Some(frame) = frames.next().await {
            match frame {
                Ok(frame) => got.push(frame.payload.to_vec()),
                Err(e) => return (got, Err(e)),
            }
        }
        return (got, Ok(()));
    }
    let mut reader = FrameReader::new(stream, framing);
    loop {
        match reader.read_frame().await {
            Ok(Some(frame)) => got.push(frame.payload().to_vec()),
            Ok(None) => return (got, Ok(())),
            Err(e) => return (got, Err(e)),
        }
    }
}

#[tokio::test]
async fn python_senders_reach_the_async_reader_and_codec_over_tcp() {
    for framing in ["ascii4", "struct", "json"] {
        for mode in MODES {
            python_sends(false, framing, mode).await;
        }
    }
}

#[tokio::test]
async fn python_senders_reach_the_async_reader_and_codec_over_unix_sockets() {
    for framing in ["ascii4", "struct", "json"] {
        for mode in ["whole", "glued", "odd", "cut"] {
            python_sends(true, framing, mode).await;
        }
    }
}

/// The async writer and the codec in `FramedWrite` send; Python reads.
async fn python_receives(unix: bool) {
    for (framing_name, how) in [
        ("ascii4", "writer"),
        ("struct", "codec"),
        ("json", "writer"),
        ("json", "codec"),
        ("json-file", "writer"),
    ] {
        let what = format!(
            "{framing_name} via {how} over {}",
            if unix { "unix" } else { "tcp" }
        );
        let (listener, address) = Listener::new(unix, framing_name).await;
        let child = python(&["recv", framing_name, &address], "{}".into()).await;
        let stream = listener.accept().await;
        let sent = bodies();
        match (framing_name, how) {
            ("ascii4", _) => write_all(stream, Ascii::new(), &sent).await,
            ("struct", _) => {
                let mut sink = FramedWrite::new(stream, FrameCodec::new(Binary::default()));
                for body in &sent {
                    sink.send(body.as_slice()).await.unwrap();
                }
                // The codec encodes any AsRef<[u8]>: name one to close.
                SinkExt::<&[u8]>::close(&mut sink).await.unwrap();
            }
            ("json", "codec") => {
                let mut sink = FramedWrite::new(stream, FrameCodec::new(Json::new()));
                for body in &sent {
                    sink.feed(bytes::Bytes::from(body.clone())).await.unwrap();
                }
                SinkExt::<bytes::Bytes>::close(&mut sink).await.unwrap();
            }
            ("json", _) => {
                let mut writer = FrameWriter::buffered(stream, Json::new());
                for body in &sent {
                    writer
                        .write_frame_with(&json!({"from": "rust"}), body)
                        .await
                        .unwrap();
                }
                writer.shutdown().await.unwrap();
            }
            _ => {
                write_all(stream, Json::new().with_size_key(Json::FILE_SIZE), &sent).await;
            }
        }
        let lines = finish(child).await;
        assert_eq!(lines.len(), sent.len(), "{what}");
        for (line, body) in lines.iter().zip(&sent) {
            assert_eq!(line["body_hex"], hex(body), "{what}");
            if framing_name.starts_with("json") && how == "writer" {
                let key = if framing_name == "json" {
                    "data_size"
                } else {
                    "file_size"
                };
                assert_eq!(line["header"][key], body.len(), "{what}");
            }
        }
    }
}

async fn write_all<E: sockframe::Encode>(stream: Box<dyn Stream>, encoder: E, bodies: &[Vec<u8>]) {
    let mut writer = FrameWriter::new(stream, encoder);
    for body in bodies {
        writer.write_frame(body).await.unwrap();
    }
    writer.shutdown().await.unwrap();
}

#[tokio::test]
async fn python_receivers_read_what_the_async_writer_and_codec_send_over_tcp() {
    python_receives(false).await;
}

#[tokio::test]
async fn python_receivers_read_what_the_async_writer_and_codec_send_over_unix_sockets() {
    python_receives(true).await;
}
