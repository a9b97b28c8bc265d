//! `framecat serve` under load and abuse, over real loopback sockets:
//! clients that drip bytes, stall, never read, half-close or send hostile
//! headers, more clients than the cap, a flood of connections, accept
//! errors, and a graceful shutdown on SIGTERM.
//!
//! Every loop is bounded in count and time; deadlines are checked with
//! generous bounds. Needs the `cli` feature; Unix only (signals, /proc,
//! `ulimit`).

#![cfg(all(feature = "cli", unix))]

mod framecat_support;

use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use sockframe::{Ascii, Binary, Encode, Json};

use framecat_support::{Background, FRAMECAT};

/// Starts `framecat serve` on a free loopback port; returns it and its
/// address.
fn serve(args: &[&str]) -> (Background, String) {
    let mut server = Background::framecat(&[&["serve", "--listen", "127.0.0.1:0"], args].concat());
    let addr = server.listening_addr();
    (server, addr)
}

fn connect(addr: &str) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.set_nodelay(true).unwrap();
    stream
}

fn ascii(payload: &[u8]) -> Vec<u8> {
    Ascii::new().encode_to_vec(payload).unwrap()
}

fn read_exactly(stream: &mut TcpStream, n: usize) -> Vec<u8> {
    let mut got = vec![0; n];
    stream.read_exact(&mut got).unwrap();
    got
}

/// Reads until the server closes the connection; returns what came.
fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut got = Vec::new();
    match stream.read_to_end(&mut got) {
        Ok(_) => got,
        Err(e) if e.kind() == ErrorKind::ConnectionReset => got,
        Err(e) => panic!("the server did not close the connection: {e}"),
    }
}

/// Whether the server has left the connection open (nothing to read, no
/// end).
fn still_open(stream: &TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let open = matches!((&*stream).read(&mut byte), Err(e) if e.kind() == ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    open
}

fn signal(server: &Background, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &server.pid().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A field of /proc/PID/status, such as "VmRSS" (in kB) or "Threads".
fn proc_status(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status
        .lines()
        .find(|line| line.starts_with(&format!("{field}:")))
        .unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn open_fds(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count()
}

/// User and system CPU time of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // The fields after the command name, which is in parentheses.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// The soft limit on open files of this process.
fn fd_limit() -> u64 {
    let limits = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = limits
        .lines()
        .find(|line| line.starts_with("Max open files"))
        .unwrap();
    line.split_whitespace().nth(3).unwrap().parse().unwrap_or(0)
}

/// The summary line printed at shutdown.
fn summary(lines: &[String]) -> String {
    lines
        .iter()
        .find(|line| line.contains("framecat: stopped:"))
        .unwrap_or_else(|| panic!("no summary; stderr: {lines:#?}"))
        .clone()
}

#[test]
fn drippers_do_not_hold_the_server_nor_delay_a_good_client() {
    let (mut server, addr) = serve(&["--framing", "ascii4", "--frame-timeout", "60"]);
    // 200 clients each inside a frame, one byte at a time.
    let mut drippers: Vec<TcpStream> = (0..200).map(|_| connect(&addr)).collect();
    for dripper in &mut drippers {
        dripper.write_all(b"0").unwrap();
    }
    let dripping = thread::spawn(move || {
        // "0100" then payload bytes, one per client every 300 ms: a frame
        // none of them finishes during the test.
        for round in 0..10 {
            for dripper in &mut drippers {
                let byte = b"100xxxxxxx"[round];
                dripper.write_all(&[byte]).unwrap();
            }
            thread::sleep(Duration::from_millis(300));
        }
        drippers
    });

    // Meanwhile a good client is answered at once, frame after frame.
    let mut good = connect(&addr);
    let mut slowest = Duration::ZERO;
    for i in 0..20 {
        let frame = ascii(format!("good {i}").as_bytes());
        let started = Instant::now();
        good.write_all(&frame).unwrap();
        assert_eq!(read_exactly(&mut good, frame.len()), frame);
        slowest = slowest.max(started.elapsed());
        thread::sleep(Duration::from_millis(100));
    }
    assert!(
        slowest < Duration::from_secs(1),
        "a reply took {slowest:?} with 200 drippers connected"
    );

    let drippers = dripping.join().unwrap();
    // The drippers are all still connected (their frames have 60 s).
    assert!(drippers.iter().all(still_open));
    server.wait_for("connected");
    assert!(!server.seen.iter().any(|line| line.contains("timeout")));
}

#[test]
fn a_frame_must_be_whole_within_the_frame_timeout_however_slowly_it_drips() {
    let (mut server, addr) = serve(&[
        "--framing",
        "ascii4",
        "--frame-timeout",
        "1",
        "--idle-timeout",
        "30",
    ]);
    let mut dripper = connect(&addr);
    dripper.write_all(&ascii(b"ok")).unwrap();
    let mut drip = dripper.try_clone().unwrap();
    let started = Instant::now();
    // A byte every 100 ms: no read ever waits long, but the frame never
    // ends. At most 100 bytes (10 s); the server closes it well before.
    let dripping = thread::spawn(move || {
        for byte in b"0500".iter().chain(&[b'x'; 96]) {
            if drip.write_all(&[*byte]).is_err() {
                break;
            }
            thread::sleep(Duration::from_millis(100));
        }
    });
    assert_eq!(read_to_close(&mut dripper), ascii(b"ok"));
    let elapsed = started.elapsed();
    assert!(
        elapsed >= Duration::from_millis(800) && elapsed < Duration::from_secs(8),
        "closed after {elapsed:?}"
    );
    let line = server.wait_for("frame timeout: mid-frame for 1s after 1 frame (");
    assert!(
        line.ends_with("of the next frame received); connection closed"),
        "{line}"
    );
    dripping.join().unwrap();
}

#[test]
fn the_idle_timeout_is_between_frames_only() {
    let (mut server, addr) = serve(&[
        "--framing",
        "ascii4",
        "--idle-timeout",
        "1",
        "--frame-timeout",
        "30",
    ]);
    // Frames 200 ms apart: never idle for 1 s.
    let mut steady = connect(&addr);
    for i in 0..5 {
        let frame = ascii(format!("tick {i}").as_bytes());
        steady.write_all(&frame).unwrap();
        assert_eq!(read_exactly(&mut steady, frame.len()), frame);
        thread::sleep(Duration::from_millis(200));
    }
    // Inside a frame for 1.5 s: the frame timeout's business, not idleness.
    steady.write_all(b"00").unwrap();
    thread::sleep(Duration::from_millis(1500));
    steady.write_all(b"02ok").unwrap();
    assert_eq!(read_exactly(&mut steady, 6), b"0002ok");
    // Silent after a frame: closed.
    let started = Instant::now();
    assert!(read_to_close(&mut steady).is_empty());
    assert!(started.elapsed() >= Duration::from_millis(900));
    server.wait_for("idle timeout: idle for 1s after 6 frames; connection closed");
}

#[test]
fn a_client_that_never_reads_is_closed_at_the_write_timeout() {
    let (mut server, addr) = serve(&[
        "--framing",
        "struct",
        "--write-timeout",
        "1",
        "--frame-timeout",
        "60",
        "--idle-timeout",
        "60",
    ]);
    // A good client, to check the server keeps serving.
    let mut good = connect(&addr);

    let mut greedy = connect(&addr);
    greedy
        .set_write_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let frame = Binary::default().encode_to_vec(&[7u8; 32 * 1024]).unwrap();
    // Sends up to 128 MiB, never reads: the socket buffers fill, the
    // server's replies stall, and the server gives up on it.
    let sending = thread::spawn(move || {
        let mut sent = 0usize;
        for _ in 0..4096 {
            if greedy.write_all(&frame).is_err() {
                break;
            }
            sent += 1;
        }
        sent
    });
    let line = server.wait_for("write timeout: not reading its replies:");
    assert!(
        line.contains("still unsent 1s after they were due"),
        "{line}"
    );
    let sent = sending.join().unwrap();
    assert!(sent < 4096, "the server took every frame");

    let frame = ascii(b"x");
    let frame = Binary::default().encode_to_vec(&frame).unwrap();
    good.write_all(&frame).unwrap();
    assert_eq!(read_exactly(&mut good, frame.len()), frame);
}

#[test]
fn clients_over_the_cap_wait_in_the_backlog_and_are_served_in_turn() {
    let (mut server, addr) = serve(&["--framing", "ascii4", "--max-connections", "2"]);
    let mut served: Vec<TcpStream> = (0..2)
        .map(|i| {
            let mut client = connect(&addr);
            let frame = ascii(format!("served {i}").as_bytes());
            client.write_all(&frame).unwrap();
            assert_eq!(read_exactly(&mut client, frame.len()), frame);
            client
        })
        .collect();
    // Five more: connected (in the backlog), frames sent, no answer yet.
    let mut waiting: Vec<TcpStream> = (0..5)
        .map(|i| {
            let mut client = connect(&addr);
            client
                .write_all(&ascii(format!("waiting {i}").as_bytes()))
                .unwrap();
            client
        })
        .collect();
    thread::sleep(Duration::from_millis(300));
    assert!(waiting.iter().all(still_open));
    // Slots free as clients leave; the waiting ones are served in turn.
    served.clear();
    for (i, client) in waiting.iter_mut().enumerate() {
        let frame = ascii(format!("waiting {i}").as_bytes());
        assert_eq!(read_exactly(client, frame.len()), frame, "client {i}");
        client.shutdown(Shutdown::Write).unwrap();
        assert!(read_to_close(client).is_empty());
    }
    server.wait_for("closed after 1 frame");
    assert!(!server
        .seen
        .iter()
        .any(|line| line.contains("refused") || line.contains("reset")));
}

#[test]
fn sigterm_echoes_the_frames_received_whole_then_exits_0_with_counts() {
    let (mut server, addr) = serve(&["--framing", "ascii4", "--grace", "3"]);
    let mut clients: Vec<TcpStream> = (0..20).map(|_| connect(&addr)).collect();
    let mut expected = Vec::new();
    for (i, client) in clients.iter_mut().enumerate() {
        // One frame answered: the connection is being served.
        let first = ascii(format!("hello {i}").as_bytes());
        client.write_all(&first).unwrap();
        assert_eq!(read_exactly(client, first.len()), first);
        // Five more sent whole, not read before the signal.
        let mut burst = Vec::new();
        for j in 0..5 {
            burst.extend(ascii(format!("frame {i}.{j}").as_bytes()));
        }
        client.write_all(&burst).unwrap();
        expected.push(burst);
    }
    // One mid-frame, finished during the grace period; one never finished.
    let mut finishing = connect(&addr);
    finishing.write_all(b"0009in fl").unwrap();
    let mut unfinished = connect(&addr);
    unfinished.write_all(b"0011never").unwrap();
    let idle = connect(&addr);
    server.wait_for("connected");
    thread::sleep(Duration::from_millis(300));

    let signalled = Instant::now();
    signal(&server, "TERM");
    server.wait_for("SIGTERM: no longer accepting; finishing 23 open connections");
    finishing.write_all(b"ight").unwrap();
    for (client, expected) in clients.iter_mut().zip(&expected) {
        assert_eq!(&read_to_close(client), expected);
    }
    assert_eq!(read_to_close(&mut finishing), b"0009in flight");
    let mut unfinished = unfinished;
    assert!(read_to_close(&mut unfinished).is_empty());
    drop(idle);

    let (status, lines) = server.wait();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    assert!(
        signalled.elapsed() < Duration::from_secs(10),
        "took {:?}",
        signalled.elapsed()
    );
    let summary = summary(&lines);
    assert!(
        summary.contains("23 connections, 121 frames; closes: clean 0, idle timeout 0, frame timeout 0, write timeout 0, bad input 0, io error 0, shutdown 23, cut at the end of the grace period 0"),
        "{summary}"
    );
    assert!(lines
        .iter()
        .any(|line| line.contains("shutting down: cut mid-frame at the end of the grace period")));
}

#[test]
fn half_close_gets_every_reply_then_the_end() {
    let (mut server, addr) = serve(&["--framing", "json"]);
    let mut client = connect(&addr);
    let mut sent = Vec::new();
    for i in 0..3 {
        Json::new()
            .encode_with_into(
                &serde_json::json!({"n": i}),
                format!("body {i}").as_bytes(),
                &mut sent,
            )
            .unwrap();
    }
    client.write_all(&sent).unwrap();
    client.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut client), sent);
    server.wait_for("closed after 3 frames");

    // Half-closed inside a frame: the whole frames are answered, then the
    // connection closes, the truncation named.
    let mut cut = connect(&addr);
    let whole = Json::new().encode_to_vec(b"whole").unwrap();
    let partial = Json::new().encode_to_vec(b"partial").unwrap();
    cut.write_all(&[&whole[..], &partial[..partial.len() - 3]].concat())
        .unwrap();
    cut.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_to_close(&mut cut), whole);
    let line = server.wait_for("bad input after 1 frame:");
    assert!(line.contains("3 more bytes"), "{line}");
}

#[test]
fn echoes_are_byte_exact_under_sticky_and_split_sends() {
    let (mut server, addr) = serve(&["--framing", "json"]);
    let mut wire = Vec::new();
    for i in 0..300usize {
        let body: Vec<u8> = (0..(i * 37) % 3000).map(|b| (b * 7 + i) as u8).collect();
        Json::new()
            .encode_with_into(&serde_json::json!({"i": i, "name": "é"}), &body, &mut wire)
            .unwrap();
    }
    let mut client = connect(&addr);
    let mut reading = client.try_clone().unwrap();
    let expected = wire.len();
    let reader = thread::spawn(move || read_exactly(&mut reading, expected));
    // Pieces of 1 to 4,000 bytes, cutting headers and bodies anywhere.
    let mut at = 0;
    let mut step = 1usize;
    while at < wire.len() {
        let end = (at + step).min(wire.len());
        client.write_all(&wire[at..end]).unwrap();
        at = end;
        step = (step * 7 + 13) % 4000 + 1;
    }
    assert!(reader.join().unwrap() == wire);
    client.shutdown(Shutdown::Write).unwrap();
    assert!(read_to_close(&mut client).is_empty());
    server.wait_for("closed after 300 frames");
}

#[test]
fn hostile_headers_close_only_their_own_connection_and_cost_no_memory() {
    let (mut server, addr) = serve(&["--framing", "struct"]);
    let mut good = connect(&addr);
    let hello = Binary::default().encode_to_vec(b"hello").unwrap();
    good.write_all(&hello).unwrap();
    assert_eq!(read_exactly(&mut good, hello.len()), hello);
    let rss_before = proc_status(server.pid(), "VmRSS");

    // 2 GiB announced, then bytes: refused before anything is reserved.
    let mut huge = connect(&addr);
    huge.write_all(b"\xff\xff\xff\x7f").unwrap();
    let _ = huge.write_all(&[0u8; 64 * 1024]);
    let _ = read_to_close(&mut huge);
    let line = server.wait_for("announces 2147483647 bytes");
    assert!(line.contains("bad input after 0 frames:"), "{line}");
    // A negative length.
    let mut negative = connect(&addr);
    negative.write_all(b"\xff\xff\xff\xff").unwrap();
    assert!(read_to_close(&mut negative).is_empty());
    assert!(server.seen.len() >= 2);
    server.wait_for("negative");

    let rss_after = proc_status(server.pid(), "VmRSS");
    assert!(
        rss_after < rss_before + 16 * 1024,
        "RSS grew from {rss_before} kB to {rss_after} kB"
    );
    // The good client is still served.
    good.write_all(&hello).unwrap();
    assert_eq!(read_exactly(&mut good, hello.len()), hello);
}

#[test]
fn a_flood_of_2000_connections_leaves_no_task_fd_or_thread_behind() {
    let (mut server, addr) = serve(&["--framing", "ascii4"]);
    let pid = server.pid();
    let fds_before = open_fds(pid);
    let frame = ascii(b"flood");
    // 10 waves of 200 at once: each sends a frame, reads the echo and
    // closes; every fourth closes without a word.
    for wave in 0..10 {
        let mut clients: Vec<TcpStream> = (0..200).map(|_| connect(&addr)).collect();
        for (i, client) in clients.iter_mut().enumerate() {
            if (wave + i) % 4 != 0 {
                client.write_all(&frame).unwrap();
            }
        }
        for (i, client) in clients.iter_mut().enumerate() {
            if (wave + i) % 4 != 0 {
                assert_eq!(read_exactly(client, frame.len()), frame);
            }
        }
    }
    // Every connection task ends and gives its socket back.
    let deadline = Instant::now() + Duration::from_secs(20);
    while open_fds(pid) > fds_before && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(open_fds(pid), fds_before);
    let threads = proc_status(pid, "Threads");
    assert!(threads <= 4, "{threads} threads");

    signal(&server, "TERM");
    server.wait_for("finishing 0 open connections");
    let (status, lines) = server.wait();
    assert_eq!(status.code(), Some(0));
    let summary = summary(&lines);
    assert!(
        summary.contains("2000 connections, 1500 frames; closes: clean 2000,"),
        "{summary}"
    );
    assert!(
        summary.ends_with("cut at the end of the grace period 0"),
        "{summary}"
    );
}

#[test]
fn accept_errors_pause_accepting_instead_of_spinning() {
    // Few file descriptors: the server runs out while clients keep coming.
    let mut command = Command::new("sh");
    command.args([
        "-c",
        "ulimit -n 32 && exec \"$0\" serve --listen 127.0.0.1:0 --framing ascii4",
        FRAMECAT,
    ]);
    let mut server = Background::start(command);
    let addr = server.listening_addr();
    let pid = server.pid();
    let frame = ascii(b"fd");
    let mut clients: Vec<TcpStream> = (0..48)
        .map(|_| {
            let mut client = connect(&addr);
            client.write_all(&frame).unwrap();
            client
        })
        .collect();
    server.wait_for("framecat: accept:");
    let erring = Instant::now();
    let ticks_before = cpu_ticks(pid);
    thread::sleep(Duration::from_secs(2));
    let ticks = cpu_ticks(pid) - ticks_before;
    // Spinning would take nearly all of the 2 s (about 200 ticks).
    assert!(ticks < 60, "{ticks} ticks of CPU in 2 s");

    // As clients leave, the waiting ones are accepted and served.
    for (i, client) in clients.iter_mut().enumerate() {
        assert_eq!(read_exactly(client, frame.len()), frame, "client {i}");
        client.shutdown(Shutdown::Write).unwrap();
        assert!(read_to_close(client).is_empty());
    }
    server.wait_for("accepting again");
    // Reported about once a second, not once per error.
    let reports = server
        .seen
        .iter()
        .filter(|line| line.contains("framecat: accept:"))
        .count() as u64;
    assert!(
        reports <= erring.elapsed().as_secs() + 2,
        "{reports} reports in {:?}: {:#?}",
        erring.elapsed(),
        server.seen
    );
}

#[test]
fn a_thousand_idle_connections_are_held_in_little_memory() {
    if fd_limit() < 2200 {
        eprintln!("skipped: needs `ulimit -n` of at least 2200");
        return;
    }
    let (server, addr) = serve(&["--framing", "ascii4"]);
    let pid = server.pid();
    let mut probe = connect(&addr);
    let frame = ascii(b"probe");
    probe.write_all(&frame).unwrap();
    assert_eq!(read_exactly(&mut probe, frame.len()), frame);
    let rss_before = proc_status(pid, "VmRSS");
    let started = Instant::now();
    let idle: Vec<TcpStream> = (0..1000).map(|_| connect(&addr)).collect();
    // Each sends a frame and gets its echo: every one is accepted.
    for mut client in &idle {
        client.write_all(&frame).unwrap();
    }
    for client in &idle {
        let mut client = client;
        let mut echo = vec![0; frame.len()];
        client.read_exact(&mut echo).unwrap();
        assert_eq!(echo, frame);
    }
    let opened = started.elapsed();
    let rss_after = proc_status(pid, "VmRSS");
    let per_connection = (rss_after.saturating_sub(rss_before)) * 1024 / 1000;
    eprintln!("1000 connections in {opened:?}, {per_connection} bytes of RSS each");
    assert!(per_connection < 32 * 1024, "{per_connection} bytes each");
    assert!(opened < Duration::from_secs(20));
    probe.write_all(&frame).unwrap();
    assert_eq!(read_exactly(&mut probe, frame.len()), frame);
}

#[test]
fn quiet_drops_the_lines_per_connection_but_not_the_counts() {
    let (server, addr) = serve(&["--framing", "ascii4", "--quiet"]);
    let frame = ascii(b"shh");
    for _ in 0..3 {
        let mut client = connect(&addr);
        client.write_all(&frame).unwrap();
        assert_eq!(read_exactly(&mut client, frame.len()), frame);
    }
    // A hostile client too: its close reason is counted, not printed.
    let mut hostile = connect(&addr);
    hostile.write_all(b"12x4").unwrap();
    assert!(read_to_close(&mut hostile).is_empty());

    signal(&server, "TERM");
    let (status, lines) = server.wait();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    let summary = summary(&lines);
    assert!(
        summary.contains("4 connections, 3 frames; closes: clean 3,"),
        "{summary}"
    );
    assert!(summary.contains("bad input 1"), "{summary}");
    let per_connection: Vec<&String> = lines
        .iter()
        .filter(|line| line.contains("127.0.0.1:") && !line.contains("listening on"))
        .collect();
    assert!(per_connection.is_empty(), "{per_connection:#?}");
}

#[test]
fn threads_spread_the_connections_over_a_multi_threaded_runtime() {
    let (server, addr) = serve(&["--framing", "ascii4", "--threads", "2", "--quiet"]);
    let pid = server.pid();
    // Four client threads, 50 connections each, 10 frames per connection
    // in sticky pairs.
    let clients: Vec<_> = (0..4)
        .map(|t| {
            let addr = addr.clone();
            thread::spawn(move || {
                let mut streams: Vec<TcpStream> = (0..50).map(|_| connect(&addr)).collect();
                for round in 0..5 {
                    let mut sent = Vec::new();
                    for (i, stream) in streams.iter_mut().enumerate() {
                        let pair = [
                            ascii(format!("{t}.{i}.{round}a").as_bytes()),
                            ascii(format!("{t}.{i}.{round}b").as_bytes()),
                        ]
                        .concat();
                        stream.write_all(&pair).unwrap();
                        sent.push(pair);
                    }
                    for (stream, pair) in streams.iter_mut().zip(&sent) {
                        assert_eq!(&read_exactly(stream, pair.len()), pair);
                    }
                }
                // Still open at the signal.
                streams
            })
        })
        .collect();
    // The runtime's two workers, besides the main thread.
    let threads = proc_status(pid, "Threads");
    assert!(threads >= 3, "{threads} threads");
    let open: Vec<Vec<TcpStream>> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    signal(&server, "TERM");
    let (status, lines) = server.wait();
    assert_eq!(status.code(), Some(0), "{lines:#?}");
    let summary = summary(&lines);
    assert!(
        summary.contains("200 connections, 2000 frames; closes: clean 0,"),
        "{summary}"
    );
    assert!(summary.contains("shutdown 200"), "{summary}");
    drop(open);
}
