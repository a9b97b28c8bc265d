//! `Decoder::end_stream` with a framing whose `parse_last` claims more
//! bytes than the stream has left: not a last frame, the stream was cut
//! short. Found by mutation testing (the length check could be dropped
//! without any test noticing).

use sockframe::{Decoder, Error, Framing, Head, Limits, Needed, Status};

/// One length byte, then that many payload bytes. At the end of the
/// stream, `parse_last` takes whatever is left for a frame of the announced
/// length, whether or not it is all there.
struct Claims;

impl Framing for Claims {
    type Scan = ();
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        _scan: &mut (),
        _offset: u64,
        _limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        Ok(match input.first() {
            Some(&len) => Status::Complete(Head::new(1, u64::from(len))),
            None => Status::Partial(Needed::at_least(1)),
        })
    }

    fn header(&self, _header: &[u8], _head: &Head) {}

    fn parse_last(
        &self,
        input: &[u8],
        _scan: &mut (),
        _offset: u64,
        _limits: &Limits,
    ) -> Result<Option<Head>, Error> {
        Ok(input.first().map(|&len| match len {
            // A length no usize holds.
            0xff => Head::new(1, u64::MAX),
            len => Head::new(1, u64::from(len)),
        }))
    }
}

#[test]
fn end_stream_takes_a_last_frame_only_if_it_is_all_there() {
    // Exactly the frame: handed out.
    let mut decoder = Decoder::new(Claims);
    assert_eq!(decoder.end_stream(b"\x02ab"), Ok(true));
    let Ok(Status::Complete((frame, used))) = decoder.decode(b"\x02ab") else {
        panic!("no last frame");
    };
    assert_eq!((frame.payload(), used), (&b"ab"[..], 3));

    // Less than announced: cut short.
    for rest in [&b"\x05ab"[..], b"\x03ab", b"\xff"] {
        let mut decoder = Decoder::new(Claims);
        assert_eq!(decoder.end_stream(rest), Ok(false), "{rest:?}");
        assert!(
            matches!(decoder.finish(rest), Err(Error::UnexpectedEof { .. })),
            "{rest:?}"
        );
    }
}

/// `decode_event` with part of a multi-byte trailer: exactly the rest of it
/// is missing (found by mutation testing: `trailer_len - input.len()` could
/// become `+` without a test noticing; with no byte at all, both read 2).
#[test]
fn a_partial_trailer_asks_for_exactly_its_rest() {
    use sockframe::{Delimited, Event};

    let mut decoder = Decoder::new(Delimited::crlf());
    let stream = b"ab\r\n";
    let Ok(Status::Complete((Event::Header { body_len, .. }, used))) = decoder.decode_event(stream)
    else {
        panic!("no header");
    };
    assert_eq!((body_len, used), (2, 0));
    let Ok(Status::Complete((Event::Body(chunk), used))) = decoder.decode_event(stream) else {
        panic!("no body");
    };
    assert_eq!((chunk, used), (&b"ab"[..], 2));
    for (trailer, missing) in [(&b""[..], 2), (b"\r", 1)] {
        assert_eq!(
            decoder.decode_event(trailer),
            Ok(Status::Partial(Needed::exact(missing))),
            "{trailer:?}"
        );
    }
    assert!(matches!(
        decoder.decode_event(b"\r\n"),
        Ok(Status::Complete((Event::End, 2)))
    ));
}

/// A framing used through a reference keeps its last frame (found by
/// mutation testing: `<&F as Framing>::parse_last` could return `Ok(None)`
/// without a test noticing).
#[test]
fn a_framing_by_reference_takes_its_last_frame() {
    use sockframe::Delimited;

    let lines = Delimited::lines().take_last_frame(true);
    let mut decoder = Decoder::new(&lines);
    assert_eq!(decoder.end_stream(b"tail"), Ok(true));
    let Ok(Status::Complete((frame, used))) = decoder.decode(b"tail") else {
        panic!("no last frame");
    };
    assert_eq!((frame.payload(), used), (&b"tail"[..], 4));
}

/// A framing that claims an 8-byte header after seeing its first byte: a
/// framing that does not check it was shown the whole header.
struct Optimistic;

impl Framing for Optimistic {
    type Scan = ();
    type Meta = ();
    type Header<'a> = ();
    type OwnedHeader = ();

    fn parse_header(
        &self,
        input: &[u8],
        _scan: &mut (),
        _offset: u64,
        _limits: &Limits,
    ) -> Result<Status<Head>, Error> {
        Ok(match input.first() {
            Some(&len) => Status::Complete(Head::new(8, u64::from(len))),
            None => Status::Partial(Needed::at_least(1)),
        })
    }

    fn header(&self, _header: &[u8], _head: &Head) {}
}

/// The decoder shows a framing at most `max_header_len` bytes and refuses
/// a header completed past them, whatever the framing claims (found by
/// mutation testing: the check could be dropped without a test noticing;
/// no built-in framing claims bytes it was not shown).
#[test]
fn a_header_claimed_past_the_bytes_shown_is_too_long() {
    let stream = b"\x02\0\0\0\0\0\0\0ab";
    let limits = Limits::new().max_header(4);
    let mut decoder = Decoder::with_limits(Optimistic, limits);
    let too_long = Error::HeaderTooLong {
        offset: 0,
        length: 8,
        limit: 4,
    };
    assert_eq!(decoder.decode(stream).map(|_| ()), Err(too_long.clone()));
    // Sticky.
    assert_eq!(decoder.decode(stream).map(|_| ()), Err(too_long));
    // Under the default limits the same stream is one frame.
    let mut decoder = Decoder::new(Optimistic);
    let Ok(Status::Complete((frame, used))) = decoder.decode(stream) else {
        panic!("no frame");
    };
    assert_eq!((frame.payload(), used), (&b"ab"[..], 10));
}
