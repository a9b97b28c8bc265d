//! Running the built `framecat` from the tests: with input, within a
//! deadline, and in the background with its output lines on channels.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

use serde_json::Value;

pub const FRAMECAT: &str = env!("CARGO_BIN_EXE_framecat");

/// How long any one framecat or Python process may run in a test.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Runs framecat with `input` on stdin; kills it past the deadline.
pub fn framecat(args: &[&str], input: &[u8]) -> Output {
    let child = Command::new(FRAMECAT)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    finish(child, input, &format!("framecat {args:?}"))
}

/// Feeds `input` to `child`'s stdin, collects its output, and waits for it
/// to end, killing it (and failing) past the deadline.
pub fn finish(mut child: Child, input: &[u8], what: &str) -> Output {
    let stdin = child.stdin.take();
    let input = input.to_vec();
    // Write from a thread so a large output cannot block the input.
    let feeder = thread::spawn(move || {
        if let Some(mut stdin) = stdin {
            let _ = stdin.write_all(&input);
        }
    });
    let stdout = drain(child.stdout.take());
    let stderr = drain(child.stderr.take());
    let status = wait_bounded(&mut child, what);
    let _ = feeder.join();
    Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

fn drain(pipe: Option<impl Read + Send + 'static>) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        if let Some(mut pipe) = pipe {
            let _ = pipe.read_to_end(&mut bytes);
        }
        bytes
    })
}

/// Waits for `child`, killing it and failing the test past the deadline.
pub fn wait_bounded(child: &mut Child, what: &str) -> std::process::ExitStatus {
    let deadline = Instant::now() + DEADLINE;
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{what} still running after {DEADLINE:?}: killed");
        }
        thread::sleep(Duration::from_millis(10));
    }
}

pub fn stdout_lines(output: &Output) -> Vec<Value> {
    String::from_utf8(output.stdout.clone())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A process running in the background, killed on drop; its stdout and
/// stderr lines arrive on channels.
pub struct Background {
    child: Child,
    out: Receiver<String>,
    err: Receiver<String>,
    /// Stderr lines seen so far.
    pub seen: Vec<String>,
}

impl Background {
    /// Starts framecat with `args`, stdin closed.
    pub fn framecat(args: &[&str]) -> Background {
        let mut command = Command::new(FRAMECAT);
        command.args(args);
        Background::start(command)
    }

    pub fn start(mut command: Command) -> Background {
        let mut child = command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let out = lines(child.stdout.take().unwrap());
        let err = lines(child.stderr.take().unwrap());
        Background {
            child,
            out,
            err,
            seen: Vec::new(),
        }
    }

    /// The process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for a stderr line containing `text`.
    pub fn wait_for(&mut self, text: &str) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.contains(text)) {
            return line.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.err.recv_timeout(left) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if line.contains(text) {
                        return line;
                    }
                }
                Err(_) => panic!("no {text:?} on stderr; saw {:?}", self.seen),
            }
        }
    }

    /// The address in the "listening on ADDR" line.
    pub fn listening_addr(&mut self) -> String {
        let line = self.wait_for("listening on");
        line.rsplit(' ').next().unwrap().to_owned()
    }

    /// The next stdout line, as JSON.
    pub fn next_json(&mut self) -> Value {
        let line = self
            .out
            .recv_timeout(Duration::from_secs(20))
            .unwrap_or_else(|_| panic!("no line on stdout; stderr: {:?}", self.rest_of_stderr()));
        serde_json::from_str(&line).unwrap()
    }

    /// Waits for the process to end (within the deadline); its exit status
    /// and every stderr line.
    pub fn wait(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = wait_bounded(&mut self.child, "a background framecat");
        let mut seen = std::mem::take(&mut self.seen);
        seen.extend(self.err.iter());
        (status, seen)
    }

    /// Every stdout line left, once the process has ended.
    pub fn rest_of_stdout(&self) -> Vec<String> {
        self.out.try_iter().collect()
    }

    fn rest_of_stderr(&mut self) -> Vec<String> {
        let more: Vec<String> = self.err.try_iter().collect();
        self.seen.extend(more);
        self.seen.clone()
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The lines of `pipe`, sent on a channel as they come.
fn lines(pipe: impl Read + Send + 'static) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}
