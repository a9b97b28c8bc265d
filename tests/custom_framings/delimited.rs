//! Shape 6, frames ended by a delimiter (any non-empty byte string) instead
//! of an announced length. The "header" is found at the delimiter:
//! `Head::new(0, payload_len).with_trailer(delimiter_len)`. The scan keeps
//! the first position where a delimiter may still start, so a delimiter
//! split across calls is found and nothing before it is examined again.

use sockframe::{Encode, Error, Framing, Head, HeaderBuf, Limits, Needed, Status};

use crate::instruments::Counter;

#[derive(Clone, Debug)]
pub struct Delimited {
    pub delimiter: Vec<u8>,
    pub counter: Counter,
}

impl Framing for Delimited {
    /// Where a delimiter may start: none starts before.
    type Scan = usize;
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        next: &mut usize,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        self.counter.call();
        let d = self.delimiter.len();
        loop {
            // Refused at the byte that makes the payload longer than allowed.
            if *next as u64 > limits.max_frame {
                return Err(Error::FrameTooLong {
                    offset,
                    length: *next as u64,
                    limit: limits.max_frame,
                });
            }
            let here = &input[*next..input.len().min(*next + d)];
            let matched = here
                .iter()
                .zip(&self.delimiter)
                .take_while(|(a, b)| a == b)
                .count();
            self.counter.examine((matched + 1).min(here.len()));
            if matched == d {
                return Ok(Status::Complete(Head::new(0, *next as u64).with_trailer(d)));
            }
            if matched == here.len() {
                // The input ends inside what may be a delimiter.
                return Ok(Status::Partial(Needed::at_least(d - matched)));
            }
            *next += 1;
        }
    }

    fn header(&self, _: &[u8], _: &Head) {}

    /// The whole frame is the "header" until the delimiter is found.
    fn max_header_len(&self, limits: &Limits) -> usize {
        usize::try_from(limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(self.delimiter.len())
    }
}

impl Encode for Delimited {
    type Header = HeaderBuf;

    fn encode_header(&self, _: usize) -> Result<HeaderBuf, Error> {
        Ok(HeaderBuf::from_array([]))
    }

    fn trailer(&self) -> &[u8] {
        &self.delimiter
    }
}

impl Delimited {
    pub fn new(delimiter: &[u8]) -> Self {
        Delimited {
            delimiter: delimiter.to_vec(),
            counter: Counter::default(),
        }
    }
}
