//! Shape 2, a prefix plus a variable part, with a field the caller sees:
//! `[u8 name_len][name][u32 BE payload length]`. The name (printable
//! ASCII, at least one byte) is the header; where it lies is recorded in
//! `Head::meta` once, so handing the frame out parses nothing again.

use std::ops::Range;

use sockframe::{Error, Framing, Head, HeaderBytes, Limits, Needed, Status};

#[derive(Clone, Copy, Debug, Default)]
pub struct Named;

impl Framing for Named {
    /// Name bytes already checked.
    type Scan = usize;
    /// Where the name lies in the header.
    type Meta = Range<usize>;
    type Header<'a> = &'a [u8];
    type OwnedHeader = HeaderBytes;

    fn parse_header(
        &self,
        input: &[u8],
        checked: &mut usize,
        offset: u64,
        _: &Limits,
    ) -> Result<Status<Head<Range<usize>>>, Error> {
        let Some(&name_len) = input.first() else {
            return Ok(Status::Partial(Needed::at_least(1)));
        };
        if name_len == 0 {
            return Err(Error::invalid_header(offset, "empty name"));
        }
        let name = 1..1 + usize::from(name_len);
        let arrived = &input[..input.len().min(name.end)];
        for (at, byte) in arrived.iter().enumerate().skip((*checked).max(1)) {
            if !byte.is_ascii_graphic() {
                return Err(Error::invalid_header(
                    offset + at as u64,
                    "name byte is not printable ASCII",
                ));
            }
        }
        *checked = arrived.len();
        let header_len = name.end + 4;
        match input.get(name.end..header_len) {
            Some(&[a, b, c, d]) => {
                let payload_len = u32::from_be_bytes([a, b, c, d]).into();
                Ok(Status::Complete(
                    Head::new(header_len, payload_len).with_meta(name),
                ))
            }
            _ => Ok(Status::Partial(Needed::at_least(header_len - input.len()))),
        }
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<Range<usize>>) -> &'a [u8] {
        &header[head.meta.clone()]
    }
}

/// A frame carrying `payload` under `name`.
pub fn encode(name: &[u8], payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    [&[name.len() as u8][..], name, &len, payload].concat()
}
