//! [`HeaderBytes`]: a byte header copied out of the input, inline when short.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::borrow::Borrow;
use core::hash::{Hash, Hasher};
use core::ops::Deref;

/// A header's bytes, owned: the owned form of a `&[u8]` header
/// ([`LengthField`](crate::LengthField)'s, or your framing's).
///
/// Headers of up to 15 bytes are stored inline, so
/// owning one (in [`Frame::to_owned`](crate::Frame::to_owned), a codec's
/// items, `read_frame_owned`) allocates nothing per frame; longer ones go
/// on the heap. It derefs to `[u8]` and compares with byte slices, arrays
/// and `Vec<u8>`.
///
/// ```
/// use sockframe::framing::{HeaderBytes, ToOwnedHeader};
///
/// let header: &[u8] = b"\x01\0\0\0\x05";
/// let owned: HeaderBytes = header.to_owned_header();
/// assert_eq!(owned, header);
/// assert_eq!(owned.len(), 5);
/// assert_eq!(Vec::from(owned), b"\x01\0\0\0\x05");
/// assert_eq!(HeaderBytes::from(&[7u8; 100][..]), [7u8; 100]);
/// ```
#[derive(Clone)]
pub struct HeaderBytes(Repr);

/// Small enough that a frame carrying one stays small: 24 bytes.
#[derive(Clone)]
enum Repr {
    Inline(Inline),
    Heap(Box<[u8]>),
}

/// Up to [`INLINE`] bytes, then their count in the last byte: two words,
/// aligned and written whole. A frame carrying them is moved (by
/// tokio-util, by the caller) in words, and a word read back from smaller
/// writes (a length byte beside padding) stalls the CPU: about 7 ns a
/// frame through `FramedRead` on the bench machine.
#[derive(Clone, Copy)]
#[repr(align(8))]
struct Inline([u8; INLINE + 1]);

/// The most bytes held inline.
const INLINE: usize = 15;

impl HeaderBytes {
    /// A copy of `bytes`.
    #[inline]
    pub fn new(bytes: &[u8]) -> Self {
        HeaderBytes(if bytes.len() <= INLINE {
            let (low, high) = match bytes.split_at_checked(8) {
                Some((low, high)) => (word(low), word(high)),
                None => (word(bytes), 0),
            };
            let high = high | (bytes.len() as u64) << 56;
            let mut inline = [0; INLINE + 1];
            inline[..8].copy_from_slice(&low.to_le_bytes());
            inline[8..].copy_from_slice(&high.to_le_bytes());
            Repr::Inline(Inline(inline))
        } else {
            Repr::Heap(bytes.into())
        })
    }

    /// The header bytes.
    #[inline]
    pub fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline(Inline(bytes)) => &bytes[..usize::from(bytes[INLINE])],
            Repr::Heap(heap) => heap,
        }
    }
}

/// Up to 8 bytes as a little-endian word, zero above them, read with at
/// most two loads (overlapping, for lengths that are not a power of two).
#[inline(always)]
fn word(bytes: &[u8]) -> u64 {
    let n = bytes.len();
    let le = |at: usize, width: usize| {
        let mut word = [0; 8];
        word[..width].copy_from_slice(&bytes[at..at + width]);
        u64::from_le_bytes(word)
    };
    match n {
        0 => 0,
        1 => u64::from(bytes[0]),
        2..4 => le(0, 2) | le(n - 2, 2) << ((n - 2) * 8),
        4..8 => le(0, 4) | le(n - 4, 4) << ((n - 4) * 8),
        _ => le(0, 8),
    }
}

impl Deref for HeaderBytes {
    type Target = [u8];
    #[inline]
    fn deref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl AsRef<[u8]> for HeaderBytes {
    #[inline]
    fn as_ref(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl Borrow<[u8]> for HeaderBytes {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl From<&[u8]> for HeaderBytes {
    fn from(bytes: &[u8]) -> Self {
        HeaderBytes::new(bytes)
    }
}

impl From<Vec<u8>> for HeaderBytes {
    fn from(bytes: Vec<u8>) -> Self {
        HeaderBytes::new(&bytes)
    }
}

impl From<HeaderBytes> for Vec<u8> {
    fn from(header: HeaderBytes) -> Vec<u8> {
        match header.0 {
            Repr::Inline(Inline(bytes)) => bytes[..usize::from(bytes[INLINE])].to_vec(),
            Repr::Heap(heap) => heap.into_vec(),
        }
    }
}

impl Default for HeaderBytes {
    fn default() -> Self {
        HeaderBytes::new(&[])
    }
}

impl core::fmt::Debug for HeaderBytes {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_tuple("HeaderBytes")
            .field(&self.as_bytes())
            .finish()
    }
}

// Equality, order and hash are the bytes', wherever they are stored.
impl PartialEq for HeaderBytes {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for HeaderBytes {}

impl PartialOrd for HeaderBytes {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HeaderBytes {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for HeaderBytes {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_bytes().hash(state);
    }
}

impl PartialEq<[u8]> for HeaderBytes {
    fn eq(&self, other: &[u8]) -> bool {
        self.as_bytes() == other
    }
}

impl PartialEq<&[u8]> for HeaderBytes {
    fn eq(&self, other: &&[u8]) -> bool {
        self.as_bytes() == *other
    }
}

impl<const N: usize> PartialEq<[u8; N]> for HeaderBytes {
    fn eq(&self, other: &[u8; N]) -> bool {
        self.as_bytes() == other
    }
}

impl<const N: usize> PartialEq<&[u8; N]> for HeaderBytes {
    fn eq(&self, other: &&[u8; N]) -> bool {
        self.as_bytes() == *other
    }
}

impl PartialEq<Vec<u8>> for HeaderBytes {
    fn eq(&self, other: &Vec<u8>) -> bool {
        self.as_bytes() == other.as_slice()
    }
}

impl PartialEq<HeaderBytes> for Vec<u8> {
    fn eq(&self, other: &HeaderBytes) -> bool {
        self.as_slice() == other.as_bytes()
    }
}

impl PartialEq<HeaderBytes> for &[u8] {
    fn eq(&self, other: &HeaderBytes) -> bool {
        *self == other.as_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_frame_carrying_one_stays_small() {
        use core::mem::size_of;
        assert_eq!(size_of::<HeaderBytes>(), 24);
        // The tag of an `Option` around it fits in its unused values.
        assert_eq!(size_of::<Option<HeaderBytes>>(), 24);
    }

    #[test]
    fn inline_and_heap_hold_the_same_bytes() {
        for len in (0..=INLINE + 9).chain([300]) {
            let bytes: Vec<u8> = (0..len).map(|i| i as u8).collect();
            let owned = HeaderBytes::new(&bytes);
            assert_eq!(owned.as_bytes(), &bytes[..], "{len} bytes");
            assert_eq!(
                matches!(owned.0, Repr::Inline(_)),
                len <= INLINE,
                "{len} bytes"
            );
            assert_eq!(Vec::from(owned.clone()), bytes);
            assert_eq!(owned, HeaderBytes::from(&bytes[..]));
        }
        assert!(HeaderBytes::new(b"ab") < HeaderBytes::new(b"b"));
        assert_ne!(HeaderBytes::new(b"ab"), HeaderBytes::new(b"ab\0"));
    }

    #[test]
    fn compares_with_every_byte_type_by_its_bytes() {
        let owned = HeaderBytes::new(b"ab");
        let (same, other): (&[u8], &[u8]) = (b"ab", b"ac");
        assert!(owned == *same && owned != *other);
        assert!(owned == same && owned != other);
        assert!(owned == *b"ab" && owned != *b"ac");
        assert!(owned == b"ab" && owned != b"ac");
        assert!(owned == same.to_vec() && owned != other.to_vec());
        assert!(same.to_vec() == owned && other.to_vec() != owned);
        assert!(same == owned && other != owned);
    }
}
