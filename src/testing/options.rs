//! [`Options`]: what [`check_apis_agree_with`](super::check_apis_agree_with)
//! runs beyond the defaults, and [`Take`], how a `FrameReader` is asked
//! for a frame.

/// How one frame is taken from a [`FrameReader`](crate::io::FrameReader),
/// in [`Options::takes`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Take {
    /// `read_frame`: the frame borrowed whole.
    Frame,
    /// `read_frame_owned`.
    Owned,
    /// `read_header`, then `read_body` into a buffer of this many bytes (at
    /// least 1).
    Body(usize),
    /// `read_header_owned`, then `copy_body_to` a writer that takes at most
    /// this many bytes per `write` (at least 1) and fails every third
    /// `write` with `Interrupted`, which the reader must retry.
    Copy(usize),
    /// `read_header`, then `discard_body`.
    Discard,
    /// `skip_frame`: only the frame's counts come back.
    Skip,
    /// `skip_frames`: a batch, only its totals come back.
    SkipBatch,
}

/// What [`check_apis_agree_with`](super::check_apis_agree_with) runs
/// beyond what [`check_apis_agree`](super::check_apis_agree) runs. The
/// default is exactly what `check_apis_agree` runs.
///
/// ```
/// use sockframe::testing::{check_apis_agree_with, Options, Split, Take};
/// use sockframe::{Ascii, Limits};
///
/// let options = Options {
///     limits_apart: true,
///     read_chunk: Some(3),
///     takes: vec![Take::Body(2), Take::Frame, Take::SkipBatch],
///     sample_piece_ends: false,
/// };
/// let limits = Limits::new().max_frame(2).max_streamed_body(100);
/// let decoded = check_apis_agree_with(&Ascii::new(), limits, b"0001x0005hello", &Split::bytewise(), &options);
/// // Held whole, the 5-byte payload is over the limit; streamed, it is not.
/// assert_eq!((decoded.whole.frames.len(), decoded.streamed.frames.len()), (1, 2));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Run under the limits as given, `max_streamed_body` apart from
    /// `max_frame`, instead of with `max_streamed_body` set to `max_frame`.
    /// The APIs that hold frames whole (`decode`, `poll_frame`,
    /// `skip_frames`, `next_frame`, `read_frame`, `read_frame_owned`,
    /// `frames`, datagrams) are then compared with `Decoder::decode` over
    /// the whole stream; those that stream bodies (`decode_event`,
    /// `next_event`, `read_header` with `read_body`, `copy_body_to` or
    /// `discard_body`) with `Decoder::decode_event` over the whole stream.
    /// (Held whole, a frame must also fit memory; streamed, it need not.)
    /// `FrameReader::skip_frame` and `skip_frames`, whose limit depends on
    /// the read chunk, and [`takes`](Options::takes), which mix both kinds,
    /// are not run.
    pub limits_apart: bool,
    /// The read chunk of every `FrameReader` run (at least 1); `None`: a
    /// few sizes, per API (5, 16 and the default).
    pub read_chunk: Option<usize>,
    /// One more `FrameReader` run, taking frame after frame as these say,
    /// in turn (cycled), so that the ways of reading meet in one stream:
    /// a body read in part then a frame whole, a skip after a copy. Empty:
    /// no such run.
    pub takes: Vec<Take>,
    /// Keep only a sample of the split's piece ends deep inside long
    /// frames: the lighter mode for fuzzing, where a 30-byte input can make
    /// a 200 KiB stream cut into 700,000 pieces, and every API would be
    /// driven through each of them.
    ///
    /// A piece end is kept if it lies within 32 bytes of where a frame of
    /// the stream starts, where its header ends or where it ends (past the
    /// last whole frame: of where the rest starts), if it is the last, or
    /// if its index is a multiple of `k`, the smallest number that keeps at
    /// most 64 piece ends that way (the frames are those
    /// `Decoder::decode` finds in the whole stream; so the sample depends
    /// only on the stream and the split). The bytes of the pieces between
    /// two kept ends go together in one piece, and the failing reads and
    /// empty pieces among them are dropped. A split with at most 64 pieces
    /// over the stream, or whose every piece end is kept, is left as it
    /// is.
    ///
    /// So every piece end inside a header, trailer or delimiter, at a
    /// frame boundary and near one stays, and those deep inside long
    /// bodies, where a decoder only counts bytes, are spread. Every check
    /// is then made as without the option, under the sampled split:
    /// every API is fed its pieces, and how the stream would end is
    /// checked after each of them; a failure names the sampled split, and
    /// [`Decoded::piece_ends`](super::Decoded::piece_ends) are its piece
    /// ends.
    pub sample_piece_ends: bool,
}
