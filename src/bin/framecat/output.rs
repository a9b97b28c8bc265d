//! How frames are printed: JSON lines, raw payloads, or a hex dump.

use std::io::{self, Write};

use base64::Engine;
use serde_json::Value;

use crate::args::OutputFormat;
use crate::plural::count;

/// Prints frames one after another in one format, keeping the stream
/// offset for the hex dump.
pub struct Printer {
    format: OutputFormat,
    separator: Vec<u8>,
    /// Stream offset of the next frame.
    offset: u64,
    /// Frames printed.
    frames: u64,
}

impl Printer {
    /// `separator` is written after each payload with `raw`.
    pub fn new(format: OutputFormat, separator: Vec<u8>) -> Self {
        Printer {
            format,
            separator,
            offset: 0,
            frames: 0,
        }
    }

    /// Prints one frame: `raw` is the whole frame as on the wire, `payload`
    /// a part of it.
    pub fn print(
        &mut self,
        out: &mut impl Write,
        header_json: Option<&str>,
        raw: &[u8],
        payload: &[u8],
    ) -> io::Result<()> {
        match self.format {
            OutputFormat::Jsonl => writeln!(out, "{}", frame_line(header_json, payload))?,
            OutputFormat::Raw => {
                out.write_all(payload)?;
                out.write_all(&self.separator)?;
            }
            OutputFormat::Hex => self.hex(out, raw, payload)?,
        }
        self.frames += 1;
        self.offset += raw.len() as u64;
        Ok(())
    }

    /// The frame's headline, then header, payload and trailer as rows of
    /// `hexdump -C`, each row starting with its stream offset.
    fn hex(&self, out: &mut impl Write, raw: &[u8], payload: &[u8]) -> io::Result<()> {
        // The payload lies within the raw frame: where, by address.
        let start = (payload.as_ptr() as usize)
            .checked_sub(raw.as_ptr() as usize)
            .filter(|start| start + payload.len() <= raw.len())
            .unwrap_or(raw.len() - payload.len());
        let (header, rest) = raw.split_at(start);
        let trailer = &rest[payload.len()..];
        let mut headline = format!(
            "frame {} at offset {}: header {}, payload {}",
            self.frames + 1,
            self.offset,
            count(header.len() as u64, "byte"),
            count(payload.len() as u64, "byte"),
        );
        if !trailer.is_empty() {
            headline.push_str(&format!(
                ", trailer {}",
                count(trailer.len() as u64, "byte")
            ));
        }
        writeln!(out, "{headline}")?;
        let mut at = self.offset;
        for (label, part) in [
            ("header", header),
            ("payload", payload),
            ("trailer", trailer),
        ] {
            if part.is_empty() {
                if label == "payload" {
                    writeln!(out, "{label:<8} (empty)")?;
                }
                continue;
            }
            for row in part.chunks(16) {
                writeln!(out, "{label:<8} {}", hex_row(at, row))?;
                at += row.len() as u64;
            }
        }
        Ok(())
    }
}

/// One row of `hexdump -C`: offset, up to 16 bytes in hex (a gap after
/// the eighth), the bytes as ASCII with `.` for the rest.
fn hex_row(offset: u64, row: &[u8]) -> String {
    let mut line = format!("{offset:08x} ");
    for i in 0..16 {
        if i == 8 {
            line.push(' ');
        }
        match row.get(i) {
            Some(byte) => line.push_str(&format!(" {byte:02x}")),
            None => line.push_str("   "),
        }
    }
    line.push_str("  |");
    line.extend(row.iter().map(|&b| {
        if b.is_ascii_graphic() || b == b' ' {
            char::from(b)
        } else {
            '.'
        }
    }));
    line.push('|');
    line
}

/// `{"header": {...}, "body": "..."}`, with `"body_base64"` for a payload
/// that is not UTF-8 and no `"header"` for the length-only framings. The
/// header is the JSON text as received, so its keys keep their order.
pub fn frame_line(header: Option<&str>, payload: &[u8]) -> String {
    let mut line = String::from("{");
    if let Some(header) = header {
        line.push_str("\"header\": ");
        // Valid JSON has raw line breaks only between tokens: spaces there
        // keep it one line.
        line.extend(header.trim().chars().map(|c| match c {
            '\n' | '\r' => ' ',
            c => c,
        }));
        line.push_str(", ");
    }
    let (key, body) = match std::str::from_utf8(payload) {
        Ok(text) => ("body", Value::String(text.into())),
        Err(_) => (
            "body_base64",
            Value::String(base64::engine::general_purpose::STANDARD.encode(payload)),
        ),
    };
    line.push_str(&format!("\"{key}\": {body}}}"));
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_as_hexdump_shows_them() {
        assert_eq!(
            hex_row(0x10, b"hello, world\n\0\xff~"),
            "00000010  68 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 ff 7e  |hello, world...~|"
        );
        assert_eq!(
            hex_row(4, b"hi"),
            "00000004  68 69                                             |hi|"
        );
    }
}
