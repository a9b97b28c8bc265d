//! `framecat`: encode, decode, serve and send length-framed messages in the
//! three framings of Python socket programs (see `framecat --help`).

mod args;
mod decode;
mod encode;
mod framing;
mod lines;
mod output;
mod send;
mod serve;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::framing::run_with;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Encode { framing } => run_with(&framing, encode::Encode),
        Command::Decode { framing, count } => run_with(&framing, decode::Decode { count }),
        Command::Serve {
            framing,
            listen,
            max_connections,
            timeout,
        } => seconds(timeout).and_then(|timeout| {
            run_with(
                &framing,
                serve::Serve {
                    listen,
                    max_connections,
                    timeout,
                },
            )
        }),
        Command::Send {
            framing,
            addr,
            timeout,
        } => seconds(timeout).and_then(|timeout| run_with(&framing, send::Send { addr, timeout })),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("framecat: error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// A positive timeout.
fn seconds(value: f64) -> Result<Duration, String> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("--timeout {value}: must be a positive number of seconds"))
}
