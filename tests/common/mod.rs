//! Drivers that run a stream, cut into given pieces, through each of the
//! three decoding APIs and collect the frames as owned values.
#![allow(dead_code)]

use sockframe::{Decoder, Error, Event, FrameBuffer, Framing, OwnedFrame, Status, ToOwnedHeader};

/// Frames decoded before the stream ended, and how it ended.
pub type Outcome<H> = (Vec<OwnedFrame<H>>, Result<(), Error>);

/// Cuts `stream` at the given points.
pub fn pieces<'a>(stream: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut out = Vec::new();
    let mut start = 0;
    for &cut in cuts {
        let cut = cut.clamp(start, stream.len());
        out.push(&stream[start..cut]);
        start = cut;
    }
    out.push(&stream[start..]);
    out
}

/// Zero-copy `Decoder::decode`: the caller keeps unconsumed bytes.
pub fn via_decode<F: Framing>(
    mut decoder: Decoder<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    let mut pending: Vec<u8> = Vec::new();
    let mut consumed_total = 0usize;
    let mut fed = 0usize;
    for piece in pieces {
        pending.extend_from_slice(piece);
        fed += piece.len();
        loop {
            let used = match decoder.decode(&pending) {
                Ok(Status::Complete((frame, used))) => {
                    assert!(used <= pending.len(), "consumed more than given");
                    assert_eq!(frame.raw().len(), used);
                    frames.push(OwnedFrame::from_frame::<F>(&frame));
                    used
                }
                Ok(Status::Partial(needed)) => {
                    assert!(needed.bytes() > 0);
                    break;
                }
                Err(e) => return (frames, Err(e)),
            };
            pending.drain(..used);
            consumed_total += used;
        }
    }
    assert_eq!(consumed_total + pending.len(), fed);
    let end = decoder.finish(&pending);
    (frames, end)
}

/// Streaming `Decoder::decode_event`: bytes are consumed as reported.
pub fn via_events<F: Framing>(
    mut decoder: Decoder<F>,
    pieces: &[&[u8]],
) -> Outcome<F::OwnedHeader> {
    let mut frames = Vec::new();
    let mut current: Option<OwnedFrame<F::OwnedHeader>> = None;
    let mut pending: Vec<u8> = Vec::new();
    for piece in pieces {
        pending.extend_from_slice(piece);
        loop {
            let used = match decoder.decode_event(&pending) {
                Ok(Status::Complete((event, used))) => {
                    assert!(used <= pending.len(), "consumed more than given");
                    match event {
                        Event::Header { header, body_len } => {
                            assert!(current.is_none(), "header inside a frame");
                            current = Some(OwnedFrame {
                                header: header.to_owned_header(),
                                payload: Vec::with_capacity(body_len.min(1 << 16) as usize),
                            });
                        }
                        Event::Body(chunk) => {
                            assert!(!chunk.is_empty(), "empty body chunk");
                            assert_eq!(chunk.len(), used);
                            current
                                .as_mut()
                                .expect("body outside a frame")
                                .payload
                                .extend_from_slice(chunk);
                        }
                        Event::End => frames.push(current.take().expect("end outside a frame")),
                    }
                    used
                }
                Ok(Status::Partial(_)) => break,
                Err(e) => return (frames, Err(e)),
            };
            pending.drain(..used);
        }
    }
    // A body that is complete still owes its End event.
    let ended = matches!(
        decoder.decode_event(&pending),
        Ok(Status::Complete((Event::End, _)))
    );
    if ended {
        frames.push(current.take().expect("end outside a frame"));
    }
    let end = decoder.finish(&pending);
    (frames, end)
}

/// `FrameBuffer`: pieces pushed, frames taken as they complete.
pub fn via_buffer<F: Framing>(decoder: Decoder<F>, pieces: &[&[u8]]) -> Outcome<F::OwnedHeader> {
    let mut buffer = FrameBuffer::new(decoder);
    let mut frames = Vec::new();
    for piece in pieces {
        buffer.push(piece);
        loop {
            match buffer.next_frame() {
                Ok(Some(frame)) => frames.push(OwnedFrame::from_frame::<F>(&frame)),
                Ok(None) => break,
                Err(e) => return (frames, Err(e)),
            }
        }
    }
    let end = buffer.finish();
    (frames, end)
}

/// Runs all three APIs and checks they agree; returns their common outcome.
pub fn all_apis<F>(make: impl Fn() -> Decoder<F>, pieces: &[&[u8]]) -> Outcome<F::OwnedHeader>
where
    F: Framing,
    F::OwnedHeader: PartialEq + core::fmt::Debug,
{
    let by_decode = via_decode(make(), pieces);
    let by_events = via_events(make(), pieces);
    let by_buffer = via_buffer(make(), pieces);
    assert_eq!(by_decode, by_events, "decode and decode_event disagree");
    assert_eq!(by_decode, by_buffer, "decode and FrameBuffer disagree");
    by_decode
}
