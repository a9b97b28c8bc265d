//! How [`Error`] travels inside [`std::io::Error`].

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
/// `Custom { kind: UnexpectedEof, error: UnexpectedEof: stream ended at
/// offset 7 ... }`, as [`Error`]'s `Debug` is its message. The sockframe
/// error is the `io::Error`'s payload: [`frame_error`] gets it back, as
/// does `get_ref()` then `downcast_ref::<Error>()`.
impl From<Error> for io::Error {
    fn from(error: Error) -> Self {
        let kind = match &error {
            Error::UnexpectedEof { .. } => io::ErrorKind::UnexpectedEof,
            Error::UnreadFrame { .. }
            | Error::InputShrank { .. }
            | Error::BodyInProgress { .. }
            | Error::PayloadTooLong { .. }
            | Error::CannotEncode { .. }
            | Error::HeaderFieldsNotObject { .. }
            | Error::HeaderFieldsNotSerializable => io::ErrorKind::InvalidInput,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, error)
    }
}

/// The sockframe [`Error`] inside an `io::Error` returned by the adapters
/// of this module, if that is what it carries (the same as
/// `error.get_ref()?.downcast_ref::<Error>()`). The error is `Clone` if you
/// need it owned; `into_inner()` then `downcast::<Error>()` takes it.
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
/// // And the standard way finds it too.
/// let inner = error.into_inner().unwrap().downcast::<Error>().unwrap();
/// assert!(matches!(*inner, Error::UnexpectedEof { offset: 7, .. }));
/// ```
pub fn frame_error(error: &io::Error) -> Option<&Error> {
    error.get_ref()?.downcast_ref::<Error>()
}

/// An encoding error: always the caller's input.
pub(crate) fn encode_error(error: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}
