//! How frames are printed: one JSON object per line.

use base64::Engine;
use serde_json::{Map, Value};

/// `{"header": {...}, "body": "..."}`, with `"body_base64"` for a payload
/// that is not UTF-8 and no `"header"` for the length-only framings.
pub fn frame_line(header: Option<Value>, payload: &[u8]) -> String {
    let mut line = Map::new();
    if let Some(header) = header {
        line.insert("header".into(), header);
    }
    match std::str::from_utf8(payload) {
        Ok(text) => line.insert("body".into(), Value::String(text.into())),
        Err(_) => line.insert(
            "body_base64".into(),
            Value::String(base64::engine::general_purpose::STANDARD.encode(payload)),
        ),
    };
    Value::Object(line).to_string()
}
