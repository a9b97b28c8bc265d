//! One frame per datagram, over `UdpSocket` (and Unix `UnixDatagram`).
//!
//! UDP keeps message boundaries, so frames never stick together. But a
//! receive buffer smaller than a datagram silently truncates it, as
//! `recvfrom(1024)` does in many Python programs. With the same headers
//! inside each datagram, a [`DatagramFramer`] checks that a datagram holds
//! exactly one whole frame: a truncated or padded datagram, or one larger
//! than the receive buffer, is an error ([`DatagramError`]), never a short
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

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs, UdpSocket};
#[cfg(unix)]
use std::os::unix::net::UnixDatagram;

use crate::decoder::Decoder;
use crate::frame::Frame;
use crate::framing::{Encode, Framing};
use crate::io::error::encode_error;
use crate::limits::Limits;
use crate::status::{Needed, Status};

/// A socket that sends and receives whole datagrams.
pub trait DatagramSocket {
    /// The address a datagram came from.
    type Addr;

    /// Sends one datagram on a connected socket; returns the bytes sent.
    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize>;

    /// Receives one datagram into `buf`; returns its length, cut to
    /// `buf.len()` if it was longer.
    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize>;

    /// Like [`recv_datagram`](DatagramSocket::recv_datagram), with the
    /// sender's address.
    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, Self::Addr)>;
}

impl DatagramSocket for UdpSocket {
    type Addr = SocketAddr;

    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize> {
        self.send(datagram)
    }

    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }

    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.recv_from(buf)
    }
}

#[cfg(unix)]
impl DatagramSocket for UnixDatagram {
    type Addr = std::os::unix::net::SocketAddr;

    fn send_datagram(&self, datagram: &[u8]) -> io::Result<usize> {
        self.send(datagram)
    }

    fn recv_datagram(&self, buf: &mut [u8]) -> io::Result<usize> {
        self.recv(buf)
    }

    fn recv_datagram_from(&self, buf: &mut [u8]) -> io::Result<(usize, Self::Addr)> {
        self.recv_from(buf)
    }
}

/// Why a datagram was refused; carried as the source of an
/// [`io::ErrorKind::InvalidData`] error (downcast it with
/// `error.get_ref()?.downcast_ref::<DatagramError>()`). A datagram whose
/// header is bad carries a sockframe [`Error`](crate::Error) instead.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatagramError {
    /// The datagram did not fit the receive buffer, so it was cut.
    TooLarge {
        /// The largest datagram the receiver accepts.
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
    /// A frame to send does not fit one datagram of the configured size.
    FrameTooLarge {
        /// The encoded frame's length.
        frame_len: usize,
        /// The largest datagram allowed.
        max_datagram: usize,
    },
    /// The socket sent only part of a datagram.
    PartialSend {
        /// Bytes sent.
        sent: usize,
        /// The datagram's length.
        datagram_len: usize,
    },
}

impl fmt::Display for DatagramError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatagramError::TooLarge { max_datagram } => write!(
                f,
                "datagram longer than the {max_datagram}-byte receive limit: it was truncated"
            ),
            DatagramError::Truncated {
                datagram_len,
                needed,
            } => write!(
                f,
                "datagram of {datagram_len} bytes is truncated: its frame lacks {needed}"
            ),
            DatagramError::Padded {
                datagram_len,
                frame_len,
            } => write!(
                f,
                "datagram of {datagram_len} bytes holds a {frame_len}-byte frame and {} more bytes",
                datagram_len - frame_len
            ),
            DatagramError::FrameTooLarge {
                frame_len,
                max_datagram,
            } => write!(
                f,
                "a {frame_len}-byte frame does not fit a datagram of at most {max_datagram} bytes"
            ),
            DatagramError::PartialSend { sent, datagram_len } => {
                write!(f, "sent only {sent} of a {datagram_len}-byte datagram")
            }
        }
    }
}

impl std::error::Error for DatagramError {}

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

/// Sends and receives one frame per datagram.
///
/// Receiving reads into an internal buffer one byte larger than the largest
/// datagram accepted, so a datagram the buffer cut is detected, then checks
/// the datagram holds exactly one whole frame. Each datagram is decoded on
/// its own: a bad one is an error for that call only.
#[derive(Debug)]
pub struct DatagramFramer<F: Framing> {
    decoder: Decoder<F>,
    max_datagram: usize,
    recv_buf: Vec<u8>,
    send_buf: Vec<u8>,
}

impl<F: Framing> DatagramFramer<F> {
    /// The default largest datagram: 65535 bytes, more than any UDP payload
    /// over IPv4 or IPv6 without jumbograms.
    pub const DEFAULT_MAX_DATAGRAM: usize = 65_535;
}

impl<F: Framing> DatagramFramer<F> {
    /// A framer with the default [`Limits`] and datagram size.
    pub fn new(framing: F) -> Self {
        Self::with_limits(framing, Limits::default())
    }

    /// A framer with the given limits.
    pub fn with_limits(framing: F, limits: Limits) -> Self {
        DatagramFramer {
            decoder: Decoder::with_limits(framing, limits),
            max_datagram: Self::DEFAULT_MAX_DATAGRAM,
            recv_buf: Vec::new(),
            send_buf: Vec::new(),
        }
    }

    /// Sets the largest datagram sent or received (Unix datagram sockets
    /// can carry more than 65535 bytes).
    #[must_use]
    pub fn with_max_datagram(mut self, bytes: usize) -> Self {
        self.max_datagram = bytes;
        self
    }

    /// The largest datagram sent or received.
    pub fn max_datagram(&self) -> usize {
        self.max_datagram
    }

    /// Receives one datagram on a connected socket and returns its frame.
    pub fn recv<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<Frame<'_, F::Header<'_>>> {
        let len = self.max_datagram.saturating_add(1);
        if self.recv_buf.len() < len {
            self.recv_buf.resize(len, 0);
        }
        let n = retry(|| socket.recv_datagram(&mut self.recv_buf[..len]))?;
        self.decode_received(n)
    }

    /// Receives one datagram and returns its frame and its sender.
    pub fn recv_from<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
    ) -> io::Result<(Frame<'_, F::Header<'_>>, S::Addr)> {
        let len = self.max_datagram.saturating_add(1);
        if self.recv_buf.len() < len {
            self.recv_buf.resize(len, 0);
        }
        let (n, from) = retry(|| socket.recv_datagram_from(&mut self.recv_buf[..len]))?;
        Ok((self.decode_received(n)?, from))
    }

    /// Decodes a datagram received by other means: exactly one whole frame.
    pub fn decode<'a>(&mut self, datagram: &'a [u8]) -> io::Result<Frame<'a, F::Header<'a>>> {
        decode_datagram(&mut self.decoder, datagram)
    }

    fn decode_received(&mut self, n: usize) -> io::Result<Frame<'_, F::Header<'_>>> {
        if n > self.max_datagram {
            return Err(DatagramError::TooLarge {
                max_datagram: self.max_datagram,
            }
            .into());
        }
        decode_datagram(&mut self.decoder, &self.recv_buf[..n])
    }
}

impl<F: Framing + Encode> DatagramFramer<F> {
    /// The datagram carrying `payload`, built in an internal buffer.
    pub fn encode(&mut self, payload: &[u8]) -> io::Result<&[u8]> {
        let header = self
            .decoder
            .framing()
            .encode_header(payload.len())
            .map_err(encode_error)?;
        self.finish_datagram(header.as_ref(), payload)
    }

    /// Sends `payload` as one datagram on a connected socket.
    pub fn send<S: DatagramSocket + ?Sized>(
        &mut self,
        socket: &S,
        payload: &[u8],
    ) -> io::Result<()> {
        let datagram = self.encode(payload)?;
        let sent = retry(|| socket.send_datagram(datagram))?;
        check_sent(sent, datagram.len())
    }

    /// Sends `payload` as one datagram to `addr`.
    pub fn send_to<A: ToSocketAddrs>(
        &mut self,
        socket: &UdpSocket,
        payload: &[u8],
        addr: A,
    ) -> io::Result<()> {
        let datagram = self.encode(payload)?;
        let sent = retry(|| socket.send_to(datagram, &addr))?;
        check_sent(sent, datagram.len())
    }

    fn finish_datagram(&mut self, header: &[u8], payload: &[u8]) -> io::Result<&[u8]> {
        let trailer = self.decoder.framing().trailer();
        let frame_len = header
            .len()
            .saturating_add(payload.len())
            .saturating_add(trailer.len());
        if frame_len > self.max_datagram {
            return Err(DatagramError::FrameTooLarge {
                frame_len,
                max_datagram: self.max_datagram,
            }
            .into());
        }
        self.send_buf.clear();
        self.send_buf.extend_from_slice(header);
        self.send_buf.extend_from_slice(payload);
        self.send_buf.extend_from_slice(trailer);
        Ok(&self.send_buf)
    }
}

#[cfg(feature = "json")]
impl DatagramFramer<crate::Json> {
    /// The datagram carrying `payload` under a JSON header holding `fields`
    /// and the body size.
    pub fn encode_with<T: serde::Serialize + ?Sized>(
        &mut self,
        fields: &T,
        payload: &[u8],
    ) -> io::Result<&[u8]> {
        let header = self
            .decoder
            .framing()
            .encode_header_with(fields, payload.len())
            .map_err(encode_error)?;
        self.finish_datagram(&header, payload)
    }
}

fn decode_datagram<'a, F: Framing>(
    decoder: &mut Decoder<F>,
    datagram: &'a [u8],
) -> io::Result<Frame<'a, F::Header<'a>>> {
    // Every datagram stands alone; offsets in errors are within it.
    decoder.reset();
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

fn check_sent(sent: usize, datagram_len: usize) -> io::Result<()> {
    if sent == datagram_len {
        Ok(())
    } else {
        Err(DatagramError::PartialSend { sent, datagram_len }.into())
    }
}

fn retry<T>(mut op: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            result => return result,
        }
    }
}
