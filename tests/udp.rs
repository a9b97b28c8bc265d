//! One frame per datagram over real loopback `UdpSocket`s and Unix datagram
//! sockets: round trips, replies while a frame is held (`split`), JSON
//! header fields, truncated, padded or oversized datagrams refused with
//! their numbers while later datagrams still arrive, send and receive
//! limits, and a receive buffer no setting can blow up.

use std::io::{self, ErrorKind};
use std::net::UdpSocket;
use std::os::unix::net::UnixDatagram;
use std::path::PathBuf;
use std::sync::Mutex;
use std::thread;
use std::time::Duration;

use serde_json::json;
use sockframe::io::frame_error;
use sockframe::io::udp::{
    datagram_error, DatagramError, DatagramFramer, DatagramSocket, DEFAULT_MAX_RECV,
    DEFAULT_MAX_SEND, MAX_RECV_DATAGRAM,
};
use sockframe::{Ascii, Binary, Error, Json, Needed};

/// How long a test waits for a datagram before failing instead of hanging.
const WAIT: Duration = Duration::from_secs(5);

fn udp_pair() -> (UdpSocket, UdpSocket) {
    let a = UdpSocket::bind("127.0.0.1:0").unwrap();
    let b = UdpSocket::bind("127.0.0.1:0").unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    b.connect(a.local_addr().unwrap()).unwrap();
    a.set_read_timeout(Some(WAIT)).unwrap();
    b.set_read_timeout(Some(WAIT)).unwrap();
    (a, b)
}

fn unix_pair() -> (UnixDatagram, UnixDatagram) {
    let (a, b) = UnixDatagram::pair().unwrap();
    a.set_read_timeout(Some(WAIT)).unwrap();
    b.set_read_timeout(Some(WAIT)).unwrap();
    (a, b)
}

/// A Unix datagram socket bound to a fresh path, so that replies can be
/// addressed to it; the path is removed on drop.
struct NamedUnix {
    socket: UnixDatagram,
    path: PathBuf,
}

impl NamedUnix {
    fn bind(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("sockframe-udp-{}-{name}.sock", std::process::id()));
        let _ = std::fs::remove_file(&path);
        let socket = UnixDatagram::bind(&path).unwrap();
        socket.set_read_timeout(Some(WAIT)).unwrap();
        NamedUnix { socket, path }
    }
}

impl Drop for NamedUnix {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn is_timeout(error: &io::Error) -> bool {
    matches!(error.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut)
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
    server.set_read_timeout(Some(WAIT)).unwrap();
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client.set_read_timeout(Some(WAIT)).unwrap();
    let server_addr = server.local_addr().unwrap();
    let mut framer = DatagramFramer::new(Ascii::new());
    framer.send_to(&client, b"question", server_addr).unwrap();
    let (frame, from) = framer.recv_from(&server).unwrap();
    assert_eq!(frame.payload(), b"question");
    assert_eq!(from, client.local_addr().unwrap());
    let mut reply = DatagramFramer::new(Ascii::new());
    reply.send_to(&server, b"answer", from).unwrap();
    assert_eq!(framer.recv(&client).unwrap().payload(), b"answer");
}

#[test]
fn send_to_takes_any_datagram_socket_unix_included() {
    let server = NamedUnix::bind("send-to-server");
    let client = NamedUnix::bind("send-to-client");
    let server_addr = server.socket.local_addr().unwrap();
    let mut framer = DatagramFramer::new(Json::new());
    // The address borrowed (or given, below).
    framer
        .send_to(&client.socket, b"over unix", &server_addr)
        .unwrap();
    let (frame, from) = framer.recv_from(&server.socket).unwrap();
    assert_eq!(frame.payload(), b"over unix");
    assert_eq!(from.as_pathname(), Some(client.path.as_path()));
    assert_eq!(server_addr.as_pathname(), Some(server.path.as_path()));

    framer
        .send_to_with(&server.socket, &json!({"reply": true}), b"ok", from)
        .unwrap();
    let frame = framer.recv(&client.socket).unwrap();
    assert_eq!(
        frame.header().as_str(),
        r#"{"reply": true, "data_size": 2}"#
    );
    assert_eq!(frame.payload(), b"ok");
}

/// The obvious echo server: receive, answer with the frame still held.
/// Returns how many frames it echoed and the error that ended it.
fn echo<S: DatagramSocket>(socket: &S) -> (usize, io::Error) {
    let mut framer = DatagramFramer::new(Ascii::new());
    let (mut receiver, mut sender) = framer.split();
    let mut echoed = 0;
    loop {
        let (frame, from) = match receiver.recv_from(socket) {
            Ok(received) => received,
            Err(error) => return (echoed, error),
        };
        if let Err(error) = sender.send_to(socket, frame.payload(), from) {
            return (echoed, error);
        }
        echoed += 1;
    }
}

#[test]
fn an_echo_server_answers_while_holding_the_frame_over_udp() {
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    // Ends the server's loop once the client is done.
    server
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let address = server.local_addr().unwrap();
    let server = thread::spawn(move || echo(&server));

    let (client, _) = udp_pair();
    client.connect(address).unwrap();
    let mut framer = DatagramFramer::new(Ascii::new());
    for payload in [&b"ping"[..], b"", "你好".as_bytes(), &[7; 9999]] {
        framer.send(&client, payload).unwrap();
        assert_eq!(framer.recv(&client).unwrap().payload(), payload);
    }
    let (echoed, end) = server.join().unwrap();
    assert_eq!(echoed, 4);
    assert!(is_timeout(&end), "{end}");
}

#[test]
fn an_echo_server_answers_while_holding_the_frame_over_unix() {
    let server = NamedUnix::bind("echo-server");
    let client = NamedUnix::bind("echo-client");
    client.socket.connect(&server.path).unwrap();
    let listening = server
        .socket
        .try_clone()
        .expect("a second handle on the server socket");
    listening
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    let thread = thread::spawn(move || echo(&listening));

    let mut framer = DatagramFramer::new(Ascii::new());
    for payload in [&b"ping"[..], b"pong"] {
        framer.send(&client.socket, payload).unwrap();
        assert_eq!(framer.recv(&client.socket).unwrap().payload(), payload);
    }
    let (echoed, end) = thread.join().unwrap();
    assert_eq!(echoed, 2);
    assert!(is_timeout(&end), "{end}");
}

#[test]
fn json_header_fields_go_out_with_send_with_and_send_to_with() {
    let (a, b) = udp_pair();
    let mut framer = DatagramFramer::new(Json::new().with_size_key(Json::FILE_SIZE));
    let fields = json!({"file_name": "报告.txt", "md5": "abc"});
    framer.send_with(&a, &fields, b"body").unwrap();
    let frame = framer.recv(&b).unwrap();
    // Spelled as Python's json.dumps does: non-ASCII escaped.
    assert_eq!(
        frame.header().as_str(),
        r#"{"file_name": "\u62a5\u544a.txt", "md5": "abc", "file_size": 4}"#
    );
    assert_eq!(frame.header().to_map().unwrap()["file_name"], "报告.txt");
    assert_eq!(frame.payload(), b"body");

    let unconnected = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = UdpSocket::bind("127.0.0.1:0").unwrap();
    server.set_read_timeout(Some(WAIT)).unwrap();
    let to = server.local_addr().unwrap();
    let (_, mut sender) = framer.split();
    sender
        .send_to_with(&unconnected, &json!({"n": 1}), b"", to)
        .unwrap();
    sender.send_with(&a, &json!({"n": 2}), b"2").unwrap();
    let datagram = sender.encode_with(&json!({"n": 3}), b"3").unwrap();
    assert_eq!(&datagram[4..], br#"{"n": 3, "file_size": 1}3"#);

    let (frame, from) = framer.recv_from(&server).unwrap();
    assert_eq!(
        (frame.header().as_str(), from),
        (
            r#"{"n": 1, "file_size": 0}"#,
            unconnected.local_addr().unwrap()
        )
    );
    assert_eq!(framer.recv(&b).unwrap().payload(), b"2");

    // Fields that are not a JSON object are the caller's mistake.
    let error = framer.send_with(&a, &json!([1, 2]), b"x").unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert!(matches!(
        frame_error(&error),
        Some(Error::HeaderFieldsNotObject { .. })
    ));

    // Over Unix datagrams too.
    let (x, y) = unix_pair();
    framer.send_with(&x, &json!({"unix": true}), b"u").unwrap();
    let frame = framer.recv(&y).unwrap();
    assert_eq!(frame.header().as_str(), r#"{"unix": true, "file_size": 1}"#);
}

#[test]
fn an_oversized_datagram_is_refused_with_its_length_and_the_next_arrives() {
    let (a, b) = udp_pair();
    let mut sender = DatagramFramer::new(Binary::default());
    // What `recvfrom(1024)` would cut, refused whole instead.
    let mut receiver = DatagramFramer::new(Binary::default()).with_max_recv(1024);
    sender.send(&a, &[1; 1996]).unwrap();
    sender.send(&a, b"small").unwrap();

    let error = receiver.recv(&b).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidData);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            datagram_len: Some(2000),
            max_datagram: 1024
        })
    );
    assert_eq!(
        error.to_string(),
        "datagram of 2000 bytes is over the 1024-byte receive limit"
    );
    // Debug, as `main` prints it, reads as words too.
    assert!(
        format!("{error:?}")
            .contains("TooLarge: datagram of 2000 bytes is over the 1024-byte receive limit"),
        "{error:?}"
    );
    assert_eq!(receiver.recv(&b).unwrap().payload(), b"small");

    // A datagram longer than the receive buffer is cut by the socket: its
    // length is not known.
    let (x, y) = unix_pair();
    let mut big = DatagramFramer::new(Binary::default()).with_max_send(200_000);
    big.send(&x, &[2; 100_000]).unwrap();
    big.send(&x, b"after").unwrap();
    let mut default_size = DatagramFramer::new(Binary::default());
    let error = default_size.recv(&y).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            datagram_len: None,
            max_datagram: DEFAULT_MAX_RECV
        })
    );
    assert_eq!(
        error.to_string(),
        "datagram over the 65535-byte receive limit, cut short by the receive buffer"
    );
    assert_eq!(default_size.recv(&y).unwrap().payload(), b"after");
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
    assert_eq!(
        error.to_string(),
        "datagram of 9 bytes is truncated: its frame lacks 5 more bytes"
    );

    a.send(b"0002h").unwrap(); // 1 byte short
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        error.to_string(),
        "datagram of 5 bytes is truncated: its frame lacks 1 more byte"
    );

    a.send(b"00").unwrap(); // not even a header
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::Truncated {
            datagram_len: 2,
            needed: Needed::AtLeast(2.try_into().unwrap())
        })
    );
    assert!(error.to_string().contains("lacks at least 2 more bytes"));
    a.send(b"000").unwrap();
    let error = framer.recv(&b).unwrap_err();
    assert_eq!(
        error.to_string(),
        "datagram of 3 bytes is truncated: its frame lacks at least 1 more byte"
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
    assert!(error.to_string().contains("and 3 more bytes"), "{error}");
    a.send(b"0002hi!").unwrap();
    let error = framer.recv(&b).unwrap_err();
    assert!(error.to_string().ends_with("and 1 more byte"), "{error}");

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
    assert_eq!(datagram_error(&error), None);

    a.send(b"0002ok").unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload(), b"ok");
}

#[test]
fn the_default_send_limit_is_ipv4s_largest_udp_payload() {
    assert_eq!(DEFAULT_MAX_SEND, 65_507);
    let (a, b) = udp_pair();
    let mut framer = DatagramFramer::new(Binary::default());
    assert_eq!(framer.max_send(), 65_507);

    // The largest frame IPv4 carries goes out and arrives whole.
    framer.send(&a, &vec![3; 65_503]).unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload().len(), 65_503);

    // Five bytes more is refused before anything is sent.
    let error = framer.send(&a, &vec![3; 65_508]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 65_512,
            max_datagram: Some(65_507)
        })
    );
    assert_eq!(
        error.to_string(),
        "a 65512-byte frame does not fit a datagram of at most 65507 bytes"
    );

    // Past a raised limit, the socket's own "message too long" is the same
    // error, not a raw OS one.
    let mut raised = DatagramFramer::new(Binary::default()).with_max_send(65_535);
    let error = raised.send(&a, &vec![3; 65_508]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 65_512,
            max_datagram: None
        })
    );
    let to = b.local_addr().unwrap();
    let unconnected = UdpSocket::bind("127.0.0.1:0").unwrap();
    let error = raised
        .send_to(&unconnected, &vec![3; 65_508], to)
        .unwrap_err();
    assert!(
        matches!(
            datagram_error(&error),
            Some(DatagramError::FrameTooLarge {
                max_datagram: None,
                ..
            })
        ),
        "{error:?}"
    );

    // No limit lets a frame past what UDP can carry at all: it is refused
    // before it is built.
    let mut unlimited = DatagramFramer::new(Binary::default()).with_max_send(usize::MAX);
    let error = unlimited.send(&a, &vec![0; 70_000]).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 70_004,
            max_datagram: Some(65_535)
        })
    );

    // Nothing refused went out: the next datagram is the next one sent.
    framer.send(&a, b"next").unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload(), b"next");
}

#[test]
fn ipv6_carries_up_to_65527_bytes_once_the_send_limit_is_raised() {
    let Ok(a) = UdpSocket::bind("[::1]:0") else {
        eprintln!("no IPv6 loopback here: nothing to check");
        return;
    };
    let b = UdpSocket::bind("[::1]:0").unwrap();
    b.set_read_timeout(Some(WAIT)).unwrap();
    a.connect(b.local_addr().unwrap()).unwrap();
    let mut framer = DatagramFramer::new(Binary::default()).with_max_send(65_527);
    framer.send(&a, &vec![6; 65_523]).unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload().len(), 65_523);
    let error = framer.send(&a, &vec![6; 65_524]).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 65_528,
            max_datagram: Some(65_527)
        })
    );
}

#[test]
fn a_unix_datagram_over_the_send_buffer_is_frame_too_large() {
    let (a, b) = unix_pair();
    let mut framer = DatagramFramer::new(Binary::default()).with_max_datagram(MAX_RECV_DATAGRAM);
    // Linux sends at most SO_SNDBUF - 32 bytes: 212,960 by default.
    let error = framer.send(&a, &vec![0; 4 << 20]).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidInput);
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: (4 << 20) + 4,
            max_datagram: None
        })
    );
    framer.send(&a, b"fits").unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload(), b"fits");
}

#[test]
fn send_and_receive_limits_are_set_apart() {
    let (a, b) = udp_pair();
    let mut framer = DatagramFramer::new(Ascii::new())
        .with_max_send(100)
        .with_max_recv(5_000);
    assert_eq!((framer.max_send(), framer.max_recv()), (100, 5_000));
    let error = framer.send(&a, &[0; 97]).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::FrameTooLarge {
            frame_len: 101,
            max_datagram: Some(100)
        })
    );
    framer.send(&a, &[0; 96]).unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload().len(), 96);
    // It receives more than it may send.
    DatagramFramer::new(Ascii::new())
        .send(&a, &[0; 4_000])
        .unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload().len(), 4_000);

    // And the other way round.
    let mut small_recv = DatagramFramer::new(Ascii::new()).with_max_recv(10);
    small_recv.send(&a, &[0; 1_000]).unwrap();
    let error = small_recv.recv(&b).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            datagram_len: Some(1_004),
            max_datagram: 10
        })
    );

    // `with_max_datagram` sets both; the halves report theirs.
    let mut both = DatagramFramer::new(Ascii::new()).with_max_datagram(1_234);
    assert_eq!((both.max_send(), both.max_recv()), (1_234, 1_234));
    let (receiver, sender) = both.split();
    assert_eq!((receiver.max_recv(), sender.max_send()), (1_234, 1_234));
}

/// Wraps a socket and records the length of every receive buffer it is
/// given; claims to carry datagrams as long as `max_len`, and can lie
/// about how many bytes it received.
struct Recording<S> {
    socket: S,
    max_len: usize,
    buffers: Mutex<Vec<usize>>,
    claim_received: Option<usize>,
}

impl<S> Recording<S> {
    fn new(socket: S, max_len: usize) -> Self {
        Recording {
            socket,
            max_len,
            buffers: Mutex::new(Vec::new()),
            claim_received: None,
        }
    }

    fn buffers(&self) -> Vec<usize> {
        self.buffers.lock().unwrap().clone()
    }
}

impl<S: DatagramSocket> DatagramSocket for Recording<S> {
    type Addr = S::Addr;

    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize> {
        self.socket.send_datagram(datagram)
    }

    fn send_datagram_to(&self, datagram: &[u8], addr: &S::Addr) -> io::Result<usize> {
        self.socket.send_datagram_to(datagram, addr)
    }

    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.buffers.lock().unwrap().push(buf.len());
        let n = self.socket.recv_datagram(buf)?;
        Ok(self.claim_received.unwrap_or(n))
    }

    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, S::Addr)> {
        self.buffers.lock().unwrap().push(buf.len());
        self.socket.recv_datagram_from(buf)
    }

    fn max_datagram_len(&self) -> usize {
        self.max_len
    }
}

#[test]
fn no_receive_limit_can_panic_or_size_the_buffer_past_the_socket() {
    // The report: usize::MAX, then recv, panicked with "capacity overflow".
    let (a, b) = udp_pair();
    let mut framer = DatagramFramer::new(Ascii::new()).with_max_datagram(usize::MAX);
    framer.send(&a, b"hi").unwrap();
    assert_eq!(framer.recv(&b).unwrap().payload(), b"hi");
    framer.send(&a, b"again").unwrap();
    assert_eq!(framer.recv_from(&b).unwrap().0.payload(), b"again");

    // The buffer each receive gets: a UDP datagram's worth plus one, for
    // 256 MiB or usize::MAX as for 1024.
    for max_recv in [usize::MAX, 256 << 20, 1024, 0] {
        let recording = Recording::new(b.try_clone().unwrap(), b.max_datagram_len());
        let mut framer = DatagramFramer::new(Ascii::new()).with_max_recv(max_recv);
        DatagramFramer::new(Ascii::new()).send(&a, b"").unwrap();
        let received = framer.recv(&recording).map(|f| f.payload().to_vec());
        if max_recv >= 4 {
            assert_eq!(received.unwrap(), b"");
        } else {
            assert!(datagram_error(&received.unwrap_err()).is_some());
        }
        assert_eq!(recording.buffers(), [65_536], "max_recv {max_recv}");
    }

    // A Unix socket gets what the limit asks for, up to MAX_RECV_DATAGRAM.
    let (x, y) = unix_pair();
    for (max_recv, buffer) in [
        (usize::MAX, MAX_RECV_DATAGRAM + 1),
        (256 << 20, MAX_RECV_DATAGRAM + 1),
        (150_000, 150_001),
        (10, 65_536),
    ] {
        let recording = Recording::new(y.try_clone().unwrap(), y.max_datagram_len());
        let mut framer = DatagramFramer::new(Ascii::new()).with_max_recv(max_recv);
        DatagramFramer::new(Ascii::new()).send(&x, b"0").unwrap();
        assert_eq!(framer.recv(&recording).unwrap().payload(), b"0");
        assert_eq!(recording.buffers(), [buffer], "max_recv {max_recv}");
    }

    // A socket of one's own that claims no limit is held to
    // MAX_RECV_DATAGRAM; one with a small limit gets a small buffer.
    for (socket_max, buffer) in [(usize::MAX, MAX_RECV_DATAGRAM + 1), (1_500, 1_501)] {
        let recording = Recording::new(b.try_clone().unwrap(), socket_max);
        let mut framer = DatagramFramer::new(Ascii::new()).with_max_recv(usize::MAX);
        DatagramFramer::new(Ascii::new()).send(&a, b"x").unwrap();
        assert_eq!(framer.recv(&recording).unwrap().payload(), b"x");
        // The buffer is kept, not allocated again.
        DatagramFramer::new(Ascii::new()).send(&a, b"y").unwrap();
        assert_eq!(framer.recv(&recording).unwrap().payload(), b"y");
        assert_eq!(recording.buffers(), [buffer, buffer]);
    }
}

#[test]
fn a_socket_claiming_more_bytes_than_its_buffer_is_held_to_the_buffer() {
    let (a, b) = udp_pair();
    let mut lying = Recording::new(b, 65_535);
    lying.claim_received = Some(usize::MAX);
    let mut framer = DatagramFramer::new(Ascii::new());
    DatagramFramer::new(Ascii::new()).send(&a, b"x").unwrap();
    let error = framer.recv(&lying).unwrap_err();
    assert_eq!(
        datagram_error(&error),
        Some(&DatagramError::TooLarge {
            datagram_len: None,
            max_datagram: 65_535
        })
    );
}

#[test]
fn unix_datagrams_round_trip_past_udp_sizes() {
    let (a, b) = unix_pair();
    let mut framer = DatagramFramer::new(Json::new()).with_max_datagram(150_000);
    let large = vec![7u8; 100_000];
    framer.send(&a, &large).unwrap();
    let frame = framer.recv(&b).unwrap();
    assert!(frame.payload() == &large[..]);
    let (mut receiver, mut sender) = framer.split();
    sender.send(&a, b"split").unwrap();
    assert_eq!(receiver.recv(&b).unwrap().payload(), b"split");
    sender.send(&a, b"from").unwrap();
    let (frame, from) = receiver.recv_from(&b).unwrap();
    assert_eq!(frame.payload(), b"from");
    assert!(from.is_unnamed());
}

#[test]
fn datagram_errors_print_their_numbers_in_debug_and_display() {
    let cases = [
        (
            DatagramError::TooLarge {
                datagram_len: Some(1),
                max_datagram: 0,
            },
            "TooLarge: datagram of 1 byte is over the 0-byte receive limit",
        ),
        (
            DatagramError::Truncated {
                datagram_len: 1,
                needed: Needed::AtLeast(3.try_into().unwrap()),
            },
            "Truncated: datagram of 1 byte is truncated: its frame lacks at least 3 more bytes",
        ),
        (
            DatagramError::Padded {
                datagram_len: 2,
                frame_len: 3,
            },
            "Padded: datagram of 2 bytes holds a 3-byte frame and 0 more bytes",
        ),
        (
            DatagramError::FrameTooLarge {
                frame_len: 2,
                max_datagram: Some(1),
            },
            "FrameTooLarge: a 2-byte frame does not fit a datagram of at most 1 byte",
        ),
        (
            DatagramError::FrameTooLarge {
                frame_len: 70_000,
                max_datagram: None,
            },
            "FrameTooLarge: a 70000-byte frame is longer than the socket sends in one datagram (message too long)",
        ),
        (
            DatagramError::PartialSend {
                sent: 1,
                datagram_len: 2,
            },
            "PartialSend: sent only 1 of a 2-byte datagram",
        ),
    ];
    for (error, debug) in cases {
        assert_eq!(format!("{error:?}"), debug);
        let (_, display) = debug.split_once(": ").unwrap();
        assert_eq!(error.to_string(), display);
        let io_error = io::Error::from(error.clone());
        assert_eq!(datagram_error(&io_error), Some(&error));
        assert_eq!(io_error.to_string(), display);
        assert!(format!("{io_error:?}").contains(debug), "{io_error:?}");
    }
    // An io::Error that carries something else has none.
    assert_eq!(datagram_error(&io::Error::other("other")), None);
}

/// A socket whose every send fails with `error` (a raw OS error number, or
/// none).
struct FailingSocket {
    raw: Option<i32>,
}

impl FailingSocket {
    fn error(&self) -> io::Error {
        match self.raw {
            Some(raw) => io::Error::from_raw_os_error(raw),
            None => io::Error::new(ErrorKind::ConnectionRefused, "refused"),
        }
    }
}

impl DatagramSocket for FailingSocket {
    type Addr = ();

    fn send_datagram(&self, _: &[u8]) -> io::Result<usize> {
        Err(self.error())
    }

    fn send_datagram_to(&self, _: &[u8], _: &()) -> io::Result<usize> {
        Err(self.error())
    }

    fn recv_datagram(&self, _: &mut [u8]) -> io::Result<usize> {
        Err(self.error())
    }

    fn recv_datagram_from(&self, _: &mut [u8]) -> io::Result<(usize, ())> {
        Err(self.error())
    }

    fn max_datagram_len(&self) -> usize {
        65_535
    }
}

/// Only the OS's "message too long" becomes `FrameTooLarge`; any other send
/// error is returned as it is (found by mutation testing: the check could
/// take every error for it without a test noticing).
#[test]
fn only_message_too_long_is_frame_too_large() {
    let mut framer = DatagramFramer::new(Binary::default());
    let refused = framer
        .send(&FailingSocket { raw: None }, b"hi")
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::ConnectionRefused);
    assert_eq!(datagram_error(&refused), None);
    // EMSGSIZE on Linux.
    #[cfg(target_os = "linux")]
    {
        let too_long = framer
            .send(&FailingSocket { raw: Some(90) }, b"hi")
            .unwrap_err();
        assert_eq!(
            datagram_error(&too_long),
            Some(&DatagramError::FrameTooLarge {
                frame_len: 6,
                max_datagram: None
            })
        );
    }
}

/// A split framer's sender builds the datagram its framing encodes
/// (found by mutation testing: `DatagramSender::encode` was not checked).
#[test]
fn a_split_sender_encodes_as_the_framing_does() {
    use sockframe::Encode;

    let mut framer = DatagramFramer::new(Ascii::new());
    let (_, mut sender) = framer.split();
    assert_eq!(sender.encode(b"hello").unwrap(), b"0005hello");
    assert_eq!(
        sender.encode(b"").unwrap(),
        Ascii::new().encode_to_vec(b"").unwrap()
    );
    let too_long = sender.encode(&[0; 10_000]).unwrap_err();
    assert_eq!(too_long.kind(), ErrorKind::InvalidInput);
}
