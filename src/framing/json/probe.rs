//! The body size from any JSON object, through serde_json, and the errors
//! that name what is wrong and where.

use alloc::string::ToString;
use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::{Error, JsonKind};
use crate::limits::Limits;

/// The body size that `text` (the JSON text of a header at stream offset
/// `offset`, after a prefix of `prefix_len` bytes) holds under `key`.
pub(super) fn size(
    text: &[u8],
    key: &str,
    offset: u64,
    prefix_len: usize,
    limits: &Limits,
) -> Result<u64, Error> {
    let text_offset = offset + prefix_len as u64;
    let text = core::str::from_utf8(text).map_err(|e| Error::HeaderNotUtf8 {
        offset: text_offset + e.valid_up_to() as u64,
    })?;
    let at = |e: &serde_json::Error| Error::HeaderNotJson {
        offset: text_offset
            + if e.is_eof() {
                text.len()
            } else {
                byte_offset(text, e.line(), e.column())
            } as u64,
    };
    match text
        .trim_start_matches([' ', '\t', '\n', '\r'])
        .as_bytes()
        .first()
    {
        Some(b'{') => {}
        _ => {
            // Not an object: say what it is, if it is JSON at all.
            let value: Value = serde_json::from_str(text).map_err(|e| at(&e))?;
            return Err(Error::HeaderNotObject {
                offset: text_offset,
                found: kind_of(&value),
            });
        }
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let size = SizeProbe { key }
        .deserialize(&mut deserializer)
        .and_then(|size| deserializer.end().map(|()| size))
        .map_err(|e| at(&e))?;
    match size {
        None => Err(Error::MissingSizeKey {
            offset: text_offset,
            key: key.to_string(),
        }),
        Some(SizeValue::Size(n)) => Ok(n),
        Some(SizeValue::Negative(length)) => Err(Error::NegativeLength { offset, length }),
        Some(SizeValue::Huge) => Err(Error::FrameTooLong {
            offset,
            length: u64::MAX,
            limit: limits.max_frame,
        }),
        Some(SizeValue::Other(found)) => Err(Error::SizeNotInteger {
            offset: text_offset,
            found,
        }),
    }
}

/// Byte offset of a 1-based line and column reported by serde_json.
fn byte_offset(text: &str, line: usize, column: usize) -> usize {
    let line_start = if line <= 1 {
        0
    } else {
        text.match_indices('\n')
            .nth(line - 2)
            .map_or(text.len(), |(i, _)| i + 1)
    };
    (line_start + column.saturating_sub(1)).min(text.len())
}

fn kind_of(value: &Value) -> JsonKind {
    match value {
        Value::Null => JsonKind::Null,
        Value::Bool(_) => JsonKind::Bool,
        Value::Number(n) if n.is_f64() => JsonKind::Float,
        Value::Number(_) => JsonKind::Integer,
        Value::String(_) => JsonKind::String,
        Value::Array(_) => JsonKind::Array,
        Value::Object(_) => JsonKind::Object,
    }
}

/// Finds the size key in a JSON object without building the object.
/// The last occurrence wins, as in Python's `json.loads`.
struct SizeProbe<'k> {
    key: &'k str,
}

enum SizeValue {
    Size(u64),
    Negative(i64),
    Huge,
    Other(JsonKind),
}

impl<'de> DeserializeSeed<'de> for SizeProbe<'_> {
    type Value = Option<SizeValue>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SizeProbe<'_> {
    type Value = Option<SizeValue>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut size = None;
        while let Some(is_size_key) = map.next_key_seed(KeyIs(self.key))? {
            if is_size_key {
                size = Some(map.next_value::<SizeValue>()?);
            } else {
                map.next_value::<AnyValue>()?;
            }
        }
        Ok(size)
    }
}

/// Any JSON value, parsed and dropped. Unlike `IgnoredAny`, which serde_json
/// skips without checking string escapes, number ranges or nesting depth,
/// this accepts exactly what `to_map` can read, so a header the decoder
/// accepts always reaches the application.
struct AnyValue;

impl<'de> Deserialize<'de> for AnyValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(AnyValue)
    }
}

impl<'de> Visitor<'de> for AnyValue {
    type Value = AnyValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_i64<E>(self, _: i64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_u64<E>(self, _: u64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_f64<E>(self, _: f64) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_str<E>(self, _: &str) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_unit<E>(self) -> Result<AnyValue, E> {
        Ok(AnyValue)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<AnyValue, A::Error> {
        while seq.next_element::<AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AnyValue, A::Error> {
        while map.next_entry::<AnyValue, AnyValue>()?.is_some() {}
        Ok(AnyValue)
    }
}

/// Compares a key without allocating it.
struct KeyIs<'k>(&'k str);

impl<'de> DeserializeSeed<'de> for KeyIs<'_> {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIs<'_> {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string key")
    }
    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        Ok(key == self.0)
    }
}

impl<'de> Deserialize<'de> for SizeValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SizeVisitor)
    }
}

struct SizeVisitor;

/// 2^64 as an f64: integers this large reach serde_json's float path.
const TWO_POW_64: f64 = 18_446_744_073_709_551_616.0;

impl<'de> Visitor<'de> for SizeVisitor {
    type Value = SizeValue;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_u64<E>(self, n: u64) -> Result<SizeValue, E> {
        Ok(SizeValue::Size(n))
    }
    fn visit_i64<E>(self, n: i64) -> Result<SizeValue, E> {
        Ok(u64::try_from(n).map_or(SizeValue::Negative(n), SizeValue::Size))
    }
    fn visit_f64<E>(self, n: f64) -> Result<SizeValue, E> {
        Ok(if n >= TWO_POW_64 {
            SizeValue::Huge
        } else if n <= i64::MIN as f64 {
            SizeValue::Negative(i64::MIN)
        } else {
            SizeValue::Other(JsonKind::Float)
        })
    }
    fn visit_bool<E>(self, _: bool) -> Result<SizeValue, E> {
        Ok(SizeValue::Other(JsonKind::Bool))
    }
    fn visit_unit<E>(self) -> Result<SizeValue, E> {
        Ok(SizeValue::Other(JsonKind::Null))
    }
    fn visit_str<E>(self, _: &str) -> Result<SizeValue, E> {
        Ok(SizeValue::Other(JsonKind::String))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<SizeValue, A::Error> {
        while seq.next_element::<AnyValue>()?.is_some() {}
        Ok(SizeValue::Other(JsonKind::Array))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SizeValue, A::Error> {
        while map.next_entry::<AnyValue, AnyValue>()?.is_some() {}
        Ok(SizeValue::Other(JsonKind::Object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_offsets_of_json_errors() {
        assert_eq!(byte_offset("{\n  x", 2, 3), 4);
        assert_eq!(byte_offset("{x", 1, 2), 1);
        assert_eq!(byte_offset("", 1, 0), 0);
    }
}
