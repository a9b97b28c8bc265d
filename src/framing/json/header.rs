//! The caller's view of a JSON header: the text as received, parsed on
//! demand.

use alloc::string::String;
use alloc::vec::Vec;

use serde::Deserialize;
use serde_json::{Map, Value};

use super::JsonFields;
use crate::framing::ToOwnedHeader;

/// A decoded JSON header, borrowed from the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct JsonHeader<'a> {
    pub(super) text: &'a [u8],
    pub(super) body_len: u64,
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

    /// Every field of the header, in the order received (which can be
    /// sent on as it is: `JsonFields` serializes in that order).
    ///
    /// ```
    /// use sockframe::{Decoder, Json, Status};
    ///
    /// let text = br#"{"file_name": "a.txt", "md5": "x", "file_size": 0}"#;
    /// let mut wire = (text.len() as i32).to_le_bytes().to_vec();
    /// wire.extend_from_slice(text);
    /// let mut decoder = Decoder::new(Json::new().with_size_key(Json::FILE_SIZE));
    /// let Status::Complete((frame, _)) = decoder.decode(&wire)? else { panic!() };
    /// let fields = frame.header().fields()?;
    /// let keys: Vec<&str> = fields.iter().map(|(key, _)| key).collect();
    /// assert_eq!(keys, ["file_name", "md5", "file_size"]);
    /// assert_eq!(fields["file_name"], "a.txt");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fields(&self) -> Result<JsonFields, serde_json::Error> {
        serde_json::from_slice(self.text)
    }

    /// Every key of the header, as a `serde_json::Map`: in that map's
    /// order, which is sorted unless a build turns on serde_json's
    /// `preserve_order` (sockframe does not). [`fields`](Self::fields)
    /// keeps the order received.
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

    /// The JSON text as received.
    pub fn as_str(&self) -> &str {
        self.as_header().as_str()
    }

    /// The body size the header announced.
    pub fn body_len(&self) -> u64 {
        self.body_len
    }

    /// Every field of the header, in the order received (see
    /// [`JsonHeader::fields`]).
    pub fn fields(&self) -> Result<JsonFields, serde_json::Error> {
        self.as_header().fields()
    }

    /// Every key of the header (see [`JsonHeader::to_map`]).
    pub fn to_map(&self) -> Result<Map<String, Value>, serde_json::Error> {
        self.as_header().to_map()
    }

    /// The header as your own type.
    pub fn deserialize<'a, T: Deserialize<'a>>(&'a self) -> Result<T, serde_json::Error> {
        serde_json::from_slice(&self.text)
    }
}

impl ToOwnedHeader for JsonHeader<'_> {
    type Owned = OwnedJsonHeader;
    fn to_owned_header(&self) -> OwnedJsonHeader {
        self.to_owned()
    }
}
