//! `framecat decode`: a framed stream on stdin to JSON lines on stdout.

use std::io::{self, BufWriter, Write};

use serde_json::json;
use sockframe::io::FrameReader;
use sockframe::{Limits, Skipped};

use crate::framing::{CliFraming, Run};
use crate::output::frame_line;

/// Bytes asked of stdin per `read`: with 64 KiB, `--count` over a file in
/// the page cache spent about a fifth more system time than with 256 KiB
/// (hyperfine, BENCHMARKS.md); larger gained nothing.
const READ_CHUNK: usize = 256 * 1024;

pub struct Decode {
    pub count: bool,
}

impl Run for Decode {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), String> {
        let reader = FrameReader::with_limits(io::stdin().lock(), framing, limits)
            .with_read_chunk(READ_CHUNK);
        let mut out = BufWriter::new(io::stdout().lock());
        let result = if self.count {
            count_frames(reader, &mut out)
        } else {
            print_frames(reader, &mut out)
        };
        // Every complete frame is printed before the error is reported.
        let flushed = out.flush().map_err(|e| format!("writing stdout: {e}"));
        result.and(flushed)
    }
}

/// Prints every frame; an error comes after the frames before it.
pub fn print_frames<F: CliFraming>(
    mut reader: FrameReader<impl io::Read, F>,
    out: &mut impl Write,
) -> Result<(), String> {
    loop {
        match reader.read_frame() {
            Ok(Some(frame)) => {
                let line = frame_line(F::header_json(frame.header()), frame.payload());
                writeln!(out, "{line}").map_err(|e| format!("writing stdout: {e}"))?;
            }
            Ok(None) => return Ok(()),
            Err(e) => return Err(e.to_string()),
        }
    }
}

/// Prints the totals. Frames are skipped where they lie in the reader's
/// buffer, a batch at a time; only a frame larger than a read chunk is
/// streamed through, so memory stays bounded whatever `--max-frame` allows.
fn count_frames<F: CliFraming>(
    mut reader: FrameReader<impl io::Read, F>,
    out: &mut impl Write,
) -> Result<(), String> {
    let mut total = Skipped::default();
    let result = loop {
        match reader.skip_frames() {
            Ok(Some(skipped)) => total.add(skipped),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e.to_string()),
        }
    };
    let totals = json!({
        "frames": total.frames,
        "payload_bytes": total.payload_bytes,
        "stream_bytes": total.stream_bytes,
    });
    writeln!(out, "{totals}").map_err(|e| format!("writing stdout: {e}"))?;
    result
}
