//! `framecat transcode`: a stream in one framing to the same payloads in
//! another, stdin to stdout, in bounded memory.
//!
//! Each frame's header is read (`read_header`), then its body: a body up to
//! [`WHOLE`] bytes is read whole and written as one frame, gathered with
//! the next ones; a larger one is copied through `write_frame_from` in
//! pieces of at most 64 KiB. Memory is the reader's chunk and buffer, the
//! writer's 64 KiB and one [`WHOLE`] body: about 256 KiB, plus a JSON
//! header (at most 64 KiB), whatever the frame sizes. The lines framing is
//! the exception: its frames are found whole (input) and checked for the
//! delimiter before they are sent (output), so there a payload is held
//! whole, up to `--max-frame`.

use std::io::{self, Read};

use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::Limits;

use crate::failure::{describe, stdout_error, Failure};
use crate::framing::{Built, CliFraming, Run};

/// Bodies up to this many bytes are read whole, so that small frames are
/// gathered and written together.
const WHOLE: u64 = 64 * 1024;

/// Runs with the input framing; `output` is the other side.
pub struct Transcode {
    pub output: Built,
}

impl Run for Transcode {
    fn run<F: CliFraming>(self, input: F, limits: Limits) -> Result<(), Failure> {
        self.output.run(Output { input }, limits)
    }
}

/// The second dispatch: with the input framing known, the output's.
struct Output<F> {
    input: F,
}

impl<F: CliFraming> Run for Output<F> {
    fn run<G: CliFraming>(self, output: G, limits: Limits) -> Result<(), Failure> {
        let mut reader = FrameReader::with_limits(io::stdin().lock(), self.input.clone(), limits);
        let mut writer = FrameWriter::buffered(io::stdout().lock(), output);
        let result = copy_frames(&self.input, &mut reader, &mut writer);
        // Frames before an error are complete: write them out either way.
        let flushed = writer.flush().map_err(stdout_error);
        match (result, flushed) {
            (Err(Failure::StdoutClosed), _) | (_, Err(Failure::StdoutClosed)) => {
                Err(Failure::StdoutClosed)
            }
            (result, flushed) => result.and(flushed),
        }
    }
}

fn copy_frames<F: CliFraming, G: CliFraming>(
    input: &F,
    reader: &mut FrameReader<impl Read, F>,
    writer: &mut FrameWriter<impl io::Write, G>,
) -> Result<(), Failure> {
    let mut body = Vec::new();
    let mut number = 0u64;
    while let Some((header, len)) = reader.read_header_owned().map_err(read_error)? {
        number += 1;
        let fields = if G::TAKES_FIELDS {
            input.fields(&header)
        } else {
            None
        };
        let written = if len <= WHOLE || !G::STREAMS_BODIES {
            let whole = usize::try_from(len).map_err(|_| {
                Failure::Failed(format!("frame {number}: {len} bytes do not fit in memory"))
            })?;
            body.resize(whole, 0);
            let mut filled = 0;
            while filled < body.len() {
                match reader.read_body(&mut body[filled..]).map_err(read_error)? {
                    0 => {
                        return Err(Failure::Failed(format!(
                            "frame {number}: the body ended after {filled} of {len} bytes"
                        )))
                    }
                    n => filled += n,
                }
            }
            G::write_with(writer, fields.as_ref(), &body)
        } else {
            let mut source = Body {
                reader: &mut *reader,
                failed: None,
            };
            let written = G::write_with_from(writer, fields.as_ref(), len, &mut source);
            if let Some(error) = source.failed {
                return Err(read_error(error));
            }
            written
        };
        written.map_err(|e| {
            if frame_error(&e).is_some() {
                Failure::Failed(format!(
                    "frame {number}: the output framing refused it: {e}"
                ))
            } else {
                stdout_error(e)
            }
        })?;
        // Before a read that may wait (a live stream), the frames made so
        // far go out. A bad next header shows on the next `read_header`.
        if !matches!(reader.has_buffered_frame(), Ok(true)) {
            writer.flush().map_err(stdout_error)?;
        }
    }
    Ok(())
}

fn read_error(error: io::Error) -> Failure {
    Failure::Failed(describe(&error))
}

/// The body of the frame being read, as a `Read`; keeps its error apart
/// from the writer's.
struct Body<'r, R, F: CliFraming> {
    reader: &'r mut FrameReader<R, F>,
    failed: Option<io::Error>,
}

impl<R: Read, F: CliFraming> Read for Body<'_, R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reader.read_body(buf).map_err(|e| {
            // The writer gets a copy; the original, with the sockframe
            // error in it, is kept for the message.
            let copy = io::Error::new(e.kind(), e.to_string());
            self.failed = Some(e);
            copy
        })
    }
}
