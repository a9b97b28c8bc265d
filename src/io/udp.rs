//! One frame per datagram, over `UdpSocket` (and Unix `UnixDatagram`).
//!
//! UDP keeps message boundaries, so frames never stick together. But a
//! receive buffer smaller than a datagram silently truncates it, as
//! `recvfrom(1024)` does in many Python programs. With the same headers
//! inside each datagram, a [`DatagramFramer`] checks that a datagram holds
//! exactly one whole frame: a truncated or padded datagram, or one larger
//! than the receive limit, is an error ([`DatagramError`]), never a short
//! message delivered as if whole.
//!
//! ```
//! use std::net::UdpSocket;
//! use sockframe::io::udp::DatagramFramer;
//! use sockframe::Ascii;
//!
//! let server = UdpSocket::bind("127.0.0.1:0")?;
//! let client = UdpSocket::bind("127.0.0.1:0")?;
//! client.connect(server.local_addr()?)?;
//!
//! let mut framer = DatagramFramer::new(Ascii::new());
//! framer.send(&client, b"hello")?; // the datagram b"0005hello"
//!
//! let (frame, from) = framer.recv_from(&server)?;
//! assert_eq!((frame.payload(), from), (&b"hello"[..], client.local_addr()?));
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! # Replying while holding a frame: `split`
//!
//! A received frame borrows the framer's receive buffer, so the framer
//! itself cannot send until the frame is dropped.
//! [`split`](DatagramFramer::split) gives its two halves, a
//! [`DatagramReceiver`] and a [`DatagramSender`], which borrow separate
//! buffers: the sender can answer while the frame is held, and nothing is
//! copied. An echo server:
//!
//! ```
//! use std::net::UdpSocket;
//! use sockframe::io::udp::DatagramFramer;
//! use sockframe::Ascii;
//!
//! fn echo(socket: &UdpSocket) -> std::io::Result<()> {
//!     let mut framer = DatagramFramer::new(Ascii::new());
//!     let (mut receiver, mut sender) = framer.split();
//!     loop {
//!         let (frame, from) = receiver.recv_from(socket)?;
//!         sender.send_to(socket, frame.payload(), from)?;
//!     }
//! }
//!
//! let server = UdpSocket::bind("127.0.0.1:0")?;
//! # // Ends the server's loop once the client is done.
//! # server.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
//! let address = server.local_addr()?;
//! std::thread::spawn(move || echo(&server));
//!
//! let client = UdpSocket::bind("127.0.0.1:0")?;
//! # client.set_read_timeout(Some(std::time::Duration::from_secs(5)))?;
//! client.connect(address)?;
//! let mut framer = DatagramFramer::new(Ascii::new());
//! framer.send(&client, b"ping")?;
//! assert_eq!(framer.recv(&client)?.payload(), b"ping");
//! # Ok::<(), std::io::Error>(())
//! ```
//!
//! (Without `split`, `framer.send_to` while `frame` is alive is refused by
//! the borrow checker: the frame borrows the whole framer.)
//!
//! # Sizes and buffers
//!
//! Sending builds each datagram in a buffer the framer keeps (std has no
//! vectored send for datagram sockets); it grows to the largest datagram
//! sent. A frame longer than the send limit ([`DEFAULT_MAX_SEND`], 65,507
//! bytes: the largest UDP payload over IPv4) is refused before anything is
//! sent, with [`DatagramError::FrameTooLarge`]; so is one the socket itself
//! refuses as too long (the OS's `EMSGSIZE`). IPv6 carries up to 65,527
//! bytes and Unix datagrams more: raise the limit with
//! [`with_max_send`](DatagramFramer::with_max_send).
//!
//! Receiving refuses a datagram longer than the receive limit
//! ([`DEFAULT_MAX_RECV`], 65,535 bytes) with [`DatagramError::TooLarge`].
//! Datagrams land in a buffer the framer allocates on its first receive:
//! large enough for any UDP datagram, so that one over the limit arrives
//! whole and is reported with its length, and larger only when the limit
//! is raised for a socket that delivers more (Unix datagrams). It is never
//! longer than the socket can deliver
//! ([`max_datagram_len`](DatagramSocket::max_datagram_len): 65,535 bytes
//! for UDP) nor than [`MAX_RECV_DATAGRAM`], plus one byte to detect a cut,
//! whatever limit is set. It is allocated zeroed, so on most systems the
//! memory a small datagram never reaches is never touched.
//!
//! # Errors
//!
//! Every method reports `std::io::Error`. A refused datagram carries a
//! [`DatagramError`] ([`datagram_error`] gets it back); one whose header is
//! bad carries a sockframe [`Error`](crate::Error) ([`frame_error`](crate::io::frame_error)
//! gets it back), with offsets within the datagram. Both print their
//! message in `Display` and in `Debug`.

use std::borrow::Borrow;
use std::fmt;
use std::io;
use std::net::{SocketAddr, UdpSocket};
#[cfg(unix)]
use std::os::unix::net::UnixDatagram;

use crate::decoder::Decoder;
use crate::error::Bytes;
use crate::frame::Frame;
use crate::framing::{Encode, Framing};
use crate::io::error::encode_error;
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// The default send limit: 65,507 bytes, the largest UDP payload over IPv4
/// (65,535 less a 20-byte IP header and an 8-byte UDP header). IPv6
/// carries up to 65,527 bytes, a Unix datagram socket more: raise it with
/// [`DatagramFramer::with_max_send`].
pub const DEFAULT_MAX_SEND: usize = 65_507;

/// The default receive limit: 65,535 bytes, at least any UDP datagram.
pub const DEFAULT_MAX_RECV: usize = 65_535;

/// The longest datagram a framer receives, whatever its limit and socket:
/// 16 MiB. Its receive buffer is never longer than this plus one byte.
///
/// Only Unix datagrams come near it. Linux sends one of at most the
/// sender's `SO_SNDBUF` less 32 bytes (`unix(7)`; 212,960 bytes by default)
/// and no more than the kernel allocates for one datagram: 4,263,616 bytes
/// on x86-64 Linux 6.18 even with `SO_SNDBUF` forced to 128 MiB. macOS and
/// the BSDs cap socket buffers at `kern.ipc.maxsockbuf` (8 MiB and 2 MiB by
/// default).
pub const MAX_RECV_DATAGRAM: usize = 16 * 1024 * 1024;

/// The largest UDP datagram: its length fields are 16 bits (IPv6 carries
/// up to 65,527 payload bytes, IPv4 65,507).
const MAX_UDP_DATAGRAM: usize = 65_535;

/// A socket that sends and receives whole datagrams.
///
/// Implemented for `UdpSocket` and `UnixDatagram`; implement it for your
/// own socket type to use a [`DatagramFramer`] over it.
pub trait DatagramSocket {
    /// The address a datagram came from or goes to.
    type Addr;

    /// Sends one datagram on a connected socket; returns the bytes sent.
    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize>;

    /// Sends one datagram to `addr`; returns the bytes sent.
    fn send_datagram_to(&self, datagram: &[u8], addr: &Self::Addr) -> io::Result<usize>;

    /// Receives one datagram into `buf`; returns its length, cut to
    /// `buf.len()` if it was longer.
    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// Like [`recv_datagram`](DatagramSocket::recv_datagram), with the
    /// sender's address.
    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, Self::Addr)>;

    /// The longest datagram this socket can carry. A framer never makes
    /// its receive buffer longer than this plus one byte (nor than
    /// [`MAX_RECV_DATAGRAM`] plus one), receives nothing longer whatever its
    /// limit, and refuses to send a longer frame.
    fn max_datagram_len(&self) -> usize;
}

impl DatagramSocket for UdpSocket {
    type Addr = SocketAddr;

    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize> {
        self.send(datagram)
    }

    fn send_datagram_to(&self, datagram: &[u8], addr: &SocketAddr) -> io::Result<usize> {
        self.send_to(datagram, addr)
    }

    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }

    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from(buf)
    }

    /// 65,535 bytes: no UDP datagram is longer (without IPv6 jumbograms).
    fn max_datagram_len(&self) -> usize {
        MAX_UDP_DATAGRAM
    }
}

#[cfg(unix)]
impl DatagramSocket for UnixDatagram {
    type Addr = std::os::unix::net::SocketAddr;

    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize> {
        self.send(datagram)
    }

    fn send_datagram_to(&self, datagram: &[u8], addr: &Self::Addr) -> io::Result<usize> {
        self.send_to_addr(datagram, addr)
    }

    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }

    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, Self::Addr)> {
        self.recv_from(buf)
    }

    /// [`MAX_RECV_DATAGRAM`] (16 MiB): more than the systems it describes
    /// send in one Unix datagram.
    fn max_datagram_len(&self) -> usize {
        MAX_RECV_DATAGRAM
    }
}

/// Why a datagram was refused; carried as the source of the `io::Error`
/// the framer returns ([`datagram_error`] gets it back). A datagram whose
/// header is bad carries a sockframe [`Error`](crate::Error) instead.
///
/// `Debug` prints the variant's name and the message (`TooLarge: datagram
/// of 2000 bytes is over the 1024-byte receive limit`), so the `io::Error`
/// reads as words in both forms.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatagramError {
    /// A received datagram is longer than the receive limit.
    TooLarge {
        /// The datagram's length; `None` when it was longer than the
        /// receive buffer, which then cut it.
        datagram_len: Option<usize>,
        /// The receive limit: the framer's, or the socket's
        /// [`max_datagram_len`](DatagramSocket::max_datagram_len) if lower.
        max_datagram: usize,
    },
    /// The datagram ends before the frame its header announces.
    Truncated {
        /// The datagram's length.
        datagram_len: usize,
        /// How many more bytes the frame needed.
        needed: Needed,
    },
    /// The datagram holds more than the frame its header announces.
    Padded {
        /// The datagram's length.
        datagram_len: usize,
        /// The frame's length, header included.
        frame_len: usize,
    },
    /// A frame to send does not fit one datagram.
    FrameTooLarge {
        /// The encoded frame's length.
        frame_len: usize,
        /// The send limit that refused it: the framer's, or the socket's
        /// [`max_datagram_len`](DatagramSocket::max_datagram_len) if
        /// lower; `None` when the socket itself refused the datagram as too
        /// long (`EMSGSIZE`: say, IPv4 over 65,507 bytes, or a Unix
        /// datagram over the send buffer).
        max_datagram: Option<usize>,
    },
    /// The socket sent only part of a datagram.
    PartialSend {
        /// Bytes sent.
        sent: usize,
        /// The datagram's length.
        datagram_len: usize,
    },
}

impl DatagramError {
    /// The variant's name, for `Debug`.
    fn name(&self) -> &'static str {
        match self {
            DatagramError::TooLarge { .. } => "TooLarge",
            DatagramError::Truncated { .. } => "Truncated",
            DatagramError::Padded { .. } => "Padded",
            DatagramError::FrameTooLarge { .. } => "FrameTooLarge",
            DatagramError::PartialSend { .. } => "PartialSend",
        }
    }
}

impl fmt::Display for DatagramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatagramError::TooLarge {
                datagram_len: Some(datagram_len),
                max_datagram,
            } => write!(
                f,
                "datagram of {} is over the {max_datagram}-byte receive limit",
                Bytes(*datagram_len as u64)
            ),
            DatagramError::TooLarge {
                datagram_len: None,
                max_datagram,
            } => write!(
                f,
                "datagram over the {max_datagram}-byte receive limit, cut short by the receive buffer"
            ),
            DatagramError::Truncated {
                datagram_len,
                needed,
            } => write!(
                f,
                "datagram of {} is truncated: its frame lacks {}",
                Bytes(*datagram_len as u64),
                needed
            ),
            DatagramError::Padded {
                datagram_len,
                frame_len,
            } => {
                let extra = datagram_len.saturating_sub(*frame_len);
                write!(
                    f,
                    "datagram of {} holds a {frame_len}-byte frame and {extra} more {}",
                    Bytes(*datagram_len as u64),
                    if extra == 1 { "byte" } else { "bytes" }
                )
            }
            DatagramError::FrameTooLarge {
                frame_len,
                max_datagram: Some(max_datagram),
            } => write!(
                f,
                "a {frame_len}-byte frame does not fit a datagram of at most {}",
                Bytes(*max_datagram as u64)
            ),
            DatagramError::FrameTooLarge {
                frame_len,
                max_datagram: None,
            } => write!(
                f,
                "a {frame_len}-byte frame is longer than the socket sends in one datagram (message too long)"
            ),
            DatagramError::PartialSend { sent, datagram_len } => {
                write!(f, "sent only {sent} of a {datagram_len}-byte datagram")
            }
        }
    }
}

impl fmt::Debug for DatagramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {self}", self.name())
    }
}

impl std::error::Error for DatagramError {}

/// An `io::Error` whose kind says who is at fault: `InvalidInput` for a
/// frame too large to send, `WriteZero` for a partial send, `InvalidData`
/// for a datagram received.
impl From<DatagramError> for io::Error {
    fn from(error: DatagramError) -> Self {
        let kind = match error {
            DatagramError::FrameTooLarge { .. } => io::ErrorKind::InvalidInput,
            DatagramError::PartialSend { .. } => io::ErrorKind::WriteZero,
            _ => io::ErrorKind::InvalidData,
        };
        io::Error::new(kind, error)
    }
}

/// The [`DatagramError`] inside an `io::Error` a framer returned, if that
/// is what it carries (the same as
/// `error.get_ref()?.downcast_ref::<DatagramError>()`).
///
/// ```
/// use sockframe::io::udp::{datagram_error, DatagramError, DatagramFramer};
/// use sockframe::Ascii;
///
/// let mut framer = DatagramFramer::new(Ascii::new());
/// let error = framer.decode(b"0002hi!").unwrap_err();
/// assert_eq!(
///     datagram_error(&error),
///     Some(&DatagramError::Padded { datagram_len: 7, frame_len: 6 })
/// );
/// assert_eq!(error.to_string(), "datagram of 7 bytes holds a 6-byte frame and 1 more byte");
/// assert!(format!("{error:?}").contains("Padded: datagram of 7 bytes"));
/// ```
pub fn datagram_error(error: &io::Error) -> Option<&DatagramError> {
    error.get_ref()?.downcast_ref::<DatagramError>()
}

/// Sends and receives one frame per datagram.
///
/// Receiving checks that each datagram holds exactly one whole frame;
/// each is decoded on its own, so a bad one is an error for that call
/// only. To send while holding a received frame, [`split`] the framer.
/// See the [module docs](self) for the sizes of datagrams and buffers.
///
/// [`split`]: DatagramFramer::split
#[derive(Debug)]
pub struct DatagramFramer<F: Framing> {
    framing: F,
    limits: Limits,
    receive: ReceiveBuffer,
    send: SendBuffer,
}

impl<F: Framing> DatagramFramer<F> {
    /// A framer with the default [`Limits`] and datagram sizes.
    pub fn new(framing: F) -> Self {
        Self::with_limits(framing, Limits::default())
    }

    /// A framer with the given limits on what a received header announces.
    pub fn with_limits(framing: F, limits: Limits) -> Self {
        DatagramFramer {
            framing,
            limits,
            receive: ReceiveBuffer {
                max_recv: DEFAULT_MAX_RECV,
                buf: Vec::new(),
            },
            send: SendBuffer {
                max_send: DEFAULT_MAX_SEND,
                buf: Vec::new(),
            },
        }
    }

    /// Sets the longest datagram sent and received: both
    /// [`with_max_send`](Self::with_max_send) and
    /// [`with_max_recv`](Self::with_max_recv).
    #[must_use]
    pub fn with_max_datagram(self, bytes: usize) -> Self {
        self.with_max_send(bytes).with_max_recv(bytes)
    }

    /// Sets the longest datagram sent (default [`DEFAULT_MAX_SEND`]); a
    /// longer frame is refused before sending.
    #[must_use]
    pub fn with_max_send(mut self, bytes: usize) -> Self {
        self.send.max_send = bytes;
        self
    }

    /// Sets the longest datagram received (default [`DEFAULT_MAX_RECV`]);
    /// a longer one is refused. Above what the socket can deliver, or
    /// [`MAX_RECV_DATAGRAM`], it changes nothing: the receive buffer never
    /// grows past them.
    #[must_use]
    pub fn with_max_recv(mut self, bytes: usize) -> Self {
        self.receive.max_recv = bytes;
        self
    }

    /// The longest datagram sent.
    pub fn max_send(&self) -> usize {
        self.send.max_send
    }

    /// The longest datagram received.
    pub fn max_recv(&self) -> usize {
        self.receive.max_recv
    }

    /// The framer's two halves, borrowing separate buffers: a frame from
    /// the receiver stays usable while the sender sends, as an echo server
    /// or a reply quoting its request needs (see the [module
    /// docs](self#replying-while-holding-a-frame-split)).
    pub fn split(&mut self) -> (DatagramReceiver<'_, F>, DatagramSender<'_, F>) {
        (
            DatagramReceiver {
                framing: &self.framing,
                limits: self.limits,
                buffer: &mut self.receive,
            },
            DatagramSender {
                framing: &self.framing,
                buffer: &mut self.send,
            },
        )
    }

    /// Receives one datagram on a connected socket and returns its frame.
    pub fn recv<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<Frame<'_, F::Header<'_>>> {
        self.receive.recv(&self.framing, self.limits, socket)
    }

    /// Receives one datagram and returns its frame and its sender.
    pub fn recv_from<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<(Frame<'_, F::Header<'_>>, S::Addr)> {
        self.receive.recv_from(&self.framing, self.limits, socket)
    }

    /// Decodes a datagram received by other means: exactly one whole
    /// frame. The receive limit does not apply (the datagram is already in
    /// memory); the [`Limits`] do.
    pub fn decode<'a>(&mut self, datagram: &'a [u8]) -> io::Result<Frame<'a, F::Header<'a>>> {
        decode_datagram(&self.framing, self.limits, datagram)
    }
}

impl<F: Framing + Encode> DatagramFramer<F> {
    /// The datagram carrying `payload`, built in the framer's send buffer.
    pub fn encode(&mut self, payload: &[u8]) -> io::Result<&[u8]> {
        self.send.encode(&self.framing, payload, self.send.max_send)
    }

    /// Sends `payload` as one datagram on a connected socket.
    pub fn send<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
        payload: &[u8],
    ) -> io::Result<()> {
        self.send.send(&self.framing, socket, payload)
    }

    /// Sends `payload` as one datagram to `addr` (a `SocketAddr` for UDP,
    /// given or borrowed).
    pub fn send_to<S: DatagramSocket + ?Sized, A: Borrow<S::Addr>>(
        &mut self,
        socket: &S,
        payload: &[u8],
        addr: A,
    ) -> io::Result<()> {
        self.send
            .send_to(&self.framing, socket, payload, addr.borrow())
    }
}

#[cfg(feature = "json")]
impl DatagramFramer<crate::Json> {
    /// The datagram carrying `payload` under a JSON header holding `fields`
    /// (any `Serialize` JSON object) and the body size.
    pub fn encode_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<&[u8]> {
        self.send
            .encode_with(&self.framing, fields, payload, self.send.max_send)
    }

    /// Sends `payload` under a JSON header holding `fields` as one datagram
    /// on a connected socket.
    ///
    /// ```
    /// use std::net::UdpSocket;
    /// use serde_json::json;
    /// use sockframe::io::udp::DatagramFramer;
    /// use sockframe::Json;
    ///
    /// let server = UdpSocket::bind("127.0.0.1:0")?;
    /// let client = UdpSocket::bind("127.0.0.1:0")?;
    /// client.connect(server.local_addr()?)?;
    ///
    /// let mut framer = DatagramFramer::new(Json::new());
    /// framer.send_with(&client, &json!({"file_name": "a.txt"}), b"abc")?;
    /// let frame = framer.recv(&server)?;
    /// assert_eq!(frame.header().as_str(), r#"{"file_name": "a.txt", "data_size": 3}"#);
    /// assert_eq!(frame.payload(), b"abc");
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn send_with<S: DatagramSocket + ?Sized, T: serde::Serialize + ?Sized>(
        &mut self,
        socket: &S,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        self.send.send_with(&self.framing, socket, fields, payload)
    }

    /// Sends `payload` under a JSON header holding `fields` as one datagram
    /// to `addr`.
    pub fn send_to_with<S, T, A>(
        &mut self,
        socket: &S,
        fields: &T,
        payload: &[u8],
        addr: A,
    ) -> io::Result<()>
    where
        S: DatagramSocket + ?Sized,
        T: serde::Serialize + ?Sized,
        A: Borrow<S::Addr>,
    {
        self.send
            .send_to_with(&self.framing, socket, fields, payload, addr.borrow())
    }
}

/// The receiving half of a [`DatagramFramer`], from
/// [`split`](DatagramFramer::split): its frames borrow the receive buffer
/// only.
#[derive(Debug)]
pub struct DatagramReceiver<'a, F> {
    framing: &'a F,
    limits: Limits,
    buffer: &'a mut ReceiveBuffer,
}

impl<F: Framing> DatagramReceiver<'_, F> {
    /// Receives one datagram on a connected socket and returns its frame.
    pub fn recv<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<Frame<'_, F::Header<'_>>> {
        self.buffer.recv(self.framing, self.limits, socket)
    }

    /// Receives one datagram and returns its frame and its sender.
    pub fn recv_from<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<(Frame<'_, F::Header<'_>>, S::Addr)> {
        self.buffer.recv_from(self.framing, self.limits, socket)
    }

    /// Decodes a datagram received by other means, as
    /// [`DatagramFramer::decode`] does.
    pub fn decode<'d>(&self, datagram: &'d [u8]) -> io::Result<Frame<'d, F::Header<'d>>> {
        decode_datagram(self.framing, self.limits, datagram)
    }

    /// The longest datagram received.
    pub fn max_recv(&self) -> usize {
        self.buffer.max_recv
    }
}

/// The sending half of a [`DatagramFramer`], from
/// [`split`](DatagramFramer::split): it builds datagrams in the send
/// buffer only.
#[derive(Debug)]
pub struct DatagramSender<'a, F> {
    framing: &'a F,
    buffer: &'a mut SendBuffer,
}

impl<F> DatagramSender<'_, F> {
    /// The longest datagram sent.
    pub fn max_send(&self) -> usize {
        self.buffer.max_send
    }
}

impl<F: Encode> DatagramSender<'_, F> {
    /// The datagram carrying `payload`, built in the send buffer.
    pub fn encode(&mut self, payload: &[u8]) -> io::Result<&[u8]> {
        let limit = self.buffer.max_send;
        self.buffer.encode(self.framing, payload, limit)
    }

    /// Sends `payload` as one datagram on a connected socket.
    pub fn send<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
        payload: &[u8],
    ) -> io::Result<()> {
        self.buffer.send(self.framing, socket, payload)
    }

    /// Sends `payload` as one datagram to `addr`.
    pub fn send_to<S: DatagramSocket + ?Sized, A: Borrow<S::Addr>>(
        &mut self,
        socket: &S,
        payload: &[u8],
        addr: A,
    ) -> io::Result<()> {
        self.buffer
            .send_to(self.framing, socket, payload, addr.borrow())
    }
}

#[cfg(feature = "json")]
impl DatagramSender<'_, crate::Json> {
    /// The datagram carrying `payload` under a JSON header holding
    /// `fields` and the body size, built in the send buffer.
    pub fn encode_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<&[u8]> {
        let limit = self.buffer.max_send;
        self.buffer
            .encode_with(self.framing, fields, payload, limit)
    }

    /// Sends `payload` under a JSON header holding `fields` as one datagram
    /// on a connected socket.
    pub fn send_with<S: DatagramSocket + ?Sized, T: serde::Serialize + ?Sized>(
        &mut self,
        socket: &S,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        self.buffer.send_with(self.framing, socket, fields, payload)
    }

    /// Sends `payload` under a JSON header holding `fields` as one datagram
    /// to `addr`.
    pub fn send_to_with<S, T, A>(
        &mut self,
        socket: &S,
        fields: &T,
        payload: &[u8],
        addr: A,
    ) -> io::Result<()>
    where
        S: DatagramSocket + ?Sized,
        T: serde::Serialize + ?Sized,
        A: Borrow<S::Addr>,
    {
        self.buffer
            .send_to_with(self.framing, socket, fields, payload, addr.borrow())
    }
}

/// The receive limit and the buffer datagrams land in.
struct ReceiveBuffer {
    max_recv: usize,
    buf: Vec<u8>,
}

impl fmt::Debug for ReceiveBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceiveBuffer")
            .field("max_recv", &self.max_recv)
            .field("buffer_len", &self.buf.len())
            .finish()
    }
}

impl ReceiveBuffer {
    fn recv<'b, F: Framing, S: DatagramSocket + ?Sized>(
        &'b mut self,
        framing: &F,
        limits: Limits,
        socket: &S,
    ) -> io::Result<Frame<'b, F::Header<'b>>> {
        let receive = |buf: &mut [u8]| socket.recv_datagram(buf).map(|n| (n, ()));
        let (frame, ()) = self.receive(framing, limits, socket.max_datagram_len(), receive)?;
        Ok(frame)
    }

    #[allow(clippy::type_complexity)] // The frame and its sender.
    fn recv_from<'b, F: Framing, S: DatagramSocket + ?Sized>(
        &'b mut self,
        framing: &F,
        limits: Limits,
        socket: &S,
    ) -> io::Result<(Frame<'b, F::Header<'b>>, S::Addr)> {
        let receive = |buf: &mut [u8]| socket.recv_datagram_from(buf);
        self.receive(framing, limits, socket.max_datagram_len(), receive)
    }

    /// Receives one datagram with `receive` into a buffer sized for
    /// `socket_max` (the socket's longest datagram) and decodes it.
    fn receive<'b, F: Framing, A>(
        &'b mut self,
        framing: &F,
        limits: Limits,
        socket_max: usize,
        mut receive: impl FnMut(&mut [u8]) -> io::Result<(usize, A)>,
    ) -> io::Result<(Frame<'b, F::Header<'b>>, A)> {
        let socket_max = socket_max.min(MAX_RECV_DATAGRAM);
        let limit = self.max_recv.min(socket_max);
        // Room for any UDP datagram even under a lower limit, so that one
        // over the limit arrives whole and is reported with its length;
        // one byte more, so that a datagram the buffer cut shows.
        let buffer_len = self
            .max_recv
            .max(DEFAULT_MAX_RECV)
            .min(socket_max)
            .saturating_add(1);
        if self.buf.len() < buffer_len {
            // Zeroed, not `resize`d: memory no datagram reaches stays
            // untouched.
            self.buf = vec![0; buffer_len];
        }
        let buf = &mut self.buf[..buffer_len];
        let (received, from) = retry(|| receive(&mut *buf))?;
        // A socket claiming more than the buffer holds is held to it.
        let received = received.min(buffer_len);
        if received > limit {
            return Err(DatagramError::TooLarge {
                datagram_len: (received < buffer_len).then_some(received),
                max_datagram: limit,
            }
            .into());
        }
        let frame = decode_datagram(framing, limits, &self.buf[..received])?;
        Ok((frame, from))
    }
}

/// The send limit and the buffer datagrams are built in.
struct SendBuffer {
    max_send: usize,
    buf: Vec<u8>,
}

impl fmt::Debug for SendBuffer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SendBuffer")
            .field("max_send", &self.max_send)
            .field("buffer_len", &self.buf.len())
            .finish()
    }
}

impl SendBuffer {
    /// The send limit for `socket`: the framer's, or the socket's if lower.
    fn limit_for<S: DatagramSocket + ?Sized>(&self, socket: &S) -> usize {
        self.max_send.min(socket.max_datagram_len())
    }

    fn encode<F: Encode>(
        &mut self,
        framing: &F,
        payload: &[u8],
        limit: usize,
    ) -> io::Result<&[u8]> {
        let header = framing.encode_header_for(payload).map_err(encode_error)?;
        self.build(header.as_ref(), payload, framing.trailer(), limit)
    }

    fn send<F: Encode, S: DatagramSocket + ?Sized>(
        &mut self,
        framing: &F,
        socket: &S,
        payload: &[u8],
    ) -> io::Result<()> {
        let limit = self.limit_for(socket);
        let datagram = self.encode(framing, payload, limit)?;
        send_whole(datagram, |d| socket.send_datagram(d))
    }

    fn send_to<F: Encode, S: DatagramSocket + ?Sized>(
        &mut self,
        framing: &F,
        socket: &S,
        payload: &[u8],
        addr: &S::Addr,
    ) -> io::Result<()> {
        let limit = self.limit_for(socket);
        let datagram = self.encode(framing, payload, limit)?;
        send_whole(datagram, |d| socket.send_datagram_to(d, addr))
    }

    #[cfg(feature = "json")]
    fn encode_with<T: serde::Serialize + ?Sized>(
        &mut self,
        framing: &crate::Json,
        fields: &T,
        payload: &[u8],
        limit: usize,
    ) -> io::Result<&[u8]> {
        let header = framing
            .encode_header_with(fields, payload.len())
            .map_err(encode_error)?;
        self.build(&header, payload, framing.trailer(), limit)
    }

    #[cfg(feature = "json")]
    fn send_with<S: DatagramSocket + ?Sized, T: serde::Serialize + ?Sized>(
        &mut self,
        framing: &crate::Json,
        socket: &S,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<()> {
        let limit = self.limit_for(socket);
        let datagram = self.encode_with(framing, fields, payload, limit)?;
        send_whole(datagram, |d| socket.send_datagram(d))
    }

    #[cfg(feature = "json")]
    fn send_to_with<S: DatagramSocket + ?Sized, T: serde::Serialize + ?Sized>(
        &mut self,
        framing: &crate::Json,
        socket: &S,
        fields: &T,
        payload: &[u8],
        addr: &S::Addr,
    ) -> io::Result<()> {
        let limit = self.limit_for(socket);
        let datagram = self.encode_with(framing, fields, payload, limit)?;
        send_whole(datagram, |d| socket.send_datagram_to(d, addr))
    }

    /// Header, payload and trailer in the buffer, if they fit `limit`.
    fn build(
        &mut self,
        header: &[u8],
        payload: &[u8],
        trailer: &[u8],
        limit: usize,
    ) -> io::Result<&[u8]> {
        let frame_len = header
            .len()
            .saturating_add(payload.len())
            .saturating_add(trailer.len());
        if frame_len > limit {
            return Err(DatagramError::FrameTooLarge {
                frame_len,
                max_datagram: Some(limit),
            }
            .into());
        }
        self.buf.clear();
        self.buf.reserve(frame_len);
        self.buf.extend_from_slice(header);
        self.buf.extend_from_slice(payload);
        self.buf.extend_from_slice(trailer);
        Ok(&self.buf)
    }
}

/// Decodes `datagram` as exactly one whole frame.
fn decode_datagram<'a, F: Framing>(
    framing: &F,
    limits: Limits,
    datagram: &'a [u8],
) -> io::Result<Frame<'a, F::Header<'a>>> {
    // A decoder per datagram: each stands alone, with offsets within it.
    let mut decoder = Decoder::with_limits(framing, limits);
    match decoder.decode(datagram)? {
        Status::Complete((frame, used)) if used == datagram.len() => Ok(frame),
        Status::Complete((_, used)) => Err(DatagramError::Padded {
            datagram_len: datagram.len(),
            frame_len: used,
        }
        .into()),
        Status::Partial(needed) => Err(DatagramError::Truncated {
            datagram_len: datagram.len(),
            needed,
        }
        .into()),
    }
}

/// Sends `datagram` with `send`, which must take all of it.
fn send_whole(datagram: &[u8], mut send: impl FnMut(&[u8]) -> io::Result<usize>) -> io::Result<()> {
    match retry(|| send(datagram)) {
        Ok(sent) if sent == datagram.len() => Ok(()),
        Ok(sent) => Err(DatagramError::PartialSend {
            sent,
            datagram_len: datagram.len(),
        }
        .into()),
        // The socket's own limit is below the framer's.
        Err(error) if is_message_too_long(&error) => Err(DatagramError::FrameTooLarge {
            frame_len: datagram.len(),
            max_datagram: None,
        }
        .into()),
        Err(error) => Err(error),
    }
}

/// `true` for the OS's `EMSGSIZE`, which has no `io::ErrorKind`.
fn is_message_too_long(error: &io::Error) -> bool {
    EMSGSIZE.is_some() && error.raw_os_error() == EMSGSIZE
}

#[cfg(any(target_os = "linux", target_os = "android"))]
const EMSGSIZE: Option<i32> = Some(
    if cfg!(any(
        target_arch = "mips",
        target_arch = "mips64",
        target_arch = "mips32r6",
        target_arch = "mips64r6"
    )) {
        97
    } else if cfg!(any(target_arch = "sparc", target_arch = "sparc64")) {
        40
    } else {
        90
    },
);
#[cfg(any(target_os = "solaris", target_os = "illumos"))]
const EMSGSIZE: Option<i32> = Some(97);
#[cfg(any(
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly"
))]
const EMSGSIZE: Option<i32> = Some(40);
#[cfg(windows)]
const EMSGSIZE: Option<i32> = Some(10040); // WSAEMSGSIZE
#[cfg(not(any(
    target_os = "linux",
    target_os = "android",
    target_os = "solaris",
    target_os = "illumos",
    target_vendor = "apple",
    target_os = "freebsd",
    target_os = "netbsd",
    target_os = "openbsd",
    target_os = "dragonfly",
    windows
)))]
const EMSGSIZE: Option<i32> = None;

fn retry<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}
