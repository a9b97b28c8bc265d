//! How a command ends when it does not succeed, and the exit status each
//! way gets.

use std::io;

use sockframe::io::frame_error;
use sockframe::Error;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// Options that cannot work together: exit 2, as clap's own errors.
    Usage(String),
    /// Bad input data or an I/O error: exit 1.
    Failed(String),
    /// The reader of stdout closed it (`| head`): the output it wanted
    /// was written, so this is a normal end: exit 0, quietly.
    StdoutClosed,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Failed(message)
    }
}

/// A failed write to stdout: a closed pipe ends quietly, anything else is
/// an error.
pub fn stdout_error(error: io::Error) -> Failure {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Failure::StdoutClosed
    } else {
        Failure::Failed(format!("writing stdout: {error}"))
    }
}

/// The message for an error from a sockframe reader or writer, with a hint
/// where the error suggests a wrong option.
pub fn describe(error: &io::Error) -> String {
    match frame_error(error) {
        Some(Error::MissingSizeKey { .. }) => {
            format!("{error} (use --length-key to name the size key)")
        }
        _ => error.to_string(),
    }
}
