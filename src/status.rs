//! Partial input as a value: [`Status`] and [`Needed`].

use core::num::NonZeroUsize;

/// The outcome of feeding bytes to a decoder that did not fail.
///
/// Running out of input is not an error: it is [`Status::Partial`], which says
/// how many more bytes are needed before the decoder can make progress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Status<T> {
    /// A value was decoded.
    Complete(T),
    /// More input is needed; nothing was consumed.
    Partial(Needed),
}

impl<T> Status<T> {
    /// The decoded value, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(value) => Some(value),
            Status::Partial(_) => None,
        }
    }

    /// `true` if more input is needed.
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial(_))
    }

    /// Maps the complete value, keeping `Partial` as it is.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Status<U> {
        match self {
            Status::Complete(value) => Status::Complete(f(value)),
            Status::Partial(needed) => Status::Partial(needed),
        }
    }
}

/// How many more bytes a decoder needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Needed {
    /// The header is not complete yet: at least this many more bytes are
    /// needed before the frame's length is known.
    AtLeast(NonZeroUsize),
    /// The header is known: exactly this many more bytes complete the frame
    /// (or, when streaming a body, the body).
    Exact(NonZeroUsize),
}

impl Needed {
    /// The number of bytes, whichever kind.
    pub fn bytes(self) -> usize {
        match self {
            Needed::AtLeast(n) | Needed::Exact(n) => n.get(),
        }
    }

    /// At least `n` more bytes (at least 1: asking for none makes no
    /// progress), for a header still incomplete.
    #[inline(always)]
    pub const fn at_least(n: usize) -> Self {
        Needed::AtLeast(match NonZeroUsize::new(n) {
            Some(n) => n,
            None => NonZeroUsize::MIN,
        })
    }

    /// Exactly `n` more bytes (at least 1), once the count is known.
    #[inline(always)]
    pub const fn exact(n: usize) -> Self {
        Needed::Exact(match NonZeroUsize::new(n) {
            Some(n) => n,
            None => NonZeroUsize::MIN,
        })
    }
}

/// What a nom streaming parser's `Err::Incomplete` asks for: at least that
/// many bytes (at least one when nom does not know).
impl From<nom::Needed> for Needed {
    fn from(needed: nom::Needed) -> Self {
        match needed {
            nom::Needed::Size(n) => Needed::at_least(n.get()),
            nom::Needed::Unknown => Needed::at_least(1),
        }
    }
}

impl core::fmt::Display for Needed {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let more = Bytes(self.bytes() as u64);
        match self {
            Needed::AtLeast(_) => write!(f, "at least {more:#}"),
            Needed::Exact(_) => write!(f, "{more:#}"),
        }
    }
}

/// A count of bytes that reads as English: "1 byte", "2 bytes"; with `#`,
/// "1 more byte", "2 more bytes".
pub(crate) struct Bytes(pub(crate) u64);

impl core::fmt::Display for Bytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let unit = if self.0 == 1 { "byte" } else { "bytes" };
        let more = if f.alternate() { "more " } else { "" };
        write!(f, "{} {more}{unit}", self.0)
    }
}
