//! `framecat`: encode, decode, transcode, serve and send framed messages,
//! and send and receive files, in the framings of Python socket programs
//! and of tokio-util, protobuf and netstrings (see `framecat --help`).
//!
//! Exit status: 0 success (also when the reader of stdout closes it early,
//! as `| head` does: the output it wanted was written), 1 bad data or an
//! I/O error, 2 usage error.

mod args;
mod decode;
mod encode;
mod failure;
mod file_name;
mod framing;
mod jsonl;
mod lines;
mod options;
mod ordered;
mod output;
mod parse;
mod plural;
mod progress;
mod recv_file;
mod send;
mod send_file;
mod serve;
mod transcode;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command, OutputFormat};
use crate::failure::Failure;
use crate::framing::{build, limits, run_with, Use};
use crate::options::{sides, Options};
use crate::output::Printer;

/// The exit status of a usage error, as clap's own.
const USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let subcommand = subcommand_name(&cli.command);
    match run(cli.command) {
        Ok(()) | Err(Failure::StdoutClosed) => ExitCode::SUCCESS,
        Err(Failure::Failed(message)) => {
            eprintln!("framecat: error: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Usage(message)) => {
            // As clap prints its own usage errors.
            eprintln!(
                "error: {message}\n\nFor more information, try 'framecat {subcommand} --help'."
            );
            ExitCode::from(USAGE)
        }
    }
}

fn run(command: Command) -> Result<(), Failure> {
    match command {
        Command::Encode { framing, input } => {
            run_with(framing, Use::Encode, encode::Encode { input })
        }
        Command::Decode {
            framing,
            count,
            output,
            separator,
        } => {
            let output = output.unwrap_or(OutputFormat::Jsonl);
            if separator.is_some() && output != OutputFormat::Raw {
                return Err(Failure::Usage(
                    "--separator applies to --output raw only".to_owned(),
                ));
            }
            let separator = separator.map(|s| s.0).unwrap_or_default();
            let printer = (!count).then(|| Printer::new(output, separator));
            run_with(framing, Use::Decode, decode::Decode { printer })
        }
        Command::Transcode {
            from,
            to,
            shared,
            from_options,
            to_options,
        } => {
            let (input, output) = sides(
                from,
                to,
                &Options::from(shared.options),
                from_options.into(),
                to_options.into(),
            )?;
            let max_frame = shared.max_frame;
            let output = build(to, &output, max_frame, Use::Encode, "to-")?;
            let input = build(from, &input, max_frame, Use::Decode, "from-")?;
            input.run(transcode::Transcode { output }, limits(max_frame))
        }
        Command::Serve {
            framing,
            listen,
            max_connections,
            backlog,
            frame_timeout,
            idle_timeout,
            write_timeout,
            timeout,
            grace,
            quiet,
            threads,
        } => run_with(
            framing,
            Use::Decode,
            serve::Serve {
                listen,
                max_connections,
                backlog,
                timeouts: serve::Timeouts::new(frame_timeout, idle_timeout, write_timeout, timeout),
                grace,
                quiet,
                threads: usize::from(threads),
            },
        ),
        Command::Send {
            framing,
            addr,
            timeout,
        } => run_with(framing, Use::Encode, send::Send { addr, timeout }),
        Command::SendFile {
            path,
            addr,
            name,
            timeout,
        } => send_file::SendFile {
            path,
            addr,
            name,
            timeout,
        }
        .run(),
        Command::RecvFile {
            listen,
            dir,
            count,
            max_size,
            timeout,
        } => recv_file::RecvFile {
            listen,
            dir,
            count,
            max_size,
            timeout,
        }
        .run(),
    }
}

fn subcommand_name(command: &Command) -> &'static str {
    match command {
        Command::Encode { .. } => "encode",
        Command::Decode { .. } => "decode",
        Command::Transcode { .. } => "transcode",
        Command::Serve { .. } => "serve",
        Command::Send { .. } => "send",
        Command::SendFile { .. } => "send-file",
        Command::RecvFile { .. } => "recv-file",
    }
}
