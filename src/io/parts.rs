//! A frame's parts on their way out, for the writers' shared steps
//! ([`writing`](super::writing)): which slices one vectored write takes,
//! and what a write of `n` bytes leaves.

use std::io::{self, IoSlice};

/// Fills `slices` with the non-empty `parts`, in order; returns how many.
pub(crate) fn io_slices<'a, const N: usize>(
    parts: &[&'a [u8]; N],
    slices: &mut [IoSlice<'a>; N],
) -> usize {
    let mut count = 0;
    for part in parts.iter().filter(|part| !part.is_empty()) {
        slices[count] = IoSlice::new(part);
        count += 1;
    }
    count
}

/// Drops the first `n` bytes written from the front of `parts`.
pub(crate) fn advance<const N: usize>(parts: &mut [&[u8]; N], n: usize) {
    let mut left = n;
    for part in parts.iter_mut() {
        let taken = left.min(part.len());
        *part = &part[taken..];
        left -= taken;
    }
}

/// A writer that took no byte of a frame.
pub(crate) fn write_zero_frame() -> io::Error {
    io::Error::new(io::ErrorKind::WriteZero, "the writer took no bytes")
}

/// A destination that took no byte of a body.
pub(crate) fn write_zero_body() -> io::Error {
    io::Error::new(
        io::ErrorKind::WriteZero,
        "the body's destination accepted no more bytes",
    )
}
