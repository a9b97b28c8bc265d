//! The `FrameReader` APIs over a [`ScriptedReader`], retrying where the
//! split makes a read fail with `WouldBlock` or `TimedOut`.

use std::fmt::Debug;
use std::io::{self, Write};

use crate::io::{frame_error, FrameReader};
use crate::{Error, Framing, Skipped, ToOwnedHeader};

use super::drivers::{ensure, Api, Harness, Place, Run, Seen};
use super::options::Take;
use super::reader::ScriptedReader;
use super::split::Split;

/// What a reader API took: a frame, or a batch of frames skipped.
enum Taken<H> {
    Frame(Seen<H>),
    Batch(Skipped),
}

/// The API a [`Take`] calls, and its size: the `read_body` buffer, or
/// what the `copy_body_to` writer takes per write (0: the defaults, 7 bytes
/// and a `Vec`).
fn call_of(take: Take) -> (Api, usize) {
    match take {
        Take::Frame => (Api::ReadFrame, 0),
        Take::Owned => (Api::ReadFrameOwned, 0),
        Take::Body(n) => (Api::ReadBody, n.max(1)),
        Take::Copy(n) => (Api::CopyBody, n.max(1)),
        Take::Discard => (Api::DiscardBody, 0),
        Take::Skip => (Api::SkipFrame, 0),
        Take::SkipBatch => (Api::SkipFrames, 0),
    }
}

/// A destination that takes at most `max` bytes per `write` and fails
/// every third `write` with `Interrupted` (`max` 0: takes everything and
/// never fails).
struct Short {
    max: usize,
    taken: Vec<u8>,
    writes: usize,
}

impl Write for Short {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.max == 0 {
            self.taken.extend_from_slice(buf);
            return Ok(buf.len());
        }
        self.writes = (self.writes + 1) % 3;
        if self.writes == 0 {
            return Err(io::Error::new(
                io::ErrorKind::Interrupted,
                "sockframe::testing: a write interrupted",
            ));
        }
        let n = buf.len().min(self.max);
        self.taken.extend_from_slice(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<F> Harness<'_, F>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    pub(crate) fn run_reader(&self, api: Api, stream: &[u8], split: &Split) -> Run<F::OwnedHeader> {
        let place = self.place(api.name(), split);
        let source = ScriptedReader::new(stream, split);
        let read_chunk = self.options.read_chunk.unwrap_or(api.read_chunk()).max(1);
        let mut reader =
            FrameReader::with_decoder(source, self.decoder()).with_read_chunk(read_chunk);
        // How each frame is taken: by `api`, or in turn as the options say.
        let calls: Vec<(Api, usize)> = if api == Api::Takes {
            self.options.takes.iter().copied().map(call_of).collect()
        } else {
            vec![(api, 0)]
        };
        let bound = usize::try_from(self.limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(self.framing.max_header_len(&self.limits))
            .saturating_add(self.largest_trailer)
            .saturating_add(reader.read_chunk());
        // Every failed read uses a step; every round of steps reads a byte.
        let mut budget = (split.steps().len() + 1)
            .saturating_mul(stream.len() + 2)
            .saturating_mul(4);
        let mut run = Run::new(api);
        loop {
            let index = run.count();
            let (call, size) = calls[index as usize % calls.len()];
            let before = reader.decoder().offset();
            let next = self.read_one(&place, index, (call, size), &mut reader, &mut budget);
            let capacity = reader.buffer().capacity();
            ensure!(
                place,
                index,
                capacity <= bound,
                "the reader's buffer holds {capacity} bytes, over max_frame + max_header_len + \
                 trailer + the read chunk = {bound}"
            );
            let wire = reader.decoder().offset() - before;
            match next {
                Ok(Some(Taken::Frame(mut seen))) => {
                    ensure!(
                        place,
                        index,
                        seen.wire_len.is_none_or(|w| w == wire),
                        "a {:?}-byte frame moved the offset by {wire}",
                        seen.wire_len
                    );
                    seen.wire_len = Some(wire);
                    run.frames.push(seen);
                }
                Ok(Some(Taken::Batch(batch))) => {
                    ensure!(
                        place,
                        index,
                        batch.frames > 0 && batch.stream_bytes == wire,
                        "skipped {batch:?}, moving the offset by {wire}"
                    );
                    if api == Api::Takes {
                        // A placeholder per frame, filled in from the
                        // reference once the batch's totals are checked.
                        run.skipped_at.push((run.frames.len(), batch));
                        for _ in 0..batch.frames {
                            run.frames.push(Seen::counted(0, 0));
                        }
                    } else {
                        run.batches.get_or_insert_with(Skipped::default).add(batch);
                    }
                }
                Ok(None) => {
                    // The end stays the end.
                    let again =
                        self.read_one(&place, index, (Api::ReadFrame, 0), &mut reader, &mut budget);
                    ensure!(
                        place,
                        index,
                        matches!(again, Ok(None)),
                        "the stream ended, then read_frame did not say so again"
                    );
                    return run;
                }
                Err(error) => {
                    self.check_error_offset(&place, index, &error, stream.len());
                    let again =
                        self.read_one(&place, index, (call, size), &mut reader, &mut budget);
                    let again_frame =
                        self.read_one(&place, index, (Api::ReadFrame, 0), &mut reader, &mut budget);
                    for (call, got) in [(call.name(), again), ("read_frame", again_frame)] {
                        let got = got.err();
                        ensure!(
                            place,
                            index,
                            got.as_ref() == Some(&error),
                            "the error is not sticky: after {error:?}, {call} returned {got:?}"
                        );
                    }
                    let inner = reader.decoder().error();
                    ensure!(
                        place,
                        index,
                        inner == Some(&error),
                        "the reader failed with {error:?}, its decoder says {inner:?}"
                    );
                    run.failed_after = reader.get_ref().position();
                    run.end = Err(error);
                    return run;
                }
            }
        }
    }

    /// `WouldBlock` and `TimedOut` are the caller's to retry; any other
    /// error must carry a sockframe error, with the kind it maps to.
    fn classify(&self, place: &Place<'_>, index: u64, error: io::Error) -> Option<Error> {
        match error.kind() {
            io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => return None,
            io::ErrorKind::Interrupted => place.fail(
                index,
                format_args!("the reader returned Interrupted: it must retry"),
            ),
            _ => {}
        }
        let Some(inner) = frame_error(&error) else {
            place.fail(
                index,
                format_args!("an io error without a sockframe error: {error}"),
            )
        };
        let kind = io::Error::from(inner.clone()).kind();
        ensure!(
            place,
            index,
            error.kind() == kind,
            "{inner:?} came as {:?}, not {kind:?}",
            error.kind()
        );
        Some(inner.clone())
    }

    /// Calls `call` until it does not fail with `WouldBlock`/`TimedOut`.
    fn retrying<T>(
        &self,
        place: &Place<'_>,
        index: u64,
        budget: &mut usize,
        mut call: impl FnMut() -> io::Result<T>,
    ) -> Result<T, Error> {
        loop {
            match call() {
                Ok(value) => return Ok(value),
                Err(e) => {
                    if let Some(error) = self.classify(place, index, e) {
                        return Err(error);
                    }
                    match budget.checked_sub(1) {
                        Some(left) => *budget = left,
                        None => place.fail(
                            index,
                            format_args!("the reader makes no progress over WouldBlock"),
                        ),
                    }
                }
            }
        }
    }

    /// The next frame as `api` takes it, or the next batch skipped.
    fn read_one<R: io::Read>(
        &self,
        place: &Place<'_>,
        index: u64,
        (api, size): (Api, usize),
        reader: &mut FrameReader<R, F>,
        budget: &mut usize,
    ) -> Result<Option<Taken<F::OwnedHeader>>, Error> {
        let seen = match api {
            Api::ReadFrame => self.retrying(place, index, budget, || {
                Ok(reader
                    .read_frame()?
                    .map(|frame| self.seen_whole(place, index, &frame)))
            })?,
            Api::ReadFrameOwned | Api::FramesIter => {
                let owned = if api == Api::ReadFrameOwned {
                    self.retrying(place, index, budget, || reader.read_frame_owned())?
                } else {
                    // The iterator ends after an error, `WouldBlock`
                    // included: `frames` again resumes.
                    self.retrying(place, index, budget, || reader.frames().next().transpose())?
                };
                owned.map(|frame| Seen {
                    header: Some(frame.header),
                    payload_len: frame.payload.len() as u64,
                    payload: Some(frame.payload),
                    wire_len: None,
                    header_len: None,
                })
            }
            Api::ReadBody | Api::CopyBody | Api::DiscardBody => {
                self.read_streamed(place, index, (api, size), reader, budget)?
            }
            Api::SkipFrame => {
                let one = self.retrying(place, index, budget, || reader.skip_frame())?;
                if let Some(one) = one {
                    ensure!(
                        place,
                        index,
                        one.frames == 1,
                        "skip_frame skipped {} frames",
                        one.frames
                    );
                }
                one.map(|one| Seen::counted(one.payload_bytes, one.stream_bytes))
            }
            _ => {
                let batch = self.retrying(place, index, budget, || reader.skip_frames())?;
                return Ok(batch.map(Taken::Batch));
            }
        };
        Ok(seen.map(Taken::Frame))
    }

    /// `read_header`, then the body by `read_body` (`size` bytes at a
    /// time, 7 by default), `copy_body_to` (after `read_header_owned`; to a
    /// writer taking `size` bytes per write, interrupted every third, or to
    /// a `Vec`) or `discard_body`.
    fn read_streamed<R: io::Read>(
        &self,
        place: &Place<'_>,
        index: u64,
        (api, size): (Api, usize),
        reader: &mut FrameReader<R, F>,
        budget: &mut usize,
    ) -> Result<Option<Seen<F::OwnedHeader>>, Error> {
        let before = reader.decoder().offset();
        let head = self.retrying(place, index, budget, || {
            if api == Api::CopyBody {
                reader.read_header_owned()
            } else {
                Ok(reader
                    .read_header()?
                    .map(|(header, body_len)| (header.to_owned_header(), body_len)))
            }
        })?;
        let Some((header, body_len)) = head else {
            return Ok(None);
        };
        let header_len = (reader.decoder().offset() - before) as usize;
        let remaining = reader.body_remaining();
        ensure!(
            place,
            index,
            remaining == Some(body_len),
            "read_header announced {body_len} body bytes; body_remaining says {remaining:?}"
        );
        let mut payload = Vec::new();
        match api {
            Api::ReadBody => {
                let mut buf = vec![0; if size == 0 { 7 } else { size }];
                loop {
                    let n = self.retrying(place, index, budget, || reader.read_body(&mut buf))?;
                    if n == 0 {
                        break;
                    }
                    payload.extend_from_slice(&buf[..n]);
                    let due = body_len.saturating_sub(payload.len() as u64);
                    let remaining = reader.body_remaining();
                    ensure!(
                        place,
                        index,
                        remaining == Some(due).filter(|&d| d > 0)
                            // Whole body read: the frame is over, or its
                            // trailer (if the framing has any) is still to
                            // come (a read would block).
                            || (due == 0
                                && (remaining.is_none()
                                    || (self.may_have_trailer(index) && remaining == Some(0)))),
                        "{} of {body_len} body bytes read; body_remaining says {remaining:?}",
                        payload.len()
                    );
                }
            }
            Api::CopyBody => {
                let mut out = Short {
                    max: size,
                    taken: Vec::new(),
                    writes: 0,
                };
                // A `WouldBlock` in the middle loses nothing: what `out`
                // took stays taken, the rest is still due.
                let copied = loop {
                    match reader.copy_body_to(&mut out) {
                        Ok(copied) => break copied,
                        Err(e) => {
                            if let Some(error) = self.classify(place, index, e) {
                                return Err(error);
                            }
                            match budget.checked_sub(1) {
                                Some(left) => *budget = left,
                                None => place.fail(
                                    index,
                                    format_args!("the reader makes no progress over WouldBlock"),
                                ),
                            }
                            let due = body_len.saturating_sub(out.taken.len() as u64);
                            let remaining = reader.body_remaining();
                            ensure!(
                                place,
                                index,
                                remaining == Some(due).filter(|&d| d > 0)
                                    || (due == 0
                                        && (remaining.is_none()
                                            || (self.may_have_trailer(index)
                                                && remaining == Some(0)))),
                                "copy_body_to stopped by WouldBlock after writing {} of \
                                 {body_len} body bytes; body_remaining says {remaining:?}",
                                out.taken.len()
                            );
                        }
                    }
                };
                payload = out.taken;
                ensure!(
                    place,
                    index,
                    payload.len() as u64 == body_len,
                    "copy_body_to wrote {} of {body_len} body bytes (the last call said {copied})",
                    payload.len()
                );
            }
            _ => {
                // A `WouldBlock` in the middle loses the count of that call,
                // not the bytes: `body_remaining` says what is still due.
                self.retrying(place, index, budget, || reader.discard_body())?;
                let remaining = reader.body_remaining();
                ensure!(
                    place,
                    index,
                    remaining.is_none(),
                    "discard_body returned with {remaining:?} body bytes still due"
                );
                return Ok(Some(Seen {
                    header: Some(header),
                    payload: None,
                    payload_len: body_len,
                    wire_len: None,
                    header_len: Some(header_len),
                }));
            }
        }
        ensure!(
            place,
            index,
            payload.len() as u64 == body_len,
            "{} body bytes for a {body_len}-byte body",
            payload.len()
        );
        Ok(Some(Seen {
            header: Some(header),
            payload_len: body_len,
            payload: Some(payload),
            wire_len: None,
            header_len: Some(header_len),
        }))
    }
}
