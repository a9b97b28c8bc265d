//! Shape 4, a text line `MSG <len> <topic>\r\n` parsed with nom 8's
//! streaming parsers. The topic (printable ASCII) is the header the caller
//! sees; `Meta` is where it lies in the header.
//!
//! The scan is where to resume the search for `\n`, 0 while the fixed
//! start `MSG <len> ` is incomplete. Until then the start is parsed again on
//! each call (nom cannot resume), at most 24 bytes: bad bytes there are
//! refused as they arrive, and nom's `Incomplete` is the decoder's
//! `Partial`. At most 19 digits (`take_while_m_n`, not `digit1`): the length
//! fits a `u64`, and re-parsing stays bounded whatever a peer sends. Once
//! the `\n` is there, nom parses the whole line once.

use std::ops::Range;

use nom::bytes::streaming::{tag, take_while1, take_while_m_n};
use nom::sequence::{delimited, pair, terminated};
use nom::{Err as NomErr, IResult, Offset, Parser};
use sockframe::{Error, Framing, Head, HeaderBytes, Limits, Needed, Status};

use crate::instruments::Counter;

#[derive(Clone, Debug, Default)]
pub struct TextLine {
    pub counter: Counter,
}

type Parsed<T = Head<Range<usize>>> = Result<Status<T>, Error>;

/// `MSG <len> `, giving the digits.
fn prefix(input: &[u8]) -> IResult<&[u8], &[u8]> {
    let digits = take_while_m_n(1, 19, |b: u8| b.is_ascii_digit());
    delimited(tag("MSG "), digits, tag(" ")).parse(input)
}

/// nom's `Incomplete` is `Partial`; its error, refused where nom stopped.
fn nom_err<T>(e: NomErr<nom::error::Error<&[u8]>>, input: &[u8], offset: u64) -> Parsed<T> {
    match e.map(|e| offset + input.offset(e.input) as u64) {
        NomErr::Incomplete(needed) => Ok(Status::Partial(needed.into())),
        NomErr::Error(at) | NomErr::Failure(at) => Err(Error::invalid_header(at, "bad MSG line")),
    }
}

impl Framing for TextLine {
    type Scan = usize;
    type Meta = Range<usize>;
    type Header<'a> = &'a [u8];
    type OwnedHeader = HeaderBytes;

    fn parse_header(&self, input: &[u8], next: &mut usize, offset: u64, _: &Limits) -> Parsed {
        self.counter.call();
        if *next == 0 {
            self.counter.examine(input.len().min(24));
            *next = match prefix(input) {
                Ok((rest, _)) => input.offset(rest),
                Err(e) => return nom_err(e, input, offset),
            };
        }
        let Some(newline) = input[*next..].iter().position(|&b| b == b'\n') else {
            self.counter.examine(input.len() - *next);
            *next = input.len();
            return Ok(Status::Partial(Needed::at_least(1)));
        };
        let end = *next + newline + 1;
        self.counter.examine(newline + 1 + end); // The search, then nom over the line.
        let topic = take_while1(|b: u8| b.is_ascii_graphic());
        let mut line = terminated(pair(prefix, topic), tag("\r\n"));
        let (digits, topic) = match line.parse(&input[..end]) {
            Ok((_, parsed)) => parsed,
            Err(e) => return nom_err(e, input, offset),
        };
        let len = digits.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0'));
        let head = Head::new(end, len).with_meta(input.offset(topic)..end - 2);
        Ok(Status::Complete(head))
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<Range<usize>>) -> &'a [u8] {
        &header[head.meta.clone()]
    }
}

/// A frame carrying `payload` on `topic`.
pub fn encode(topic: &str, payload: &[u8]) -> Vec<u8> {
    [
        format!("MSG {} {topic}\r\n", payload.len()).as_bytes(),
        payload,
    ]
    .concat()
}
