//! How [`Error`] travels inside [`std::io::Error`].

use std::io;

use crate::error::Error;

/// Wraps a sockframe error in an `io::Error` whose kind says who is at
/// fault: `UnexpectedEof` for a stream cut mid-frame, `InvalidInput` for a
/// caller's mistake (a payload the header cannot describe, a whole frame
/// asked for in the middle of a streamed body), `InvalidData` for anything a
/// peer sent. The sockframe error stays inside: see [`frame_error`].
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
        io::Error::new(kind, error)
    }
}

/// The sockframe [`Error`] inside an `io::Error` returned by the adapters
/// of this module, if that is what it carries.
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
/// ```
pub fn frame_error(error: &io::Error) -> Option<&Error> {
    error.get_ref()?.downcast_ref::<Error>()
}

/// An encoding error: always the caller's input.
pub(crate) fn encode_error(error: Error) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, error)
}
