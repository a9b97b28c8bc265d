//! `framecat serve`: an echo server, one thread per connection.

use std::io::{self, ErrorKind};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::Duration;

use sockframe::io::{FrameReader, FrameWriter};
use sockframe::Limits;

use crate::failure::{describe, Failure};
use crate::framing::{CliFraming, Run};
use crate::plural::count;

pub struct Serve {
    pub listen: String,
    pub max_connections: usize,
    pub timeout: Duration,
}

impl Run for Serve {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
        let listener = TcpListener::bind(&self.listen)
            .map_err(|e| format!("listening on {}: {e}", self.listen))?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("listening on {}: {e}", self.listen))?;
        eprintln!("framecat: listening on {local}");
        let open = Arc::new(AtomicUsize::new(0));
        for stream in listener.incoming() {
            let stream = match stream {
                Ok(stream) => stream,
                Err(e) => {
                    eprintln!("framecat: accept: {e}");
                    continue;
                }
            };
            let peer = stream
                .peer_addr()
                .map_or_else(|_| "a client".to_owned(), |a| a.to_string());
            if open.load(Ordering::SeqCst) >= self.max_connections {
                eprintln!(
                    "framecat: {peer}: refused, {} already open",
                    count(self.max_connections as u64, "connection")
                );
                continue;
            }
            let slot = Slot::take(&open);
            let framing = framing.clone();
            let timeout = self.timeout;
            let spawned = thread::Builder::new()
                .name(format!("framecat {peer}"))
                .spawn(move || {
                    let _slot = slot;
                    eprintln!("framecat: {peer}: connected");
                    match echo(stream, framing, limits, timeout) {
                        Ok(frames) => {
                            eprintln!("framecat: {peer}: closed after {}", count(frames, "frame"))
                        }
                        Err(e) => eprintln!("framecat: {peer}: {e}; connection closed"),
                    }
                });
            if let Err(e) = spawned {
                eprintln!("framecat: no thread for a new connection: {e}");
            }
        }
        Ok(())
    }
}

/// One connection slot, given back when the connection's thread ends.
struct Slot(Arc<AtomicUsize>);

impl Slot {
    fn take(open: &Arc<AtomicUsize>) -> Self {
        open.fetch_add(1, Ordering::SeqCst);
        Slot(Arc::clone(open))
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Echoes frames until the client closes; returns how many.
fn echo<F: CliFraming>(
    stream: TcpStream,
    framing: F,
    limits: Limits,
    timeout: Duration,
) -> Result<u64, String> {
    let setup = |e: io::Error| format!("setting up the connection: {e}");
    stream.set_read_timeout(Some(timeout)).map_err(setup)?;
    stream.set_write_timeout(Some(timeout)).map_err(setup)?;
    stream.set_nodelay(true).map_err(setup)?;
    let write_half = stream.try_clone().map_err(setup)?;
    let mut reader = FrameReader::with_limits(stream, framing.clone(), limits);
    let mut writer = FrameWriter::buffered(write_half, framing);
    let mut frame_count = 0u64;
    let result = loop {
        let echoed = match reader.read_frame() {
            Ok(Some(frame)) => writer.write_raw_frames(frame.raw()),
            Ok(None) => break Ok(()),
            Err(e) => break Err(Broke::Read(e)),
        };
        if let Err(e) = echoed {
            break Err(Broke::Write(e));
        }
        frame_count += 1;
        // Gather replies while frames are buffered; send before blocking.
        match reader.has_buffered_frame() {
            Ok(true) => {}
            Ok(false) => {
                if let Err(e) = writer.flush() {
                    break Err(Broke::Write(e));
                }
            }
            Err(e) => break Err(Broke::Read(e)),
        }
    };
    let silent = format!("{:.1}s", timeout.as_secs_f64());
    let frames = count(frame_count, "frame");
    match result {
        Ok(()) => writer
            .flush()
            .map(|()| frame_count)
            .map_err(|e| format!("writing: {e}")),
        Err(Broke::Read(e)) => {
            // Replies to the frames before the error still go out.
            let _ = writer.flush();
            if !is_timeout(&e) {
                Err(format!("after {frames}: {}", describe(&e)))
            } else if reader.buffer().is_empty() {
                Err(format!("idle for {silent} after {frames}"))
            } else {
                Err(format!(
                    "stalled mid-frame for {silent} after {frames} ({} of the next frame received)",
                    count(reader.buffer().len() as u64, "byte")
                ))
            }
        }
        Err(Broke::Write(e)) if is_timeout(&e) => Err(format!(
            "not reading its replies: none taken for {silent} after {frames}"
        )),
        Err(Broke::Write(e)) => Err(format!("writing after {frames}: {e}")),
    }
}

enum Broke {
    Read(io::Error),
    Write(io::Error),
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
}
