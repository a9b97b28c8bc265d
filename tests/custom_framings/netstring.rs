//! Shape 5, a trailer after the payload: netstrings, `<len>:<payload>,`.
//! No leading zero except in `0`. A length whose digits already exceed
//! `Limits::max_frame` is refused as soon as those digits arrive, as
//! `Error::FrameTooLong` at the frame's offset (what the decoder reports
//! for an announced length over the limit).

use sockframe::{Encode, Error, Framing, Head, HeaderBuf, Limits, Needed, Status};

use crate::instruments::Counter;

#[derive(Clone, Debug, Default)]
pub struct Netstring {
    pub counter: Counter,
}

impl Framing for Netstring {
    /// Length digits read so far, and their value.
    type Scan = (usize, u64);
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        (read, value): &mut (usize, u64),
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        self.counter.call();
        for (i, &byte) in input.iter().enumerate().skip(*read) {
            self.counter.examine(1);
            let refuse = |why| Err(Error::invalid_header(offset + i as u64, why));
            let digit = match byte {
                b':' if i > 0 => {
                    return Ok(Status::Complete(Head::new(i + 1, *value).with_trailer(1)))
                }
                b'0'..=b'9' if i == 1 && *value == 0 => return refuse("leading zero"),
                b'0'..=b'9' => u64::from(byte - b'0'),
                _ => return refuse("expected a digit or ':'"),
            };
            match value.checked_mul(10).and_then(|v| v.checked_add(digit)) {
                Some(length) if length <= limits.max_frame => *value = length,
                length => {
                    return Err(Error::FrameTooLong {
                        offset,
                        length: length.unwrap_or(u64::MAX),
                        limit: limits.max_frame,
                    })
                }
            }
            *read = i + 1;
        }
        Ok(Status::Partial(Needed::at_least(1)))
    }

    fn header(&self, _: &[u8], _: &Head) {}

    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        match trailer {
            b"," => Ok(()),
            _ => Err(Error::invalid_header(
                offset,
                "expected ',' after the payload",
            )),
        }
    }
}

impl Encode for Netstring {
    type Header = HeaderBuf;

    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        Ok(HeaderBuf::from_slice(format!("{payload_len}:").as_bytes()).expect("at most 21 bytes"))
    }

    fn trailer(&self) -> &[u8] {
        b","
    }
}
