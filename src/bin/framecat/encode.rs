//! `framecat encode`: stdin to frames on stdout: each line, all of stdin,
//! or JSON lines with header fields.

use std::io::{self, Read, Write};

use sockframe::io::{frame_error, FrameWriter};
use sockframe::Limits;

use crate::args::InputFormat;
use crate::failure::{stdout_error, Failure};
use crate::framing::{CliFraming, Run};
use crate::jsonl::Line;
use crate::lines::Lines;
use crate::ordered::Fields;

pub struct Encode {
    pub input: InputFormat,
}

impl Run for Encode {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
        let mut writer = FrameWriter::buffered(io::stdout().lock(), framing);
        let result = match self.input {
            InputFormat::Lines => encode_lines(&mut writer, limits.max_frame),
            InputFormat::Raw => encode_all(&mut writer, limits.max_frame),
            InputFormat::Jsonl => encode_jsonl(&mut writer, limits.max_frame),
        };
        // Frames before a bad line are complete: write them out either way.
        let flushed = writer.flush().map_err(stdout_error);
        match (result, flushed) {
            (Err(Failure::StdoutClosed), _) | (_, Err(Failure::StdoutClosed)) => {
                Err(Failure::StdoutClosed)
            }
            (result, flushed) => result.and(flushed),
        }
    }
}

/// A failed `write_frame`: the payload refused by the framing (`what`
/// names it), or stdout failing.
fn write_error(error: io::Error, what: impl FnOnce() -> String) -> Failure {
    if frame_error(&error).is_some() {
        Failure::Failed(format!("{}: {error}", what()))
    } else {
        stdout_error(error)
    }
}

fn encode_lines<F: CliFraming, W: Write>(
    writer: &mut FrameWriter<W, F>,
    max_frame: u64,
) -> Result<(), Failure> {
    let mut lines = Lines::new(io::stdin().lock(), max_frame);
    while let Some((number, line)) = lines
        .next_line()
        .map_err(|e| format!("reading stdin: {e}"))?
    {
        writer
            .write_frame(line)
            .map_err(|e| write_error(e, || format!("line {number}")))?;
        flush_before_waiting(writer, &lines)?;
    }
    Ok(())
}

/// All of stdin as one frame, held in memory: at most `max_frame` bytes.
fn encode_all<F: CliFraming, W: Write>(
    writer: &mut FrameWriter<W, F>,
    max_frame: u64,
) -> Result<(), Failure> {
    let mut payload = Vec::new();
    io::stdin()
        .lock()
        .take(max_frame.saturating_add(1))
        .read_to_end(&mut payload)
        .map_err(|e| format!("reading stdin: {e}"))?;
    if payload.len() as u64 > max_frame {
        return Err(Failure::Failed(format!(
            "stdin is longer than --max-frame ({max_frame} bytes)"
        )));
    }
    writer
        .write_frame(&payload)
        .map_err(|e| write_error(e, || "stdin".to_owned()))
}

fn encode_jsonl<F: CliFraming, W: Write>(
    writer: &mut FrameWriter<W, F>,
    max_frame: u64,
) -> Result<(), Failure> {
    // A line holds the payload escaped (base64: 4/3 of it, JSON escapes:
    // up to 6 times) and a header of up to 64 KiB.
    let max_line = max_frame.saturating_mul(6).saturating_add(128 * 1024);
    let mut lines = Lines::with_limit(
        io::stdin().lock(),
        max_line,
        format!("{max_line} bytes (6 times --max-frame, and 128 KiB)"),
    );
    while let Some((number, text)) = lines
        .next_line()
        .map_err(|e| format!("reading stdin: {e}"))?
    {
        if text.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let line = Line::parse(text).map_err(|e| format!("line {number}: {e}"))?;
        if line.body.len() as u64 > max_frame {
            return Err(Failure::Failed(format!(
                "line {number}: the body is {} bytes, over --max-frame ({max_frame} bytes)",
                line.body.len()
            )));
        }
        let fields: Option<&Fields> = line.header.as_ref().filter(|h| !h.is_empty());
        if fields.is_some() && !F::TAKES_FIELDS {
            return Err(Failure::Failed(format!(
                "line {number}: header fields need --framing json; this framing's header holds only the length"
            )));
        }
        F::write_with(writer, fields, &line.body)
            .map_err(|e| write_error(e, || format!("line {number}")))?;
        flush_before_waiting(writer, &lines)?;
    }
    Ok(())
}

/// Writes out the frames made so far when the next line needs a read,
/// which may wait (input from a terminal or a live pipe): frames go out as
/// their lines come in, and a stream read from a file is still written in
/// large pieces.
fn flush_before_waiting<F: CliFraming, W: Write, R: Read>(
    writer: &mut FrameWriter<W, F>,
    lines: &Lines<R>,
) -> Result<(), Failure> {
    if lines.drained() {
        writer.flush().map_err(stdout_error)?;
    }
    Ok(())
}
