//! JSON values that keep their keys in the order written: what the encoder
//! spells headers from and what [`JsonFields`] hands out, so that key order
//! needs no crate feature (serde_json's `preserve_order` would turn on for
//! every `serde_json` in a user's build).

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Number, Value};

use crate::error::JsonKind;

/// A JSON value whose objects keep their keys in order.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Ordered {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Ordered>),
    Object(Vec<(String, Ordered)>),
}

impl Ordered {
    pub(super) fn kind(&self) -> JsonKind {
        match self {
            Ordered::Null => JsonKind::Null,
            Ordered::Bool(_) => JsonKind::Bool,
            Ordered::Number(n) if n.is_f64() => JsonKind::Float,
            Ordered::Number(_) => JsonKind::Integer,
            Ordered::String(_) => JsonKind::String,
            Ordered::Array(_) => JsonKind::Array,
            Ordered::Object(_) => JsonKind::Object,
        }
    }

    /// As a `serde_json::Value` (nested objects in its `Map`'s order).
    pub(super) fn into_value(self) -> Value {
        match self {
            Ordered::Null => Value::Null,
            Ordered::Bool(b) => Value::Bool(b),
            Ordered::Number(n) => Value::Number(n),
            Ordered::String(s) => Value::String(s),
            Ordered::Array(items) => {
                Value::Array(items.into_iter().map(Ordered::into_value).collect())
            }
            Ordered::Object(fields) => Value::Object(
                fields
                    .into_iter()
                    .map(|(key, value)| (key, value.into_value()))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Ordered {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(OrderedVisitor)
    }
}

struct OrderedVisitor;

impl<'de> Visitor<'de> for OrderedVisitor {
    type Value = Ordered;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_unit<E>(self) -> Result<Ordered, E> {
        Ok(Ordered::Null)
    }
    fn visit_bool<E>(self, b: bool) -> Result<Ordered, E> {
        Ok(Ordered::Bool(b))
    }
    fn visit_u64<E>(self, n: u64) -> Result<Ordered, E> {
        Ok(Ordered::Number(n.into()))
    }
    fn visit_i64<E>(self, n: i64) -> Result<Ordered, E> {
        Ok(Ordered::Number(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<Ordered, E> {
        // JSON has no NaN or infinity: serde_json never hands one over.
        Ok(Number::from_f64(n).map_or(Ordered::Null, Ordered::Number))
    }
    fn visit_str<E>(self, s: &str) -> Result<Ordered, E> {
        Ok(Ordered::String(s.into()))
    }
    fn visit_string<E>(self, s: String) -> Result<Ordered, E> {
        Ok(Ordered::String(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Ordered, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Ordered::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered, A::Error> {
        let mut fields = Vec::new();
        while let Some(entry) = map.next_entry()? {
            fields.push(entry);
        }
        Ok(Ordered::Object(fields))
    }
}

/// A header's fields in the order received, each value a
/// `serde_json::Value`: see [`JsonHeader::fields`](super::JsonHeader::fields).
///
/// Serializes as a JSON object in the same order, so that fields read
/// from one header can be sent on in another, byte for byte.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JsonFields(Vec<(String, Value)>);

impl JsonFields {
    /// The value of `key`: the last one, if repeated (as Python's
    /// `json.loads` keeps it).
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Keys and values, in the order received.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The number of fields.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `true` for `{}`.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The fields, in order.
    pub fn into_vec(self) -> Vec<(String, Value)> {
        self.0
    }
}

impl From<Vec<(String, Value)>> for JsonFields {
    fn from(fields: Vec<(String, Value)>) -> Self {
        JsonFields(fields)
    }
}

impl FromIterator<(String, Value)> for JsonFields {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(fields: I) -> Self {
        JsonFields(fields.into_iter().collect())
    }
}

impl<'de> Deserialize<'de> for JsonFields {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct FieldsVisitor;
        impl<'de> Visitor<'de> for FieldsVisitor {
            type Value = JsonFields;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JsonFields, A::Error> {
                let mut fields = Vec::new();
                while let Some((key, value)) = map.next_entry::<String, Ordered>()? {
                    fields.push((key, value.into_value()));
                }
                Ok(JsonFields(fields))
            }
        }
        deserializer.deserialize_map(FieldsVisitor)
    }
}

impl Serialize for JsonFields {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl core::ops::Index<&str> for JsonFields {
    type Output = Value;
    /// The value of `key`, or `Value::Null` if there is none (as
    /// `serde_json::Value` indexes).
    fn index(&self, key: &str) -> &Value {
        static NULL: Value = Value::Null;
        self.get(key).unwrap_or(&NULL)
    }
}
