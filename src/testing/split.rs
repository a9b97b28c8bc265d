//! [`Split`]: how a stream is cut into pieces, and where reads fail.

use std::fmt;

/// One step of a [`Split`]: what the peer's next piece is, or how the next
/// read fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Step {
    /// The next piece: this many bytes of the stream (fewer at its end;
    /// `usize::MAX` takes the rest). `Bytes(0)` is an empty piece: the
    /// push-based APIs are asked again with nothing new, a reader skips it.
    Bytes(usize),
    /// A read fails with `ErrorKind::Interrupted` (the reader must retry by
    /// itself); the push-based APIs are asked again with nothing new.
    Interrupted,
    /// A read fails with `ErrorKind::WouldBlock`, as a non-blocking socket
    /// does (the caller retries); the push-based APIs are asked again with
    /// nothing new.
    WouldBlock,
    /// A read fails with `ErrorKind::TimedOut`, as a socket with a read
    /// timeout does (the caller retries); the push-based APIs are asked
    /// again with nothing new.
    TimedOut,
}

/// How a stream arrives: the pieces it is cut into and, for readers, where
/// reads fail with `Interrupted`, `WouldBlock` or `TimedOut`.
///
/// A split is a list of [`Step`]s, repeated until the stream is used up: `[3,
/// 1]` cuts a stream into pieces of 3, 1, 3, 1, ... bytes. A reader returns
/// at most the rest of the current piece per read (fewer if the caller's
/// buffer is smaller: short counts), so readers and push-based APIs see the
/// same pieces. A split with no step of at least one byte delivers the
/// stream in one piece after its steps.
///
/// ```
/// use sockframe::testing::{Split, Step};
///
/// let stream = b"abcdefgh";
/// assert_eq!(Split::whole().pieces(stream), [&stream[..]]);
/// assert_eq!(Split::bytewise().pieces(stream).len(), 8);
/// assert_eq!(Split::at(&[2, 5]).pieces(stream), [&b"ab"[..], b"cde", b"fgh"]);
/// let split = Split::from_steps([Step::Bytes(3), Step::WouldBlock]);
/// assert_eq!(split.pieces(stream), [&b"abc"[..], b"", b"def", b"", b"gh"]);
/// assert_eq!(split.to_string(), "[3, WouldBlock] repeated");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Split {
    steps: Vec<Step>,
}

impl Split {
    /// The whole stream in one piece.
    pub fn whole() -> Self {
        Split {
            steps: vec![Step::Bytes(usize::MAX)],
        }
    }

    /// One byte at a time.
    pub fn bytewise() -> Self {
        Split {
            steps: vec![Step::Bytes(1)],
        }
    }

    /// Cut at these stream offsets (taken in increasing order; an offset
    /// given twice makes an empty piece), the rest in one piece. Offsets
    /// past the end of a stream cut nothing.
    pub fn at(cuts: &[usize]) -> Self {
        let mut cuts = cuts.to_vec();
        cuts.sort_unstable();
        let mut steps = Vec::with_capacity(cuts.len() + 1);
        let mut at = 0;
        for cut in cuts {
            steps.push(Step::Bytes(cut - at));
            at = cut;
        }
        steps.push(Step::Bytes(usize::MAX));
        Split { steps }
    }

    /// The split following `steps`, repeated (an empty list: [`whole`](Split::whole)).
    pub fn from_steps(steps: impl IntoIterator<Item = Step>) -> Self {
        let steps: Vec<Step> = steps.into_iter().collect();
        if steps.is_empty() {
            return Split::whole();
        }
        Split { steps }
    }

    /// The steps, repeated until the stream is used up.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether some step delivers at least one byte (if none does, the
    /// stream comes in one piece after the steps).
    pub(crate) fn makes_progress(&self) -> bool {
        self.steps
            .iter()
            .any(|s| matches!(s, Step::Bytes(n) if *n > 0))
    }

    /// `stream` cut as this split says, one piece per step (empty for
    /// `Bytes(0)` and the failing reads), until the stream is used up.
    pub fn pieces<'a>(&self, stream: &'a [u8]) -> Vec<&'a [u8]> {
        let mut pieces = Vec::new();
        let mut at = 0;
        if self.makes_progress() {
            for step in self.steps.iter().cycle() {
                if at == stream.len() {
                    break;
                }
                let size = match step {
                    Step::Bytes(n) => (*n).min(stream.len() - at),
                    _ => 0,
                };
                pieces.push(&stream[at..at + size]);
                at += size;
            }
        } else {
            pieces.extend(self.steps.iter().map(|_| &stream[..0]));
        }
        if at < stream.len() || pieces.is_empty() {
            pieces.push(&stream[at..]);
        }
        pieces
    }
}

impl Default for Split {
    /// [`Split::whole`].
    fn default() -> Self {
        Split::whole()
    }
}

/// `whole`, `bytewise`, or the steps: `[3, 1, WouldBlock] repeated`, with
/// `rest` for a step that takes the rest of the stream.
impl fmt::Display for Split {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Split::whole() {
            return f.write_str("whole");
        }
        if *self == Split::bytewise() {
            return f.write_str("bytewise");
        }
        f.write_str("[")?;
        for (i, step) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            match step {
                Step::Bytes(usize::MAX) => f.write_str("rest")?,
                Step::Bytes(n) => write!(f, "{n}")?,
                other => write!(f, "{other:?}")?,
            }
        }
        f.write_str("]")?;
        if !matches!(self.steps.last(), Some(Step::Bytes(usize::MAX))) {
            f.write_str(" repeated")?;
        }
        Ok(())
    }
}
