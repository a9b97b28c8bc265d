//! `framecat send`: lines of stdin as frames to a server, replies printed.

use std::io::{self, BufWriter, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::Duration;

use sockframe::io::{FrameReader, FrameWriter};
use sockframe::Limits;

use crate::decode::print_frames;
use crate::framing::{CliFraming, Run};
use crate::lines::Lines;

pub struct Send {
    pub addr: String,
    pub timeout: Duration,
}

impl Run for Send {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), String> {
        let stream = TcpStream::connect(&self.addr)
            .map_err(|e| format!("connecting to {}: {e}", self.addr))?;
        eprintln!("framecat: connected to {}", self.addr);
        stream
            .set_read_timeout(Some(self.timeout))
            .map_err(|e| e.to_string())?;
        let write_half = stream.try_clone().map_err(|e| e.to_string())?;

        // Send from a thread while replies are printed, so neither side
        // waits on the other however many lines there are.
        let sending = framing.clone();
        let max_line = limits.max_frame;
        let sender = thread::spawn(move || -> Result<u64, String> {
            let mut lines = Lines::new(io::stdin().lock(), max_line);
            let mut writer = FrameWriter::new(write_half, sending);
            let mut sent = 0;
            while let Some((number, line)) = lines
                .next_line()
                .map_err(|e| format!("reading stdin: {e}"))?
            {
                writer
                    .write_frame(line)
                    .map_err(|e| format!("sending line {number}: {e}"))?;
                sent += 1;
            }
            writer.flush().map_err(|e| format!("sending: {e}"))?;
            // Tell the server we are done; it closes after the last reply.
            let _ = writer.get_ref().shutdown(Shutdown::Write);
            Ok(sent)
        });

        let reader = FrameReader::with_limits(stream, framing, limits);
        let mut out = BufWriter::new(io::stdout().lock());
        let received = print_frames(reader, &mut LineFlushed(&mut out))
            .map_err(|e| format!("reading replies: {e}"));
        out.flush().map_err(|e| format!("writing stdout: {e}"))?;
        let sent = sender
            .join()
            .map_err(|_| "the sending thread panicked".to_owned())??;
        received?;
        eprintln!("framecat: sent {sent} frames");
        Ok(())
    }
}

/// Flushes after every line, so replies show up as they arrive.
struct LineFlushed<'a, W: Write>(&'a mut W);

impl<W: Write> Write for LineFlushed<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.0.write(buf)?;
        if buf[..n].contains(&b'\n') {
            self.0.flush()?;
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}
