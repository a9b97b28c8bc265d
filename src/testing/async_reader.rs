//! The async twin of [`ScriptedReader`] (features `testing` and `tokio`):
//! the same script, read through tokio's `AsyncRead`.

use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, ReadBuf};

use super::reader::ScriptedReader;

/// A [`ScriptedReader`] is also a tokio [`AsyncRead`] following the same
/// [`Split`](super::Split): pieces arrive as short reads, and a
/// [`Step::WouldBlock`](super::Step::WouldBlock) is `Poll::Pending` (with
/// the waker woken at once, so a runtime polls again), which is where an
/// async read can be cancelled. `Interrupted` and `TimedOut` steps are
/// those errors.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> std::io::Result<()> {
/// use sockframe::testing::{ScriptedReader, Split, Step};
/// use sockframe::tokio::FrameReader;
/// use sockframe::Ascii;
///
/// let split = Split::from_steps([Step::Bytes(3), Step::WouldBlock]);
/// let mut reader = FrameReader::new(ScriptedReader::new(b"0002hi0003you", &split), Ascii::new());
/// assert_eq!(reader.read_frame().await?.expect("a frame").payload(), b"hi");
/// assert_eq!(reader.read_frame().await?.expect("a frame").payload(), b"you");
/// assert!(reader.read_frame().await?.is_none());
/// # Ok(())
/// # }
/// ```
impl AsyncRead for ScriptedReader<'_> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        match Read::read(self.get_mut(), buf.initialize_unfilled()) {
            Ok(n) => {
                buf.advance(n);
                Poll::Ready(Ok(()))
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            Err(e) => Poll::Ready(Err(e)),
        }
    }
}
