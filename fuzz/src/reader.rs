//! The blocking [`FrameReader`] over a scripted source that returns short
//! reads, `Interrupted`, `WouldBlock` and `TimedOut` where the script says.

use std::io::{self, Read, Write};

use arbitrary::Arbitrary;
use sockframe::io::{frame_error, FrameReader};
use sockframe::{Error, Limits, Skipped};

use super::drive::{max_header_len, Decoded, Subject};
use super::model::ModelFrame;

/// What one `read` call on the source does.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadStep {
    /// Returns at most this many bytes (at least 1 while any are left).
    Bytes(u16),
    /// Fails with `Interrupted`: the reader must retry by itself.
    Interrupted,
    /// Fails with `WouldBlock`: the reader returns it, losing nothing.
    WouldBlock,
    /// Fails with `TimedOut`, as a socket with a read timeout does.
    TimedOut,
}

/// A source that follows a script of [`ReadStep`]s, cycling through it.
#[derive(Debug)]
pub struct ScriptedSource<'a> {
    data: &'a [u8],
    at: usize,
    script: &'a [ReadStep],
    next: usize,
}

impl<'a> ScriptedSource<'a> {
    /// `data` read as `script` says; a script without any `Bytes` step
    /// reads everything at once.
    pub fn new(data: &'a [u8], script: &'a [ReadStep]) -> Self {
        let script = if script.iter().any(|s| matches!(s, ReadStep::Bytes(_))) {
            script
        } else {
            &[ReadStep::Bytes(u16::MAX)]
        };
        ScriptedSource {
            data,
            at: 0,
            script,
            next: 0,
        }
    }
}

impl Read for ScriptedSource<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let step = self.script[self.next % self.script.len()];
        self.next += 1;
        let kind = match step {
            ReadStep::Bytes(n) => {
                let n = usize::from(n)
                    .max(1)
                    .min(buf.len())
                    .min(self.data.len() - self.at);
                buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
                self.at += n;
                return Ok(n);
            }
            ReadStep::Interrupted => io::ErrorKind::Interrupted,
            ReadStep::WouldBlock => io::ErrorKind::WouldBlock,
            ReadStep::TimedOut => io::ErrorKind::TimedOut,
        };
        Err(io::Error::new(kind, "scripted"))
    }
}

/// A destination that takes at most `max` bytes per `write`, and fails
/// every third `write` with `Interrupted` (to be retried by the reader).
struct ShortWriter {
    max: usize,
    taken: Vec<u8>,
    writes: usize,
}

impl Write for ShortWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.writes = (self.writes + 1) % 3;
        if self.writes == 0 {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "scripted"));
        }
        let n = buf.len().min(self.max);
        self.taken.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// How the next frame is taken from the reader.
#[derive(Arbitrary, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadMode {
    /// `read_frame`, borrowed.
    Frame,
    /// `read_frame_owned`.
    Owned,
    /// `read_header`, then `read_body` into a buffer of `1 + n % 64` bytes.
    Body(u8),
    /// `read_header`, then `copy_body_to` a writer taking `1 + n % 64`
    /// bytes per write (and interrupted every third write).
    Copy(u8),
    /// `skip_frame`: only the payload length comes back.
    Skip,
    /// `skip_frames`: a batch, only its totals come back.
    SkipBatch,
}

/// `WouldBlock` and `TimedOut` are for the caller to retry; anything else
/// the reader returns must carry a sockframe error of the right kind.
fn classify(error: io::Error) -> Option<Error> {
    if matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    ) {
        return None;
    }
    let inner = frame_error(&error)
        .unwrap_or_else(|| panic!("an io error without a sockframe error: {error}"))
        .clone();
    let kind = match inner {
        Error::UnexpectedEof { .. } => io::ErrorKind::UnexpectedEof,
        _ => io::ErrorKind::InvalidData,
    };
    assert_eq!(error.kind(), kind, "{inner}");
    Some(inner)
}

/// Retries `call` while it fails with `WouldBlock`/`TimedOut`; a bounded
/// number of times, since the script always gets to a `Bytes` step.
fn retrying<T>(budget: &mut usize, mut call: impl FnMut() -> io::Result<T>) -> Result<T, Error> {
    loop {
        match call() {
            Ok(value) => return Ok(value),
            Err(e) => {
                if let Some(error) = classify(e) {
                    return Err(error);
                }
                *budget = budget.checked_sub(1).expect("the reader made no progress");
            }
        }
    }
}

/// Reads `stream` through a [`FrameReader`] fed by `script`, taking each
/// frame as `modes` says (cycling), and checks on the way that memory stays
/// bounded and that errors are sticky. Frames taken by [`ReadMode::Skip`]
/// and [`ReadMode::SkipBatch`] are listed apart, as (index of the first,
/// totals), with an empty placeholder per frame in `frames`.
pub fn via_reader<S: Subject>(
    framing: &S,
    limits: Limits,
    stream: &[u8],
    script: &[ReadStep],
    modes: &[ReadMode],
    read_chunk: usize,
) -> (Decoded, Vec<(usize, Skipped)>) {
    let source = ScriptedSource::new(stream, script);
    let mut reader = FrameReader::with_limits(source, framing.clone(), limits)
        .with_read_chunk(read_chunk.max(1));
    let bound = usize::try_from(limits.max_frame)
        .unwrap_or(usize::MAX)
        .saturating_add(max_header_len(&framing.layout(), &limits))
        .saturating_add(reader.read_chunk());
    // Every failed read consumes a script step; a cycle always reads.
    let mut budget = (script.len() + 1) * (stream.len() + 2) * 4;
    let modes = if modes.is_empty() {
        &[ReadMode::Frame][..]
    } else {
        modes
    };
    let mut frames = Vec::new();
    let mut skipped = Vec::new();
    let end = loop {
        let mode = modes[frames.len() % modes.len()];
        let next = match mode {
            ReadMode::Frame => retrying(&mut budget, || {
                Ok(reader.read_frame()?.map(|frame| {
                    let payload_len = frame.payload().len() as u64;
                    ModelFrame {
                        header: framing.header_text(frame.header(), payload_len),
                        payload: frame.payload().to_vec(),
                    }
                }))
            }),
            ReadMode::Owned => retrying(&mut budget, || reader.read_frame_owned()).map(|frame| {
                frame.map(|frame| ModelFrame {
                    header: framing.owned_header_text(&frame.header, frame.payload.len() as u64),
                    payload: frame.payload,
                })
            }),
            ReadMode::Skip | ReadMode::SkipBatch => {
                let before = reader.decoder().offset();
                let batch = retrying(&mut budget, || {
                    if mode == ReadMode::Skip {
                        let one = reader.skip_frame()?;
                        assert!(
                            one.is_none_or(|one| one.frames == 1),
                            "skip_frame skips one frame"
                        );
                        Ok(one)
                    } else {
                        reader.skip_frames()
                    }
                });
                match batch {
                    Ok(Some(batch)) => {
                        assert!(batch.frames > 0, "an empty batch");
                        assert_eq!(reader.decoder().offset() - before, batch.stream_bytes);
                        skipped.push((frames.len(), batch));
                        for _ in 1..batch.frames {
                            frames.push(ModelFrame {
                                header: None,
                                payload: Vec::new(),
                            });
                        }
                        // The last placeholder goes in below.
                        Ok(Some(ModelFrame {
                            header: None,
                            payload: Vec::new(),
                        }))
                    }
                    Ok(None) => Ok(None),
                    Err(e) => Err(e),
                }
            }
            ReadMode::Body(n) | ReadMode::Copy(n) => streamed(
                framing,
                &mut reader,
                &mut budget,
                mode,
                1 + usize::from(n) % 64,
            ),
        };
        assert!(
            reader.buffer().capacity() <= bound,
            "reader buffer over {bound}"
        );
        match next {
            Ok(Some(frame)) => {
                assert!(frame.payload.len() as u64 <= limits.max_frame);
                frames.push(frame);
            }
            Ok(None) => {
                // The end stays the end.
                let again = retrying(&mut budget, || Ok(reader.read_frame()?.is_none()));
                assert_eq!(again, Ok(true), "the end did not stay the end");
                break Ok(());
            }
            Err(error) => {
                match reader.read_frame() {
                    Err(again) => assert_eq!(frame_error(&again), Some(&error), "sticky"),
                    Ok(_) => panic!("{error} was not sticky"),
                }
                assert_eq!(reader.decoder().error(), Some(&error));
                break Err(error);
            }
        }
    };
    (Decoded { frames, end }, skipped)
}

/// `read_header`, then the body by `read_body` or `copy_body_to`.
fn streamed<S: Subject, R: Read>(
    framing: &S,
    reader: &mut FrameReader<R, S>,
    budget: &mut usize,
    mode: ReadMode,
    piece: usize,
) -> Result<Option<ModelFrame>, Error> {
    let head = retrying(budget, || {
        Ok(reader
            .read_header()?
            .map(|(header, body_len)| (framing.header_text(&header, body_len), body_len)))
    })?;
    let Some((header, body_len)) = head else {
        return Ok(None);
    };
    assert_eq!(reader.body_remaining(), Some(body_len));
    let mut payload = Vec::new();
    match mode {
        ReadMode::Body(_) => {
            let mut buf = vec![0; piece];
            loop {
                let n = retrying(budget, || reader.read_body(&mut buf))?;
                if n == 0 {
                    break;
                }
                payload.extend_from_slice(&buf[..n]);
                // Once complete, the reader steps past the body's end.
                let due = body_len - payload.len() as u64;
                let expected = if due == 0 { None } else { Some(due) };
                assert_eq!(reader.body_remaining(), expected);
            }
        }
        _ => {
            let mut out = ShortWriter {
                max: piece,
                taken: Vec::new(),
                writes: 0,
            };
            // A WouldBlock in the middle loses nothing: what `out` took
            // stays taken, the rest is still due.
            loop {
                match reader.copy_body_to(&mut out) {
                    Ok(_) => break,
                    Err(e) => {
                        if let Some(error) = classify(e) {
                            return Err(error);
                        }
                        *budget = budget.checked_sub(1).expect("no progress");
                        let due = body_len - out.taken.len() as u64;
                        assert_eq!(reader.body_remaining(), Some(due));
                    }
                }
            }
            payload = out.taken;
        }
    }
    assert_eq!(payload.len() as u64, body_len);
    Ok(Some(ModelFrame { header, payload }))
}
