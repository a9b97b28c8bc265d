//! [`ScriptedReader`]: a `std::io::Read` that follows a [`Split`].

use std::io::{self, Read};

use super::split::{Split, Step};

/// A source that hands out a stream as a [`Split`] says: each read returns
/// at most the rest of the current piece (a short count), and fails with
/// `Interrupted`, `WouldBlock` or `TimedOut` where the split has such a
/// step. After the last byte every read returns `Ok(0)`, the end of the
/// stream.
///
/// Like partial-io's `PartialRead`, for any code that reads, not only
/// sockframe's [`FrameReader`](crate::io::FrameReader). With feature
/// `tokio` it is also a tokio `AsyncRead` following the same script, a
/// `WouldBlock` step being `Poll::Pending`: the async twin, for
/// `sockframe::tokio::FrameReader` or any async reader.
///
/// ```
/// use std::io::{ErrorKind, Read};
/// use sockframe::testing::{ScriptedReader, Split, Step};
///
/// let split = Split::from_steps([Step::Bytes(2), Step::WouldBlock]);
/// let mut reader = ScriptedReader::new(b"abcde", &split);
/// let mut buf = [0; 8];
/// assert_eq!(reader.read(&mut buf)?, 2);
/// assert_eq!(reader.read(&mut buf).unwrap_err().kind(), ErrorKind::WouldBlock);
/// assert_eq!(reader.read(&mut buf[..1])?, 1); // a short read keeps the rest of the piece
/// assert_eq!(reader.read(&mut buf)?, 1);
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct ScriptedReader<'a> {
    data: &'a [u8],
    /// Bytes handed out so far.
    at: usize,
    steps: &'a [Step],
    /// The step under way.
    step: usize,
    /// Bytes of the current piece not handed out yet.
    left_in_piece: usize,
}

/// The steps a split without a step of at least one byte is read with.
const WHOLE: [Step; 1] = [Step::Bytes(usize::MAX)];

impl<'a> ScriptedReader<'a> {
    /// `data`, read as `split` says.
    pub fn new(data: &'a [u8], split: &'a Split) -> Self {
        let steps = if split.makes_progress() {
            split.steps()
        } else {
            &WHOLE
        };
        ScriptedReader {
            data,
            at: 0,
            steps,
            step: 0,
            left_in_piece: 0,
        }
    }

    /// How many bytes have been read.
    pub fn position(&self) -> usize {
        self.at
    }

    /// Moves to the next step once the current one is used.
    fn next_step(&mut self) -> Step {
        let step = self.steps[self.step % self.steps.len()];
        self.step = self.step.wrapping_add(1);
        step
    }
}

impl Read for ScriptedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.left_in_piece == 0 {
            if self.at == self.data.len() {
                return Ok(0);
            }
            let kind = match self.next_step() {
                Step::Bytes(n) => {
                    self.left_in_piece = n;
                    continue;
                }
                Step::Interrupted => io::ErrorKind::Interrupted,
                Step::WouldBlock => io::ErrorKind::WouldBlock,
                Step::TimedOut => io::ErrorKind::TimedOut,
            };
            return Err(io::Error::new(kind, "sockframe::testing::ScriptedReader"));
        }
        let n = buf
            .len()
            .min(self.left_in_piece)
            .min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        self.left_in_piece -= n;
        if self.at == self.data.len() {
            self.left_in_piece = 0;
        }
        Ok(n)
    }
}
