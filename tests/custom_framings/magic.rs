//! Shape 1, a fixed-size prefix: two magic bytes `CA FE`, then a big-endian
//! `u16` payload length.

use sockframe::{Encode, Error, Framing, Head, HeaderBuf, Limits, Needed, Status};

pub const MAGIC: [u8; 2] = [0xCA, 0xFE];

#[derive(Clone, Copy, Debug, Default)]
pub struct Magic;

impl Framing for Magic {
    type Scan = ();
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        _: &mut (),
        offset: u64,
        _: &Limits,
    ) -> Result<Status<Head>, Error> {
        // Each magic byte is checked as it arrives.
        if let Some(at) = input.iter().zip(MAGIC).position(|(&got, want)| got != want) {
            return Err(Error::invalid_header(offset + at as u64, "bad magic byte"));
        }
        match input.get(..4) {
            Some(&[_, _, hi, lo]) => Ok(Status::Complete(Head::new(
                4,
                u16::from_be_bytes([hi, lo]).into(),
            ))),
            _ => Ok(Status::Partial(Needed::at_least(4 - input.len()))),
        }
    }

    fn header(&self, _: &[u8], _: &Head) {}
}

impl Encode for Magic {
    type Header = HeaderBuf;

    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        let len = u16::try_from(payload_len).map_err(|_| Error::PayloadTooLong {
            length: payload_len as u64,
            max: u16::MAX.into(),
        })?;
        let [hi, lo] = len.to_be_bytes();
        Ok(HeaderBuf::from_array([MAGIC[0], MAGIC[1], hi, lo]))
    }
}
