//! Echo under load: the same tokio echo server on sockframe's async reader
//! and writer and on `Framed<_, LengthDelimitedCodec>`, 1,000 connections
//! each making round trips of 16-byte messages; prints messages/s and the
//! p50 / p99 round-trip latency side by side, one row per round.
//!
//! Not a criterion benchmark (it reports a latency distribution):
//! `cargo bench --bench echo_load` runs 3 rounds of 1,000 connections x
//! 100 round trips, alternating servers; `-- --test` (as CI runs every
//! bench) a quick check of 10 x 5. `ECHO_CONNECTIONS` and `ECHO_TRIPS`
//! change the load. Needs about 2 fds per connection (`ulimit -n`).

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use sockframe::tokio::{FrameReader, FrameWriter};
use sockframe::LengthField;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio_util::codec::{Framed, LengthDelimitedCodec};

#[derive(Clone, Copy, Debug)]
enum Server {
    Sockframe,
    LengthDelimited,
}

async fn serve(listener: TcpListener, server: Server) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        stream.set_nodelay(true).ok();
        tokio::spawn(async move {
            match server {
                Server::Sockframe => {
                    let (read, write) = stream.into_split();
                    let mut reader =
                        FrameReader::new(read, LengthField::new()).with_read_chunk(4096);
                    let mut writer = FrameWriter::buffered(write, LengthField::new());
                    while let Ok(Some(frame)) = reader.read_frame().await {
                        if writer.write_raw_frames(frame.raw()).await.is_err() {
                            return;
                        }
                        if !reader.has_buffered_frame().unwrap_or(false)
                            && writer.flush().await.is_err()
                        {
                            return;
                        }
                    }
                }
                Server::LengthDelimited => {
                    let mut framed = Framed::new(stream, LengthDelimitedCodec::new());
                    while let Some(Ok(frame)) = framed.next().await {
                        if framed.send(frame.freeze()).await.is_err() {
                            return;
                        }
                    }
                }
            }
        });
    }
}

/// One client: `trips` round trips of a 16-byte message, written and read
/// raw (the same work for both servers); returns each trip's latency.
async fn client(addr: SocketAddr, trips: usize) -> Vec<Duration> {
    let mut stream = TcpStream::connect(addr).await.expect("connected");
    stream.set_nodelay(true).ok();
    let mut message = vec![0, 0, 0, 16];
    message.extend_from_slice(b"0123456789abcdef");
    let mut reply = [0u8; 20];
    let mut latencies = Vec::with_capacity(trips);
    for _ in 0..trips {
        let start = Instant::now();
        stream.write_all(&message).await.expect("sent");
        stream.read_exact(&mut reply).await.expect("echoed");
        assert_eq!(&reply[..], &message[..]);
        latencies.push(start.elapsed());
    }
    latencies
}

async fn round(server: Server, connections: usize, trips: usize) -> (f64, Duration, Duration) {
    let listener = tokio::net::TcpSocket::new_v4().unwrap();
    listener.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = listener.listen(4096).unwrap();
    let addr = listener.local_addr().unwrap();
    let serving = tokio::spawn(serve(listener, server));
    let start = Instant::now();
    let clients: Vec<_> = (0..connections)
        .map(|_| tokio::spawn(client(addr, trips)))
        .collect();
    let mut latencies = Vec::with_capacity(connections * trips);
    for client in clients {
        latencies.extend(client.await.expect("client"));
    }
    let elapsed = start.elapsed();
    serving.abort();
    latencies.sort_unstable();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q) as usize];
    (
        latencies.len() as f64 / elapsed.as_secs_f64(),
        at(0.5),
        at(0.99),
    )
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "--test");
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (connections, trips, rounds) = if quick {
        (10, 5, 1)
    } else {
        (env("ECHO_CONNECTIONS", 1000), env("ECHO_TRIPS", 100), 3)
    };
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    println!("echo_load: {connections} connections x {trips} round trips of 16 B");
    println!("| round | server | messages/s | p50 | p99 |");
    println!("|---|---|---|---|---|");
    for round_no in 1..=rounds {
        for server in [Server::Sockframe, Server::LengthDelimited] {
            let (rate, p50, p99) = runtime.block_on(round(server, connections, trips));
            println!("| {round_no} | {server:?} | {rate:.0} | {p50:.2?} | {p99:.2?} |");
        }
    }
}
