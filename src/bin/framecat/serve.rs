//! `framecat serve`: an echo server on one tokio runtime, one task per
//! connection.
//!
//! The runtime runs on the calling thread unless `--threads` asks for more
//! workers (a multi-threaded runtime, connections spread over them). Each
//! connection is one task holding one
//! socket, split in two halves without a second file descriptor
//! (`connection.rs`); between frames it holds no read or write buffer.
//!
//! Accepting: a connection slot (a semaphore permit) is taken before
//! `accept`, so at `--max-connections` the server stops accepting and new
//! clients wait in the listen backlog (`--backlog`) instead of being reset.
//! Accept errors (out of file descriptors, say) pause accepting, 10 ms at
//! first, doubling up to 1 s, and are reported at most once a second.
//!
//! Shutdown: on SIGINT or SIGTERM the listener is closed, every connection
//! echoes the frames it has already received whole (and finishes a frame
//! in progress, within its deadline) and closes; past the grace period the
//! rest are cut. Then the counts go to stderr and the exit status is 0.

mod connection;

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sockframe::Limits;
use tokio::net::{TcpListener, TcpSocket};
use tokio::sync::{watch, Semaphore};
use tokio::time::{sleep, timeout_at, Instant};

use crate::failure::Failure;
use crate::framing::{CliFraming, Run};
use crate::plural::count;

use connection::Reason;

/// `--frame-timeout` unless given (or `--timeout`).
pub const DEFAULT_FRAME_TIMEOUT: Duration = Duration::from_secs(30);
/// `--idle-timeout` unless given (or `--timeout`).
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// `--write-timeout` unless given (or `--timeout`).
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(30);

/// The first pause after an accept error; it doubles up to the last.
const FIRST_BACKOFF: Duration = Duration::from_millis(10);
const LAST_BACKOFF: Duration = Duration::from_secs(1);

/// After the grace period, how long to wait for the connections' own
/// cut-off (they close themselves at the grace deadline) before dropping
/// the ones still running.
const GRACE_MARGIN: Duration = Duration::from_millis(250);

pub struct Serve {
    pub listen: String,
    pub max_connections: u32,
    pub backlog: u32,
    pub timeouts: Timeouts,
    pub grace: Duration,
    /// No line per connection.
    pub quiet: bool,
    /// Runtime worker threads; 1: the calling thread alone.
    pub threads: usize,
}

/// A connection's deadlines.
#[derive(Debug, Clone, Copy)]
pub struct Timeouts {
    /// From a frame's first byte to its last.
    pub frame: Duration,
    /// Between frames.
    pub idle: Duration,
    /// From the first reply due to the last sent.
    pub write: Duration,
}

impl Timeouts {
    /// The options given, `all` (`--timeout`) for those left out, the
    /// defaults for the rest.
    pub fn new(
        frame: Option<Duration>,
        idle: Option<Duration>,
        write: Option<Duration>,
        all: Option<Duration>,
    ) -> Self {
        Timeouts {
            frame: frame.or(all).unwrap_or(DEFAULT_FRAME_TIMEOUT),
            idle: idle.or(all).unwrap_or(DEFAULT_IDLE_TIMEOUT),
            write: write.or(all).unwrap_or(DEFAULT_WRITE_TIMEOUT),
        }
    }
}

impl Run for Serve {
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
        let mut builder = if self.threads > 1 {
            let mut builder = tokio::runtime::Builder::new_multi_thread();
            builder.worker_threads(self.threads);
            builder
        } else {
            tokio::runtime::Builder::new_current_thread()
        };
        let runtime = builder
            .enable_all()
            .build()
            .map_err(|e| format!("starting the runtime: {e}"))?;
        // Connections still running past the grace period end when the
        // runtime is dropped, their sockets closed.
        runtime.block_on(self.serve(framing, limits))
    }
}

/// What every connection task shares.
pub(crate) struct Shared<F> {
    pub framing: F,
    pub limits: Limits,
    pub timeouts: Timeouts,
    pub stats: Stats,
    pub quiet: bool,
}

/// Counts for the summary printed at shutdown.
#[derive(Default)]
pub(crate) struct Stats {
    connections: AtomicU64,
    frames: AtomicU64,
    closes: [AtomicU64; Reason::ALL.len()],
}

impl Stats {
    // Counts read once, at the end: no ordering needed.
    pub fn frame_echoed(&self) {
        self.frames.fetch_add(1, Ordering::Relaxed);
    }

    fn connected(&self) {
        self.connections.fetch_add(1, Ordering::Relaxed);
    }

    fn closed(&self, reason: Reason) {
        self.closes[reason as usize].fetch_add(1, Ordering::Relaxed);
    }

    fn summary(&self, cut: u64) -> String {
        let closes: Vec<String> = Reason::ALL
            .iter()
            .map(|&reason| {
                let closes = self.closes[reason as usize].load(Ordering::Relaxed);
                format!("{} {closes}", reason.name())
            })
            .collect();
        format!(
            "{}, {}; closes: {}, cut at the end of the grace period {cut}",
            count(self.connections.load(Ordering::Relaxed), "connection"),
            count(self.frames.load(Ordering::Relaxed), "frame"),
            closes.join(", ")
        )
    }
}

impl Serve {
    async fn serve<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure> {
        // Before the address is printed: a signal sent as soon as the
        // server listens must find the handlers in place.
        let mut signals = Signals::new().map_err(|e| format!("handling signals: {e}"))?;
        let listener = bind(&self.listen, self.backlog).await?;
        let local = listener
            .local_addr()
            .map_err(|e| format!("listening on {}: {e}", self.listen))?;
        eprintln!("framecat: listening on {local}");

        let shared = Arc::new(Shared {
            framing,
            limits,
            timeouts: self.timeouts,
            stats: Stats::default(),
            quiet: self.quiet,
        });
        let slots = Arc::new(Semaphore::new(self.max_connections as usize));
        // `Some(grace deadline)` once shutting down.
        let (shutdown, shutdown_seen) = watch::channel(None::<Instant>);
        let mut backoff = Backoff::default();

        let signal = loop {
            // A slot first: at the cap, clients wait in the backlog.
            let slot = tokio::select! {
                biased;
                signal = signals.recv() => break signal,
                slot = Arc::clone(&slots).acquire_owned() => slot.expect("the semaphore is never closed"),
            };
            let accepted = tokio::select! {
                biased;
                signal = signals.recv() => break signal,
                accepted = listener.accept() => accepted,
            };
            let (stream, peer) = match accepted {
                Ok(accepted) => accepted,
                // The client gave up before it was accepted: not ours.
                Err(e) if is_per_connection(&e) => continue,
                Err(e) => {
                    let pause = backoff.failed(&e);
                    tokio::select! {
                        biased;
                        signal = signals.recv() => break signal,
                        () = sleep(pause) => continue,
                    }
                }
            };
            backoff.succeeded();
            shared.stats.connected();
            let shared = Arc::clone(&shared);
            let shutdown = shutdown_seen.clone();
            tokio::spawn(async move {
                let _slot = slot;
                serve_one(stream, peer, &shared, shutdown).await;
            });
        };

        // Stop accepting: clients still in the backlog are refused.
        drop(listener);
        let grace_end = Instant::now() + self.grace;
        let _ = shutdown.send(Some(grace_end));
        let open = self.max_connections as usize - slots.available_permits();
        eprintln!(
            "framecat: {signal}: no longer accepting; finishing {} (grace period {}s)",
            count(open as u64, "open connection"),
            self.grace.as_secs_f64()
        );
        // Every slot back means every connection ended.
        let all = tokio::select! {
            biased;
            signal = signals.recv() => {
                eprintln!("framecat: {signal} again: closing every connection now");
                false
            }
            all = timeout_at(grace_end + GRACE_MARGIN, slots.acquire_many(self.max_connections)) => all.is_ok(),
        };
        let cut = if all {
            0
        } else {
            self.max_connections as usize - slots.available_permits()
        };
        eprintln!("framecat: stopped: {}", shared.stats.summary(cut as u64));
        Ok(())
    }
}

/// Serves one connection and reports how it ended.
async fn serve_one<F: CliFraming>(
    stream: tokio::net::TcpStream,
    peer: SocketAddr,
    shared: &Shared<F>,
    shutdown: watch::Receiver<Option<Instant>>,
) {
    if !shared.quiet {
        eprintln!("framecat: {peer}: connected");
    }
    let ended = connection::echo(stream, shared, shutdown).await;
    shared.stats.closed(ended.reason);
    if !shared.quiet {
        eprintln!("framecat: {peer}: {}", ended.message);
    }
}

/// Binds `addr` with a listen backlog of `backlog` (std's is 128).
async fn bind(addr: &str, backlog: u32) -> Result<TcpListener, String> {
    let failed = |e: io::Error| format!("listening on {addr}: {e}");
    let mut last = None;
    for candidate in tokio::net::lookup_host(addr).await.map_err(failed)? {
        match listen_on(candidate, backlog) {
            Ok(listener) => return Ok(listener),
            Err(e) => last = Some(e),
        }
    }
    Err(failed(last.unwrap_or_else(|| {
        io::Error::new(ErrorKind::NotFound, "the name has no address")
    })))
}

fn listen_on(addr: SocketAddr, backlog: u32) -> io::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()?
    } else {
        TcpSocket::new_v6()?
    };
    // As std's TcpListener::bind: a restarted server can take its port
    // back while old connections linger in TIME_WAIT.
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(addr)?;
    socket.listen(backlog)
}

/// An accept error about one connection (it was reset while waiting), not
/// about the server.
fn is_per_connection(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::ConnectionAborted
            | ErrorKind::ConnectionReset
            | ErrorKind::Interrupted
            | ErrorKind::WouldBlock
    )
}

/// Pauses after accept errors, reported at most once per longest pause.
#[derive(Default)]
struct Backoff {
    /// The current pause; zero after a success.
    pause: Duration,
    /// Errors since the last report.
    unreported: u64,
    /// When the last report was made, while errors go on.
    reported: Option<Instant>,
}

impl Backoff {
    /// Counts an error (reporting it unless one was reported within the
    /// longest pause); returns how long to pause.
    fn failed(&mut self, error: &io::Error) -> Duration {
        self.pause = (self.pause * 2).clamp(FIRST_BACKOFF, LAST_BACKOFF);
        self.unreported += 1;
        let now = Instant::now();
        if self
            .reported
            .is_none_or(|at| now.duration_since(at) >= LAST_BACKOFF)
        {
            let repeated = if self.unreported > 1 {
                format!(
                    " ({} since the last report)",
                    count(self.unreported, "error")
                )
            } else {
                String::new()
            };
            eprintln!(
                "framecat: accept: {error}{repeated}; pausing accepts (up to {}s at a time)",
                LAST_BACKOFF.as_secs_f64()
            );
            self.reported = Some(now);
            self.unreported = 0;
        }
        self.pause
    }

    fn succeeded(&mut self) {
        if self.reported.take().is_some() {
            eprintln!("framecat: accepting again");
        }
        self.pause = Duration::ZERO;
        self.unreported = 0;
    }
}

/// SIGINT and SIGTERM (Ctrl-C elsewhere).
struct Signals {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Signals {
    #[cfg(unix)]
    fn new() -> io::Result<Self> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Signals {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    #[cfg(not(unix))]
    fn new() -> io::Result<Self> {
        Ok(Signals {})
    }

    /// The next signal's name.
    #[cfg(unix)]
    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        }
    }

    #[cfg(not(unix))]
    async fn recv(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
