//! The vectors of FRAMINGS.md, through every decoding API and the encoders.
#![cfg(feature = "testing")]

mod common;

use common::all_apis;
use sockframe::testing::Split;
use sockframe::{Ascii, Binary, Decoder, Encode, Error, Json, Limits, Needed, OwnedFrame, Status};

fn frame(payload: &[u8]) -> OwnedFrame {
    OwnedFrame {
        header: (),
        payload: payload.to_vec(),
    }
}

#[test]
fn ascii_vectors_encode() {
    let ascii = Ascii::new();
    assert_eq!(ascii.encode_to_vec(b"hello").unwrap(), b"0005hello");
    assert_eq!(ascii.encode_to_vec(b"").unwrap(), b"0000");
    assert_eq!(
        ascii.encode_to_vec("你好".as_bytes()).unwrap(),
        b"0006\xe4\xbd\xa0\xe5\xa5\xbd"
    );
}

#[test]
fn ascii_vectors_decode() {
    let stream = b"0005hello00000006\xe4\xbd\xa0\xe5\xa5\xbd";
    let (frames, end) = all_apis(&Ascii::new(), Limits::new(), stream, &Split::whole());
    assert_eq!(
        frames,
        [frame(b"hello"), frame(b""), frame("你好".as_bytes())]
    );
    assert_eq!(end, Ok(()));
}

#[test]
fn ascii_bad_digit_at_offset_2() {
    let mut decoder = Decoder::new(Ascii::new());
    assert_eq!(
        decoder.decode(b"00a5hello"),
        Err(Error::InvalidDigit {
            offset: 2,
            byte: b'a'
        })
    );
    // Refused as soon as the byte arrives, whatever the split.
    let mut decoder = Decoder::new(Ascii::new());
    assert_eq!(
        decoder.decode(b"00a"),
        Err(Error::InvalidDigit {
            offset: 2,
            byte: b'a'
        })
    );
}

#[test]
fn ascii_rejects_what_python_int_would_accept() {
    for (header, at, byte) in [
        (&b"+012"[..], 0, b'+'),
        (b" 12 ", 0, b' '),
        (b"-001", 0, b'-'),
        (b"1_00", 1, b'_'),
    ] {
        let mut decoder = Decoder::new(Ascii::new());
        assert_eq!(
            decoder.decode(header),
            Err(Error::InvalidDigit { offset: at, byte }),
            "{header:?}"
        );
    }
}

#[test]
fn ascii_other_widths() {
    let two = Ascii::with_width(2).unwrap();
    assert_eq!(two.encode_to_vec(b"hello").unwrap(), b"05hello");
    assert_eq!(two.max_len(), 99);
    let (frames, end) = all_apis(&two, Limits::new(), b"05hello00", &Split::whole());
    assert_eq!((frames, end), (vec![frame(b"hello"), frame(b"")], Ok(())));
    let eight = Ascii::with_width(8).unwrap();
    assert_eq!(eight.encode_to_vec(b"abc").unwrap(), b"00000003abc");
    assert!(Ascii::with_width(0).is_err());
    assert!(Ascii::with_width(20).is_err());
    assert_eq!(
        Ascii::with_width(19).unwrap().max_len(),
        9_999_999_999_999_999_999
    );
}

#[test]
fn ascii_encoder_refuses_five_digits() {
    let payload = vec![b'x'; 10_000];
    assert_eq!(
        Ascii::new().encode_to_vec(&payload),
        Err(Error::PayloadTooLong {
            length: 10_000,
            max: 9999
        })
    );
    assert_eq!(
        Ascii::new().encode_header(9999).unwrap().as_bytes(),
        b"9999"
    );
}

#[test]
fn binary_vectors() {
    let little = Binary::default();
    let big = Binary::from_struct_format("!i").unwrap();
    assert_eq!(
        little.encode_to_vec(b"hello").unwrap(),
        b"\x05\x00\x00\x00hello"
    );
    assert_eq!(
        big.encode_to_vec(b"hello").unwrap(),
        b"\x00\x00\x00\x05hello"
    );
    for (framing, wire) in [
        (little, &b"\x05\x00\x00\x00hello"[..]),
        (big, b"\x00\x00\x00\x05hello"),
    ] {
        let (frames, end) = all_apis(&framing, Limits::new(), wire, &Split::whole());
        assert_eq!((frames, end), (vec![frame(b"hello")], Ok(())));
    }
}

#[test]
fn binary_negative_length() {
    // struct.pack('i', -5)
    let mut decoder = Decoder::new(Binary::default());
    assert_eq!(
        decoder.decode(b"\xfb\xff\xff\xff"),
        Err(Error::NegativeLength {
            offset: 0,
            length: -5
        })
    );
    // The same bytes unsigned are 4294967291: over the limit, not negative.
    let mut decoder = Decoder::new(Binary::U32_LE);
    assert_eq!(
        decoder.decode(b"\xfb\xff\xff\xff"),
        Err(Error::FrameTooLong {
            offset: 0,
            length: 4_294_967_291,
            limit: 8 * 1024 * 1024
        })
    );
}

#[test]
fn binary_struct_formats_decode_their_own_encoding() {
    for format in ["i", "<i", "!I", ">H", "=q", "<b", ">B", "<Q", "!h"] {
        let framing = Binary::from_struct_format(format).unwrap();
        let stream = [
            framing.encode_to_vec(b"hello").unwrap(),
            framing.encode_to_vec(b"").unwrap(),
        ]
        .concat();
        let (frames, end) = all_apis(&framing, Limits::new(), &stream, &Split::whole());
        assert_eq!(
            (frames, end),
            (vec![frame(b"hello"), frame(b"")], Ok(())),
            "format {format}"
        );
    }
}

#[test]
fn binary_encoder_refuses_what_the_header_cannot_hold() {
    let i = Binary::default();
    assert_eq!(
        i.encode_header(i32::MAX as usize + 1),
        Err(Error::PayloadTooLong {
            length: i32::MAX as u64 + 1,
            max: i32::MAX as u64
        })
    );
    assert_eq!(
        i.encode_header(i32::MAX as usize).unwrap().as_bytes(),
        b"\xff\xff\xff\x7f"
    );
    let h = Binary::from_struct_format(">H").unwrap();
    assert_eq!(
        h.encode_header(65_536),
        Err(Error::PayloadTooLong {
            length: 65_536,
            max: 65_535
        })
    );
    assert_eq!(h.encode_header(65_535).unwrap().as_bytes(), b"\xff\xff");
    let b = Binary::from_struct_format("b").unwrap();
    assert_eq!(
        b.encode_header(128),
        Err(Error::PayloadTooLong {
            length: 128,
            max: 127
        })
    );
}

#[test]
fn json_vector() {
    let wire = b"\x10\x00\x00\x00{\"data_size\": 5}hello";
    assert_eq!(Json::new().encode_to_vec(b"hello").unwrap(), wire);
    let (frames, end) = all_apis(&Json::new(), Limits::new(), wire, &Split::whole());
    assert_eq!(end, Ok(()));
    assert_eq!(frames.len(), 1);
    assert_eq!(frames[0].payload, b"hello");
    assert_eq!(
        frames[0].header.as_header().as_bytes(),
        br#"{"data_size": 5}"#
    );
    assert_eq!(frames[0].header.as_header().body_len(), 5);
}

#[test]
fn two_gib_announced_with_ten_bytes_behind_is_refused_at_once() {
    let mut stream = b"\xff\xff\xff\x7f".to_vec();
    stream.extend_from_slice(b"0123456789");
    let mut buffer = sockframe::FrameBuffer::new(Decoder::new(Binary::default()));
    buffer.push(&stream);
    assert_eq!(
        buffer.next_frame().err(),
        Some(Error::FrameTooLong {
            offset: 0,
            length: i32::MAX as u64,
            limit: 8 * 1024 * 1024
        })
    );
    assert!(
        buffer.capacity() <= 4096,
        "reserved {} bytes",
        buffer.capacity()
    );
    // The same through the streaming API under its own limit, with only
    // the header arrived.
    let limits = sockframe::Limits::new().max_streamed_body(1 << 30);
    let mut decoder = Decoder::with_limits(Binary::default(), limits);
    assert_eq!(
        decoder.decode_event(&stream[..4]).err(),
        Some(Error::FrameTooLong {
            offset: 0,
            length: i32::MAX as u64,
            limit: 1 << 30
        })
    );
    // Under the default streaming limit the body may stream through: it is
    // never held.
    let mut decoder = Decoder::new(Binary::default());
    assert!(matches!(
        decoder.decode_event(&stream[..4]),
        Ok(Status::Complete((sockframe::Event::Header { body_len, .. }, 4))) if body_len == i32::MAX as u64
    ));
}

#[test]
fn partial_reports_exact_or_at_least() {
    let mut decoder = Decoder::new(Binary::default());
    let wire = b"\x05\x00\x00\x00hello";
    assert_eq!(
        decoder.decode(&wire[..0]).unwrap(),
        Status::Partial(Needed::AtLeast(4.try_into().unwrap()))
    );
    assert_eq!(
        decoder.decode(&wire[..3]).unwrap(),
        Status::Partial(Needed::AtLeast(1.try_into().unwrap()))
    );
    assert_eq!(
        decoder.decode(&wire[..4]).unwrap(),
        Status::Partial(Needed::Exact(5.try_into().unwrap()))
    );
    assert_eq!(
        decoder.decode(&wire[..8]).unwrap(),
        Status::Partial(Needed::Exact(1.try_into().unwrap()))
    );
    assert!(matches!(
        decoder.decode(wire).unwrap(),
        Status::Complete((_, 9))
    ));

    // JSON: the header length is known after the prefix, the body length after the header.
    let wire = Json::new().encode_to_vec(b"hello").unwrap();
    let mut decoder = Decoder::new(Json::new());
    assert_eq!(
        decoder.decode(&wire[..2]).unwrap(),
        Status::Partial(Needed::at_least_for_test(2))
    );
    assert_eq!(
        decoder.decode(&wire[..4]).unwrap(),
        Status::Partial(Needed::at_least_for_test(16))
    );
    assert_eq!(
        decoder.decode(&wire[..20]).unwrap(),
        Status::Partial(Needed::Exact(5.try_into().unwrap()))
    );
}

trait NeededExt {
    fn at_least_for_test(n: usize) -> Needed;
}
impl NeededExt for Needed {
    fn at_least_for_test(n: usize) -> Needed {
        Needed::AtLeast(n.try_into().unwrap())
    }
}

#[test]
fn every_split_of_a_mixed_stream() {
    let ascii = [
        Ascii::new().encode_to_vec(b"hello").unwrap(),
        Ascii::new().encode_to_vec(b"").unwrap(),
        Ascii::new().encode_to_vec("你好".as_bytes()).unwrap(),
    ]
    .concat();
    let expected = vec![frame(b"hello"), frame(b""), frame("你好".as_bytes())];
    for a in 0..=ascii.len() {
        for b in a..=ascii.len() {
            let (frames, end) = all_apis(&Ascii::new(), Limits::new(), &ascii, &Split::at(&[a, b]));
            assert_eq!((&frames, &end), (&expected, &Ok(())), "cuts at {a} and {b}");
        }
    }
    let binary = Binary::I32_BE;
    let stream = [
        binary.encode_to_vec(b"hello").unwrap(),
        binary.encode_to_vec(b"").unwrap(),
        binary.encode_to_vec(b"world!").unwrap(),
    ]
    .concat();
    let expected = vec![frame(b"hello"), frame(b""), frame(b"world!")];
    for a in 0..=stream.len() {
        for b in a..=stream.len() {
            let (frames, end) = all_apis(&binary, Limits::new(), &stream, &Split::at(&[a, b]));
            assert_eq!((&frames, &end), (&expected, &Ok(())), "cuts at {a} and {b}");
        }
    }
    let json = Json::new().with_size_key("file_size");
    let stream = [
        json.encode_header_with(&serde_json::json!({"file_name": "a.txt", "md5": "x"}), 3)
            .unwrap(),
        b"abc".to_vec(),
        json.encode_to_vec(b"").unwrap(),
        json.encode_to_vec(b"tail").unwrap(),
    ]
    .concat();
    for a in 0..=stream.len() {
        for b in a..=stream.len() {
            let (frames, end) = all_apis(&json, Limits::new(), &stream, &Split::at(&[a, b]));
            assert_eq!(end, Ok(()), "cuts at {a} and {b}");
            let payloads: Vec<&[u8]> = frames.iter().map(|f| &f.payload[..]).collect();
            assert_eq!(payloads, [&b"abc"[..], b"", b"tail"], "cuts at {a} and {b}");
            let first = frames[0].header.to_map().unwrap();
            assert_eq!(first["file_name"], "a.txt");
            assert_eq!(first["md5"], "x");
            assert_eq!(first["file_size"], 3);
        }
    }
}

#[test]
fn one_byte_at_a_time() {
    let stream: Vec<u8> = (0..50u8)
        .flat_map(|i| Json::new().encode_to_vec(&vec![i; usize::from(i)]).unwrap())
        .collect();
    let (frames, end) = all_apis(&Json::new(), Limits::new(), &stream, &Split::bytewise());
    assert_eq!(end, Ok(()));
    assert_eq!(frames.len(), 50);
    for (i, f) in frames.iter().enumerate() {
        assert_eq!(f.payload, vec![i as u8; i]);
    }
}
