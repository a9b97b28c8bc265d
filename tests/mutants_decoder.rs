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
