//! JSON header: a length prefix, a JSON object naming the body size, the body.
//!
//! ```text
//! +----+----+----+----+---------------------------+------------------+
//! | 10 | 00 | 00 | 00 | {"data_size": 5}          |  h  e  l  l  o   |
//! +----+----+----+----+---------------------------+------------------+
//!   header length H      H bytes: a UTF-8 JSON       body: N bytes,
//!   (struct 'i')         object                      N = header["data_size"]
//! ```
//!
//! The peer writes `struct.pack('i', len(hb)) + hb + body` with
//! `hb = json.dumps(header).encode()`. The prefix takes every [`Binary`]
//! option; the size key is `data_size` unless configured (`file_size` is the
//! other common one). The decoder reads only the size from the header (no
//! allocation); the whole object is there on demand, as a map or as your own
//! `Deserialize` type.

use alloc::borrow::Cow;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::decoder::{Frame, Framing, Head, OwnedFrame};
use crate::encoder::Encode;
use crate::error::{Error, JsonKind};
use crate::framing::binary::Binary;
use crate::limits::Limits;

/// How the encoder spells JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum JsonStyle {
    /// As Python's `json.dumps` with default arguments: `", "` and `": "`
    /// separators, non-ASCII escaped as `\uXXXX`. Byte-for-byte what a
    /// Python peer sends, except that floats may be spelled differently.
    #[default]
    Python,
    /// No spaces, UTF-8 as is.
    Compact,
}

/// The JSON header framing.
///
/// ```
/// use sockframe::{Decoder, Encode, Json, Status};
///
/// let wire = Json::new().encode_to_vec(b"hello")?;
/// assert_eq!(wire, b"\x10\0\0\0{\"data_size\": 5}hello");
///
/// let mut decoder = Decoder::new(Json::new());
/// assert!(decoder.decode(&wire[..10])?.is_partial());
/// let Status::Complete((frame, used)) = decoder.decode(&wire)? else { panic!() };
/// assert_eq!(frame.payload(), b"hello");
/// assert_eq!(frame.header().to_map()?["data_size"], 5);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Json {
    prefix: Binary,
    size_key: Cow<'static, str>,
    style: JsonStyle,
}

impl Json {
    /// The usual size key for command output.
    pub const DATA_SIZE: &'static str = "data_size";
    /// The usual size key for file transfer.
    pub const FILE_SIZE: &'static str = "file_size";

    /// `struct.pack('i', …)` prefix, `data_size` key, Python spelling.
    pub const fn new() -> Self {
        Json {
            prefix: Binary::I32_LE,
            size_key: Cow::Borrowed(Self::DATA_SIZE),
            style: JsonStyle::Python,
        }
    }

    /// Sets the key holding the body size (decoding and encoding).
    #[must_use]
    pub fn with_size_key(mut self, key: impl Into<Cow<'static, str>>) -> Self {
        self.size_key = key.into();
        self
    }

    /// Sets the header-length prefix layout (decoding and encoding).
    #[must_use]
    pub const fn with_prefix(mut self, prefix: Binary) -> Self {
        self.prefix = prefix;
        self
    }

    /// Sets how headers are spelled (encoding only).
    #[must_use]
    pub const fn with_style(mut self, style: JsonStyle) -> Self {
        self.style = style;
        self
    }

    /// The key holding the body size.
    pub fn size_key(&self) -> &str {
        &self.size_key
    }

    /// The header-length prefix layout.
    pub const fn prefix(&self) -> Binary {
        self.prefix
    }

    /// Encodes a header of `fields` (any `Serialize` type that is a JSON
    /// object: a map, a struct) with the size key set to `payload_len`.
    ///
    /// ```
    /// use sockframe::Json;
    /// use serde_json::json;
    ///
    /// let json = Json::new().with_size_key(Json::FILE_SIZE);
    /// let header = json.encode_header_with(&json!({"file_name": "a.txt", "file_size": 0}), 3)?;
    /// assert_eq!(&header[4..], br#"{"file_name": "a.txt", "file_size": 3}"#);
    /// # Ok::<(), sockframe::Error>(())
    /// ```
    pub fn encode_header_with<T: Serialize + ?Sized>(
        &self,
        fields: &T,
        payload_len: usize,
    ) -> Result<Vec<u8>, Error> {
        let mut map = match serde_json::to_value(fields) {
            Ok(Value::Object(map)) => map,
            Ok(other) => {
                return Err(Error::HeaderFieldsNotObject {
                    found: kind_of(&other),
                })
            }
            Err(_) => return Err(Error::HeaderFieldsNotSerializable),
        };
        map.insert(self.size_key.to_string(), Value::from(payload_len as u64));
        let mut out = self.prefix_placeholder();
        write_value(&Value::Object(map), self.style, &mut out);
        self.finish_header(out)
    }

    /// Appends a whole frame: a header of `fields` plus the size, then `payload`.
    pub fn encode_with_into<T: Serialize + ?Sized>(
        &self,
        fields: &T,
        payload: &[u8],
        out: &mut Vec<u8>,
    ) -> Result<(), Error> {
        let header = self.encode_header_with(fields, payload.len())?;
        out.extend_from_slice(&header);
        out.extend_from_slice(payload);
        Ok(())
    }

    fn prefix_placeholder(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        out.resize(self.prefix.width().bytes(), 0);
        out
    }

    /// Writes the header length into the placeholder.
    fn finish_header(&self, mut out: Vec<u8>) -> Result<Vec<u8>, Error> {
        let width = self.prefix.width().bytes();
        let length = (out.len() - width) as u64;
        let max = self.prefix.max_len();
        if length > max {
            return Err(Error::HeaderTooLong {
                offset: 0,
                length,
                limit: max,
            });
        }
        self.prefix.write_len(length, &mut out[..width]);
        Ok(out)
    }
}

impl Default for Json {
    fn default() -> Self {
        Self::new()
    }
}

/// A decoded JSON header, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonHeader<'a> {
    text: &'a [u8],
    body_len: u64,
}

impl<'a> JsonHeader<'a> {
    /// The JSON text as received (valid UTF-8, a JSON object).
    pub fn as_bytes(&self) -> &'a [u8] {
        self.text
    }

    /// The JSON text as received.
    pub fn as_str(&self) -> &'a str {
        // Validated when the header was parsed.
        core::str::from_utf8(self.text).unwrap_or_default()
    }

    /// The body size the header announced.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Every key of the header, in the order received.
    pub fn to_map(&self) -> Result<Map<String, Value>, serde_json::Error> {
        serde_json::from_slice(self.text)
    }

    /// The header as your own type.
    pub fn deserialize<T: Deserialize<'a>>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(self.text)
    }

    /// An owned copy.
    pub fn to_owned(&self) -> OwnedJsonHeader {
        OwnedJsonHeader {
            text: self.text.to_vec(),
            body_len: self.body_len,
        }
    }
}

impl<'a> Frame<'a, JsonHeader<'a>> {
    /// Copies the frame out of the input.
    pub fn to_owned(&self) -> OwnedFrame<OwnedJsonHeader> {
        OwnedFrame {
            header: self.header().to_owned(),
            payload: self.payload().to_vec(),
        }
    }
}

/// A decoded JSON header that owns its text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct OwnedJsonHeader {
    text: Vec<u8>,
    body_len: u64,
}

impl OwnedJsonHeader {
    /// A borrowed view, with all the accessors of [`JsonHeader`].
    pub fn as_header(&self) -> JsonHeader<'_> {
        JsonHeader {
            text: &self.text,
            body_len: self.body_len,
        }
    }

    /// Every key of the header, in the order received.
    pub fn to_map(&self) -> Result<Map<String, Value>, serde_json::Error> {
        self.as_header().to_map()
    }
}

impl Framing for Json {
    type Header<'a> = JsonHeader<'a>;
    type OwnedHeader = OwnedJsonHeader;

    fn to_owned_header(header: &JsonHeader<'_>) -> OwnedJsonHeader {
        header.to_owned()
    }

    fn prefix_len(&self) -> usize {
        self.prefix.width().bytes()
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.prefix_len().saturating_add(limits.max_header)
    }

    fn parse_prefix(&self, prefix: &[u8], offset: u64, limits: &Limits) -> Result<Head, Error> {
        let length = self.prefix.read_len(prefix, offset)?;
        let limit = limits.max_header as u64;
        match usize::try_from(length)
            .ok()
            .and_then(|l| l.checked_add(prefix.len()))
        {
            Some(header_len) if length <= limit => Ok(Head::NeedsRest { header_len }),
            _ => Err(Error::HeaderTooLong {
                offset,
                length,
                limit,
            }),
        }
    }

    fn parse_rest(&self, header: &[u8], offset: u64, limits: &Limits) -> Result<u64, Error> {
        let text_offset = offset + self.prefix_len() as u64;
        let text = &header[self.prefix_len()..];
        if let Some(size) = flat_size(text, &self.size_key) {
            return Ok(size);
        }
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
        let size = SizeProbe {
            key: &self.size_key,
        }
        .deserialize(&mut deserializer)
        .and_then(|size| deserializer.end().map(|()| size))
        .map_err(|e| at(&e))?;
        match size {
            None => Err(Error::MissingSizeKey {
                offset: text_offset,
                key: self.size_key.to_string(),
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

    fn header<'a>(&self, header: &'a [u8], body_len: u64) -> JsonHeader<'a> {
        JsonHeader {
            text: &header[self.prefix_len()..],
            body_len,
        }
    }
}

impl Encode for Json {
    type Header = Vec<u8>;

    /// The header `{"<size key>": payload_len}`.
    fn encode_header(&self, payload_len: usize) -> Result<Vec<u8>, Error> {
        let mut out = self.prefix_placeholder();
        out.push(b'{');
        write_string(&self.size_key, self.style, &mut out);
        out.extend_from_slice(match self.style {
            JsonStyle::Python => b": ",
            JsonStyle::Compact => b":",
        });
        write_decimal(payload_len as u64, &mut out);
        out.push(b'}');
        self.finish_header(out)
    }
}

/// The body size from a flat header as Python peers write them,
/// `{"data_size": 5}` or `{"file_name": "a.txt", "file_size": 5, "md5":
/// "..."}`, read without serde_json: JSON whitespace anywhere, keys of
/// printable ASCII without escapes, string values as [`string_value`] reads
/// them, integers of at most 18 digits, `true`, `false`, `null`, and the
/// size key holding a non-negative integer that fits a u64 (the last one,
/// if repeated, as in Python).
/// `None` for anything else, which takes the full parser; on the headers
/// this accepts, that parser finds the same size and nothing to refuse.
fn flat_size(text: &[u8], key: &str) -> Option<u64> {
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
static PLAIN: [bool; 256] = {
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

/// Writes `value` as JSON in the given style.
fn write_value(value: &Value, style: JsonStyle, out: &mut Vec<u8>) {
    let (item_sep, key_sep): (&[u8], &[u8]) = match style {
        JsonStyle::Python => (b", ", b": "),
        JsonStyle::Compact => (b",", b":"),
    };
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(n) => out.extend_from_slice(n.to_string().as_bytes()),
        Value::String(s) => write_string(s, style, out),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(item_sep);
                }
                write_value(item, style, out);
            }
            out.push(b']');
        }
        Value::Object(map) => {
            out.push(b'{');
            for (i, (key, item)) in map.iter().enumerate() {
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
fn write_decimal(mut n: u64, out: &mut Vec<u8>) {
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
fn write_string(s: &str, style: JsonStyle, out: &mut Vec<u8>) {
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

    /// Found by fuzzing: values skipped with `IgnoredAny` were not checked,
    /// so these headers were accepted and then `to_map` failed on them.
    #[test]
    fn headers_to_map_cannot_read_are_refused() {
        let deep = alloc::format!(
            r#"{{"a": {}{}, "data_size": 0}}"#,
            "[".repeat(127),
            "]".repeat(127)
        );
        let cases: [(&str, u64); 4] = [
            (r#"{"a": "\ud800", "data_size": 0}"#, 13),
            (r#"{"a": 1e400, "data_size": 0}"#, 10),
            (r#"{"data_size": [1e400]}"#, 19),
            (&deep, 132),
        ];
        for (text, at) in cases {
            let mut wire = (text.len() as i32).to_le_bytes().to_vec();
            wire.extend_from_slice(text.as_bytes());
            let mut decoder = crate::Decoder::new(Json::new());
            assert_eq!(
                decoder.decode(&wire).err(),
                Some(Error::HeaderNotJson { offset: 4 + at }),
                "{text}"
            );
            assert!(serde_json::from_str::<Value>(text).is_err());
        }
        // A surrogate pair is fine.
        let text = r#"{"a": "\ud83d\ude00", "data_size": 0}"#;
        let mut wire = (text.len() as i32).to_le_bytes().to_vec();
        wire.extend_from_slice(text.as_bytes());
        let mut decoder = crate::Decoder::new(Json::new());
        let Ok(crate::Status::Complete((frame, _))) = decoder.decode(&wire) else {
            panic!("{text}");
        };
        assert_eq!(frame.header().to_map().unwrap()["a"], "\u{1f600}");
    }

    #[test]
    fn byte_offsets_of_json_errors() {
        assert_eq!(byte_offset("{\n  x", 2, 3), 4);
        assert_eq!(byte_offset("{x", 1, 2), 1);
        assert_eq!(byte_offset("", 1, 0), 0);
    }
}
