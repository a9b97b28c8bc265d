//! Option values: parsed when the arguments are, so that a bad value is a
//! usage error (exit 2) with clap's message.

use std::time::Duration;

use sockframe::{Ascii, Binary};

/// Bytes given as a string with escapes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bytes(pub Vec<u8>);

/// `--separator`: any string with escapes, empty allowed.
pub fn escaped(text: &str) -> Result<Bytes, String> {
    unescape(text).map(Bytes)
}

/// `--delimiter`: a string with escapes, not empty.
pub fn delimiter(text: &str) -> Result<Bytes, String> {
    let bytes = unescape(text)?;
    if bytes.is_empty() {
        return Err("the delimiter must not be empty".into());
    }
    Ok(Bytes(bytes))
}

/// The escapes `\n` `\r` `\t` `\\` and `\xHH` (one raw byte); other
/// characters stand for their UTF-8 bytes.
pub fn unescape(text: &str) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(text.len());
    let mut chars = text.char_indices();
    while let Some((at, c)) = chars.next() {
        if c != '\\' {
            let mut utf8 = [0; 4];
            out.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            continue;
        }
        let escape = chars.next().map(|(_, c)| c);
        match escape {
            Some('n') => out.push(b'\n'),
            Some('r') => out.push(b'\r'),
            Some('t') => out.push(b'\t'),
            Some('\\') => out.push(b'\\'),
            Some('x') => {
                let hex: String = chars.by_ref().take(2).map(|(_, c)| c).collect();
                let byte = (hex.len() == 2)
                    .then(|| u8::from_str_radix(&hex, 16).ok())
                    .flatten()
                    .ok_or_else(|| {
                        format!("\\x at character {at} needs two hex digits, as in \\x0a")
                    })?;
                out.push(byte);
            }
            Some(other) => {
                return Err(format!(
                    "unknown escape \\{other} at character {at} (the escapes are \\n \\r \\t \\\\ \\xHH)"
                ))
            }
            None => {
                return Err("a lone \\ at the end (write \\\\ for a backslash)".to_owned())
            }
        }
    }
    Ok(out)
}

/// `--timeout`: a positive, finite number of seconds.
pub fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .trim()
        .parse()
        .map_err(|_| "not a number of seconds".to_owned())?;
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| "must be a positive number of seconds".to_owned())
}

/// `--struct-format`: a Python struct format naming one integer.
pub fn struct_format(text: &str) -> Result<Binary, String> {
    Binary::from_struct_format(text).map_err(|e| e.to_string())
}

/// `--digits`: an ASCII length width.
pub fn digits(text: &str) -> Result<Ascii, String> {
    let width: usize = text
        .trim()
        .parse()
        .map_err(|_| "not a whole number".to_owned())?;
    Ascii::with_width(width).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(unescape(r"\n").unwrap(), b"\n");
        assert_eq!(unescape(r"a\r\n\tb\\").unwrap(), b"a\r\n\tb\\");
        assert_eq!(unescape(r"\x00\xFFz").unwrap(), b"\x00\xffz");
        assert_eq!(unescape("é").unwrap(), "é".as_bytes());
        assert_eq!(unescape("").unwrap(), b"");
        for bad in [r"\", r"\q", r"\x", r"\x4", r"\xg0", r"ab\"] {
            assert!(unescape(bad).is_err(), "{bad:?}");
        }
        assert!(delimiter("").is_err());
        assert!(escaped("").is_ok());
    }

    #[test]
    fn timeouts() {
        assert_eq!(seconds("0.5"), Ok(Duration::from_millis(500)));
        for bad in ["0", "-1", "nan", "inf", "x", ""] {
            assert!(seconds(bad).is_err(), "{bad:?}");
        }
    }
}
