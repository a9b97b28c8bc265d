//! How [`Error`] travels inside [`std::io::Error`].

use std::fmt;
use std::io;

use crate::error::Error;

/// Wraps a sockframe error in an `io::Error` whose kind says who is at
/// fault: `UnexpectedEof` for a stream cut mid-frame, `InvalidInput` for a
/// caller's mistake (a payload the header cannot describe, a whole frame
/// asked for in the middle of a streamed body), `InvalidData` for anything a
/// peer sent.
///
/// Both forms of the `io::Error` read as the sockframe message: `{}` prints
/// it, and `{:?}` (what `main` prints when it returns the error) prints
/// `Custom { kind: UnexpectedEof, error: stream ended at offset 7 ... }`.
/// The sockframe error stays inside: [`frame_error`] gets it back.
impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        let kind = match &error {
            Error::UnexpectedEof { .. } => io::ErrorKind::UnexpectedEof,
            Error::UnreadFrame { .. }
            | Error::BodyInProgress { .. }
            | Error::PayloadTooLong { .. }
            | Error::HeaderFieldsNotObject { .. }
            | Error::HeaderFieldsNotSerializable => io::ErrorKind::InvalidInput,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, Carried(error))
    }
}

/// The payload of the `io::Error`s made from an [`Error`]: the error
/// itself, with a `Debug` that prints its message, because `io::Error`'s
/// own `Debug` shows its payload's `Debug` and a derived one reads
/// `UnexpectedEof { offset: 7, needed: Exact(2) }`.
struct Carried(Error);

impl fmt::Debug for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Display for Carried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for Carried {
    // Not `Some(&self.0)`: the message is this error's own, and reporters
    // that walk the `source()` chain would print it twice.
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        std::error::Error::source(&self.0)
    }
}

/// The sockframe [`Error`] inside an `io::Error` returned by the adapters
/// of this module, if that is what it carries.
///
/// This is the way to get it back: the adapters' `io::Error`s carry it in a
/// private wrapper (so that their `Debug` form prints the message), so
/// `error.get_ref()?.downcast_ref::<Error>()` finds it only in an
/// `io::Error` you made yourself with `io::Error::new(kind, error)`, which
/// this function also accepts. The error is `Clone` if you need it owned.
///
/// ```
/// use sockframe::io::{frame_error, FrameReader};
/// use sockframe::{Ascii, Error};
///
/// let mut reader = FrameReader::new(&b"0005hel"[..], Ascii::new());
/// let error = reader.read_frame().unwrap_err();
/// assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
/// match frame_error(&error) {
///     Some(Error::UnexpectedEof { offset: 7, needed }) => assert_eq!(needed.bytes(), 2),
///     other => panic!("{other:?}"),
/// }
/// // Both forms say what happened, in words.
/// let message = frame_error(&error).unwrap().to_string();
/// assert_eq!(error.to_string(), message);
/// assert!(format!("{error:?}").contains(&message));
/// ```
pub fn frame_error(error: &io::Error) -> Option<&Error> {
    let inner = error.get_ref()?;
    match inner.downcast_ref::<Carried>() {
        Some(Carried(error)) => Some(error),
        None => inner.downcast_ref::<Error>(),
    }
}

/// An encoding error: always the caller's input.
pub(crate) fn encode_error(error: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, Carried(error))
}
