//! Shape 3, a self-delimiting header: an unsigned LEB128 varint of 1 to 10
//! bytes (protobuf's delimited messages). The scan resumes at the next
//! unread byte with the value so far.

use sockframe::{Encode, Error, Framing, Head, HeaderBuf, Limits, Needed, Status};

use crate::instruments::Counter;

#[derive(Clone, Debug, Default)]
pub struct Varint {
    pub counter: Counter,
}

/// Bytes of the varint read so far, and the value they make.
#[derive(Clone, Copy, Debug, Default)]
pub struct VarintScan {
    read: usize,
    value: u64,
}

impl Framing for Varint {
    type Scan = VarintScan;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut VarintScan,
        offset: u64,
        _: &Limits,
    ) -> Result<Status<Head>, Error> {
        self.counter.call();
        for (i, &byte) in input.iter().enumerate().skip(scan.read) {
            self.counter.examine(1);
            let at = offset + i as u64;
            if i == 10 {
                return Err(Error::invalid_header(at, "varint longer than 10 bytes"));
            }
            if i == 9 && byte & 0x7f > 1 {
                return Err(Error::invalid_header(at, "varint overflows a u64"));
            }
            scan.value |= u64::from(byte & 0x7f) << (7 * i);
            scan.read = i + 1;
            if byte & 0x80 == 0 {
                return Ok(Status::Complete(Head::new(i + 1, scan.value)));
            }
        }
        Ok(Status::Partial(Needed::at_least(1)))
    }

    fn header(&self, _: &[u8], _: &Head) {}
}

impl Encode for Varint {
    type Header = HeaderBuf;

    fn encode_header(&self, payload_len: usize) -> Result<HeaderBuf, Error> {
        Ok(HeaderBuf::from_slice(&leb128(payload_len as u64)).expect("at most 10 bytes"))
    }
}

pub fn leb128(mut value: u64) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return out;
        }
        out.push(byte | 0x80);
    }
}
