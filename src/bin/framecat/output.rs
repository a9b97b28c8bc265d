//! How frames are printed: one JSON object per line.

use base64::Engine;
use serde_json::Value;

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
