//! Lines of input, each the payload of one frame.

use std::io::{self, BufRead, Read};

/// Reads lines without their `\n` (or `\r\n`), refusing one longer than
/// `max_len` bytes so memory stays bounded.
pub struct Lines<R> {
    input: R,
    max_len: u64,
    line: Vec<u8>,
    number: u64,
}

impl<R: BufRead> Lines<R> {
    pub fn new(input: R, max_len: u64) -> Self {
        Lines {
            input,
            max_len,
            line: Vec::new(),
            number: 0,
        }
    }

    /// The next line and its number (from 1), `None` at the end.
    pub fn next_line(&mut self) -> io::Result<Option<(u64, &[u8])>> {
        self.line.clear();
        // Room for the longest line, its "\r\n", and one byte to tell.
        let limit = self.max_len.saturating_add(3);
        let read = (&mut self.input)
            .take(limit)
            .read_until(b'\n', &mut self.line)?;
        if read == 0 {
            return Ok(None);
        }
        self.number += 1;
        if self.line.last() == Some(&b'\n') {
            self.line.pop();
            if self.line.last() == Some(&b'\r') {
                self.line.pop();
            }
        }
        if self.line.len() as u64 > self.max_len {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!(
                    "line {} is longer than --max-frame ({} bytes)",
                    self.number, self.max_len
                ),
            ));
        }
        Ok(Some((self.number, &self.line)))
    }
}
