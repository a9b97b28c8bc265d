//! `encode --input jsonl`: one frame per JSON line, as `decode` prints
//! them: `{"body": "text"}` or `{"body_base64": "..."}`, and for json
//! framings `"header": {...}` with fields to send.

use std::fmt;

use base64::Engine;
use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::ordered::Fields;

/// One input line.
#[derive(Debug, Default)]
pub struct Line {
    pub body: Vec<u8>,
    /// The header's fields, in the order given; `None` without "header".
    pub header: Option<Fields>,
}

impl Line {
    /// Parses one line; the error says what is wrong with it.
    pub fn parse(text: &[u8]) -> Result<Line, String> {
        // The text is one line: serde_json's "at line 1 column N" is the
        // column alone.
        let parsed: Parsed = serde_json::from_slice(text)
            .map_err(|e| e.to_string().replace(" at line 1 column ", " at column "))?;
        let body = match (parsed.body, parsed.body_base64) {
            (Some(text), None) => text.into_bytes(),
            (None, Some(encoded)) => base64::engine::general_purpose::STANDARD
                .decode(encoded.as_bytes())
                .map_err(|e| format!("\"body_base64\" is not base64: {e}"))?,
            (Some(_), Some(_)) => {
                return Err("give \"body\" or \"body_base64\", not both".into());
            }
            (None, None) => {
                return Err("no \"body\" (text) or \"body_base64\" key".into());
            }
        };
        Ok(Line {
            body,
            header: parsed.header,
        })
    }
}

/// The keys of a line, each at most once; no others.
#[derive(Default)]
struct Parsed {
    body: Option<String>,
    body_base64: Option<String>,
    header: Option<Fields>,
}

impl<'de> Deserialize<'de> for Parsed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(ParsedVisitor)
    }
}

struct ParsedVisitor;

impl<'de> Visitor<'de> for ParsedVisitor {
    type Value = Parsed;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(r#"a JSON object such as {"body": "text"}"#)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
        let mut parsed = Parsed::default();
        while let Some(key) = map.next_key::<String>()? {
            let repeated = match key.as_str() {
                "body" => parsed.body.replace(map.next_value()?).is_some(),
                "body_base64" => parsed.body_base64.replace(map.next_value()?).is_some(),
                "header" => parsed.header.replace(map.next_value()?).is_some(),
                other => {
                    return Err(de::Error::custom(format!(
                    "unknown key {other:?} (the keys are \"body\", \"body_base64\" and \"header\")"
                )))
                }
            };
            if repeated {
                return Err(de::Error::custom(format!("key {key:?} given twice")));
            }
        }
        Ok(parsed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let line = Line::parse(br#"{"header": {"b": 1, "a": [2]}, "body": "hi"}"#).unwrap();
        assert_eq!(line.body, b"hi");
        let keys: Vec<String> = line
            .header
            .unwrap()
            .0
            .iter()
            .map(|(k, _)| k.to_owned())
            .collect();
        assert_eq!(keys, ["b", "a"]);
        let line = Line::parse(br#"{"body_base64": "/w=="}"#).unwrap();
        assert_eq!((line.body, line.header), (vec![0xff], None));
        for bad in [
            &br#"{"body": "a", "body_base64": "YQ=="}"#[..],
            br#"{}"#,
            br#"{"bdy": "a"}"#,
            br#"{"body": 5}"#,
            br#"{"body": "a", "header": []}"#,
            br#"{"body": "a", "body": "b"}"#,
            br#"{"body_base64": "!!"}"#,
            br#"["body"]"#,
            br#"{"body": "a"} x"#,
        ] {
            assert!(
                Line::parse(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }
}
