//! Lines of input, each the payload of one frame.

use std::io::{self, BufRead, BufReader, Read};

/// Bytes read from the input at a time.
const READ_CHUNK: usize = 64 * 1024;

/// Reads lines without their `\n` (or `\r\n`), refusing one longer than
/// `max_len` bytes so memory stays bounded.
pub struct Lines<R> {
    input: BufReader<R>,
    max_len: u64,
    /// The limit, as the error names it.
    limit: String,
    line: Vec<u8>,
    number: u64,
}

impl<R: Read> Lines<R> {
    /// Lines of at most `max_len` bytes, the limit of --max-frame.
    pub fn new(input: R, max_len: u64) -> Self {
        Self::with_limit(input, max_len, format!("--max-frame ({max_len} bytes)"))
    }

    /// Lines of at most `max_len` bytes; `limit` names the limit.
    pub fn with_limit(input: R, max_len: u64, limit: String) -> Self {
        Lines {
            input: BufReader::with_capacity(READ_CHUNK, input),
            max_len,
            limit,
            line: Vec::new(),
            number: 0,
        }
    }

    /// Whether every byte read so far has been handed out, so that the
    /// next line needs a read, which may wait: the time to flush output.
    pub fn drained(&self) -> bool {
        self.input.buffer().is_empty()
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
                format!("line {} is longer than {}", self.number, self.limit),
            ));
        }
        Ok(Some((self.number, &self.line)))
    }
}
