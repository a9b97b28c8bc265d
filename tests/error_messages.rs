//! Every `Error` message that counts bytes reads as English for one byte
//! and for several: "1 more byte was missing", "2 more bytes were missing".

use sockframe::{Ascii, Decoder, Error, Needed};

/// Each error with the whole message it prints; `Debug` is the variant's
/// name and the same message.
fn assert_messages(cases: &[(Error, &str)]) {
    for (error, message) in cases {
        assert_eq!(&error.to_string(), message);
        assert!(format!("{error:?}").ends_with(&format!(": {message}")));
    }
}

#[test]
fn byte_counts_are_singular_for_one_and_plural_otherwise() {
    assert_messages(&[
        (
            Error::UnexpectedEof {
                offset: 7,
                needed: Needed::exact(1),
            },
            "stream ended at offset 7 in the middle of a frame: 1 more byte was missing",
        ),
        (
            Error::UnexpectedEof {
                offset: 7,
                needed: Needed::exact(2),
            },
            "stream ended at offset 7 in the middle of a frame: 2 more bytes were missing",
        ),
        (
            Error::UnexpectedEof {
                offset: 2,
                needed: Needed::at_least(1),
            },
            "stream ended at offset 2 in the middle of a frame: at least 1 more byte was missing",
        ),
        (
            Error::UnexpectedEof {
                offset: 2,
                needed: Needed::at_least(3),
            },
            "stream ended at offset 2 in the middle of a frame: at least 3 more bytes were missing",
        ),
        (
            Error::FrameTooLong {
                offset: 0,
                length: 1,
                limit: 0,
            },
            "frame at offset 0 announces 1 byte, over the limit of 0",
        ),
        (
            Error::FrameTooLong {
                offset: 0,
                length: 1000,
                limit: 100,
            },
            "frame at offset 0 announces 1000 bytes, over the limit of 100",
        ),
        (
            Error::HeaderTooLong {
                offset: 0,
                length: 1,
                limit: 0,
            },
            "frame at offset 0 has a header of at least 1 byte, over the limit of 0",
        ),
        (
            Error::HeaderTooLong {
                offset: 0,
                length: 70_000,
                limit: 65_536,
            },
            "frame at offset 0 has a header of at least 70000 bytes, over the limit of 65536",
        ),
        (
            Error::InputShrank {
                offset: 0,
                expected: 1,
                got: 0,
            },
            "the frame at offset 0 was parsed over 1 byte, but only 0 were given again",
        ),
        (
            Error::InputShrank {
                offset: 0,
                expected: 3,
                got: 1,
            },
            "the frame at offset 0 was parsed over 3 bytes, but only 1 was given again",
        ),
        (
            Error::BodyInProgress { remaining: 1 },
            "a streamed body is in progress (1 byte still due); read it to its end first",
        ),
        (
            Error::BodyInProgress { remaining: 0 },
            "a streamed body is in progress (0 bytes still due); read it to its end first",
        ),
        (
            Error::PayloadTooLong { length: 1, max: 0 },
            "payload of 1 byte is too long for the header, which can describe at most 0",
        ),
        (
            Error::PayloadTooLong {
                length: 10_000,
                max: 9999,
            },
            "payload of 10000 bytes is too long for the header, which can describe at most 9999",
        ),
    ]);
}

#[test]
fn a_stream_one_byte_short_says_one_byte() {
    let mut decoder = Decoder::new(Ascii::new());
    let error = decoder.finish(b"0002h").unwrap_err();
    assert_eq!(
        error.to_string(),
        "stream ended at offset 5 in the middle of a frame: 1 more byte was missing"
    );
}

#[test]
fn the_missing_size_key_message() {
    // Quoted to framecat, which adds its `--length-key` hint after it.
    assert_eq!(
        Error::MissingSizeKey {
            offset: 4,
            key: "data_size".into()
        }
        .to_string(),
        r#"JSON header at offset 4 has no "data_size" key"#
    );
}
