//! One `framecat serve` connection: every frame echoed, under three
//! deadlines.
//!
//! - A frame must be whole within `--frame-timeout` of its first byte, so a
//!   client dripping a byte at a time cannot hold its connection.
//! - Between frames, the client may stay silent for `--idle-timeout`.
//! - Replies may stay unsent for `--write-timeout` from when the first of
//!   them was due until the last is sent: one deadline for the pending
//!   reply as a whole, however many writes it takes.
//!
//! Replies to frames that arrived together are gathered and sent together,
//! when no further whole frame is buffered. Between frames, waiting for
//! the next one's first byte, the connection holds neither a read nor a
//! write buffer (its reader and writer are rebuilt empty, decoder state
//! kept), so an idle connection costs the task and the socket.

use std::io;
use std::time::Duration;

use sockframe::io::frame_error;
use sockframe::tokio::{FrameReader, FrameWriter};
use tokio::net::tcp::{ReadHalf, WriteHalf};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::{timeout_at, Instant};

use super::{Shared, Timeouts};
use crate::failure::describe;
use crate::framing::CliFraming;
use crate::plural::count;

/// How many bytes a connection asks its socket for at a time, until a
/// larger frame has grown its buffer.
const READ_CHUNK: usize = 4 * 1024;

/// Replies gathered before they are written, when several frames arrived
/// together.
const GATHER_LIMIT: usize = 16 * 1024;

/// After a shutdown signal, how long a connection with no frame begun
/// still waits for one already on its way (never past the grace period).
const DRAIN_WINDOW: Duration = Duration::from_millis(100);

/// Why a connection ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// The client closed its side between frames; every reply was sent.
    Clean,
    IdleTimeout,
    FrameTimeout,
    WriteTimeout,
    /// Bad, oversize or truncated input.
    BadInput,
    /// The socket failed (reset, say).
    IoError,
    /// The server shut down.
    Shutdown,
}

impl Reason {
    pub const ALL: [Reason; 7] = [
        Reason::Clean,
        Reason::IdleTimeout,
        Reason::FrameTimeout,
        Reason::WriteTimeout,
        Reason::BadInput,
        Reason::IoError,
        Reason::Shutdown,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Reason::Clean => "clean",
            Reason::IdleTimeout => "idle timeout",
            Reason::FrameTimeout => "frame timeout",
            Reason::WriteTimeout => "write timeout",
            Reason::BadInput => "bad input",
            Reason::IoError => "io error",
            Reason::Shutdown => "shutdown",
        }
    }
}

/// How a connection ended, and the line that says so.
pub struct Ended {
    pub reason: Reason,
    pub message: String,
}

/// A reason and what to say after it (before "after N frames").
type Close = (Reason, String);

type Reader<'s, F> = FrameReader<ReadHalf<'s>, F>;
type Writer<'s, F> = FrameWriter<WriteHalf<'s>, F>;

/// Echoes frames until the client closes, misbehaves or the server shuts
/// down.
pub async fn echo<F: CliFraming>(
    mut stream: TcpStream,
    shared: &Shared<F>,
    shutdown: watch::Receiver<Option<Instant>>,
) -> Ended {
    // Nagle would hold back a reply until the previous one is acknowledged.
    let _ = stream.set_nodelay(true);
    let (read_half, write_half) = stream.split();
    let mut reader = FrameReader::with_limits(read_half, shared.framing.clone(), shared.limits)
        .with_read_chunk(READ_CHUNK);
    let mut writer = new_writer(write_half, &shared.framing);
    let mut state = State {
        shared,
        timeouts: shared.timeouts,
        shutdown,
        grace_end: None,
        drain_until: None,
        frames: 0,
        reply_due: None,
    };
    // When the first byte of the frame being read came, if it did.
    let mut frame_started: Option<Instant> = None;

    let (reason, what) = loop {
        match reader.has_buffered_frame() {
            Ok(true) => {}
            Ok(false) => {
                // Nothing more to answer at once: send the replies.
                if let Err(close) = state.flush(&mut writer).await {
                    break close;
                }
                if reader.buffer().is_empty() {
                    if !first_byte_here(&mut reader).await {
                        // Idle: wait holding no buffer.
                        reader.shrink_buffer();
                        writer.shrink_buffer();
                        if let Err(close) = state.wait_for_byte(reader.get_mut()).await {
                            break close;
                        }
                    }
                    frame_started = Some(Instant::now());
                } else {
                    frame_started.get_or_insert_with(Instant::now);
                }
            }
            Err(e) => break state.read_failed(e, &mut writer).await,
        }

        let started = frame_started.unwrap_or_else(Instant::now);
        let (deadline, cut) = state.deadline(started + state.timeouts.frame);
        // In a block: the frame borrows the reader until the block ends.
        let read_at;
        let read = {
            // The frame's bytes alone are kept: its header need not be
            // `Send` to be held across the echo's await.
            let read = tokio::select! {
                biased;
                read = timeout_at(deadline, async {
                    Ok(reader.read_frame().await?.map(|frame| frame.raw()))
                }) => Some(read),
                _ = state.shutdown.changed(), if state.grace_end.is_none() => None,
            };
            read_at = Instant::now();
            match read {
                None => Read::ShuttingDown,
                Some(Err(_)) => Read::TimedOut,
                Some(Ok(Ok(Some(raw)))) => Read::Echoed(state.echo(&mut writer, raw).await),
                Some(Ok(Ok(None))) => Read::End,
                Some(Ok(Err(e))) => Read::Failed(e),
            }
        };
        match read {
            Read::ShuttingDown => {
                // Read again (nothing is lost), now under the grace period.
                state.start_draining();
            }
            Read::TimedOut if cut => break state.cut_mid_frame(reader.buffer().len()),
            Read::TimedOut => {
                break (
                    Reason::FrameTimeout,
                    format!(
                        "frame timeout: mid-frame for {} after {} ({} of the next frame received)",
                        secs(state.timeouts.frame),
                        count(state.frames, "frame"),
                        count(reader.buffer().len() as u64, "byte"),
                    ),
                )
            }
            Read::Echoed(Ok(())) => {
                // Bytes of the next frame came with this one's end.
                frame_started = (!reader.buffer().is_empty()).then_some(read_at);
            }
            Read::Echoed(Err(close)) => break close,
            Read::End => match state.flush(&mut writer).await {
                Ok(()) => {
                    break (
                        Reason::Clean,
                        format!("closed after {}", count(state.frames, "frame")),
                    )
                }
                Err(close) => break close,
            },
            Read::Failed(e) => break state.read_failed(e, &mut writer).await,
        }
    };
    let message = match reason {
        Reason::Clean => what,
        _ => format!("{what}; connection closed"),
    };
    Ended { reason, message }
}

/// What came of one frame read.
enum Read {
    /// The server began shutting down first.
    ShuttingDown,
    TimedOut,
    Echoed(Result<(), Close>),
    /// The client closed its side between frames.
    End,
    Failed(io::Error),
}

/// The connection's counters and deadlines.
struct State<'a, F> {
    shared: &'a Shared<F>,
    timeouts: Timeouts,
    shutdown: watch::Receiver<Option<Instant>>,
    /// Set once the server is shutting down: every deadline ends there.
    grace_end: Option<Instant>,
    /// Once shutting down, how long to wait for a frame on its way.
    drain_until: Option<Instant>,
    frames: u64,
    /// When the replies not yet sent must be sent by.
    reply_due: Option<Instant>,
}

impl<F: CliFraming> State<'_, F> {
    /// `deadline`, or the end of the grace period if sooner; `true` if it
    /// is the grace period's.
    fn deadline(&self, deadline: Instant) -> (Instant, bool) {
        match self.grace_end {
            Some(end) if end < deadline => (end, true),
            _ => (deadline, false),
        }
    }

    fn start_draining(&mut self) {
        let now = Instant::now();
        let grace_end = self.shutdown.borrow().unwrap_or(now);
        self.grace_end = Some(grace_end);
        self.drain_until = Some(grace_end.min(now + DRAIN_WINDOW));
    }

    /// Waits for the next frame's first byte (or the end of the stream):
    /// up to the idle timeout, or once shutting down, a short while for a
    /// frame already on its way.
    async fn wait_for_byte(&mut self, read_half: &mut ReadHalf<'_>) -> Result<(), Close> {
        let idle_from = Instant::now();
        let mut byte = [0u8; 1];
        loop {
            let (deadline, cut) = match self.drain_until {
                None => (idle_from + self.timeouts.idle, false),
                Some(end) => (end, true),
            };
            let peeked = tokio::select! {
                biased;
                peeked = timeout_at(deadline, read_half.peek(&mut byte)) => Some(peeked),
                _ = self.shutdown.changed(), if self.grace_end.is_none() => None,
            };
            match peeked {
                None => self.start_draining(),
                // A byte, or the end of the stream: reading tells which.
                Some(Ok(Ok(_))) => return Ok(()),
                Some(Ok(Err(e))) => return Err(self.io_error("reading", &e)),
                Some(Err(_)) if cut => {
                    return Err((
                        Reason::Shutdown,
                        format!(
                            "shutting down: closed after {}",
                            count(self.frames, "frame")
                        ),
                    ))
                }
                Some(Err(_)) => {
                    return Err((
                        Reason::IdleTimeout,
                        format!(
                            "idle timeout: idle for {} after {}",
                            secs(self.timeouts.idle),
                            count(self.frames, "frame")
                        ),
                    ))
                }
            }
        }
    }

    /// Gathers or writes the reply to one frame.
    async fn echo(&mut self, writer: &mut Writer<'_, F>, raw: &[u8]) -> Result<(), Close> {
        let due = *self
            .reply_due
            .get_or_insert_with(|| Instant::now() + self.timeouts.write);
        let (deadline, cut) = self.deadline(due);
        match timeout_at(deadline, writer.write_raw_frames(raw)).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(self.io_error("writing", &e)),
            Err(_) => return Err(self.write_timed_out(writer, cut)),
        }
        if writer.pending().is_empty() {
            self.reply_due = None;
        }
        self.frames += 1;
        self.shared.stats.frame_echoed();
        Ok(())
    }

    /// Sends every reply gathered or left over, by their deadline.
    async fn flush(&mut self, writer: &mut Writer<'_, F>) -> Result<(), Close> {
        if writer.pending().is_empty() {
            self.reply_due = None;
            return Ok(());
        }
        let due = *self
            .reply_due
            .get_or_insert_with(|| Instant::now() + self.timeouts.write);
        let (deadline, cut) = self.deadline(due);
        match timeout_at(deadline, writer.flush()).await {
            Ok(Ok(())) => {
                self.reply_due = None;
                Ok(())
            }
            Ok(Err(e)) => Err(self.io_error("writing", &e)),
            Err(_) => Err(self.write_timed_out(writer, cut)),
        }
    }

    /// The read failed: the replies to the frames before still go out (by
    /// their deadline), then the connection closes.
    async fn read_failed(&mut self, error: io::Error, writer: &mut Writer<'_, F>) -> Close {
        let close = if frame_error(&error).is_some() {
            (
                Reason::BadInput,
                format!(
                    "bad input after {}: {}",
                    count(self.frames, "frame"),
                    describe(&error)
                ),
            )
        } else {
            self.io_error("reading", &error)
        };
        match self.flush(writer).await {
            Ok(()) => close,
            // The first failure is the one to report.
            Err(_) if close.0 == Reason::IoError => close,
            Err(flushing) => flushing,
        }
    }

    fn io_error(&self, doing: &str, error: &io::Error) -> Close {
        (
            Reason::IoError,
            format!(
                "io error after {}: {doing}: {error}",
                count(self.frames, "frame")
            ),
        )
    }

    fn write_timed_out(&self, writer: &Writer<'_, F>, cut: bool) -> Close {
        let unsent = count(writer.pending().len() as u64, "byte");
        if cut {
            return (
                Reason::Shutdown,
                format!(
                    "shutting down: {unsent} of replies still unsent at the end of the grace period, after {}",
                    count(self.frames, "frame")
                ),
            );
        }
        (
            Reason::WriteTimeout,
            format!(
                "write timeout: not reading its replies: {unsent} still unsent {} after they were due, after {}",
                secs(self.timeouts.write),
                count(self.frames, "frame")
            ),
        )
    }

    fn cut_mid_frame(&self, received: usize) -> Close {
        (
            Reason::Shutdown,
            format!(
                "shutting down: cut mid-frame at the end of the grace period after {} ({} of the next frame received)",
                count(self.frames, "frame"),
                count(received as u64, "byte")
            ),
        )
    }
}

/// Whether the next frame's first byte (or the end of the stream) is
/// already here, without waiting.
async fn first_byte_here<F: CliFraming>(reader: &mut Reader<'_, F>) -> bool {
    let mut byte = [0u8; 1];
    tokio::select! {
        biased;
        _ = reader.get_mut().peek(&mut byte) => true,
        () = std::future::ready(()) => false,
    }
}

/// A writer gathering replies, holding no memory until it has some.
fn new_writer<'s, F: CliFraming>(write_half: WriteHalf<'s>, framing: &F) -> Writer<'s, F> {
    FrameWriter::with_buffer_limit(write_half, framing.clone(), GATHER_LIMIT)
}

/// Seconds as the options take them: "0.5s", "30s".
fn secs(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}
