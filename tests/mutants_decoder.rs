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
