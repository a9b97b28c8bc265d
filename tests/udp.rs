//! One frame per datagram over real loopback `UdpSocket`s and Unix datagram
//! sockets: round trips, and truncated, padded or oversized datagrams
//! refused with their numbers while later datagrams still arrive.

use std::io::{self, ErrorKind};
use std::net::UdpSocket;
use std::os::unix::net::UnixDatagram;
use std::time::Duration;

use serde_json::json;
use sockframe::io::frame_error;
use sockframe::io::udp::{DatagramError, DatagramFramer};
use sockframe::{Ascii, Binary, Error, Json, Needed};

fn udp_pair() -> (UdpSocket, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    // A lost datagram fails the test instead of hanging it.
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    a.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    (a, b)
}

fn datagram_error(error: &io::Error) -> Option<&DatagramError> {
    error.get_ref()?.downcast_ref::<DatagramError>()
}

#[test]
fn every_framing_round_trips_one_frame_per_datagram() {
    let (a, b) = udp_pair();
    let big = vec![0x5a; 60_000];
    let payloads: [&[u8]; 4] = [b"hello", b"", "你好".as_bytes(), &big];

    let mut ascii = DatagramFramer::new(Ascii::new());
    for payload in &payloads[..3] {
        ascii.send(&a, payload).unwrap();
        assert_eq!(ascii.recv(&b).unwrap().payload(), *payload);
    }
    let mut binary = DatagramFramer::new(Binary::default());
    for payload in payloads {
        binary.send(&a, payload).unwrap();
        let frame = binary.recv(&b).unwrap();
        assert!(frame.payload() == payload);
    }
    let mut json = DatagramFramer::new(Json::new());
    for payload in payloads {
        json.send(&a, payload).unwrap();
        let frame = json.recv(&b).unwrap();
        assert!(frame.payload() == payload);
        assert_eq!(frame.header().body_len(), payload.len() as u64);
    }
    let datagram = json.encode_with(&json!({"id": 7}), b"x").unwrap().to_vec();
    assert_eq!(&datagram[4..], br#"{"id": 7, "data_size": 1}x"#);
}

#[test]
fn send_to_and_recv_from_name_the_peer() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut framer = DatagramFramer::new(Ascii::new());
    framer
        .send_to(&client, b"question", server.local_addr().unwrap())
        .unwrap();
    let (frame, from) = framer.recv_from(&server).unwrap();
    assert_eq!(frame.payload(), b"question");
    assert_eq!(from, client.local_addr().unwrap());
    let mut reply = DatagramFramer::new(Ascii::new());
    reply.send_to(&server, b"answer", from).unwrap();
    assert_eq!(framer.recv(&client).unwrap().payload(), b"answer");
}

#[test]
fn a_datagram_cut_by_a_small_receive_buffer_is_an_error_not_a_short_message() {
    let (a, b) = udp_pair();
    let mut sender = DatagramFramer::new(Binary::default());
    // What `recvfrom(1024)` does to a 2000-byte datagram.
    let mut receiver = DatagramFramer::new(Binary::default()).with_max_datagram(1024);
    sender.send(&a, &[1; 1996]).unwrap();
    sender.send(&a, b"small").unwrap();

    let error = receiver.recv(&b).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge { max_datagram: 1024 })
    );
    assert!(error.to_string().contains("1024-byte"), "{error}");
    // The next datagram is unaffected.
    assert_eq!(receiver.recv(&b).unwrap().payload(), b"small");
}

#[test]
fn truncated_and_padded_datagrams_are_refused_with_their_lengths() {
    let (a, b) = udp_pair();
    let mut framer = DatagramFramer::new(Ascii::new());

    a.send(b"0010hello").unwrap(); // 5 bytes short
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::Truncated {
            datagram_len: 9,
            needed: Needed::Exact(5.try_into().unwrap())
        })
    );
    assert!(error.to_string().contains("lacks 5 more bytes"), "{error}");

    a.send(b"00").unwrap(); // not even a header
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::Truncated {
            datagram_len: 2,
            needed: Needed::AtLeast(2.try_into().unwrap())
        })
    );

    a.send(b"0002hi\0\0\0").unwrap(); // padded
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::Padded {
            datagram_len: 9,
            frame_len: 6
        })
    );
    assert!(error.to_string().contains("3 more bytes"), "{error}");

    a.send(b"00x2hi").unwrap(); // a bad header: offsets within the datagram
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_eq!(
        frame_error(&error),
        Some(&Error::InvalidDigit {
            offset: 2,
            byte: b'x'
        })
    );

    a.send(b"0002ok").unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload(), b"ok");
}

#[test]
fn a_frame_too_large_for_a_datagram_is_refused_before_sending() {
    let (a, _b) = udp_pair();
    let mut framer = DatagramFramer::new(Binary::default());
    let error = framer.send(&a, &vec![0; 70_000]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 70_004,
            max_datagram: 65_535
        })
    );
    let mut ascii = DatagramFramer::new(Ascii::new());
    let error = ascii.send(&a, &[0; 10_000]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(matches!(
        frame_error(&error),
        Some(Error::PayloadTooLong { .. })
    ));
}

#[test]
fn unix_datagrams_round_trip_and_detect_truncation() {
    let (a, b) = UnixDatagram::pair().unwrap();
    b.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut framer = DatagramFramer::new(Json::new()).with_max_datagram(150_000);
    let large = vec![7u8; 100_000];
    framer.send(&a, &large).unwrap();
    let frame = framer.recv(&b).unwrap();
    assert!(frame.payload() == &large[..]);

    // Unix datagrams can exceed 65535 bytes; a default receiver cuts and
    // refuses them.
    framer.send(&a, &large).unwrap();
    framer.send(&a, b"after").unwrap();
    let mut default_size = DatagramFramer::new(Json::new());
    let error = default_size.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            max_datagram: 65_535
        })
    );
    let (frame, _from) = default_size.recv_from(&b).unwrap();
    assert_eq!(frame.payload(), b"after");
}
