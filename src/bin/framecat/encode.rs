//! `framecat encode`: lines of stdin to frames on stdout.

use std::io::{self, Write};

use sockframe::io::FrameWriter;
use sockframe::Limits;

use crate::framing::{CliFraming, Run};
use crate::lines::Lines;

pub struct Encode;

impl Run for Encode {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), String> {
        let mut lines = Lines::new(io::stdin().lock(), limits.max_frame);
        let mut writer = FrameWriter::buffered(io::stdout().lock(), framing);
        let result = loop {
            match lines.next_line() {
                Ok(Some((number, line))) => {
                    if let Err(e) = writer.write_frame(line) {
                        break Err(format!("line {number}: {e}"));
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(format!("reading stdin: {e}")),
            }
        };
        // Frames before a bad line are complete: write them out either way.
        let flushed = writer.flush().map_err(|e| format!("writing stdout: {e}"));
        result.and(flushed)?;
        io::stdout()
            .flush()
            .map_err(|e| format!("writing stdout: {e}"))
    }
}
