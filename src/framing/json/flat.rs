//! The body size from the flat headers Python peers write, read without
//! serde_json: the common case, kept fast.

/// The body size from a flat header as Python peers write them,
/// `{"data_size": 5}` or `{"file_name": "a.txt", "file_size": 5, "md5":
/// "..."}`, read without serde_json: JSON whitespace anywhere, keys of
/// printable ASCII without escapes, string values as [`string_value`] reads
/// them, integers of at most 18 digits, `true`, `false`, `null`, and the
/// size key holding a non-negative integer that fits a u64 (the last one,
/// if repeated, as in Python).
/// `None` for anything else, which takes the full parser; on the headers
/// this accepts, that parser finds the same size and nothing to refuse.
pub(super) fn flat_size(text: &[u8], key: &str) -> Option<u64> {
    let key = key.as_bytes();
    let mut at = skip_space(text, 0);
    if text.get(at) != Some(&b'{') {
        return None;
    }
    let mut size = None;
    at += 1;
    loop {
        let (name, next) = plain_string(text, skip_space(text, at))?;
        at = skip_space(text, next);
        if text.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(text, at + 1);
        at = if name == key {
            let (n, next) = plain_size(text, at)?;
            size = Some(n);
            next
        } else {
            plain_value(text, at)?
        };
        at = skip_space(text, at);
        match text.get(at) {
            Some(b',') => at += 1,
            Some(b'}') => break,
            _ => return None,
        }
    }
    if skip_space(text, at + 1) != text.len() {
        return None;
    }
    size
}

/// The index of the first byte at or after `at` that is not JSON whitespace.
fn skip_space(text: &[u8], mut at: usize) -> usize {
    while let Some(b' ' | b'\t' | b'\n' | b'\r') = text.get(at) {
        at += 1;
    }
    at
}

/// Bytes a plain string holds as they are: printable ASCII but `"` and `\`.
pub(super) static PLAIN: [bool; 256] = {
    let mut plain = [false; 256];
    let mut byte = b' ';
    while byte <= b'~' {
        plain[byte as usize] = byte != b'"' && byte != b'\\';
        byte += 1;
    }
    plain
};

/// A string at `at` of printable ASCII with no escapes: its contents and
/// the index after its closing quote.
fn plain_string(text: &[u8], at: usize) -> Option<(&[u8], usize)> {
    if text.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let mut end = start;
    while end < text.len() && PLAIN[usize::from(text[end])] {
        end += 1;
    }
    if text.get(end) != Some(&b'"') {
        return None;
    }
    Some((&text[start..end], end + 1))
}

/// The digits of a JSON integer at `at` (no sign, no leading zero, at most
/// `max` digits): their count.
fn plain_digits(text: &[u8], at: usize, max: usize) -> Option<usize> {
    let rest = text.get(at..)?;
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > max || (digits > 1 && rest[0] == b'0') {
        return None;
    }
    Some(digits)
}

/// A non-negative integer at `at` that fits a u64, and the index after it.
fn plain_size(text: &[u8], at: usize) -> Option<(u64, usize)> {
    let digits = plain_digits(text, at, 20)?;
    let mut size = 0u64;
    for &digit in &text[at..at + digits] {
        size = size.checked_mul(10)?.checked_add(u64::from(digit - b'0'))?;
    }
    Some((size, at + digits))
}

/// A string value at `at` that the full parser and `to_map` read without
/// trouble: UTF-8 without control characters, and escapes other than
/// surrogates (`\ud800`-`\udfff` must pair up; the full parser checks
/// them). The index after its closing quote.
fn string_value(text: &[u8], at: usize) -> Option<usize> {
    if text.get(at) != Some(&b'"') {
        return None;
    }
    let mut end = at + 1;
    let mut non_ascii = None;
    loop {
        while end < text.len() && PLAIN[usize::from(text[end])] {
            end += 1;
        }
        match *text.get(end)? {
            b'"' => break,
            b'\\' => match *text.get(end + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => end += 2,
                b'u' => {
                    let hex = core::str::from_utf8(text.get(end + 2..end + 6)?).ok()?;
                    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                        return None;
                    }
                    let unit = u16::from_str_radix(hex, 16).ok()?;
                    if (0xd800..=0xdfff).contains(&unit) {
                        return None;
                    }
                    end += 6;
                }
                _ => return None,
            },
            0x00..=0x1f => return None,
            0x80..=0xff => {
                non_ascii.get_or_insert(end);
                end += 1;
            }
            _ => end += 1,
        }
    }
    if let Some(start) = non_ascii {
        core::str::from_utf8(&text[start..end]).ok()?;
    }
    Some(end + 1)
}

/// The index after a plain value at `at`: a string as [`string_value`]
/// reads it, an integer of at most 18 digits, `true`, `false` or `null`.
fn plain_value(text: &[u8], at: usize) -> Option<usize> {
    match text.get(at)? {
        b'"' => string_value(text, at),
        b'-' => plain_digits(text, at + 1, 18).map(|digits| at + 1 + digits),
        b'0'..=b'9' => plain_digits(text, at, 18).map(|digits| at + digits),
        _ => [&b"true"[..], b"false", b"null"]
            .into_iter()
            .find(|word| text[at..].starts_with(word))
            .map(|word| at + word.len()),
    }
}

#[cfg(test)]
mod tests;
