//! The push-based APIs: a `Decoder` over bytes the caller keeps, and a
//! `FrameBuffer`, fed a split's pieces and asked, after each, how the
//! stream would end there.

use std::fmt::Debug;

use crate::{Decoder, Error, Event, FrameBuffer, Framing, Needed, Skipped, Status, ToOwnedHeader};

use super::drivers::{ensure, Api, EndHere, Harness, Place, Run, Seen, StreamEnd};
use super::split::Split;

/// The buffer's smallest allocation (`MIN_GROWTH` in src/buffer.rs).
const SMALLEST_ALLOCATION: usize = 4096;

/// What the previous `Partial` promised about the next call.
struct Promise {
    needed: Needed,
    fed_then: usize,
}

impl Promise {
    /// `Exact(n)`: n more bytes complete the frame, fewer leave exactly the
    /// rest missing. `AtLeast(n)`: with fewer than n more bytes, the
    /// frame's length is still not known.
    fn check<T>(&self, place: &Place<'_>, frame: u64, fed_now: usize, status: &Status<T>) {
        let added = fed_now - self.fed_then;
        match (self.needed, status) {
            (Needed::Exact(n), Status::Complete(_)) => ensure!(
                place,
                frame,
                added >= n.get(),
                "complete with {added} more bytes after Partial said exactly {n} more were needed"
            ),
            (Needed::Exact(n), Status::Partial(now)) => ensure!(
                place,
                frame,
                added < n.get() && *now == Needed::exact(n.get() - added),
                "Partial said exactly {n} more bytes were needed; {added} bytes later it says {now:?}"
            ),
            (Needed::AtLeast(n), Status::Complete(_)) => ensure!(
                place,
                frame,
                added >= n.get(),
                "complete with {added} more bytes after Partial said at least {n} more were needed"
            ),
            (Needed::AtLeast(n), Status::Partial(now)) => ensure!(
                place,
                frame,
                added >= n.get() || matches!(now, Needed::AtLeast(_)),
                "Partial said at least {n} more bytes were needed before the frame's length was \
                 known; {added} bytes later the length is known ({now:?})"
            ),
        }
    }
}

/// An [`Event`] copied out of the input.
enum OwnedEvent<H> {
    Header { header: H, body_len: u64 },
    Body(Vec<u8>),
    End,
}

impl<H> OwnedEvent<H> {
    fn of<B: ToOwnedHeader<Owned = H>>(event: Event<'_, B>) -> Self {
        match event {
            Event::Header { header, body_len } => OwnedEvent::Header {
                header: header.to_owned_header(),
                body_len,
            },
            Event::Body(chunk) => OwnedEvent::Body(chunk.to_vec()),
            Event::End => OwnedEvent::End,
        }
    }
}

/// The bytes a caller of `Decoder` keeps: those not consumed yet. Consumed
/// bytes are dropped from the front only once they are half of the `Vec`,
/// so that a piece holding many small frames costs no more than its bytes.
#[derive(Default)]
struct Pending {
    bytes: Vec<u8>,
    start: usize,
}

impl Pending {
    fn rest(&self) -> &[u8] {
        &self.bytes[self.start..]
    }

    fn push(&mut self, piece: &[u8]) {
        if self.start > 0 && self.start >= self.bytes.len() / 2 {
            self.bytes.drain(..self.start);
            self.start = 0;
        }
        self.bytes.extend_from_slice(piece);
    }

    fn consume(&mut self, used: usize) {
        self.start += used;
    }

    /// The bytes not consumed when `start` was the start (nothing pushed
    /// since).
    fn since(&self, start: usize) -> &[u8] {
        &self.bytes[start..]
    }
}

/// The push-based APIs keep their unconsumed bytes either in a `Vec` of
/// their own (the `Decoder` APIs) or in a `FrameBuffer`.
enum Holder<F: Framing> {
    Decoder {
        decoder: Decoder<F>,
        pending: Pending,
    },
    Buffer(FrameBuffer<F>),
}

impl<F: Framing + Clone> Holder<F> {
    fn decoder(&self) -> &Decoder<F> {
        match self {
            Holder::Decoder { decoder, .. } => decoder,
            Holder::Buffer(buffer) => buffer.decoder(),
        }
    }

    fn rest(&self) -> &[u8] {
        match self {
            Holder::Decoder { pending, .. } => pending.rest(),
            Holder::Buffer(buffer) => buffer.buffered(),
        }
    }

    /// How the stream would end here, asked of a copy of the decoder.
    fn end_here(&self) -> EndHere {
        let mut decoder = self.decoder().clone();
        let rest = self.rest();
        match decoder.end_stream(rest) {
            Ok(true) => EndHere::LastFrame,
            Ok(false) => EndHere::Ended(decoder.finish(rest)),
            Err(e) => EndHere::LastFrameRefused(e),
        }
    }

    fn end_stream(&mut self) -> Result<bool, Error> {
        match self {
            Holder::Decoder { decoder, pending } => decoder.end_stream(pending.rest()),
            Holder::Buffer(buffer) => buffer.end_stream(),
        }
    }

    fn finish(&mut self) -> Result<(), Error> {
        match self {
            Holder::Decoder { decoder, pending } => decoder.finish(pending.rest()),
            Holder::Buffer(buffer) => buffer.finish(),
        }
    }
}

impl<F> Harness<'_, F>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    /// The push-based APIs: a `Decoder` over a `Vec` the caller keeps, or a
    /// `FrameBuffer`.
    pub(crate) fn run_pushed(
        &self,
        api: Api,
        pieces: &[&[u8]],
        split: &Split,
    ) -> Run<F::OwnedHeader> {
        let place = self.place(api.name(), split);
        let mut holder = match api {
            Api::Decode | Api::PollFrame | Api::DecodeEvent | Api::DecoderSkip => Holder::Decoder {
                decoder: self.decoder(),
                pending: Pending::default(),
            },
            _ => Holder::Buffer(FrameBuffer::new(self.decoder())),
        };
        let largest_piece = pieces.iter().map(|p| p.len()).max().unwrap_or(0);
        let bound = usize::try_from(self.limits.max_frame)
            .unwrap_or(usize::MAX)
            .saturating_add(self.framing.max_header_len(&self.limits))
            .saturating_add(self.largest_trailer)
            .saturating_add(largest_piece);
        let mut peak_buffered = 0;
        let mut run = Run::new(api);
        let mut drain = Drain {
            harness: self,
            place: &place,
            api,
            consumed: 0,
            fed: 0,
            promise: None,
            streaming: None,
        };
        for (i, piece) in pieces.iter().enumerate() {
            drain.fed += piece.len();
            match &mut holder {
                Holder::Decoder { pending, .. } => pending.push(piece),
                Holder::Buffer(buffer) => {
                    let before = buffer.len();
                    // Both ways in: by copy, and read straight into the buffer.
                    let by_copy = match api {
                        Api::BufferNextFrame => true,
                        Api::BufferPollFrame => false,
                        _ => i % 2 == 0,
                    };
                    if by_copy {
                        buffer.push(piece);
                    } else {
                        let spare = buffer.unfilled(piece.len());
                        ensure!(
                            place,
                            run.count(),
                            spare.len() >= piece.len(),
                            "unfilled({}) offered only {} bytes",
                            piece.len(),
                            spare.len()
                        );
                        spare[..piece.len()].copy_from_slice(piece);
                        buffer.commit(piece.len());
                    }
                    ensure!(
                        place,
                        run.count(),
                        buffer.len() == before + piece.len(),
                        "{} bytes buffered after pushing {} onto {before}",
                        buffer.len(),
                        piece.len()
                    );
                    peak_buffered = peak_buffered.max(buffer.len());
                    let capacity = buffer.capacity();
                    ensure!(
                        place,
                        run.count(),
                        capacity <= bound,
                        "the buffer holds {capacity} bytes, over max_frame + max_header_len + \
                         trailer + the largest piece = {bound}"
                    );
                    ensure!(
                        place,
                        run.count(),
                        capacity <= SMALLEST_ALLOCATION.max(2 * peak_buffered),
                        "the buffer holds {capacity} bytes for at most {peak_buffered} bytes \
                         buffered: it grew with a length announced, not with bytes that arrived"
                    );
                }
            }
            // `Decoder::decode` asked to finish before it takes the
            // frames this piece completes: see below.
            let before = match &holder {
                Holder::Decoder { decoder, pending } if api == Api::Decode => {
                    Some((decoder.clone(), pending.start, run.count()))
                }
                _ => None,
            };
            if let Err(e) = drain.drain(&mut holder, &mut run) {
                self.end_with(&place, &mut holder, &mut run, e);
                return run;
            }
            if let (Some((before, start, count)), Holder::Decoder { decoder, pending }) =
                (before, &holder)
            {
                if run.count() > count {
                    let first = run.frames[count as usize].wire_len;
                    self.check_unread_frame(&place, count, before, pending.since(start), first);
                }
                if let Some(promise) = &drain.promise {
                    self.check_shrunk(&place, run.count(), decoder, pending.rest(), promise.needed);
                }
            }
            let end = holder.end_here();
            // A `Partial` says what `finish` would say were the stream to
            // end there.
            if let (
                Some(promise),
                EndHere::Ended(Err(Error::UnexpectedEof { needed, .. })),
                Api::Decode | Api::PollFrame | Api::BufferNextFrame | Api::BufferPollFrame,
            ) = (&drain.promise, &end, api)
            {
                ensure!(
                    place,
                    run.count(),
                    promise.needed == *needed,
                    "Partial said {:?} after {} bytes; were the stream to end there, finish \
                     says {needed:?}",
                    promise.needed,
                    drain.fed
                );
            }
            run.stream_ends.push(StreamEnd {
                fed: drain.fed,
                frames: run.count(),
                end,
            });
        }
        // The end of the stream: a framing may take what is left as a last
        // frame; then `finish` says whether the stream was cut short.
        match holder.end_stream() {
            Ok(true) => {
                // No byte more: the end, not more input, completes it.
                drain.promise = None;
                let before = run.count();
                if let Err(e) = drain.drain(&mut holder, &mut run) {
                    self.end_with(&place, &mut holder, &mut run, e);
                    return run;
                }
                ensure!(
                    place,
                    before,
                    run.count() == before + 1,
                    "end_stream said the bytes left make a last frame; {} frames came",
                    run.count() - before
                );
                run.last_frame = true;
            }
            Ok(false) => {}
            Err(e) => {
                self.end_with(&place, &mut holder, &mut run, e);
                return run;
            }
        }
        let rest = holder.rest().len();
        ensure!(
            place,
            run.count(),
            drain.consumed + rest == drain.fed,
            "{} bytes consumed and {rest} left over, but {} were fed",
            drain.consumed,
            drain.fed
        );
        if let Err(e) = holder.finish() {
            self.end_with(&place, &mut holder, &mut run, e);
        }
        run
    }

    /// A piece completed frames that `decoder` (as it was before the
    /// piece's frames were taken) had at hand in `at_hand`, the first
    /// `first` bytes long on the wire: asked to finish then, it says a
    /// frame is unread, and where; told the stream ended there, it declines
    /// to make a last frame of the bytes, or the next `decode` hands out
    /// that first frame.
    fn check_unread_frame(
        &self,
        place: &Place<'_>,
        index: u64,
        mut decoder: Decoder<F>,
        at_hand: &[u8],
        first: Option<u64>,
    ) {
        let mut ended = decoder.clone();
        let last = match ended.end_stream(at_hand) {
            Ok(false) => None,
            Ok(true) => Some(match ended.decode(at_hand) {
                Ok(Status::Complete((frame, used))) => Ok((frame.raw().len(), used)),
                Ok(Status::Partial(needed)) => Err(format!("Partial({needed:?})")),
                Err(e) => Err(format!("{e:?}")),
            }),
            Err(e) => Some(Err(format!("end_stream failed with {e:?}"))),
        };
        if let Some(last) = last {
            let first = first.map(|len| len as usize);
            ensure!(
                place,
                index,
                last.as_ref()
                    .is_ok_and(|&(raw, used)| Some(raw) == first && used == raw),
                "end_stream with a whole {first:?}-byte frame at hand, unread, then decode: \
                 {last:?}, not that frame"
            );
        }
        let offset = decoder.offset();
        let got = decoder.finish(at_hand);
        ensure!(
            place,
            index,
            got == Err(Error::UnreadFrame { offset }),
            "finish with a whole frame at offset {offset} unread in the {} bytes at hand: \
             {got:?}, not UnreadFrame",
            at_hand.len()
        );
    }

    /// `decoder`, after `Partial(needed)` with `rest` at hand, asked again
    /// with no bytes (fewer than it was given): each of `decode`,
    /// `decode_event` and `end_stream` answers, fails as it would with
    /// `rest`, or refuses with `InputShrank` naming the bytes it had seen,
    /// which does not fail the decoder: given `rest` again, it says
    /// `Partial(needed)` again.
    fn check_shrunk(
        &self,
        place: &Place<'_>,
        index: u64,
        decoder: &Decoder<F>,
        rest: &[u8],
        needed: Needed,
    ) {
        if rest.is_empty() {
            return;
        }
        type Ask<F> = fn(&mut Decoder<F>, &[u8]) -> Result<(), Error>;
        let calls: [(&str, Ask<F>); 3] = [
            ("decode", |d, input| d.decode(input).map(|_| ())),
            ("decode_event", |d, input| d.decode_event(input).map(|_| ())),
            ("end_stream", |d, input| d.end_stream(input).map(|_| ())),
        ];
        for (call, ask) in calls {
            let mut copy = decoder.clone();
            let offset = copy.offset();
            match ask(&mut copy, &[]) {
                Ok(()) => {}
                Err(Error::InputShrank {
                    offset: at,
                    expected,
                    got,
                }) => {
                    ensure!(
                        place,
                        index,
                        (at, got) == (offset, 0) && expected > 0 && expected <= rest.len(),
                        "{call} of no bytes, after {} were given at offset {offset}: \
                         InputShrank {{ offset: {at}, expected: {expected}, got: {got} }}",
                        rest.len()
                    );
                    let again = copy.decode(rest).map(|status| status.map(|_| ()));
                    ensure!(
                        place,
                        index,
                        copy.error().is_none() && again == Ok(Status::Partial(needed)),
                        "InputShrank from {call} failed the decoder: given the {} bytes \
                         again, decode says {again:?}, not Partial({needed:?})",
                        rest.len()
                    );
                }
                Err(other) => {
                    // Refused for what it knows already (a payload over
                    // `decode_event`'s own limit, say), as with the bytes.
                    let with_rest = ask(&mut decoder.clone(), rest).err();
                    ensure!(
                        place,
                        index,
                        with_rest.as_ref() == Some(&other),
                        "{call} of no bytes, after {} were given, failed with {other:?}, not \
                         InputShrank; given the bytes, it says {with_rest:?}",
                        rest.len()
                    );
                }
            }
        }
    }

    /// A streamed body under way (`remaining` bytes of it due, `rest` at
    /// hand): a whole-frame call is refused with `BodyInProgress`, which
    /// does not fail the decoder; `finish` says the frame is unread if its
    /// body and trailer are at hand, how many bytes are missing if not,
    /// and, the body read but its `End` not taken, what it says once the
    /// `End` is taken.
    pub(crate) fn check_mid_body(
        &self,
        place: &Place<'_>,
        index: u64,
        decoder: &Decoder<F>,
        rest: &[u8],
        remaining: u64,
    ) {
        type Ask<F> = fn(&mut Decoder<F>, &[u8]) -> Option<Error>;
        let calls: [(&str, Ask<F>); 2] = [
            ("decode", |d, rest| d.decode(rest).err()),
            ("poll_frame", |d, rest| d.poll_frame(rest).err()),
        ];
        for (call, ask) in calls {
            let mut copy = decoder.clone();
            let got = ask(&mut copy, rest);
            ensure!(
                place,
                index,
                got == Some(Error::BodyInProgress { remaining }) && copy.error().is_none(),
                "{call} with {remaining} body bytes due: {got:?} (the decoder failed: {}), \
                 not BodyInProgress",
                copy.error().is_some()
            );
        }
        let Some(&trailer) = self.trailers.get(index as usize) else {
            return;
        };
        let mut copy = decoder.clone();
        let offset = copy.offset();
        let got = copy.finish(rest);
        let due = remaining.saturating_add(trailer);
        let want = if due == 0 {
            let mut after = decoder.clone();
            let end = after.decode_event(rest).map(|status| match status {
                Status::Complete((Event::End, used)) => Some(used),
                _ => None,
            });
            ensure!(
                place,
                index,
                end == Ok(Some(0)),
                "the body read, decode_event did not end the frame: {end:?}"
            );
            after.finish(rest)
        } else if rest.len() as u64 >= due {
            Err(Error::UnreadFrame { offset })
        } else {
            let missing = due - rest.len() as u64;
            Err(Error::UnexpectedEof {
                offset: offset + rest.len() as u64,
                needed: Needed::exact(usize::try_from(missing).unwrap_or(usize::MAX)),
            })
        };
        ensure!(
            place,
            index,
            got == want,
            "finish with {remaining} body bytes and a {trailer}-byte trailer due, {} bytes at \
             hand: {got:?}, not {want:?}",
            rest.len()
        );
    }

    /// Ends a run with an error after checking it is sticky.
    fn end_with(
        &self,
        place: &Place<'_>,
        holder: &mut Holder<F>,
        run: &mut Run<F::OwnedHeader>,
        error: Error,
    ) {
        let index = run.count();
        let fed = holder.decoder().offset() as usize + holder.rest().len();
        self.check_error_offset(place, index, &error, fed);
        run.failed_after = fed;
        match holder {
            Holder::Decoder { decoder, pending } => {
                self.check_decoder_sticky(place, index, decoder, pending.rest(), &error)
            }
            Holder::Buffer(buffer) => self.check_buffer_sticky(place, index, buffer, &error),
        }
        run.end = Err(error);
    }
}

/// The state of a push-based run between pieces.
struct Drain<'h, 'a, F: Framing> {
    harness: &'h Harness<'a, F>,
    place: &'h Place<'h>,
    api: Api,
    consumed: usize,
    fed: usize,
    promise: Option<Promise>,
    /// The frame whose body is being streamed: what was seen so far and
    /// the body length announced.
    streaming: Option<(Seen<<F as Framing>::OwnedHeader>, u64)>,
}

impl<F> Drain<'_, '_, F>
where
    F: Framing + Clone,
    F::OwnedHeader: Clone + PartialEq + Debug,
{
    /// Takes everything the API hands out from what was pushed.
    fn drain(
        &mut self,
        holder: &mut Holder<F>,
        run: &mut Run<F::OwnedHeader>,
    ) -> Result<(), Error> {
        match self.api {
            Api::Decode | Api::PollFrame | Api::BufferNextFrame | Api::BufferPollFrame => {
                while self.next_frame(holder, run)? {}
            }
            Api::DecodeEvent | Api::BufferNextEvent => while self.next_event(holder, run)? {},
            _ => while self.skip(holder, run)? {},
        }
        Ok(())
    }

    /// Checks a status against the previous `Partial`'s promise, and keeps
    /// the new promise.
    fn keep_promise<T>(&mut self, index: u64, status: &Status<T>) {
        if let Some(promise) = &self.promise {
            promise.check(self.place, index, self.fed, status);
        }
        self.promise = match status {
            Status::Partial(needed) => Some(Promise {
                needed: *needed,
                fed_then: self.fed,
            }),
            Status::Complete(_) => None,
        };
    }

    /// One whole frame, if there is one.
    fn next_frame(
        &mut self,
        holder: &mut Holder<F>,
        run: &mut Run<F::OwnedHeader>,
    ) -> Result<bool, Error> {
        let index = run.count();
        let place = self.place;
        let harness = self.harness;
        // `Complete` with the frame copied out, or `Partial`.
        let status = match holder {
            Holder::Decoder { decoder, pending } => {
                let pending_rest = pending.rest();
                let polled = if self.api == Api::PollFrame {
                    match decoder.poll_frame(pending_rest)? {
                        Status::Complete(lens) => Some(lens),
                        Status::Partial(needed) => {
                            let status = Status::<()>::Partial(needed);
                            self.keep_promise(index, &status);
                            return Ok(false);
                        }
                    }
                } else {
                    None
                };
                let status = match decoder.decode(pending_rest) {
                    Ok(Status::Complete((frame, used))) => {
                        ensure!(
                            place,
                            index,
                            used <= pending_rest.len() && frame.raw() == &pending_rest[..used],
                            "Complete consumes {used} bytes of {} given, which are not the \
                             frame's raw bytes",
                            pending_rest.len()
                        );
                        let seen = harness.seen_whole(place, index, &frame);
                        if let Some((header_len, total)) = polled {
                            ensure!(
                                place,
                                index,
                                (Some(header_len), total) == (seen.header_len, used),
                                "poll_frame said a {header_len}-byte header in {total} bytes; \
                                 decode then gave {:?} in {used}",
                                seen.header_len
                            );
                        }
                        Status::Complete((seen, used))
                    }
                    Ok(Status::Partial(needed)) => {
                        ensure!(
                            place,
                            index,
                            polled.is_none(),
                            "poll_frame said Complete, then decode said Partial({needed:?})"
                        );
                        Status::Partial(needed)
                    }
                    Err(e) => {
                        ensure!(
                            place,
                            index,
                            polled.is_none(),
                            "poll_frame said Complete, then decode failed with {e:?}"
                        );
                        return Err(e);
                    }
                };
                if let Status::Complete((_, used)) = &status {
                    pending.consume(*used);
                }
                status
            }
            Holder::Buffer(buffer) => {
                let polled = if self.api == Api::BufferPollFrame {
                    match buffer.poll_frame()? {
                        Status::Complete(total) => Some(total),
                        Status::Partial(needed) => {
                            let status = Status::<()>::Partial(needed);
                            self.keep_promise(index, &status);
                            let next = buffer.next_frame().map(|frame| frame.is_some());
                            ensure!(
                                place,
                                index,
                                next == Ok(false),
                                "poll_frame said Partial({needed:?}), then next_frame said {next:?}"
                            );
                            return Ok(false);
                        }
                    }
                } else {
                    None
                };
                let seen = match buffer.next_frame() {
                    Ok(Some(frame)) => Some(harness.seen_whole(place, index, &frame)),
                    Ok(None) => None,
                    Err(e) => {
                        ensure!(
                            place,
                            index,
                            polled.is_none(),
                            "poll_frame said Complete, then next_frame failed with {e:?}"
                        );
                        return Err(e);
                    }
                };
                match seen {
                    Some(seen) => {
                        let used = seen.wire_len.unwrap_or(0) as usize;
                        ensure!(
                            place,
                            index,
                            polled.is_none_or(|total| total == used),
                            "poll_frame said a {polled:?}-byte frame; next_frame gave {used} bytes"
                        );
                        Status::Complete((seen, used))
                    }
                    None => {
                        ensure!(
                            place,
                            index,
                            polled.is_none(),
                            "poll_frame said Complete, then next_frame said None"
                        );
                        // The buffer hides how many bytes are missing: its
                        // decoder says, asked again.
                        let mut decoder = buffer.decoder().clone();
                        match decoder.poll_frame(buffer.buffered()) {
                            Ok(Status::Partial(needed)) => Status::Partial(needed),
                            other => place.fail(
                                index,
                                format_args!("next_frame said None, poll_frame says {other:?}"),
                            ),
                        }
                    }
                }
            }
        };
        let status = status.map(|(seen, used)| {
            self.consumed += used;
            (seen, used)
        });
        self.keep_promise(index, &status);
        match status {
            Status::Complete((seen, _)) => {
                let offset = holder.decoder().offset();
                ensure!(
                    place,
                    index,
                    offset == self.consumed as u64 && holder.decoder().is_idle(),
                    "after a frame the decoder is at offset {offset} (idle: {}), but {} bytes \
                     were consumed",
                    holder.decoder().is_idle(),
                    self.consumed
                );
                run.frames.push(seen);
                Ok(true)
            }
            Status::Partial(_) => Ok(false),
        }
    }

    /// One streaming step, if there is one.
    fn next_event(
        &mut self,
        holder: &mut Holder<F>,
        run: &mut Run<F::OwnedHeader>,
    ) -> Result<bool, Error> {
        let index = run.count();
        let place = self.place;
        let remaining_before = holder.decoder().body_remaining();
        let available = holder.rest().len();
        // The event copied out, so that no borrow of the input is held.
        let step = match holder {
            Holder::Decoder { decoder, pending } => decoder
                .decode_event(pending.rest())?
                .map(|(event, used)| (OwnedEvent::of(event), used)),
            Holder::Buffer(buffer) => {
                let event = buffer.next_event()?.map(OwnedEvent::of);
                match event {
                    // What the buffer consumed.
                    Some(event) => Status::Complete((event, available - buffer.len())),
                    None => {
                        let mut decoder = buffer.decoder().clone();
                        match decoder.decode_event(buffer.buffered()) {
                            Ok(Status::Partial(needed)) => Status::Partial(needed),
                            other => place.fail(
                                index,
                                format_args!(
                                    "next_event said None, decode_event says {:?}",
                                    other.map(|s| s.map(|(_, used)| used))
                                ),
                            ),
                        }
                    }
                }
            }
        };
        // Only "at least" promises hold for events: a body comes in chunks.
        if let Some(Promise {
            needed: Needed::AtLeast(n),
            fed_then,
        }) = &self.promise
        {
            let added = self.fed - fed_then;
            let header_known = match &step {
                Status::Complete(_) => true,
                Status::Partial(now) => matches!(now, Needed::Exact(_)),
            };
            ensure!(
                place,
                index,
                added >= n.get() || !header_known,
                "Partial said at least {n} more bytes were needed before the header was \
                 whole; {added} bytes later it is"
            );
        }
        let (event, used) = match step {
            Status::Complete(step) => step,
            Status::Partial(needed) => {
                if let Some(remaining) = remaining_before.filter(|&r| r > 0) {
                    ensure!(
                        place,
                        index,
                        holder.rest().is_empty()
                            && needed == Needed::exact(remaining.min(usize::MAX as u64) as usize),
                        "Partial({needed:?}) with {} bytes at hand and {remaining} body bytes due",
                        holder.rest().len()
                    );
                }
                self.promise = Some(Promise {
                    needed,
                    fed_then: self.fed,
                });
                return Ok(false);
            }
        };
        ensure!(
            place,
            index,
            used <= available,
            "an event consumes {used} bytes of {available} given"
        );
        if let Holder::Decoder { pending, .. } = holder {
            pending.consume(used);
        }
        // Between a header and its `End`, the calls that misuse the
        // decoder are refused as documented.
        if let Holder::Decoder { decoder, pending } = holder {
            if let (Api::DecodeEvent, Some(remaining)) = (self.api, decoder.body_remaining()) {
                self.harness
                    .check_mid_body(place, index, decoder, pending.rest(), remaining);
            }
        }
        self.promise = None;
        self.consumed += used;
        let offset = holder.decoder().offset();
        ensure!(
            place,
            index,
            offset == self.consumed as u64,
            "the decoder is at offset {offset}, but {} bytes were consumed",
            self.consumed
        );
        match event {
            OwnedEvent::Header { header, body_len } => {
                ensure!(
                    place,
                    index,
                    self.streaming.is_none() && remaining_before.is_none(),
                    "a header in the middle of a frame"
                );
                let max_body = self.harness.limits.max_streamed_body;
                ensure!(
                    place,
                    index,
                    body_len <= max_body,
                    "a {body_len}-byte body announced, over the {max_body}-byte limit"
                );
                let remaining = holder.decoder().body_remaining();
                ensure!(
                    place,
                    index,
                    remaining == Some(body_len),
                    "a header announced {body_len} body bytes; body_remaining says {remaining:?}"
                );
                let seen = Seen {
                    header: Some(header),
                    payload: Some(Vec::new()),
                    payload_len: body_len,
                    wire_len: Some(used as u64),
                    header_len: Some(used),
                };
                self.streaming = Some((seen, body_len));
            }
            OwnedEvent::Body(chunk) => {
                let Some((seen, body_len)) = self.streaming.as_mut() else {
                    place.fail(index, format_args!("a body chunk outside a frame"))
                };
                ensure!(
                    place,
                    index,
                    !chunk.is_empty() && chunk.len() == used,
                    "a body chunk of {} bytes consuming {used}",
                    chunk.len()
                );
                let payload = seen.payload.get_or_insert_with(Vec::new);
                payload.extend_from_slice(&chunk);
                let got = payload.len() as u64;
                ensure!(
                    place,
                    index,
                    got <= *body_len && holder.decoder().body_remaining() == Some(*body_len - got),
                    "{got} body bytes for a {body_len}-byte body; body_remaining says {:?}",
                    holder.decoder().body_remaining()
                );
                seen.wire_len = seen.wire_len.map(|w| w + used as u64);
            }
            OwnedEvent::End => {
                let Some((mut seen, body_len)) = self.streaming.take() else {
                    place.fail(index, format_args!("an End outside a frame"))
                };
                let got = seen.payload.as_ref().map_or(0, Vec::len) as u64;
                ensure!(
                    place,
                    index,
                    got == body_len && remaining_before == Some(0),
                    "End after {got} body bytes of {body_len}"
                );
                seen.wire_len = seen.wire_len.map(|w| w + used as u64);
                run.frames.push(seen);
            }
        }
        Ok(true)
    }

    /// One batch of frames skipped, if any.
    fn skip(
        &mut self,
        holder: &mut Holder<F>,
        run: &mut Run<F::OwnedHeader>,
    ) -> Result<bool, Error> {
        let index = run.count();
        let place = self.place;
        let available = holder.rest().len();
        let skipped = match holder {
            Holder::Decoder { decoder, pending } => {
                let skipped = decoder.skip_frames(pending.rest())?;
                let used = usize::try_from(skipped.stream_bytes).unwrap_or(usize::MAX);
                ensure!(
                    place,
                    index,
                    used <= pending.rest().len(),
                    "skip_frames skipped {used} bytes of {} given",
                    pending.rest().len()
                );
                pending.consume(used);
                skipped
            }
            Holder::Buffer(buffer) => buffer.skip_frames()?,
        };
        if skipped.frames == 0 {
            ensure!(
                place,
                index,
                skipped == Skipped::default(),
                "skipped no frame but counted {skipped:?}"
            );
            return Ok(false);
        }
        ensure!(
            place,
            index,
            skipped.stream_bytes > 0,
            "{} frames of zero bytes on the wire (the stream would yield them forever)",
            skipped.frames
        );
        self.consumed += skipped.stream_bytes as usize;
        let totals = run.batches.get_or_insert_with(Skipped::default);
        totals.add(skipped);
        let offset = holder.decoder().offset();
        ensure!(
            place,
            index,
            offset == totals.stream_bytes
                && holder.rest().len() as u64 + skipped.stream_bytes == available as u64,
            "after skipping {} stream bytes in all the decoder is at offset {offset}",
            totals.stream_bytes
        );
        Ok(true)
    }
}
