//! `framecat send-file`: one file as the Python file-transfer programs send
//! it: `struct.pack('i', len(hb)) + hb + body`, `hb = json.dumps({"file_name":
//! name, "file_size": size, "md5": hex})`.

use std::fs::File;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpStream, ToSocketAddrs};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use md5::{Digest, Md5};
use serde_json::json;
use sockframe::io::FrameWriter;
use sockframe::Json;

use crate::failure::{stdout_error, Failure};
use crate::ordered::{Fields, Ordered};
use crate::progress;

pub struct SendFile {
    pub path: PathBuf,
    pub addr: String,
    pub name: Option<String>,
    pub timeout: Duration,
}

impl SendFile {
    pub fn run(self) -> Result<(), Failure> {
        let shown = self.path.display().to_string();
        let name = match self.name {
            Some(name) => name,
            None => self
                .path
                .file_name()
                .and_then(|name| name.to_str())
                .map(str::to_owned)
                .ok_or_else(|| {
                    format!("{shown}: the file name is not UTF-8 text (give one with --name)")
                })?,
        };
        let open = || File::open(&self.path).map_err(|e| format!("{shown}: {e}"));

        // The md5 goes in the header, before the body: a first pass.
        let file = open()?;
        let size = file.metadata().map_err(|e| format!("{shown}: {e}"))?.len();
        let bar = progress::bar(size, format!("md5 of {name}"));
        let mut hashing = Hashing::new(bar.wrap_read(file));
        io::copy(&mut hashing, &mut io::sink()).map_err(|e| format!("reading {shown}: {e}"))?;
        let (md5, size) = hashing.finish();

        let stream = connect(&self.addr, self.timeout)?;
        let setup = |e: io::Error| format!("{}: {e}", self.addr);
        stream
            .set_write_timeout(Some(self.timeout))
            .map_err(setup)?;
        stream.set_read_timeout(Some(self.timeout)).map_err(setup)?;
        let json = Json::new().with_size_key(Json::FILE_SIZE);
        let mut writer = FrameWriter::new(&stream, json);
        // In the Python programs' order; file_size is set to the body's.
        let fields = Fields(vec![
            ("file_name".to_owned(), Ordered::String(name.clone())),
            ("file_size".to_owned(), Ordered::Number(size.into())),
            ("md5".to_owned(), Ordered::String(md5.clone())),
        ]);
        bar.reset();
        bar.set_length(size);
        let started = Instant::now();
        bar.set_message(format!("sending {name}"));
        let mut body = Hashing::new(bar.wrap_read(open()?));
        writer
            .write_frame_with_from(&fields, size, &mut body)
            .and_then(|()| writer.flush())
            .map_err(|e| format!("sending {shown} to {}: {e}", self.addr))?;
        let (sent_md5, _) = body.finish();
        if sent_md5 != md5 {
            return Err(Failure::Failed(format!(
                "{shown} changed while it was sent: the receiver will find its md5 wrong"
            )));
        }
        bar.finish_and_clear();
        let took = started.elapsed();
        // Done sending; a receiver closes once it has the file. Wait for
        // that (at most --timeout), so that nothing is cut off.
        let _ = stream.shutdown(Shutdown::Write);
        wait_for_close(&stream, self.timeout);

        eprintln!(
            "framecat: sent {name} ({size} bytes, md5 {md5}) to {} in {}",
            self.addr,
            rate(size, took)
        );
        let line = json!({"file_name": name, "file_size": size, "md5": md5});
        let mut out = io::stdout().lock();
        writeln!(out, "{line}")
            .and_then(|()| out.flush())
            .map_err(stdout_error)
    }
}

/// Connects to the first address of `addr` that answers within `timeout`.
fn connect(addr: &str, timeout: Duration) -> Result<TcpStream, Failure> {
    let addrs = addr
        .to_socket_addrs()
        .map_err(|e| format!("connecting to {addr}: {e}"))?;
    let mut last = None;
    for resolved in addrs {
        match TcpStream::connect_timeout(&resolved, timeout) {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(Failure::Failed(match last {
        Some(e) => format!("connecting to {addr}: {e}"),
        None => format!("connecting to {addr}: no address found"),
    }))
}

/// Reads and drops whatever the receiver sends until it closes, for at
/// most `timeout`.
fn wait_for_close(mut stream: &TcpStream, timeout: Duration) {
    let deadline = Instant::now() + timeout;
    let mut buf = [0u8; 4096];
    while Instant::now() < deadline {
        match stream.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// A reader that hashes what it reads and counts it.
pub struct Hashing<R> {
    inner: R,
    md5: Md5,
    len: u64,
}

impl<R> Hashing<R> {
    pub fn new(inner: R) -> Self {
        Hashing {
            inner,
            md5: Md5::new(),
            len: 0,
        }
    }

    /// The md5 in lowercase hex, and the bytes read.
    pub fn finish(self) -> (String, u64) {
        (hex(&self.md5.finalize()), self.len)
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        let n = n.min(buf.len());
        self.md5.update(&buf[..n]);
        self.len += n as u64;
        Ok(n)
    }
}

/// "1.2 s (24.4 MiB/s)".
pub fn rate(bytes: u64, took: Duration) -> String {
    let seconds = took.as_secs_f64();
    let per_second = if seconds > 0.0 {
        bytes as f64 / seconds / (1024.0 * 1024.0)
    } else {
        0.0
    };
    format!("{seconds:.1} s ({per_second:.1} MiB/s)")
}

/// Lowercase hex, as Python's `hexdigest()`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
