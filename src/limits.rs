//! Size limits a decoder enforces before it reserves any memory.

/// Limits on what a peer may announce.
///
/// Each is checked as soon as the header that announces a length is read,
/// before any memory is reserved for it. Two limits apply to payloads,
/// because holding a payload and streaming one through cost different
/// things:
///
/// - [`max_frame`](Limits::max_frame) bounds payloads handed out whole
///   ([`Decoder::decode`](crate::Decoder::decode),
///   [`FrameBuffer`](crate::FrameBuffer), `FrameReader::read_frame`):
///   memory held.
/// - [`max_streamed_body`](Limits::max_streamed_body) bounds bodies
///   streamed through in pieces or skipped
///   ([`Decoder::decode_event`](crate::Decoder::decode_event),
///   `FrameReader::read_header` then `copy_body_to`, the `skip_*`
///   methods): no memory held, so the default is far larger.
///
/// New limits may be added: build from [`Limits::new`] or `default()`.
///
/// ```
/// use sockframe::Limits;
///
/// let limits = Limits::new().max_frame(1 << 20).max_streamed_body(1 << 34);
/// assert_eq!((limits.max_frame, limits.max_header), (1 << 20, 64 * 1024));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Limits {
    /// Longest payload (JSON framing: body) handed out whole, in bytes.
    pub max_frame: u64,
    /// Longest header accepted, in bytes (the JSON framing's JSON text; a
    /// scanning framing's header).
    pub max_header: usize,
    /// Longest body streamed through or skipped, in bytes.
    pub max_streamed_body: u64,
}

impl Limits {
    /// The default limit on payloads handed out whole: 8 MiB.
    pub const DEFAULT_MAX_FRAME: u64 = 8 * 1024 * 1024;
    /// The default header limit: 64 KiB.
    pub const DEFAULT_MAX_HEADER: usize = 64 * 1024;
    /// The default limit on streamed bodies: 1 TiB.
    pub const DEFAULT_MAX_STREAMED_BODY: u64 = 1 << 40;

    /// The defaults: 8 MiB payloads held whole, 64 KiB headers, 1 TiB
    /// streamed bodies.
    pub const fn new() -> Self {
        Limits {
            max_frame: Self::DEFAULT_MAX_FRAME,
            max_header: Self::DEFAULT_MAX_HEADER,
            max_streamed_body: Self::DEFAULT_MAX_STREAMED_BODY,
        }
    }

    /// Sets the longest payload handed out whole.
    #[must_use]
    pub const fn max_frame(mut self, bytes: u64) -> Self {
        self.max_frame = bytes;
        self
    }

    /// Sets the longest header accepted.
    #[must_use]
    pub const fn max_header(mut self, bytes: usize) -> Self {
        self.max_header = bytes;
        self
    }

    /// Sets the longest body streamed through or skipped.
    #[must_use]
    pub const fn max_streamed_body(mut self, bytes: u64) -> Self {
        self.max_streamed_body = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}
