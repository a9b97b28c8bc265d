//! Instruments the tests measure with (the checks are the test kit's,
//! `sockframe::testing`): a counter of the bytes a framing examines, a
//! framing that forgets its scan, where an error comes, and one byte at a
//! time through each API while counting.

use std::cell::Cell;
use std::rc::Rc;

use sockframe::io::FrameReader;
use sockframe::testing::{ScriptedReader, Split};
use sockframe::{Decoder, Error, FrameBuffer, Framing, Head, Limits, Status};

/// What a scanning framing reports of its own work: calls to
/// `parse_header` and bytes examined. Clones share the counts, so a test
/// keeps one while the decoder owns a clone of the framing.
#[derive(Clone, Debug, Default)]
pub struct Counter {
    calls: Rc<Cell<usize>>,
    bytes: Rc<Cell<usize>>,
}

impl Counter {
    pub fn call(&self) {
        self.calls.set(self.calls.get() + 1);
    }
    pub fn examine(&self, bytes: usize) {
        self.bytes.set(self.bytes.get() + bytes);
    }
    pub fn calls(&self) -> usize {
        self.calls.get()
    }
    pub fn bytes(&self) -> usize {
        self.bytes.get()
    }
    pub fn reset(&self) {
        self.calls.set(0);
        self.bytes.set(0);
    }
}

/// Feeds `stream` one byte at a time to `Decoder::decode` (taking frames as
/// they complete): how many bytes had been fed when it failed, and the
/// error. Shows an error comes as soon as the offending byte arrives.
pub fn fails_after<F: Framing>(mut decoder: Decoder<F>, stream: &[u8]) -> (usize, Error) {
    let mut pending = Vec::new();
    for (fed, &byte) in stream.iter().enumerate() {
        pending.push(byte);
        loop {
            match decoder.decode(&pending).map(|s| s.map(|(_, used)| used)) {
                Ok(Status::Complete(used)) => drop(pending.drain(..used)),
                Ok(Status::Partial(_)) => break,
                Err(e) => return (fed + 1, e),
            }
        }
    }
    panic!("no error in {} bytes", stream.len())
}

/// Feeds `stream` one byte at a time through `Decoder::decode`,
/// `decode_event`, `FrameBuffer::next_frame` and `FrameReader::read_frame`
/// (taking whatever each hands out, then ending the stream): for each,
/// the bytes the framing examined and its calls, as `counter` (shared with
/// the framing) says.
pub fn examined_one_byte_at_a_time<F: Framing + Clone>(
    framing: &F,
    limits: Limits,
    counter: &Counter,
    stream: &[u8],
) -> Vec<(&'static str, usize, usize)> {
    let decoder = || Decoder::with_limits(framing.clone(), limits);
    let measure = |api: &'static str, run: &dyn Fn()| {
        counter.reset();
        run();
        (api, counter.bytes(), counter.calls())
    };
    vec![
        measure("Decoder::decode", &|| {
            let mut decoder = decoder();
            let mut pending = Vec::new();
            for &byte in stream {
                pending.push(byte);
                while let Ok(Status::Complete(used)) =
                    decoder.decode(&pending).map(|s| s.map(|(_, used)| used))
                {
                    pending.drain(..used);
                }
            }
            let _end = decoder.finish(&pending);
        }),
        measure("Decoder::decode_event", &|| {
            let mut decoder = decoder();
            let mut pending = Vec::new();
            for &byte in stream {
                pending.push(byte);
                while let Ok(Status::Complete(used)) = decoder
                    .decode_event(&pending)
                    .map(|s| s.map(|(_, used)| used))
                {
                    pending.drain(..used);
                }
            }
            let _end = decoder.finish(&pending);
        }),
        measure("FrameBuffer::next_frame", &|| {
            let mut buffer = FrameBuffer::new(decoder());
            for byte in stream.chunks(1) {
                buffer.push(byte);
                while let Ok(Some(_)) = buffer.next_frame() {}
            }
            let _end = buffer.finish();
        }),
        measure("FrameReader::read_frame", &|| {
            let bytewise = Split::bytewise();
            let source = ScriptedReader::new(stream, &bytewise);
            let mut reader = FrameReader::with_decoder(source, decoder());
            while let Ok(Some(_)) = reader.read_frame() {}
        }),
    ]
}

/// `F` with its scan thrown away after every call: a framing that rescans
/// its header from the start each time, to show what the counter would
/// catch.
#[derive(Clone)]
pub struct Forgetful<F>(pub F);

impl<F: Framing> Framing for Forgetful<F> {
    type Scan = ();
    type Meta = F::Meta;
    type Header<'a> = F::Header<'a>;
    type OwnedHeader = F::OwnedHeader;

    fn parse_header(
        &self,
        input: &[u8],
        _: &mut (),
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head<F::Meta>>, Error> {
        self.0
            .parse_header(input, &mut F::Scan::default(), offset, limits)
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<F::Meta>) -> F::Header<'a> {
        self.0.header(header, head)
    }

    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        self.0.check_trailer(trailer, offset)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.0.max_header_len(limits)
    }
}
