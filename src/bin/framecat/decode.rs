//! `framecat decode`: a framed stream on stdin to JSON lines, raw payloads
//! or a hex dump on stdout.

use std::io::{self, BufWriter, Write};

use serde_json::json;
use sockframe::io::FrameReader;
use sockframe::{Limits, Skipped};

use crate::failure::{describe, stdout_error, Failure};
use crate::framing::{CliFraming, Run};
use crate::output::Printer;

/// Bytes asked of stdin per `read`: with 64 KiB, `--count` over a file in
/// the page cache spent about a fifth more system time than with 256 KiB
/// (hyperfine, BENCHMARKS.md); larger gained nothing.
const READ_CHUNK: usize = 256 * 1024;

pub struct Decode {
    /// `None` for `--count`.
    pub printer: Option<Printer>,
}

impl Run for Decode {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
        let reader = FrameReader::with_limits(io::stdin().lock(), framing, limits)
            .with_read_chunk(READ_CHUNK);
        let mut out = BufWriter::new(io::stdout().lock());
        let result = match self.printer {
            Some(printer) => {
                print_frames(reader, printer, &mut out, |e| Failure::Failed(describe(&e)))
            }
            None => count_frames(reader, &mut out),
        };
        // Every complete frame is printed before the error is reported.
        let flushed = out.flush().map_err(stdout_error);
        match (result, flushed) {
            (Err(Failure::StdoutClosed), _) | (_, Err(Failure::StdoutClosed)) => {
                Err(Failure::StdoutClosed)
            }
            (result, flushed) => result.and(flushed),
        }
    }
}

/// Prints every frame; an error comes after the frames before it, as
/// `read_error` makes it.
pub fn print_frames<F: CliFraming>(
    mut reader: FrameReader<impl io::Read, F>,
    mut printer: Printer,
    out: &mut impl Write,
    read_error: impl FnOnce(io::Error) -> Failure,
) -> Result<(), Failure> {
    loop {
        match reader.read_frame() {
            Ok(Some(frame)) => printer
                .print(
                    out,
                    F::header_json(frame.header()),
                    frame.raw(),
                    frame.payload(),
                )
                .map_err(stdout_error)?,
            Ok(None) => return Ok(()),
            Err(e) => return Err(read_error(e)),
        }
        // Before a read that may wait (a live stream), what is printed
        // goes out. A bad next header shows on the next `read_frame`.
        if !matches!(reader.has_buffered_frame(), Ok(true)) {
            out.flush().map_err(stdout_error)?;
        }
    }
}

/// Prints the totals. Frames are skipped where they lie in the reader's
/// buffer, a batch at a time; only a frame larger than a read chunk is
/// streamed through, so memory stays bounded whatever `--max-frame` allows.
fn count_frames<F: CliFraming>(
    mut reader: FrameReader<impl io::Read, F>,
    out: &mut impl Write,
) -> Result<(), Failure> {
    let mut total = Skipped::default();
    let result = loop {
        match reader.skip_frames() {
            Ok(Some(skipped)) => total.add(skipped),
            Ok(None) => break Ok(()),
            Err(e) => break Err(Failure::Failed(describe(&e))),
        }
    };
    let totals = json!({
        "frames": total.frames,
        "payload_bytes": total.payload_bytes,
        "stream_bytes": total.stream_bytes,
    });
    writeln!(out, "{totals}").map_err(stdout_error)?;
    result
}
