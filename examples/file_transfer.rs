//! File transfer with a JSON header, as Python programs do it:
//!
//! ```python
//! header = {"file_name": name, "file_size": size, "md5": md5}
//! hb = json.dumps(header).encode("utf-8")
//! sock.send(struct.pack("i", len(hb))); sock.send(hb); sock.sendall(body)
//! ```
//!
//! A client streams files from disk, a server streams them back to disk and
//! checks their md5; neither holds a whole file in memory. Runs in a
//! scratch directory that it removes afterwards.
//!
//! ```sh
//! cargo run --example file_transfer
//! ```

use std::fs::{self, File};
use std::io::{self, BufWriter, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::thread;

use md5::{Digest, Md5};
use serde::Deserialize;
use serde_json::json;
use sockframe::io::{FrameReader, FrameWriter};
use sockframe::{Json, Limits};

/// The header fields this example uses; other keys are ignored.
#[derive(Debug, Deserialize)]
struct FileHeader {
    file_name: String,
    file_size: u64,
    md5: String,
}

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
    let scratch = Scratch::new()?;
    let outbox = scratch.0.join("outbox");
    let inbox = scratch.0.join("inbox");
    fs::create_dir_all(&outbox)?;
    fs::create_dir_all(&inbox)?;

    // Two files to send: 12 MiB of pseudo-random bytes and a short UTF-8 text.
    write_sample(&outbox.join("capture.bin"), 12 * 1024 * 1024)?;
    fs::write(outbox.join("你好.txt"), "你好, sockframe!\n".repeat(1000))?;

    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let server_inbox = inbox.clone();
    let server = thread::spawn(move || -> io::Result<()> {
        let (stream, peer) = listener.accept()?;
        println!("server: connection from {peer}");
        receive_files(stream, &server_inbox)
    });

    let mut stream = TcpStream::connect(addr)?;
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut writer = FrameWriter::new(stream.try_clone()?, json.clone());
    for name in ["capture.bin", "你好.txt"] {
        let path = outbox.join(name);
        let size = fs::metadata(&path)?.len();
        let md5 = md5_of_file(&path)?;
        println!("client: sending {name} ({size} bytes, md5 {md5})");
        let mut file = File::open(&path)?;
        writer.write_frame_with_from(&json!({"file_name": name, "md5": md5}), size, &mut file)?;
    }
    writer.flush()?;
    stream.shutdown(Shutdown::Write)?;

    // The server answers each file with a small JSON-header frame.
    let mut replies = FrameReader::new(&mut stream, json);
    while let Some(reply) = replies.read_frame()? {
        println!("client: server says {}", reply.header().as_str());
    }
    server.join().expect("server thread")?;

    for name in ["capture.bin", "你好.txt"] {
        let same = md5_of_file(&outbox.join(name))? == md5_of_file(&inbox.join(name))?;
        println!("check: {name} arrived identical: {same}");
        assert!(same);
    }
    Ok(())
}

/// Receives files until the client closes, streaming each body to disk.
fn receive_files(stream: TcpStream, inbox: &Path) -> io::Result<()> {
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    // Files are larger than the 8 MiB default; bodies are streamed anyway.
    let limits = Limits::new().max_frame(1 << 40);
    let mut reader = FrameReader::with_limits(stream.try_clone()?, json.clone(), limits);
    let mut replies = FrameWriter::new(stream, json);
    while let Some((header, size)) = reader.read_header()? {
        let header: FileHeader = header
            .deserialize()
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
        assert_eq!(header.file_size, size);
        // Never trust a peer's path: keep the last component only.
        let name = Path::new(&header.file_name)
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad file name"))?;
        let mut out = Md5Writer {
            inner: BufWriter::new(File::create(inbox.join(name))?),
            md5: Md5::new(),
        };
        let written = reader.copy_body_to(&mut out)?;
        out.inner.flush()?;
        let md5 = hex(&out.md5.finalize());
        let ok = md5 == header.md5;
        println!(
            "server: received {} ({written} bytes) md5 {}, buffer never above {} bytes",
            header.file_name,
            if ok { "matches" } else { "DIFFERS" },
            reader.buffer().capacity()
        );
        replies.write_frame_with(&json!({"file_name": header.file_name, "ok": ok}), b"")?;
    }
    Ok(())
}

/// Writes through, hashing what passes.
struct Md5Writer<W> {
    inner: W,
    md5: Md5,
}

impl<W: Write> Write for Md5Writer<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.md5.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

fn md5_of_file(path: &Path) -> io::Result<String> {
    let mut file = File::open(path)?;
    let mut md5 = Md5::new();
    let mut chunk = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut chunk)?;
        if n == 0 {
            return Ok(hex(&md5.finalize()));
        }
        md5.update(&chunk[..n]);
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Pseudo-random bytes (xorshift), written in chunks.
fn write_sample(path: &Path, len: usize) -> io::Result<()> {
    let mut out = BufWriter::new(File::create(path)?);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut left = len;
    while left > 0 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bytes = state.to_le_bytes();
        let n = left.min(8);
        out.write_all(&bytes[..n])?;
        left -= n;
    }
    out.flush()
}

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> io::Result<Self> {
        let dir =
            std::env::temp_dir().join(format!("sockframe-file-transfer-{}", std::process::id()));
        fs::create_dir_all(&dir)?;
        println!("scratch directory: {}", dir.display());
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}
