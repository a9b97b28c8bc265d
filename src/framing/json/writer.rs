//! Writes JSON headers as Python's `json.dumps` spells them, or compactly.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::flat::PLAIN;
use super::ordered::Ordered;
use super::JsonStyle;

/// Writes `value` as JSON in the given style, keys in their order.
pub(super) fn write_value(value: &Ordered, style: JsonStyle, out: &mut Vec<u8>) {
    let (item_sep, key_sep): (&[u8], &[u8]) = match style {
        JsonStyle::Python => (b", ", b": "),
        JsonStyle::Compact => (b",", b":"),
    };
    match value {
        Ordered::Null => out.extend_from_slice(b"null"),
        Ordered::Bool(true) => out.extend_from_slice(b"true"),
        Ordered::Bool(false) => out.extend_from_slice(b"false"),
        Ordered::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Ordered::String(s) => write_string(s, style, out),
        Ordered::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(item_sep);
                }
                write_value(item, style, out);
            }
            out.push(b']');
        }
        Ordered::Object(fields) => {
            out.push(b'{');
            for (i, (key, item)) in fields.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(item_sep);
                }
                write_string(key, style, out);
                out.extend_from_slice(key_sep);
                write_value(item, style, out);
            }
            out.push(b'}');
        }
    }
}

/// Writes `n` in decimal, as `to_string` would, without allocating.
pub(super) fn write_decimal(mut n: u64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// Writes a JSON string; in Python style every character outside
/// `' '..='~'` is escaped, as `json.dumps(ensure_ascii=True)` does.
pub(super) fn write_string(s: &str, style: JsonStyle, out: &mut Vec<u8>) {
    if s.bytes().all(|b| PLAIN[usize::from(b)]) {
        // Nothing to escape in either style (the usual key): copy it whole.
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        return;
    }
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let escape_non_ascii = style == JsonStyle::Python;
    out.push(b'"');
    for c in s.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            '\u{8}' => out.extend_from_slice(b"\\b"),
            '\u{c}' => out.extend_from_slice(b"\\f"),
            ' '..='~' => out.push(c as u8),
            c if c < ' ' || escape_non_ascii => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.extend_from_slice(b"\\u");
                    for shift in [12, 8, 4, 0] {
                        out.push(HEX[usize::from((*unit >> shift) & 0xf)]);
                    }
                }
            }
            c => {
                let mut utf8 = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            }
        }
    }
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_spelling_of_strings() {
        let mut out = Vec::new();
        write_string("a\"\\\n\u{1}\u{7f}é你😀", JsonStyle::Python, &mut out);
        // What Python's json.dumps writes for the same string.
        assert_eq!(
            out,
            br#""a\"\\\n\u0001\u007f\u00e9\u4f60\ud83d\ude00""#.to_vec()
        );
        out.clear();
        write_string("é\u{1}", JsonStyle::Compact, &mut out);
        assert_eq!(out, "\"é\\u0001\"".as_bytes());
    }
}
