//! `framecat recv-file`: files sent as `send-file` and the Python programs
//! send them, saved in a directory after their md5 is checked.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, ErrorKind, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use indicatif::ProgressBar;
use md5::{Digest, Md5};
use serde_json::{json, Value};
use sockframe::io::FrameReader;
use sockframe::{Json, Limits, OwnedJsonHeader};

use crate::failure::{describe, stdout_error, Failure};
use crate::file_name::safe_name;
use crate::progress;
use crate::send_file::{hex, rate};

pub struct RecvFile {
    pub listen: String,
    pub dir: PathBuf,
    pub count: Option<u64>,
    pub max_size: Option<u64>,
    pub timeout: Duration,
}

/// What became of the files of one connection.
#[derive(Default)]
struct Tally {
    received: u64,
    failed: u64,
}

impl RecvFile {
    pub fn run(self) -> Result<(), Failure> {
        let shown = self.dir.display();
        match fs::metadata(&self.dir) {
            Ok(meta) if meta.is_dir() => {}
            Ok(_) => return Err(format!("--dir {shown}: not a directory").into()),
            Err(e) => return Err(format!("--dir {shown}: {e}").into()),
        }
        let listener = TcpListener::bind(&self.listen)
            .map_err(|e| format!("listening on {}: {e}", self.listen))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("listening on {}: {e}", self.listen))?;
        eprintln!("framecat: listening on {local}");
        let mut limits = Limits::new();
        if let Some(max_size) = self.max_size {
            limits = limits.max_frame(max_size).max_streamed_body(max_size);
        }
        let mut total = Tally::default();
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    eprintln!("framecat: accept: {e}");
                    continue;
                }
            };
            let budget = self
                .count
                .map(|count| count - total.received - total.failed);
            let tally = self.connection(stream, limits, budget)?;
            total.received += tally.received;
            total.failed += tally.failed;
            if self
                .count
                .is_some_and(|count| total.received + total.failed >= count)
            {
                break;
            }
        }
        match total.failed {
            0 => Ok(()),
            failed => Err(Failure::Failed(format!(
                "{failed} of {} files failed (see above)",
                total.received + failed
            ))),
        }
    }

    /// Receives files from one client until it closes, fails, or `budget`
    /// files are done.
    fn connection(
        &self,
        stream: TcpStream,
        limits: Limits,
        budget: Option<u64>,
    ) -> Result<Tally, Failure> {
        let peer = stream
            .peer_addr()
            .map_or_else(|_| "a client".to_owned(), |a| a.to_string());
        eprintln!("framecat: {peer}: connected");
        let mut tally = Tally::default();
        if let Err(e) = stream.set_read_timeout(Some(self.timeout)) {
            eprintln!("framecat: {peer}: {e}; connection closed");
            return Ok(tally);
        }
        let json = Json::new().with_size_key(Json::FILE_SIZE);
        let mut reader = FrameReader::with_limits(stream, json, limits);
        while budget.is_none_or(|budget| tally.received + tally.failed < budget) {
            let (header, size) = match reader.read_header_owned() {
                Ok(Some(next)) => next,
                Ok(None) => {
                    eprintln!("framecat: {peer}: closed");
                    break;
                }
                Err(e) => {
                    let idle = reader.buffer().is_empty()
                        && matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut);
                    if idle {
                        eprintln!(
                            "framecat: {peer}: idle for {:?}; connection closed",
                            self.timeout
                        );
                    } else {
                        eprintln!("framecat: {peer}: {}; connection closed", describe(&e));
                        tally.failed += 1;
                    }
                    break;
                }
            };
            match self.file(&mut reader, &header, size) {
                Ok(saved) => {
                    eprintln!(
                        "framecat: {peer}: received {:?} ({size} bytes, md5 {}) as {} in {}",
                        saved.sent_name,
                        if saved.checked {
                            "ok"
                        } else {
                            "not sent, not checked"
                        },
                        saved.path.display(),
                        rate(size, saved.took)
                    );
                    tally.received += 1;
                    let line = json!({
                        "file_name": saved.sent_name,
                        "path": saved.path.to_string_lossy(),
                        "file_size": size,
                        "md5": saved.md5,
                    });
                    let mut out = io::stdout().lock();
                    writeln!(out, "{line}")
                        .and_then(|()| out.flush())
                        .map_err(stdout_error)?;
                }
                Err(message) => {
                    eprintln!("framecat: {peer}: {message}; connection closed");
                    tally.failed += 1;
                    break;
                }
            }
        }
        Ok(tally)
    }

    /// Streams one body to a temporary file, checks it, and gives it its
    /// name.
    fn file(
        &self,
        reader: &mut FrameReader<TcpStream, Json>,
        header: &OwnedJsonHeader,
        size: u64,
    ) -> Result<Saved, String> {
        let fields = header.fields().map_err(|e| format!("header: {e}"))?;
        let sent_name = match fields.get("file_name") {
            Some(Value::String(name)) => name.clone(),
            Some(_) => return Err("header: \"file_name\" is not a string".into()),
            None => return Err(format!("header has no \"file_name\": {}", header.as_str())),
        };
        let name = safe_name(&sent_name)?;
        let expected = match fields.get("md5") {
            Some(Value::String(md5))
                if md5.len() == 32 && md5.chars().all(|c| c.is_ascii_hexdigit()) =>
            {
                Some(md5.to_ascii_lowercase())
            }
            Some(other) => {
                return Err(format!(
                    "{sent_name:?}: \"md5\" is not 32 hex digits: {other}"
                ))
            }
            None => None,
        };

        let mut temp = Temp::create(&self.dir)?;
        let file = temp.file.take().ok_or("the temporary file is gone")?;
        let bar = progress::bar(size, format!("receiving {name}"));
        let started = Instant::now();
        let mut out = HashingWriter {
            inner: BufWriter::new(file),
            md5: Md5::new(),
            bar: bar.clone(),
        };
        let copied = reader
            .copy_body_to(&mut out)
            .and_then(|copied| out.inner.flush().map(|()| copied))
            .map_err(|e| {
                format!(
                    "receiving {sent_name:?}: {}; the partial file was deleted",
                    describe(&e)
                )
            })?;
        bar.finish_and_clear();
        let took = started.elapsed();
        let md5 = hex(&out.md5.finalize());
        if copied != size {
            return Err(format!(
                "{sent_name:?}: {copied} bytes received of {size}; the partial file was deleted"
            ));
        }
        if let Some(expected) = &expected {
            if *expected != md5 {
                return Err(format!(
                    "{sent_name:?}: md5 mismatch: the header says {expected}, the {size} bytes received hash to {md5}; the file was deleted"
                ));
            }
        }
        let path = self.dir.join(name);
        temp.persist(&path)
            .map_err(|e| format!("{sent_name:?}: saving as {}: {e}", path.display()))?;
        Ok(Saved {
            sent_name,
            path,
            md5,
            checked: expected.is_some(),
            took,
        })
    }
}

struct Saved {
    sent_name: String,
    path: PathBuf,
    md5: String,
    checked: bool,
    took: Duration,
}

/// A temporary file in the receiving directory, deleted unless it is
/// given its name.
struct Temp {
    path: PathBuf,
    file: Option<File>,
    kept: bool,
}

impl Temp {
    /// A new file no other has the name of (`create_new` follows no link).
    fn create(dir: &Path) -> Result<Temp, String> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        loop {
            let n = NEXT.fetch_add(1, Ordering::Relaxed);
            let path = dir.join(format!(".framecat-{}-{n}.part", std::process::id()));
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(file) => {
                    return Ok(Temp {
                        path,
                        file: Some(file),
                        kept: false,
                    })
                }
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(format!("creating {}: {e}", path.display())),
            }
        }
    }

    /// Renames the file to `path`, replacing what is there.
    fn persist(&mut self, path: &Path) -> io::Result<()> {
        fs::rename(&self.path, path)?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            self.file = None;
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Writes through, hashing what passes and moving the progress bar.
struct HashingWriter<W> {
    inner: W,
    md5: Md5,
    bar: ProgressBar,
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?.min(buf.len());
        self.md5.update(&buf[..n]);
        self.bar.inc(n as u64);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}
