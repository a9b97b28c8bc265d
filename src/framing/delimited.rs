//! Delimited frames: each frame ends with a delimiter (`\n`, `\r\n`, any
//! byte string of 1 to 16 bytes), as tokio-util's `LinesCodec` and
//! `AnyDelimiterCodec` and netty's `DelimiterBasedFrameDecoder` read them.
//!
//! ```text
//! +---------------------------+---------+
//! |  h   e   l   l   o        |  \r  \n |
//! +---------------------------+---------+
//!   payload: any bytes that      the delimiter,
//!   do not hold the delimiter    stripped from the payload
//!
//! Delimited::lines()     "hello\n"       -> "hello"
//!                        "a\r\n"         -> "a\r"     (only the delimiter is stripped)
//!                        "\n"            -> ""        (an empty frame)
//! Delimited::crlf()      "a\r\n"         -> "a"
//!                        "a\nb\r\n"      -> "a\nb"
//! new(b"<END>")          "a<EN<END>"     -> "a<EN"
//! at the end of stream   "abc"           -> UnexpectedEof, or the frame "abc"
//!                                           with take_last_frame(true)
//! ```
//!
//! A frame is its payload then the delimiter; the payload is everything up
//! to the first occurrence of the delimiter. The Python peer writes
//! `sock.sendall(line + b"\n")` and reads `sock.makefile('rb').readline()`.
//!
//! # Decoding
//!
//! There is no length up front: a frame is found only when its delimiter
//! arrives. To the [`Decoder`](crate::Decoder) the whole frame is the
//! header (`Head::new(0, payload_len).with_trailer(delimiter_len)`), so
//! `Delimited` is for frames **held whole**:
//! [`Decoder::decode_event`](crate::Decoder::decode_event) and
//! `FrameReader::read_header` work, but report the header only once the
//! whole frame is buffered, and every API bounds the payload by
//! [`Limits::max_frame`] (not `max_streamed_body`; `max_header` is not
//! used).
//!
//! The delimiter is searched with `memchr` for one of its bytes (the rarest
//! by memchr's byte-frequency ranking), each candidate then compared whole.
//! The search resumes where it stopped ([`DelimitedScan`]), keeping a
//! delimiter cut by the end of the bytes so far, so that a frame arriving
//! one byte at a time costs O(n) in total, not O(n²): each byte is
//! examined once in ordinary data, and at most as many times as the
//! delimiter is long when every byte may begin a delimiter (`aaaa…` with
//! the delimiter `aab`).
//!
//! # Limits
//!
//! A payload longer than [`Limits::max_frame`] is refused with
//! [`Error::FrameTooLong`] at the byte where it crosses the limit: as soon
//! as no delimiter can start within `max_frame` bytes of the frame's start.
//! With `\n` and `max_frame` 10, the 11th byte that is not `\n` is refused;
//! with a longer delimiter, the decoder waits only while the bytes after
//! the 10th still begin the delimiter. Nothing past that point is buffered
//! or searched. The error's `length` is how long the payload is known to
//! be at least.
//!
//! # End of stream
//!
//! Bytes after the last delimiter are a frame cut short:
//! [`Decoder::finish`](crate::Decoder::finish) reports
//! [`Error::UnexpectedEof`] with [`Needed::AtLeast`] the bytes of the
//! delimiter still missing. With
//! [`take_last_frame(true)`](Delimited::take_last_frame) they are a last
//! frame instead, handed out after
//! [`Decoder::end_stream`](crate::Decoder::end_stream) (which
//! `FrameBuffer::end_stream` and `FrameReader` at end of file call), with
//! nothing stripped, as Python's `readline()` returns a last line with no
//! newline.
//!
//! # Encoding
//!
//! The header is empty and the delimiter is the [trailer](Encode::trailer).
//! A payload holding the delimiter cannot be sent: it would end the frame
//! early. Every encoding API refuses it with [`Error::CannotEncode`]
//! naming the byte: [`Encode::encode_into`], [`Encode::encode_to_vec`],
//! [`Delimited::encode_checked`], `FrameWriter::write_frame` (payload and
//! delimiter in one vectored write) and `DatagramFramer`. A body streamed
//! from a reader (`FrameWriter::write_frame_from`) cannot be checked
//! before it is sent, so it is refused whole, before anything is written.
//!
//! ```
//! use sockframe::framing::delimited::Delimited;
//! use sockframe::{Decoder, Encode, Error, FrameBuffer, Limits};
//!
//! let lines = Delimited::lines();
//! assert_eq!(lines.encode_to_vec(b"hello")?, b"hello\n");
//! assert!(matches!(lines.encode_to_vec(b"two\nlines"), Err(Error::CannotEncode { .. })));
//!
//! // The stream in whatever pieces the socket gave.
//! let mut buffer = FrameBuffer::new(Decoder::new(lines));
//! let mut got = Vec::new();
//! for piece in [&b"hel"[..], b"lo\nwor", b"ld\r\n\n"] {
//!     buffer.push(piece);
//!     while let Some(frame) = buffer.next_frame()? {
//!         got.push(frame.payload().to_vec());
//!     }
//! }
//! buffer.finish()?;
//! assert_eq!(got, [&b"hello"[..], b"world\r", b""]);
//!
//! // A line longer than the limit is refused at the byte that crosses it.
//! let mut buffer = FrameBuffer::new(Decoder::with_limits(lines, Limits::new().max_frame(4)));
//! buffer.push(b"abcd");
//! assert!(buffer.next_frame()?.is_none());
//! buffer.push(b"e");
//! assert_eq!(
//!     buffer.next_frame().unwrap_err(),
//!     Error::FrameTooLong { offset: 0, length: 5, limit: 4 },
//! );
//! # Ok::<(), sockframe::Error>(())
//! ```

use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use memchr::memchr;

use super::{Encode, Framing, Head, HeaderBuf};
use crate::error::{ConfigError, Error};
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// Frames ended by a delimiter of 1 to 16 bytes (see the
/// [module docs](self)).
///
/// `Copy` and allocation-free: the delimiter is stored inline.
///
/// ```
/// use sockframe::framing::delimited::Delimited;
/// use sockframe::{Decoder, Error, Needed, Status};
///
/// let framing = Delimited::new(b"<END>")?;
/// let mut decoder = Decoder::new(framing);
/// // A prefix of the delimiter inside the payload is payload.
/// let Status::Complete((frame, used)) = decoder.decode(b"a<EN<END>b")? else { panic!() };
/// assert_eq!((frame.payload(), used), (&b"a<EN"[..], 9));
///
/// // The stream ends inside a delimiter: 2 of its bytes are missing.
/// assert_eq!(decoder.decode(b"b<EN")?, Status::Partial(Needed::at_least(2)));
/// assert!(matches!(
///     decoder.finish(b"b<EN"),
///     Err(Error::UnexpectedEof { offset: 13, needed: Needed::AtLeast(n) }) if n.get() == 2
/// ));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Delimited {
    /// The delimiter in its first `len` bytes, zeros after.
    bytes: [u8; Delimited::MAX_DELIMITER_LEN],
    /// 1 to `MAX_DELIMITER_LEN`.
    len: u8,
    /// Index of the delimiter byte that `memchr` looks for: the rarest, so
    /// that few candidates need comparing whole.
    anchor: u8,
    take_last_frame: bool,
}

impl Delimited {
    /// The longest delimiter: 16 bytes.
    pub const MAX_DELIMITER_LEN: usize = 16;

    /// Lines ended by `\n` (a `\r` before it stays in the payload).
    pub const fn lines() -> Self {
        Self::from_parts(b"\n", 0)
    }

    /// Lines ended by `\r\n`, as in HTTP, SMTP or Redis.
    pub const fn crlf() -> Self {
        // `\r`, rarer than `\n` in memchr's ranking (checked by a test).
        Self::from_parts(b"\r\n", 0)
    }

    /// Frames ended by `delimiter`: 1 to
    /// [`MAX_DELIMITER_LEN`](Self::MAX_DELIMITER_LEN) bytes, otherwise
    /// [`ConfigError::InvalidOption`] naming the `"delimiter"`.
    ///
    /// ```
    /// use sockframe::framing::delimited::Delimited;
    /// use sockframe::ConfigError;
    ///
    /// assert_eq!(Delimited::new(b"\r\n")?, Delimited::crlf());
    /// assert!(matches!(Delimited::new(b""), Err(ConfigError::InvalidOption { option: "delimiter", .. })));
    /// assert!(Delimited::new(&[b'-'; 17]).is_err());
    /// # Ok::<(), ConfigError>(())
    /// ```
    pub fn new(delimiter: &[u8]) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::InvalidOption {
            option: "delimiter",
            reason,
        };
        if delimiter.is_empty() {
            return Err(invalid("empty: a delimiter needs at least 1 byte".into()));
        }
        if delimiter.len() > Self::MAX_DELIMITER_LEN {
            return Err(invalid(
                format!(
                    "{} bytes, over the maximum of {}",
                    delimiter.len(),
                    Self::MAX_DELIMITER_LEN
                )
                .into(),
            ));
        }
        // memchr's own ranking of bytes by how often they occur.
        let anchor = memchr::arch::all::packedpair::Pair::new(delimiter).map_or(0, |p| p.index1());
        Ok(Self::from_parts(delimiter, anchor))
    }

    /// A delimiter of 1 to 16 bytes (checked by the callers) searched by
    /// its byte at `anchor`.
    const fn from_parts(delimiter: &[u8], anchor: u8) -> Self {
        let mut bytes = [0; Self::MAX_DELIMITER_LEN];
        let mut i = 0;
        while i < delimiter.len() {
            bytes[i] = delimiter[i];
            i += 1;
        }
        Delimited {
            bytes,
            len: delimiter.len() as u8,
            anchor,
            take_last_frame: false,
        }
    }

    /// Whether bytes after the last delimiter at the end of the stream are
    /// a last frame (`true`) or a frame cut short, reported as
    /// [`Error::UnexpectedEof`] (`false`, the default). Decoding only.
    ///
    /// ```
    /// use sockframe::framing::delimited::Delimited;
    /// use sockframe::{Decoder, Status};
    ///
    /// let mut decoder = Decoder::new(Delimited::lines().take_last_frame(true));
    /// let rest = b"no newline";
    /// assert!(decoder.decode(rest)?.is_partial());
    /// assert!(decoder.end_stream(rest)?);
    /// let Status::Complete((frame, used)) = decoder.decode(rest)? else { panic!() };
    /// assert_eq!((frame.payload(), used), (&rest[..], rest.len()));
    /// decoder.finish(&rest[used..])?;
    /// # Ok::<(), sockframe::Error>(())
    /// ```
    #[must_use]
    pub const fn take_last_frame(mut self, take: bool) -> Self {
        self.take_last_frame = take;
        self
    }

    /// Whether a last frame with no delimiter is taken at the end of the
    /// stream (see [`take_last_frame`](Self::take_last_frame)).
    pub const fn takes_last_frame(&self) -> bool {
        self.take_last_frame
    }

    /// The delimiter.
    pub fn delimiter(&self) -> &[u8] {
        // `len` is at most the array's length by construction.
        self.bytes
            .get(..usize::from(self.len))
            .unwrap_or(&self.bytes)
    }

    /// Checks that `payload` can be sent as one frame: refused with
    /// [`Error::CannotEncode`], naming the byte, if the delimiter occurs in
    /// it, or if it ends with the start of the delimiter in a way that
    /// makes the delimiter sent after it appear earlier (with the delimiter
    /// `abab`, a payload ending in `ab`).
    ///
    /// ```
    /// use sockframe::framing::delimited::Delimited;
    ///
    /// let crlf = Delimited::crlf();
    /// assert!(crlf.check_payload(b"one\ntwo\r").is_ok());
    /// let error = crlf.check_payload(b"one\r\ntwo").unwrap_err();
    /// assert!(error.to_string().contains("at byte 3"), "{error}");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn check_payload(&self, payload: &[u8]) -> Result<(), Error> {
        let mut scan = DelimitedScan::default();
        if let Some(at) = self.find(payload, &mut scan) {
            return Err(self.holds_delimiter(at));
        }
        // A delimiter straddling the payload's end and the delimiter sent
        // after it: the payload ends with its first `k` bytes, and the
        // delimiter also begins with its own last `d - k`.
        let delimiter = self.delimiter();
        let d = delimiter.len();
        for k in (1..d).rev() {
            let (head, tail) = delimiter.split_at(k);
            if payload.ends_with(head) && delimiter.starts_with(tail) {
                return Err(self.holds_delimiter(payload.len() - k));
            }
        }
        Ok(())
    }

    /// Appends `payload` and the delimiter to `out`, after
    /// [`check_payload`](Self::check_payload); nothing is appended if it
    /// fails. The same as [`Encode::encode_into`].
    pub fn encode_checked(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.check_payload(payload)?;
        let delimiter = self.delimiter();
        out.reserve(payload.len().saturating_add(delimiter.len()));
        out.extend_from_slice(payload);
        out.extend_from_slice(delimiter);
        Ok(())
    }

    #[cold]
    fn holds_delimiter(&self, at: usize) -> Error {
        Error::cannot_encode(format!(
            "the payload holds the delimiter b\"{}\" at byte {at}, where it would end the frame",
            self.delimiter().escape_ascii()
        ))
    }

    /// The first start at or after `scan.from` where the whole delimiter
    /// lies in `window`, counting the bytes examined.
    #[inline(always)]
    fn find(&self, window: &[u8], scan: &mut DelimitedScan) -> Option<usize> {
        let delimiter = self.delimiter();
        let d = delimiter.len();
        let anchor = usize::from(self.anchor);
        let byte = *delimiter.get(anchor)?;
        // Starts from `last_start` on leave the delimiter whole in `window`.
        let last_start = window.len().checked_sub(d)?;
        let mut start = scan.from;
        if scan.matched > 0 && start <= last_start {
            // A delimiter cut by the end of the last input: only its
            // missing bytes are compared.
            let known = scan.matched.min(d);
            let rest = window.get(start + known..start + d)?;
            scan.examined += rest.len() as u64;
            if delimiter.get(known..) == Some(rest) {
                return Some(start);
            }
            start += 1;
        }
        while start <= last_start {
            // The anchor bytes of every start left, in one memchr call.
            let region = window.get(start + anchor..=last_start + anchor)?;
            let Some(at) = memchr(byte, region) else {
                scan.examined += region.len() as u64;
                return None;
            };
            scan.examined += at as u64 + 1;
            let candidate = start + at;
            if d == 1 {
                return Some(candidate);
            }
            scan.examined += d as u64;
            if window.get(candidate..candidate + d) == Some(delimiter) {
                return Some(candidate);
            }
            start = candidate + 1;
        }
        None
    }

    /// Called once no delimiter lies whole in `window` after `scan.from`:
    /// moves `scan.from` to the earliest start whose bytes so far begin the
    /// delimiter (one cut by the end of `window`), or to the end of
    /// `window`. Bytes known to match from an earlier call are not compared
    /// again.
    #[inline]
    fn keep_cut_delimiter(&self, window: &[u8], scan: &mut DelimitedScan) {
        let delimiter = self.delimiter();
        let len = window.len();
        // Starts before this one leave room for the whole delimiter, and
        // `find` ruled them out.
        let mut start = scan.from.max(len.saturating_sub(delimiter.len() - 1));
        let mut known = if start == scan.from { scan.matched } else { 0 };
        while let Some(have) = window.get(start..).filter(|have| !have.is_empty()) {
            // `have` is shorter than the delimiter.
            let known_here = known.min(have.len());
            let unknown = &have[known_here..];
            scan.examined += unknown.len() as u64;
            if delimiter.get(known_here..have.len()) == Some(unknown) {
                scan.from = start;
                scan.matched = have.len();
                return;
            }
            start += 1;
            known = 0;
        }
        scan.from = len;
        scan.matched = 0;
    }
}

impl Delimited {
    /// `parse_header` when `window` (the start of `input` a frame within
    /// the limit can end in) holds no whole delimiter after `scan.from`:
    /// refuses the frame once no delimiter can start within the limit, or
    /// says how many bytes a delimiter needs at least.
    #[inline(never)]
    fn not_found(
        &self,
        input: &[u8],
        window: &[u8],
        scan: &mut DelimitedScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        if scan.from > window.len() {
            // Fewer bytes than were searched (the decoder never does
            // this): not the same input, so search it afresh.
            *scan = DelimitedScan::default();
            if let Some(start) = self.find(window, scan) {
                let head = Head::new(0, start as u64).with_trailer(usize::from(self.len));
                return Ok(Status::Complete(head));
            }
        }
        self.keep_cut_delimiter(window, scan);
        if scan.from as u64 > limits.max_frame {
            return Err(Error::FrameTooLong {
                offset,
                length: scan.from as u64,
                limit: limits.max_frame,
            });
        }
        // Within the limit, `window` is all of `input`, and a delimiter
        // may start at `scan.from`, after the bytes that already match.
        let needed = scan
            .from
            .saturating_add(usize::from(self.len))
            .saturating_sub(input.len());
        Ok(Status::Partial(Needed::at_least(needed)))
    }
}

impl Default for Delimited {
    /// [`Delimited::lines`].
    fn default() -> Self {
        Self::lines()
    }
}

impl fmt::Debug for Delimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delimited")
            .field(
                "delimiter",
                &format_args!("b\"{}\"", self.delimiter().escape_ascii()),
            )
            .field("take_last_frame", &self.take_last_frame)
            .finish()
    }
}

/// Where the search for a frame's delimiter stopped, kept by the decoder
/// between calls so that no byte is searched again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct DelimitedScan {
    /// No delimiter starts before this offset in the frame.
    from: usize,
    /// Bytes at `from` known to begin the delimiter: one cut by the end of
    /// the bytes so far.
    matched: usize,
    /// Bytes examined so far.
    examined: u64,
}

impl DelimitedScan {
    /// How long the payload is known to be at least: no delimiter starts
    /// before this offset from the start of the frame.
    pub fn payload_at_least(&self) -> usize {
        self.from
    }

    /// Bytes of this frame the search has examined so far, counting each
    /// byte every time it is handed to `memchr` or compared: a diagnostic
    /// for the O(n) promise (a frame fed one byte at a time is examined
    /// about once per byte, not once per byte per call). The decoder
    /// starts a new scan at every frame.
    pub fn examined(&self) -> u64 {
        self.examined
    }
}

impl Framing for Delimited {
    type Scan = DelimitedScan;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    #[inline]
    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut DelimitedScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        let d = usize::from(self.len);
        let max_payload = usize::try_from(limits.max_frame).unwrap_or(usize::MAX);
        // A frame within the limit ends by `max_payload + d`: nothing past
        // that is searched.
        let window = input.get(..max_payload.saturating_add(d)).unwrap_or(input);
        if d == 1 {
            // Lines: one memchr from where the last call stopped.
            if let Some(unsearched) = window.get(scan.from..) {
                let Some(at) = memchr(self.bytes[0], unsearched) else {
                    scan.examined += unsearched.len() as u64;
                    scan.from = window.len();
                    return self.not_found(input, window, scan, offset, limits);
                };
                scan.examined += at as u64 + 1;
                let payload_len = scan.from + at;
                return Ok(Status::Complete(
                    Head::new(0, payload_len as u64).with_trailer(1),
                ));
            }
        } else if let Some(start) = self.find(window, scan) {
            return Ok(Status::Complete(Head::new(0, start as u64).with_trailer(d)));
        }
        self.not_found(input, window, scan, offset, limits)
    }

    #[inline]
    fn header(&self, _header: &[u8], _head: &Head) {}

    /// The bytes after the last delimiter, as a last frame if
    /// [`take_last_frame`](Delimited::take_last_frame) says so (and if they
    /// fit [`Limits::max_frame`]).
    fn parse_last(
        &self,
        input: &[u8],
        scan: &mut DelimitedScan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Option<Head>, Error> {
        if !self.take_last_frame {
            return Ok(None);
        }
        // A whole frame still in `input` comes first.
        if let Status::Complete(head) = self.parse_header(input, scan, offset, limits)? {
            return Ok(Some(head));
        }
        let length = input.len() as u64;
        if length > limits.max_frame {
            return Err(Error::FrameTooLong {
                offset,
                length,
                limit: limits.max_frame,
            });
        }
        Ok(Some(Head::new(0, length)))
    }

    // `check_trailer` keeps its default: the trailer is the delimiter the
    // search just compared.

    /// The frame is held whole while its delimiter is searched: the longest
    /// payload allowed and the delimiter.
    fn max_header_len(&self, limits: &Limits) -> usize {
        usize::try_from(limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(usize::from(self.len))
    }
}

impl Encode for Delimited {
    type Header = HeaderBuf;

    /// Refused: the payload must be seen to be checked for the delimiter
    /// ([`encode_header_for`](Encode::encode_header_for) does), so a body
    /// streamed from a reader (`FrameWriter::write_frame_from`) cannot be
    /// sent.
    fn encode_header(&self, _payload_len: usize) -> Result<HeaderBuf, Error> {
        Err(Error::cannot_encode(
            "a delimited payload is checked for the delimiter before it is sent: \
             give it whole (FrameWriter::write_frame), not streamed from a reader",
        ))
    }

    /// No header, once [`check_payload`](Delimited::check_payload) found
    /// no delimiter in `payload`: the delimiter is the
    /// [trailer](Encode::trailer).
    #[inline]
    fn encode_header_for(&self, payload: &[u8]) -> Result<HeaderBuf, Error> {
        self.check_payload(payload)?;
        Ok(HeaderBuf::from_array([]))
    }

    #[inline]
    fn trailer(&self) -> &[u8] {
        self.delimiter()
    }

    /// Refuses a payload holding the delimiter
    /// ([`Delimited::check_payload`]).
    fn encode_into(&self, payload: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
        self.encode_checked(payload, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn parse(framing: &Delimited, input: &[u8], scan: &mut DelimitedScan) -> Status<Head> {
        framing
            .parse_header(input, scan, 0, &Limits::new())
            .expect("within the limit")
    }

    #[test]
    fn const_constructors_agree_with_new() {
        assert_eq!(Delimited::new(b"\n").unwrap(), Delimited::lines());
        assert_eq!(Delimited::new(b"\r\n").unwrap(), Delimited::crlf());
    }

    #[test]
    fn delimiter_cut_by_every_boundary_is_found_once() {
        for delimiter in [&b"\n"[..], b"\r\n", b"<END>", b"aab", b"abab", &[7; 16]] {
            let framing = Delimited::new(delimiter).unwrap();
            let payload = b"a<ENab\raaba\xff";
            let mut stream = payload.to_vec();
            stream.extend_from_slice(delimiter);
            let want = framing.encode_to_vec(payload).ok().map(|_| payload.len());
            // One byte at a time: the scan must resume, never restart.
            let mut scan = DelimitedScan::default();
            let mut found = None;
            for end in 1..=stream.len() {
                if let Status::Complete(head) = parse(&framing, &stream[..end], &mut scan) {
                    found = Some((head.payload_len as usize, end));
                    break;
                }
            }
            if let Some(len) = want {
                assert_eq!(found, Some((len, stream.len())), "{framing:?}");
            }
            // At once.
            let whole = parse(&framing, &stream, &mut DelimitedScan::default());
            let Status::Complete(head) = whole else {
                panic!("{framing:?}")
            };
            assert_eq!(Some(head.payload_len as usize), found.map(|f| f.0));
        }
    }

    #[test]
    fn shrunk_input_is_searched_afresh() {
        let framing = Delimited::crlf();
        let mut scan = DelimitedScan::default();
        assert!(parse(&framing, b"abcdef", &mut scan).is_partial());
        let Status::Complete(head) = parse(&framing, b"a\r\n", &mut scan) else {
            panic!()
        };
        assert_eq!(head.payload_len, 1);
    }

    #[test]
    fn payload_check_sees_a_delimiter_across_the_end() {
        let abab = Delimited::new(b"abab").unwrap();
        assert!(abab.check_payload(b"xab").is_err());
        assert!(abab.check_payload(b"xa").is_ok());
        // "xaba" + "abab" holds "abab" only at the end.
        assert!(abab.check_payload(b"xaba").is_ok());
        assert!(abab.check_payload(b"abab").is_err());
        let mut out = vec![1];
        assert!(abab.encode_checked(b"ab", &mut out).is_err());
        assert_eq!(out, [1]);
    }
}
