//! The `io::Error`s of the blocking adapters say the sockframe message in
//! both forms: `{}` and `{:?}`, the one `main` prints when it returns the
//! error. The sockframe `Error` stays recoverable with `frame_error`.

use std::error::Error as _;
use std::io::{self, ErrorKind};

use serde_json::json;
use sockframe::io::{frame_error, FrameReader, FrameWriter};
use sockframe::{Ascii, Binary, Error, Json};

/// Checks both forms of `error` against the message of the sockframe error
/// it carries, and returns that message.
fn assert_reads_as_message(error: &io::Error) -> String {
    let inner = frame_error(error).expect("a sockframe error inside");
    let message = inner.to_string();
    assert_eq!(error.to_string(), message);
    let debug = format!("{error:?}");
    assert!(debug.contains(&message), "{debug}");
    // Not a derived Debug of the sockframe error (`Variant { offset: ..`).
    assert!(!debug.contains("{ offset:"), "{debug}");
    // Recoverable the standard way too.
    let carried = error.get_ref().and_then(|e| e.downcast_ref::<Error>());
    assert_eq!(carried, Some(inner));
    // The message is said once, not again as a source.
    assert!(error.source().is_none());
    message
}

#[test]
fn a_stream_cut_in_a_body_reads_as_the_missing_bytes() {
    // The case from the issue: a file body cut short, as `main` prints it.
    let json = Json::new().with_size_key(Json::FILE_SIZE);
    let mut wire = json
        .encode_header_with(&json!({"file_name": "a.bin"}), 700)
        .unwrap();
    wire.extend_from_slice(&[0; 300]);

    let mut reader = FrameReader::new(&wire[..], json);
    let (_, size) = reader.read_header().unwrap().expect("a header");
    assert_eq!(size, 700);
    let error = reader.copy_body_to(&mut io::sink()).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert!(matches!(
        frame_error(&error),
        Some(Error::UnexpectedEof { .. })
    ));

    let message = assert_reads_as_message(&error);
    assert!(message.contains("400"), "{message}");
    let debug = format!("{error:?}");
    assert!(debug
        .starts_with("Custom { kind: UnexpectedEof, error: UnexpectedEof: stream ended at offset"));
    assert!(!debug.contains("Exact("), "{debug}");
}

#[test]
fn a_frame_cut_short_reads_as_the_missing_bytes() {
    let mut reader = FrameReader::new(&b"0005hel"[..], Ascii::new());
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::UnexpectedEof);
    assert_reads_as_message(&error);
}

#[test]
fn bad_input_from_the_peer_reads_as_its_message() {
    let mut reader = FrameReader::new(&b"00x5hello"[..], Ascii::new());
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    let message = assert_reads_as_message(&error);
    assert!(message.contains("not a decimal digit"), "{message}");

    // A negative length from a signed binary header.
    let mut reader = FrameReader::new(&b"\xff\xff\xff\xff"[..], Binary::default());
    let error = reader.read_frame().unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_reads_as_message(&error);
}

#[test]
fn a_payload_the_header_cannot_describe_reads_as_its_message() {
    let mut writer = FrameWriter::new(Vec::new(), Ascii::new());
    let error = writer.write_frame(&[0; 10_000]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_reads_as_message(&error);
    assert!(writer.get_ref().is_empty());
}

#[test]
fn question_mark_converts_the_same_way() {
    fn decode(wire: &[u8]) -> io::Result<()> {
        let mut decoder = sockframe::Decoder::new(Ascii::new());
        let _status = decoder.decode(wire)?;
        Ok(())
    }
    let error = decode(b"12a4").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_reads_as_message(&error);
}

#[test]
fn frame_error_also_finds_an_error_wrapped_by_hand() {
    let mut reader = FrameReader::new(&b"00x5"[..], Ascii::new());
    let original = frame_error(&reader.read_frame().unwrap_err())
        .expect("a sockframe error")
        .clone();
    let by_hand = io::Error::new(ErrorKind::InvalidData, original.clone());
    assert_eq!(frame_error(&by_hand), Some(&original));

    // An io::Error that carries something else has none.
    assert_eq!(frame_error(&io::Error::other("not ours")), None);
    assert_eq!(frame_error(&io::Error::from(ErrorKind::BrokenPipe)), None);
}
