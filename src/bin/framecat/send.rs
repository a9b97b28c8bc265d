//! `framecat send`: lines of stdin as frames to a server, replies printed.

use std::io::{self, BufWriter, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use std::time::Duration;

use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::Limits;

use crate::args::OutputFormat;
use crate::decode::print_frames;
use crate::failure::{describe, stdout_error, Failure};
use crate::framing::{CliFraming, Run};
use crate::lines::Lines;
use crate::output::Printer;

pub struct Send {
    pub addr: String,
    pub timeout: Duration,
}

impl Run for Send {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
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
        let printer = Printer::new(OutputFormat::Jsonl, Vec::new());
        let received = print_frames(reader, printer, &mut LineFlushed(&mut out), reply_error);
        if let Err(Failure::StdoutClosed) = received {
            return Err(Failure::StdoutClosed);
        }
        out.flush().map_err(stdout_error)?;
        let sent = sender
            .join()
            .map_err(|_| "the sending thread panicked".to_owned())??;
        received?;
        eprintln!("framecat: sent {sent} frames");
        Ok(())
    }
}

/// A reply that does not decode most often means the server speaks
/// another framing, or the same with other options: say so.
fn reply_error(error: io::Error) -> Failure {
    let hint = if frame_error(&error).is_some() {
        " (do client and server use the same framing and options? the replies do not decode as --framing says)"
    } else {
        ""
    };
    Failure::Failed(format!("reading replies: {}{hint}", describe(&error)))
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
