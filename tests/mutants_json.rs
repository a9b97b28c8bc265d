//! The JSON framing's API around the header scanner, pinned where mutation
//! testing found it loose: the configuration getters, the partial-input
//! counts and the header limit, the header views (borrowed and owned), the
//! ordered fields, and the encoder's spelling.
#![cfg(feature = "json")]

use serde::Deserialize;
use serde_json::{json, Value};
use sockframe::framing::Framing;
use sockframe::{
    Binary, Decoder, Encode, Error, Json, JsonFields, JsonKind, JsonStyle, Limits, Needed,
    OwnedJsonHeader, Signedness, Status, ToOwnedHeader, Width,
};

fn wire(text: &str, body: &[u8]) -> Vec<u8> {
    let mut wire = (text.len() as i32).to_le_bytes().to_vec();
    wire.extend_from_slice(text.as_bytes());
    wire.extend_from_slice(body);
    wire
}

fn parse(json: &Json, input: &[u8], limits: &Limits) -> Result<Status<(usize, u64)>, Error> {
    json.parse_header(input, &mut (), 0, limits)
        .map(|status| status.map(|head| (head.header_len, head.payload_len)))
}

#[test]
fn configuration_getters() {
    let json = Json::new();
    assert_eq!(json.size_key(), "data_size");
    assert_eq!(json.prefix(), Binary::I32_LE);
    let json = Json::new()
        .with_size_key(Json::FILE_SIZE)
        .with_prefix(Binary::U32_BE)
        .with_style(JsonStyle::Compact);
    assert_eq!(json.size_key(), "file_size");
    assert_eq!(json.prefix(), Binary::U32_BE);
    assert_eq!(
        json.encode_header(5).unwrap(),
        b"\0\0\0\x0f{\"file_size\":5}"
    );
    assert_eq!(Json::default(), Json::new());
}

#[test]
fn max_header_len_is_the_prefix_and_the_limit() {
    let limits = Limits::new().max_header(100);
    assert_eq!(Json::new().max_header_len(&limits), 104);
    let two = Binary::I32_LE.with_width(Width::Two);
    assert_eq!(Json::new().with_prefix(two).max_header_len(&limits), 102);
    let unlimited = Limits::new().max_header(usize::MAX);
    assert_eq!(Json::new().max_header_len(&unlimited), usize::MAX);
}

#[test]
fn partial_input_counts_what_is_missing() {
    let json = Json::new();
    let limits = Limits::new();
    let wire = wire(r#"{"data_size": 5}"#, b"hello");
    // The prefix, then the header text.
    for len in 0..4 {
        assert_eq!(
            parse(&json, &wire[..len], &limits),
            Ok(Status::Partial(Needed::at_least(4 - len))),
            "{len}"
        );
    }
    for len in 4..20 {
        assert_eq!(
            parse(&json, &wire[..len], &limits),
            Ok(Status::Partial(Needed::at_least(20 - len))),
            "{len}"
        );
    }
    assert_eq!(
        parse(&json, &wire[..20], &limits),
        Ok(Status::Complete((20, 5)))
    );
}

#[test]
fn header_limit_is_inclusive() {
    let text = r#"{"data_size": 5}"#;
    let wire = wire(text, b"hello");
    let json = Json::new();
    let at_limit = Limits::new().max_header(text.len());
    assert_eq!(
        parse(&json, &wire, &at_limit),
        Ok(Status::Complete((20, 5)))
    );
    let below = Limits::new().max_header(text.len() - 1);
    assert_eq!(
        parse(&json, &wire, &below),
        Err(Error::HeaderTooLong {
            offset: 0,
            length: 16,
            limit: 15
        })
    );
    // A negative length never reaches the limit check.
    assert!(parse(&json, b"\xff\xff\xff\xff{}", &Limits::new()).is_err());
}

#[derive(Debug, Deserialize, PartialEq)]
struct FileHeader {
    file_name: String,
    data_size: u64,
}

#[test]
fn header_views_borrowed_and_owned() {
    let text = r#"{"file_name": "a.txt", "data_size": 3, "md5": null}"#;
    let frame_wire = wire(text, b"abc");
    let mut decoder = Decoder::new(Json::new());
    let Ok(Status::Complete((frame, used))) = decoder.decode(&frame_wire) else {
        panic!("not decoded");
    };
    assert_eq!(used, frame_wire.len());
    let header = frame.header();
    assert_eq!(header.as_bytes(), text.as_bytes());
    assert_eq!(header.as_str(), text);
    assert_eq!(header.body_len(), 3);
    let map = header.to_map().unwrap();
    assert_eq!(map.len(), 3);
    assert_eq!(map["file_name"], "a.txt");
    let typed: FileHeader = header.deserialize().unwrap();
    let want = FileHeader {
        file_name: "a.txt".into(),
        data_size: 3,
    };
    assert_eq!(typed, want);
    let keys: Vec<String> = header
        .fields()
        .unwrap()
        .iter()
        .map(|(key, _)| key.to_string())
        .collect();
    assert_eq!(keys, ["file_name", "data_size", "md5"]);

    let owned: OwnedJsonHeader = header.to_owned();
    assert_eq!(header.to_owned_header(), owned);
    assert_eq!(owned.as_str(), text);
    assert_eq!(owned.body_len(), 3);
    assert_eq!(owned.as_header(), *header);
    assert_eq!(owned.to_map().unwrap(), map);
    assert_eq!(owned.deserialize::<FileHeader>().unwrap(), want);
    assert_eq!(owned.fields().unwrap(), header.fields().unwrap());
    assert_eq!(owned.fields().unwrap().len(), 3);
}

#[test]
fn fields_keep_order_and_values() {
    let text = r#"{"z": 1, "a": {"y": [1, -2, 2.5, "s\"", true, null], "b": false}, "z": 3, "data_size": 0}"#;
    let frame_wire = wire(text, b"");
    let mut decoder = Decoder::new(Json::new());
    let Ok(Status::Complete((frame, _))) = decoder.decode(&frame_wire) else {
        panic!("not decoded");
    };
    let fields = frame.header().fields().unwrap();
    assert_eq!(fields.len(), 4);
    assert!(!fields.is_empty());
    // The last of a repeated key, as Python keeps it.
    assert_eq!(fields.get("z"), Some(&json!(3)));
    assert_eq!(fields["z"], 3);
    assert_eq!(fields.get("nothing"), None);
    assert_eq!(fields["nothing"], Value::Null);
    assert_eq!(
        fields["a"],
        json!({"y": [1, -2, 2.5, "s\"", true, null], "b": false})
    );
    let pairs: Vec<(&str, &Value)> = fields.iter().collect();
    assert_eq!(pairs[0], ("z", &json!(1)));
    assert_eq!(pairs[2], ("z", &json!(3)));
    // Serialized in the order received, repeated keys and all.
    assert_eq!(
        serde_json::to_string(&fields).unwrap(),
        // Nested objects are `serde_json::Map`s: sorted.
        r#"{"z":1,"a":{"b":false,"y":[1,-2,2.5,"s\"",true,null]},"z":3,"data_size":0}"#
    );
    let vec = fields.clone().into_vec();
    assert_eq!(vec.len(), 4);
    assert_eq!(vec[3], ("data_size".to_string(), json!(0)));
    assert_eq!(JsonFields::from(vec.clone()), fields);
    assert_eq!(vec.into_iter().collect::<JsonFields>(), fields);

    let empty = JsonFields::default();
    assert!(empty.is_empty());
    assert_eq!(empty.len(), 0);
    assert_eq!(
        serde_json::from_str::<JsonFields>("{}").unwrap(),
        JsonFields::default()
    );
    let error = serde_json::from_str::<JsonFields>("[]").unwrap_err();
    assert!(
        error.to_string().contains("expected a JSON object"),
        "{error}"
    );
}

#[test]
fn encoder_keeps_field_order_and_places_the_size() {
    let json = Json::new();
    let fields = JsonFields::from(vec![
        ("b".to_string(), json!(1)),
        ("data_size".to_string(), json!(0)),
        ("a".to_string(), json!([1, {"y": null, "x": [true, false]}])),
    ]);
    // The size key in place.
    assert_eq!(
        &json.encode_header_with(&fields, 7).unwrap()[4..],
        br#"{"b": 1, "data_size": 7, "a": [1, {"x": [true, false], "y": null}]}"#
    );
    let compact = Json::new().with_style(JsonStyle::Compact);
    assert_eq!(
        &compact.encode_header_with(&fields, 7).unwrap()[4..],
        br#"{"b":1,"data_size":7,"a":[1,{"x":[true,false],"y":null}]}"#
    );
    // Appended when absent; repeated keys: the last one takes the size.
    let fields = JsonFields::from(vec![
        ("data_size".to_string(), json!("x")),
        ("data_size".to_string(), json!("y")),
        ("c".to_string(), json!(-1.5)),
    ]);
    assert_eq!(
        &json.encode_header_with(&fields, 2).unwrap()[4..],
        br#"{"data_size": "x", "data_size": 2, "c": -1.5}"#
    );
    assert_eq!(
        &json
            .with_size_key(Json::FILE_SIZE)
            .encode_header_with(&fields, 2)
            .unwrap()[4..],
        br#"{"data_size": "x", "data_size": "y", "c": -1.5, "file_size": 2}"#
    );
    let mut out = b"before".to_vec();
    Json::new()
        .encode_with_into(&json!({"a": 1}), b"xyz", &mut out)
        .unwrap();
    assert_eq!(out, b"before\x18\0\0\0{\"a\": 1, \"data_size\": 3}xyz");
}

#[test]
fn header_fields_that_are_not_an_object() {
    let json = Json::new();
    let cases: [(Value, JsonKind); 6] = [
        (json!(null), JsonKind::Null),
        (json!(true), JsonKind::Bool),
        (json!(5), JsonKind::Integer),
        (json!(-5), JsonKind::Integer),
        (json!(5.5), JsonKind::Float),
        (json!("s"), JsonKind::String),
    ];
    for (value, found) in cases {
        assert_eq!(
            json.encode_header_with(&value, 0),
            Err(Error::HeaderFieldsNotObject { found }),
            "{value}"
        );
    }
    assert_eq!(
        json.encode_header_with(&json!([1]), 0),
        Err(Error::HeaderFieldsNotObject {
            found: JsonKind::Array
        })
    );
}

#[test]
fn sizes_are_written_in_decimal() {
    for (size, text) in [
        (0usize, "0"),
        (7, "7"),
        (9, "9"),
        (10, "10"),
        (99, "99"),
        (100, "100"),
        (1_000_000_007, "1000000007"),
        (usize::MAX, &usize::MAX.to_string()),
    ] {
        let header = Json::new().encode_header(size).unwrap();
        let want = format!(r#"{{"data_size": {text}}}"#);
        assert_eq!(&header[4..], want.as_bytes(), "{size}");
        assert_eq!(header[..4], (want.len() as i32).to_le_bytes());
    }
}

#[test]
fn strings_are_escaped_as_python_does() {
    let value = json!({"k\u{1}é": "a\"\\\n\r\t\u{8}\u{c}\u{1f}\u{7f}é你😀~ "});
    assert_eq!(
        &Json::new().encode_header_with(&value, 0).unwrap()[4..],
        br#"{"k\u0001\u00e9": "a\"\\\n\r\t\b\f\u001f\u007f\u00e9\u4f60\ud83d\ude00~ ", "data_size": 0}"#
    );
    let compact = Json::new().with_style(JsonStyle::Compact);
    assert_eq!(
        &compact.encode_header_with(&value, 0).unwrap()[4..],
        "{\"k\\u0001é\":\"a\\\"\\\\\\n\\r\\t\\b\\f\\u001f\u{7f}é你😀~ \",\"data_size\":0}"
            .as_bytes()
    );
    // A size key that needs escaping, in both styles.
    let json = Json::new().with_size_key("size \"é\"");
    assert_eq!(
        &json.encode_header(1).unwrap()[4..],
        br#"{"size \"\u00e9\"": 1}"#
    );
    assert_eq!(
        &json
            .with_style(JsonStyle::Compact)
            .encode_header(1)
            .unwrap()[4..],
        "{\"size \\\"é\\\"\":1}".as_bytes()
    );
}

#[test]
fn encoded_header_length_limit_is_inclusive() {
    // A 1-byte signed prefix holds at most 127.
    let json = Json::new().with_prefix(Binary::I32_LE.with_width(Width::One));
    let fits = json!({"a": "x".repeat(127 - r#"{"a": "", "data_size": 0}"#.len())});
    let header = json.encode_header_with(&fits, 0).unwrap();
    assert_eq!(header.len(), 128);
    assert_eq!(header[0], 127);
    let over = json!({"a": "x".repeat(128 - r#"{"a": "", "data_size": 0}"#.len())});
    assert_eq!(
        json.encode_header_with(&over, 0),
        Err(Error::HeaderTooLong {
            offset: 0,
            length: 128,
            limit: 127
        })
    );
    let unsigned = json.with_prefix(
        Binary::I32_LE
            .with_width(Width::One)
            .with_signedness(Signedness::Unsigned),
    );
    assert_eq!(unsigned.encode_header_with(&over, 0).unwrap()[0], 128);
}
