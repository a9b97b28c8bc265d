//! Size limits a decoder enforces before it reserves any memory.

/// Limits on what a peer may announce.
///
/// Both are checked as soon as the header that announces a length is read,
/// before any memory is reserved for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    /// Longest payload (JSON framing: body) accepted, in bytes.
    pub max_frame: u64,
    /// Longest JSON header accepted, in bytes (JSON framing only).
    pub max_header: usize,
}

impl Limits {
    /// The default payload limit: 8 MiB.
    pub const DEFAULT_MAX_FRAME: u64 = 8 * 1024 * 1024;
    /// The default JSON header limit: 64 KiB.
    pub const DEFAULT_MAX_HEADER: usize = 64 * 1024;

    /// The defaults: 8 MiB payloads, 64 KiB JSON headers.
    pub const fn new() -> Self {
        Limits {
            max_frame: Self::DEFAULT_MAX_FRAME,
            max_header: Self::DEFAULT_MAX_HEADER,
        }
    }

    /// Sets the longest payload accepted.
    #[must_use]
    pub const fn max_frame(mut self, bytes: u64) -> Self {
        self.max_frame = bytes;
        self
    }

    /// Sets the longest JSON header accepted.
    #[must_use]
    pub const fn max_header(mut self, bytes: usize) -> Self {
        self.max_header = bytes;
        self
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self::new()
    }
}
