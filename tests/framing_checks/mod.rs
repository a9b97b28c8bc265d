//! Checks shared by the tests of the built-in framings whose header is
//! `()` (tests/varint.rs, tests/netstring.rs). Every decoding API is
//! driven by the test kit, `sockframe::testing`; what is here chooses the
//! splits and adds what the kit does not check:
//!
//! - [`check_stream`]: a stream through every decoding API, cut in two at
//!   every point, fed one byte at a time and whole, and read 7 bytes at a
//!   time, each API yielding the expected payloads and ending the same way;
//! - [`decoded`] and [`fails_after`]: what every API makes of a stream,
//!   and after how many bytes, fed one at a time, an error came;
//! - [`Resumes`] and [`check_resumes`]: a framing wrapper that hides the
//!   bytes a scan has seen and counts calls, so that tests can show a scan
//!   never needs a byte twice, in any API, and is called O(n) times;
//! - [`check_writers`] and [`check_datagrams`]: the encoding side.
#![allow(dead_code)] // Each test file uses its own part.

use std::cell::Cell;
use std::fmt::Debug;
use std::io::{self, IoSlice, Write};
use std::rc::Rc;

use proptest::test_runner::{Config as ProptestConfig, FileFailurePersistence};
use sockframe::io::udp::DatagramFramer;
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::testing::{self, check_apis_agree_with, Options, ScriptedReader, Split, Take};
use sockframe::{Encode, Error, Framing, Head, Limits, OwnedFrame, Status};

/// Property-test settings: `default_cases` unless `PROPTEST_CASES` says
/// otherwise, failures recorded in `proptest-regressions/<file>.txt` as
/// the other property tests do.
pub fn property_config(default_cases: u32, regressions: &'static str) -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = default_cases;
    }
    config.failure_persistence = Some(Box::new(FileFailurePersistence::Direct(regressions)));
    config
}

/// Payloads decoded, in order.
pub type Payloads = Vec<Vec<u8>>;
/// What every API yielded and how the stream ended: `Ok` at a frame
/// boundary, or the (sticky) error, after every frame before it.
pub type Outcome = (Payloads, Result<(), Error>);

/// Frames of a framing whose header is `()`.
pub fn frames(payloads: &[Vec<u8>]) -> Vec<OwnedFrame> {
    payloads
        .iter()
        .map(|payload| OwnedFrame {
            header: (),
            payload: payload.clone(),
        })
        .collect()
}

/// What every decoding API makes of `stream` under `limits`
/// (`max_streamed_body` set to `max_frame`), fed whole: the payloads and
/// the end.
pub fn decoded<F>(framing: &F, limits: Limits, stream: &[u8]) -> Outcome
where
    F: Framing<OwnedHeader = ()> + Clone,
{
    let decoded = testing::check_apis_agree(framing, limits, stream, &Split::whole());
    let payloads = decoded.frames.into_iter().map(|f| f.payload).collect();
    (payloads, decoded.end)
}

/// The splits [`check_stream`] runs: whole, one byte at a time, and cut in
/// two at every point of a short stream; of a long one, at every point
/// within 24 bytes of a frame boundary (where headers and trailers lie)
/// and every 997th.
pub fn every_split(len: usize, wire_lens: &[u64]) -> Vec<Split> {
    let mut bounds = vec![0];
    for &n in wire_lens {
        bounds.push(bounds[bounds.len() - 1] + n as usize);
    }
    let mut splits = vec![Split::whole(), Split::bytewise()];
    splits.extend(
        (0..=len)
            .filter(|c| {
                len <= 1024
                    || c % 997 == 0
                    || *c == len
                    || bounds.iter().any(|b| c.abs_diff(*b) <= 24)
            })
            .map(|cut| Split::at(&[cut])),
    );
    splits
}

/// A stream that yields `expected` and then ends as `end` says, through
/// every decoding API ([`testing::check_stream`]: `Decoder`, `FrameBuffer`
/// and `FrameReader`, errors sticky, counts and offsets adding up,
/// datagrams), under every split of [`every_split`]; and read whole by
/// `FrameReader`s reading 7 bytes at a time, so that frames larger than a
/// read are skipped by streaming them through and bodies read past what is
/// buffered, with the ways of reading mixed in one stream.
///
/// Every API runs with `max_streamed_body` set to `max_frame`.
pub fn check_stream<F>(
    framing: &F,
    limits: Limits,
    stream: &[u8],
    expected: &[Vec<u8>],
    end: Result<(), Error>,
) where
    F: Framing<OwnedHeader = ()> + Clone,
{
    let expected = frames(expected);
    testing::check_stream(
        framing,
        limits,
        stream,
        &expected,
        end.clone(),
        &Split::whole(),
    );
    let options = Options {
        read_chunk: Some(7),
        takes: vec![
            Take::Body(7),
            Take::Frame,
            Take::Skip,
            Take::Copy(3),
            Take::SkipBatch,
            Take::Discard,
            Take::Owned,
        ],
        ..Options::default()
    };
    let small_reads = check_apis_agree_with(framing, limits, stream, &Split::whole(), &options);
    assert_eq!(
        (&small_reads.whole.frames, &small_reads.whole.end),
        (&expected, &end),
        "7-byte reads"
    );
    for split in every_split(stream.len(), &small_reads.whole.wire_lens) {
        testing::check_stream(framing, limits, stream, &expected, end.clone(), &split);
    }
}

/// Feeds `stream` one byte at a time to every decoding API under `limits`
/// as given (`max_frame` and `max_streamed_body` apart): how many bytes
/// had been fed when `Decoder::decode` failed, and the error. Shows an
/// error comes as soon as the offending byte arrives.
#[track_caller]
pub fn fails_after<F>(framing: &F, limits: Limits, stream: &[u8]) -> (usize, Error)
where
    F: Framing<OwnedHeader = ()> + Clone,
{
    let options = Options {
        limits_apart: true,
        ..Options::default()
    };
    let decoded =
        check_apis_agree_with(framing, limits, stream, &Split::bytewise(), &options).whole;
    // The piece ends stop before the piece where the error came.
    let fed = decoded.piece_ends.len() + 1;
    match decoded.end {
        Err(error) if fed <= stream.len() => (fed, error),
        end => panic!("no error in {} bytes: {end:?}", stream.len()),
    }
}

/// A framing that shows its scan resumes: every byte an earlier call saw
/// (one that answered `Partial`) is replaced by `poison` before the inner
/// framing gets the input again, so a framing that read a byte twice
/// would answer differently; and calls are counted.
#[derive(Clone, Debug)]
pub struct Resumes<F> {
    pub inner: F,
    pub poison: u8,
    pub calls: Rc<Cell<usize>>,
}

impl<F> Resumes<F> {
    pub fn new(inner: F, poison: u8) -> Self {
        Resumes {
            inner,
            poison,
            calls: Rc::default(),
        }
    }
}

/// The inner scan, and how many bytes of the header earlier calls saw.
#[derive(Clone, Debug, Default)]
pub struct ResumeScan<S> {
    inner: S,
    seen: usize,
}

/// More than any header of the framings tested here (netstring: 21).
const HEADER_WINDOW: usize = 64;

impl<F: Framing> Framing for Resumes<F> {
    type Scan = ResumeScan<F::Scan>;
    type Meta = F::Meta;
    type Header<'a> = F::Header<'a>;
    type OwnedHeader = F::OwnedHeader;

    fn parse_header(
        &self,
        input: &[u8],
        scan: &mut Self::Scan,
        offset: u64,
        limits: &Limits,
    ) -> Result<Status<Head<F::Meta>>, Error> {
        self.calls.set(self.calls.get() + 1);
        assert!(
            input.len() >= scan.seen,
            "the decoder passed fewer bytes than before"
        );
        let window = input.len().min(scan.seen.max(1) + HEADER_WINDOW);
        let mut hidden = input[..window].to_vec();
        hidden[..scan.seen].fill(self.poison);
        let status = self
            .inner
            .parse_header(&hidden, &mut scan.inner, offset, limits)?;
        if let Status::Partial(_) = status {
            assert_eq!(window, input.len(), "a header longer than the window");
            scan.seen = input.len();
        }
        Ok(status)
    }

    fn header<'a>(&self, header: &'a [u8], head: &Head<F::Meta>) -> F::Header<'a> {
        self.inner.header(header, head)
    }

    fn check_trailer(&self, trailer: &[u8], offset: u64) -> Result<(), Error> {
        self.inner.check_trailer(trailer, offset)
    }

    fn max_header_len(&self, limits: &Limits) -> usize {
        self.inner.max_header_len(limits)
    }
}

/// Feeds `stream` one byte at a time through every decoding API (the test
/// kit's) with the framing wrapped in [`Resumes`]: each must give what the
/// plain framing gives over the whole stream. Then counts the calls to
/// `parse_header` of a `FrameReader` reading one byte per read, frames
/// whole (`frames`, over `decode`) and streamed (`read_header` then
/// `discard_body`, over `decode_event`): at most one per byte read, one
/// more per frame taken (the call that completes a frame is followed by
/// one on the next frame's bytes), and the sticky error or `finish` at the
/// end. Returns the most calls either made.
pub fn check_resumes<F>(framing: &F, poison: u8, limits: Limits, stream: &[u8]) -> usize
where
    F: Framing<OwnedHeader = ()> + Clone,
{
    let want = testing::check_apis_agree(framing, limits, stream, &Split::whole());
    let wrapped = Resumes::new(framing.clone(), poison);
    testing::check_stream(
        &wrapped,
        limits,
        stream,
        &want.frames,
        want.end.clone(),
        &Split::bytewise(),
    );
    let one_byte = Split::bytewise();
    let reader = || {
        let source = ScriptedReader::new(stream, &one_byte);
        FrameReader::with_limits(source, wrapped.clone(), limits)
    };
    let mut most = 0;
    for api in ["frames", "read_header then discard_body"] {
        wrapped.calls.set(0);
        let mut reader = reader();
        let mut taken = 0;
        let end = if api == "frames" {
            reader
                .frames()
                .try_for_each(|frame| frame.map(|_| taken += 1))
        } else {
            (|| {
                while reader.read_header()?.is_some() {
                    reader.discard_body()?;
                    taken += 1;
                }
                Ok(())
            })()
        };
        assert_eq!(
            (taken, end.map_err(|e| frame_error(&e).cloned())),
            (want.frames.len(), want.end.clone().map_err(Some)),
            "FrameReader, {api}, with seen bytes hidden"
        );
        let calls = wrapped.calls.get();
        let bound = stream.len() + taken + 2;
        assert!(
            calls <= bound,
            "{api}: {calls} calls for {} bytes",
            stream.len()
        );
        most = most.max(calls);
    }
    most
}

/// A writer that records what each `write_vectored` call was given (the
/// non-empty slices, with their addresses) and takes at most `max` bytes
/// per call.
pub struct Recorder {
    pub bytes: Vec<u8>,
    pub calls: Vec<Vec<(usize, Vec<u8>)>>,
    pub max: usize,
}

impl Recorder {
    pub fn new(max: usize) -> Self {
        Recorder {
            bytes: Vec::new(),
            calls: Vec::new(),
            max,
        }
    }
}

impl Write for Recorder {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_vectored(&[IoSlice::new(buf)])
    }

    fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let parts: Vec<(usize, Vec<u8>)> = bufs
            .iter()
            .filter(|b| !b.is_empty())
            .map(|b| (b.as_ptr() as usize, b.to_vec()))
            .collect();
        let all: Vec<u8> = parts.iter().flat_map(|(_, b)| b.clone()).collect();
        let n = all.len().min(self.max);
        self.bytes.extend_from_slice(&all[..n]);
        self.calls.push(parts);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes `payloads` with `FrameWriter::write_frame` (unbuffered: header,
/// payload and trailer in one vectored write, the payload not copied;
/// buffered; into a writer taking 3 bytes a call) and with
/// `write_frame_from`; each writes exactly the frames `encode_to_vec`
/// builds, which read back, one byte per read, through every decoding API
/// (the test kit's), to the payloads.
pub fn check_writers<F>(framing: &F, payloads: &[Vec<u8>])
where
    F: Framing<OwnedHeader = ()> + Encode + Clone + Debug,
{
    let wire: Vec<u8> = payloads
        .iter()
        .flat_map(|p| framing.encode_to_vec(p).expect("encodable"))
        .collect();

    let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
    for payload in payloads {
        writer.write_frame(payload).unwrap();
    }
    writer.flush().unwrap();
    let recorder = writer.into_inner().unwrap();
    assert_eq!(recorder.bytes, wire, "FrameWriter::new");
    assert_eq!(recorder.calls.len(), payloads.len(), "one write per frame");
    for (call, payload) in recorder.calls.iter().zip(payloads) {
        let header = framing.encode_header(payload.len()).unwrap();
        let mut want = vec![header.as_ref().to_vec()];
        if !payload.is_empty() {
            want.push(payload.clone());
        }
        if !framing.trailer().is_empty() {
            want.push(framing.trailer().to_vec());
        }
        let got: Vec<Vec<u8>> = call.iter().map(|(_, b)| b.clone()).collect();
        assert_eq!(got, want, "header, payload and trailer as separate slices");
    }
    // The payload went out from the caller's memory, not from a copy.
    for payload in payloads.iter().filter(|p| !p.is_empty()) {
        let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
        writer.write_frame(payload).unwrap();
        let recorder = writer.into_inner().unwrap();
        let addresses: Vec<usize> = recorder.calls[0].iter().map(|(a, _)| *a).collect();
        assert!(
            addresses.contains(&(payload.as_ptr() as usize)),
            "the payload was copied"
        );
    }

    for (how, limit) in [("buffered", None), ("trickle", Some(3))] {
        let mut writer = match limit {
            None => FrameWriter::buffered(Recorder::new(usize::MAX), framing.clone()),
            Some(max) => FrameWriter::new(Recorder::new(max), framing.clone()),
        };
        for payload in payloads {
            writer.write_frame(payload).unwrap();
        }
        writer.flush().unwrap();
        assert_eq!(
            writer.into_inner().unwrap().bytes,
            wire,
            "FrameWriter, {how}"
        );
    }

    let mut writer = FrameWriter::new(Recorder::new(usize::MAX), framing.clone());
    for payload in payloads {
        writer
            .write_frame_from(payload.len() as u64, &mut &payload[..])
            .unwrap();
    }
    writer.flush().unwrap();
    assert_eq!(
        writer.into_inner().unwrap().bytes,
        wire,
        "FrameWriter::write_frame_from"
    );

    // Written, then read back.
    testing::check_stream(
        framing,
        Limits::new(),
        &wire,
        &frames(payloads),
        Ok(()),
        &Split::bytewise(),
    );
}

/// Each payload as one datagram: `DatagramFramer::encode` gives the frame
/// `encode_to_vec` builds; and the test kit decodes each such frame alone
/// as a datagram, to the payload, and refuses it cut short by one byte or
/// with one byte too many (the datagram checks of
/// [`testing::check_stream`]).
pub fn check_datagrams<F>(framing: &F, payloads: &[Vec<u8>])
where
    F: Framing<OwnedHeader = ()> + Encode + Clone,
{
    let mut framer = DatagramFramer::new(framing.clone());
    let mut stream = Vec::new();
    for payload in payloads {
        let datagram = framer.encode(payload).unwrap().to_vec();
        assert_eq!(datagram, framing.encode_to_vec(payload).unwrap());
        stream.extend(datagram);
    }
    testing::check_stream(
        framing,
        Limits::new(),
        &stream,
        &frames(payloads),
        Ok(()),
        &Split::whole(),
    );
}
