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

mod flat;
mod header;
mod ordered;
mod probe;
mod writer;

use alloc::borrow::Cow;
use alloc::string::ToString;
use alloc::vec::Vec;

use serde::Serialize;

pub use header::{JsonHeader, OwnedJsonHeader};
pub use ordered::JsonFields;

use super::binary::Binary;
use super::{Encode, Framing, Head};
use crate::error::Error;
use crate::limits::Limits;
use crate::status::{Needed, Status};
use ordered::Ordered;
use writer::{write_decimal, write_string, write_value};

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
        // Through JSON text, so that the fields keep the order they
        // serialize in (a struct's, a map's) without serde_json's
        // `preserve_order`.
        let text = serde_json::to_vec(fields).map_err(|_| Error::HeaderFieldsNotSerializable)?;
        let mut fields = match serde_json::from_slice::<Ordered>(&text) {
            Ok(Ordered::Object(fields)) => fields,
            Ok(other) => {
                return Err(Error::HeaderFieldsNotObject {
                    found: other.kind(),
                })
            }
            Err(_) => return Err(Error::HeaderFieldsNotSerializable),
        };
        // As Python's `header[key] = size`: in place if present, else last.
        let size = Ordered::Number((payload_len as u64).into());
        match fields
            .iter_mut()
            .rev()
            .find(|(key, _)| *key == *self.size_key)
        {
            Some((_, value)) => *value = size,
            None => fields.push((self.size_key.to_string(), size)),
        }
        let mut out = self.prefix_placeholder();
        write_value(&Ordered::Object(fields), self.style, &mut out);
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

impl Framing for Json {
    type Scan = ();
    type Meta = ();
    type Header<'a> = JsonHeader<'a>;
    type OwnedHeader = OwnedJsonHeader;

    fn parse_header(
        &self,
        input: &[u8],
        _scan: &mut (),
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        let width = self.prefix.width().bytes();
        let Some(prefix) = input.get(..width) else {
            return Ok(Status::Partial(Needed::at_least(width - input.len())));
        };
        let length = self.prefix.read_len(prefix, offset)?;
        let limit = limits.max_header as u64;
        let header_len = match usize::try_from(length)
            .ok()
            .and_then(|l| l.checked_add(width))
        {
            Some(header_len) if length <= limit => header_len,
            _ => {
                return Err(Error::HeaderTooLong {
                    offset,
                    length,
                    limit,
                })
            }
        };
        let Some(header) = input.get(..header_len) else {
            return Ok(Status::Partial(Needed::at_least(header_len - input.len())));
        };
        let text = &header[width..];
        let payload_len = match flat::flat_size(text, &self.size_key) {
            Some(size) => size,
            None => probe::size(text, &self.size_key, offset, width, limits)?,
        };
        Ok(Status::Complete(Head::new(header_len, payload_len)))
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head) -> JsonHeader<'a> {
        JsonHeader {
            text: &header[self.prefix.width().bytes()..],
            body_len: head.payload_len,
        }
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.prefix
            .width()
            .bytes()
            .saturating_add(limits.max_header)
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

#[cfg(test)]
mod tests {
    use super::*;

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
            assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
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
}
