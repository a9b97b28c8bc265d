//! A reassembly buffer: push the stream in pieces of any size, take frames.

use alloc::vec::Vec;

use crate::decoder::Decoder;
#[cfg(feature = "std")]
use crate::decoder::Span;
use crate::error::Error;
use crate::frame::{Event, Frame, Skipped};
use crate::framing::Framing;
use crate::status::Status;

/// The smallest allocation a growing buffer makes.
const MIN_GROWTH: usize = 4096;

/// Owns a buffer, takes the stream cut into arbitrary pieces, yields frames
/// borrowed from the buffer.
///
/// Memory grows with the bytes pushed, never with a length a peer announced,
/// and when decoding frames one by one it stays below twice the largest
/// frame the limits allow plus the largest piece pushed.
///
/// ```
/// use sockframe::{Ascii, Decoder, FrameBuffer};
///
/// let mut buffer = FrameBuffer::new(Decoder::new(Ascii::new()));
/// let mut frames = Vec::new();
/// for piece in [&b"000"[..], b"2hi0003y", b"ou0000"] {
///     buffer.push(piece);
///     while let Some(frame) = buffer.next_frame()? {
///         frames.push(frame.payload().to_vec());
///     }
/// }
/// buffer.finish()?;
/// assert_eq!(frames, [&b"hi"[..], b"you", b""]);
/// # Ok::<(), sockframe::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct FrameBuffer<F: Framing> {
    decoder: Decoder<F>,
    /// Initialized storage; `data[start..end]` is unconsumed input.
    data: Vec<u8>,
    start: usize,
    end: usize,
}

impl<F: Framing> FrameBuffer<F> {
    /// An empty buffer around `decoder`.
    pub fn new(decoder: Decoder<F>) -> Self {
        Self::with_capacity(decoder, 0)
    }

    /// An empty buffer with `capacity` bytes reserved up front.
    pub fn with_capacity(decoder: Decoder<F>, capacity: usize) -> Self {
        FrameBuffer {
            decoder,
            data: alloc::vec![0; capacity],
            start: 0,
            end: 0,
        }
    }

    /// The decoder.
    pub fn decoder(&self) -> &Decoder<F> {
        &self.decoder
    }

    /// The decoder, for adapters that account for body bytes they read
    /// around the buffer ([`Decoder::skip_body`]). Decoding other input with
    /// it would desynchronise the buffer, hence not public.
    #[cfg(feature = "std")]
    pub(crate) fn decoder_mut(&mut self) -> &mut Decoder<F> {
        &mut self.decoder
    }

    /// Bytes pushed and not yet consumed.
    pub fn buffered(&self) -> &[u8] {
        &self.data[self.start..self.end]
    }

    /// The number of bytes pushed and not yet consumed.
    pub fn len(&self) -> usize {
        self.end - self.start
    }

    /// `true` if no unconsumed byte is buffered.
    pub fn is_empty(&self) -> bool {
        self.start == self.end
    }

    /// Bytes of memory the buffer holds.
    pub fn capacity(&self) -> usize {
        self.data.len()
    }

    /// Appends the next piece of the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        self.unfilled(bytes.len())[..bytes.len()].copy_from_slice(bytes);
        self.end += bytes.len();
    }

    /// Writable space after the buffered bytes, at least `min` long (more if
    /// the buffer already has it), for reading straight from a source.
    /// Follow with [`commit`](FrameBuffer::commit).
    pub fn unfilled(&mut self, min: usize) -> &mut [u8] {
        self.reserve(min);
        &mut self.data[self.end..]
    }

    /// Marks `n` bytes written into [`unfilled`](FrameBuffer::unfilled) as
    /// pushed (at most what it offered).
    pub fn commit(&mut self, n: usize) {
        self.end += n.min(self.data.len() - self.end);
    }

    /// Whether a whole frame is buffered: `Complete(frame_len)` if so. Once it
    /// says so, [`next_frame`](FrameBuffer::next_frame) returns that frame
    /// without parsing again.
    #[inline]
    pub fn poll_frame(&mut self) -> Result<Status<usize>, Error> {
        let input = &self.data[self.start..self.end];
        Ok(self.decoder.poll_frame(input)?.map(|(_, total)| total))
    }

    /// The next whole frame, or `None` until more bytes are pushed.
    #[inline]
    pub fn next_frame(&mut self) -> Result<Option<Frame<'_, F::Header<'_>>>, Error> {
        // As `take_span` then `frame_at`, but slicing the same `input` lets
        // the compiler drop the bounds checks `decode_span` already did.
        let input = &self.data[self.start..self.end];
        match self.decoder.decode_span(input)? {
            Status::Complete(span) => {
                consume(&mut self.start, &mut self.end, span.total);
                Ok(Some(self.decoder.frame_at(input, &span)))
            }
            Status::Partial(_) => Ok(None),
        }
    }

    /// Consumes every whole frame buffered without building them (see
    /// [`Decoder::skip_frames`]): how many, their payload bytes and their
    /// bytes on the wire.
    pub fn skip_frames(&mut self) -> Result<Skipped, Error> {
        let skipped = self.decoder.skip_frames(&self.data[self.start..self.end])?;
        // At most the bytes buffered.
        consume(
            &mut self.start,
            &mut self.end,
            skipped.stream_bytes as usize,
        );
        Ok(skipped)
    }

    /// [`skip_frames`](FrameBuffer::skip_frames) for a reader that never
    /// waits for a frame larger than its read chunk: payloads bounded by
    /// [`Limits::max_streamed_body`](crate::Limits::max_streamed_body).
    #[cfg(feature = "std")]
    pub(crate) fn skip_streamed(&mut self) -> Result<Skipped, Error> {
        let limit = self.decoder.limits().max_streamed_body;
        let input = &self.data[self.start..self.end];
        let skipped = self.decoder.skip_frames_within(input, limit)?;
        consume(
            &mut self.start,
            &mut self.end,
            skipped.stream_bytes as usize,
        );
        Ok(skipped)
    }

    /// Consumes the next whole frame and says where it lies in the storage,
    /// for [`frame_at`](FrameBuffer::frame_at); `Partial` says how many
    /// bytes are missing. Holds no borrow, so a reader can decide between
    /// returning the frame and reading more.
    #[cfg(feature = "std")] // For `io::FrameReader`.
    #[inline(always)]
    #[allow(clippy::type_complexity)] // Where the frame starts, and its span.
    pub(crate) fn take_span(&mut self) -> Result<Status<(usize, Span<F::Meta>)>, Error> {
        let at = self.start;
        Ok(match self.decoder.decode_span(&self.data[at..self.end])? {
            Status::Complete(span) => {
                consume(&mut self.start, &mut self.end, span.total);
                Status::Complete((at, span))
            }
            Status::Partial(needed) => Status::Partial(needed),
        })
    }

    /// The frame [`take_span`](FrameBuffer::take_span) consumed. Consumed
    /// bytes stay in place until the next push or read.
    #[cfg(feature = "std")]
    #[inline(always)]
    pub(crate) fn frame_at(&self, (at, span): &(usize, Span<F::Meta>)) -> Frame<'_, F::Header<'_>> {
        self.decoder.frame_at(&self.data[*at..], span)
    }

    /// Whether the next header is whole, checked for streaming: once
    /// `Complete`, [`next_event`](FrameBuffer::next_event) returns it.
    #[cfg(feature = "std")]
    pub(crate) fn poll_streamed_header(&mut self) -> Result<Status<()>, Error> {
        self.decoder
            .poll_streamed_header(&self.data[self.start..self.end])
    }

    /// The next streaming step (header, body chunk, end), or `None` until
    /// more bytes are pushed. Body chunks are whatever part of the body is
    /// buffered.
    pub fn next_event(&mut self) -> Result<Option<Event<'_, F::Header<'_>>>, Error> {
        let input = &self.data[self.start..self.end];
        match self.decoder.decode_event(input)? {
            Status::Complete((event, used)) => {
                consume(&mut self.start, &mut self.end, used);
                Ok(Some(event))
            }
            Status::Partial(_) => Ok(None),
        }
    }

    /// Drops up to `n` bytes of the body being streamed from the front of
    /// [`buffered`](FrameBuffer::buffered), after the caller copied them
    /// out, and accounts for them in the decoder. Returns how many were
    /// dropped: at most the bytes buffered and the body bytes still due.
    /// Lets an adapter hand a body out in pieces of its choosing (a small
    /// caller buffer, a writer that took part of a chunk) without losing the
    /// rest, as [`next_event`](FrameBuffer::next_event) consumes whole chunks.
    pub fn consume_body(&mut self, n: usize) -> usize {
        let n = n.min(self.len());
        let taken = self.decoder.skip_body(n as u64) as usize;
        consume(&mut self.start, &mut self.end, taken);
        taken
    }

    /// Tells the buffer the stream ended: `true` if the framing takes the
    /// unfinished bytes buffered as a last frame (see
    /// [`Decoder::end_stream`]), which [`next_frame`](FrameBuffer::next_frame)
    /// then returns; `false` if not, and [`finish`](FrameBuffer::finish)
    /// says whether the stream was cut short.
    pub fn end_stream(&mut self) -> Result<bool, Error> {
        self.decoder.end_stream(&self.data[self.start..self.end])
    }

    /// Declares the end of the stream: `Ok` at a frame boundary, otherwise
    /// [`Error::UnexpectedEof`] saying how many bytes the last frame lacked.
    /// Take every complete frame first.
    pub fn finish(&mut self) -> Result<(), Error> {
        self.decoder.finish(&self.data[self.start..self.end])
    }

    /// Gives back the memory not holding buffered bytes: an idle
    /// connection's buffer shrinks to nothing, so that thousands of them
    /// cost little. The next push or read grows it again.
    pub fn shrink_to_fit(&mut self) {
        let buffered = self.end - self.start;
        self.data.copy_within(self.start..self.end, 0);
        self.data.truncate(buffered);
        self.data.shrink_to_fit();
        self.start = 0;
        self.end = buffered;
    }

    /// Drops buffered bytes and decoder state, keeping the memory.
    pub fn reset(&mut self) {
        self.decoder.reset();
        self.start = 0;
        self.end = 0;
    }

    /// Writable space for `n` more bytes, as
    /// [`unfilled`](FrameBuffer::unfilled), but if the buffer must grow it
    /// grows to hold the buffered bytes and `n`, no more: for a reader's
    /// first buffer, or the known rest of a frame (the caller bounds `n`,
    /// a length the peer announced, by what it reads at a time).
    #[cfg(feature = "std")]
    pub(crate) fn unfilled_exactly(&mut self, n: usize) -> &mut [u8] {
        self.reserve_within(n, self.len().saturating_add(n));
        &mut self.data[self.end..]
    }

    /// The most bytes one frame held whole can take: the largest payload
    /// and header the limits allow.
    pub(crate) fn frame_bound(&self) -> usize {
        let limits = self.decoder.limits();
        usize::try_from(limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(self.decoder.framing().max_header_len(limits))
    }

    /// Makes room for `additional` bytes after `end`.
    fn reserve(&mut self, additional: usize) {
        if self.data.len() - self.end >= additional {
            return;
        }
        self.reserve_within(additional, self.frame_bound().saturating_add(additional));
    }

    /// Makes room for `additional` bytes after `end`, growing to at most
    /// `bound` bytes unless the bytes buffered and `additional` need more.
    fn reserve_within(&mut self, additional: usize, bound: usize) {
        if self.data.len() - self.end >= additional {
            return;
        }
        // Consumed bytes are only left at the front after a frame was taken.
        if self.start > 0 {
            let buffered = self.end - self.start;
            // Moving the unconsumed tail to the front is cheap while it is
            // small. A large tail (a big frame arriving in pieces) would move
            // on nearly every push, copying each byte about twice: take a
            // larger buffer instead, at most twice what is buffered once
            // this push is in, so that moves become rare.
            let wanted = buffered.saturating_add(additional);
            let larger = wanted.saturating_mul(2).min(bound).max(wanted);
            if buffered > self.data.len() / 8 && larger > self.data.len() {
                let mut grown = alloc::vec![0; larger];
                grown[..buffered].copy_from_slice(&self.data[self.start..self.end]);
                self.data = grown;
                self.start = 0;
                self.end = buffered;
                return;
            }
            self.data.copy_within(self.start..self.end, 0);
            self.end = buffered;
            self.start = 0;
            if self.data.len() - self.end >= additional {
                return;
            }
        }
        let required = self.end.saturating_add(additional);
        // Double, but never past what one frame of the largest allowed size
        // needs unless the pushed bytes themselves require it.
        let cap = if required <= bound { bound } else { usize::MAX };
        let new_len = self
            .data
            .len()
            .saturating_mul(2)
            .max(MIN_GROWTH)
            .min(cap)
            .max(required);
        // `resize` alone would round the allocation up to twice the old one.
        self.data.reserve_exact(new_len - self.data.len());
        self.data.resize(new_len, 0);
    }
}

/// Drops the first `n` buffered bytes (a free function so that the frame
/// borrowing `data` can be returned).
fn consume(start: &mut usize, end: &mut usize, n: usize) {
    *start += n;
    if *start == *end {
        *start = 0;
        *end = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framing::Encode;
    use crate::Binary;

    fn buffer() -> FrameBuffer<Binary> {
        FrameBuffer::new(Decoder::new(Binary::default()))
    }

    fn frame(payload_len: usize) -> Vec<u8> {
        Binary::default()
            .encode_to_vec(&alloc::vec![7; payload_len])
            .unwrap()
    }

    /// Pushes `pieces` in turn, then takes every whole frame: their
    /// payload lengths.
    fn push_and_take(buffer: &mut FrameBuffer<Binary>, pieces: &[&[u8]]) -> Vec<usize> {
        let mut taken = Vec::new();
        for piece in pieces {
            buffer.push(piece);
            // The allocation is what `capacity` says: `Vec::resize` alone
            // would round it up to twice the old one.
            assert_eq!(buffer.data.capacity(), buffer.capacity());
        }
        while let Some(frame) = buffer.next_frame().unwrap() {
            taken.push(frame.payload().len());
        }
        taken
    }

    #[test]
    fn a_frame_arriving_in_pieces_doubles_the_buffer() {
        let big = frame(20_000);
        let mut buffer = buffer();
        assert!(push_and_take(&mut buffer, &[&big[..4096]]).is_empty());
        assert_eq!(buffer.capacity(), 4096);
        assert!(push_and_take(&mut buffer, &[&big[4096..5096]]).is_empty());
        assert_eq!(buffer.capacity(), 8192);
        assert!(push_and_take(&mut buffer, &[&big[5096..10_096]]).is_empty());
        assert_eq!(buffer.capacity(), 16_384);
        assert_eq!(push_and_take(&mut buffer, &[&big[10_096..]]), [20_000]);
    }

    #[test]
    fn a_large_tail_after_a_taken_frame_grows_the_buffer_once() {
        let stream = [frame(6), frame(20_000)].concat();
        let mut buffer = buffer();
        assert_eq!(push_and_take(&mut buffer, &[&stream[..4096]]), [6]);
        // 4086 bytes of the next frame stay: rather than move them on every
        // push, the buffer grows to twice them and the piece.
        assert!(push_and_take(&mut buffer, &[&stream[4096..5096]]).is_empty());
        assert_eq!(buffer.capacity(), 2 * (4086 + 1000));
        assert_eq!(push_and_take(&mut buffer, &[&stream[5096..]]), [20_000]);
    }

    #[test]
    fn a_tail_of_an_eighth_of_the_buffer_still_moves() {
        let stream = [frame(3580), frame(5000)].concat();
        let mut buffer = buffer();
        assert_eq!(push_and_take(&mut buffer, &[&stream[..4096]]), [3580]);
        // 512 bytes stay, an eighth of 4096: moved, they leave room enough.
        assert!(push_and_take(&mut buffer, &[&stream[4096..7096]]).is_empty());
        assert_eq!(buffer.capacity(), 4096);
    }

    #[test]
    fn a_small_tail_moves_to_the_front_and_the_buffer_grows_if_still_short() {
        let stream = [frame(3992), frame(5000)].concat();
        let mut buffer = buffer();
        assert_eq!(push_and_take(&mut buffer, &[&stream[..4096]]), [3992]);
        // 100 bytes stay; moved to the front, they leave 3996 free, short
        // of the next piece by 4: the buffer doubles.
        assert!(push_and_take(&mut buffer, &[&stream[4096..8096]]).is_empty());
        assert_eq!(buffer.capacity(), 8192);
        assert_eq!(push_and_take(&mut buffer, &[&stream[8096..]]), [5000]);
    }
}
