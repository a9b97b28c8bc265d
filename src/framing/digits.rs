//! Decimal digits a word at a time, for the framings whose lengths are
//! written in ASCII (`Ascii`, `Netstring`).

/// The top bit of every byte of `word` from the lowest byte that is not an
/// ASCII digit up; zero if all eight are digits.
///
/// Below the lowest non-digit byte, every byte is a digit: subtracting
/// 0x30 leaves 0..=9 with no borrow and adding 0x46 gives 0x76..=0x7F with
/// no carry, so neither sets a top bit there. At the lowest non-digit
/// byte `b` (no borrow or carry coming in), `b - 0x30` sets its top bit if
/// `b < 0x30` or `b >= 0xB0`, and `b + 0x46` does if `0x3A <= b <= 0xB9`:
/// one of the two always does. So its lowest set bit is exact, whatever
/// happens above that byte.
#[inline(always)]
pub(super) fn non_digit_bits(word: u64) -> u64 {
    const ONES: u64 = u64::MAX / 0xFF;
    (word.wrapping_sub(ONES * 0x30) | word.wrapping_add(ONES * 0x46)) & (ONES * 0x80)
}

/// The value of 4 decimal digits (checked by the caller) in the low 4
/// bytes of `word`, the first in the low byte: ASCII digits or their
/// values alike, as only the low nibbles count.
///
/// Two multiplies that do not wait for each other: digits 0 and 2 (low
/// nibbles of bytes 0 and 2) times 1000 and 10, digits 1 and 3 times 100
/// and 1, each landing in bits 48..64. The other partial products land
/// in bits 32..40 (`(10 * d0 + d1) << 32` in all, no carry into bit 48)
/// or past bit 64.
#[inline(always)]
pub(super) fn four_value(word: u64) -> u64 {
    let even = (word & 0x000F_000F).wrapping_mul((1000 << 48) | (10 << 32));
    let odd = (word & 0x0F00_0F00).wrapping_mul((100 << 40) | (1 << 24));
    even.wrapping_add(odd) >> 48
}

/// The value of 8 digits (bytes minus `b'0'`, each 0..=9), the first in
/// the low byte: at most 99_999_999.
#[inline(always)]
pub(super) fn eight_value(digits: u64) -> u64 {
    // Pairs in bytes 0, 2, 4, 6: d0*10+d1, d2*10+d3, ... (at most 99).
    let pairs = digits.wrapping_mul(10).wrapping_add(digits >> 8);
    // Pairs 0 and 2 times 10^6 and 10^2, pairs 1 and 3 times 10^4 and 1,
    // summed in the high half.
    const MASK: u64 = 0x0000_00FF_0000_00FF;
    let even = (pairs & MASK).wrapping_mul(100 + (1_000_000 << 32));
    let odd = ((pairs >> 16) & MASK).wrapping_mul(1 + (10_000 << 32));
    even.wrapping_add(odd) >> 32
}
