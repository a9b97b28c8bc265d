//! Command-line arguments.
//!
//! Framing options are `Option`s with no clap default, so that an option
//! given explicitly can be told from one left out: one that does not apply
//! to the chosen framing is a usage error (see `options.rs`), and the
//! defaults are applied per framing when the framing is built.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};
use sockframe::{Ascii, Binary};

use crate::parse;

/// Framed messages on stdin, stdout and TCP: the framings of Python socket
/// programs, tokio-util's length field, protobuf's varints, netstrings and
/// lines, byte for byte.
#[derive(Debug, Parser)]
#[command(
    name = "framecat",
    version,
    after_help = "Framings (--framing):
  ascii4        4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m
  struct        a binary length, then the payload: struct.pack('i', len(m)) + m
  json          a binary header length, a JSON header with the body size, the body:
                struct.pack('i', len(hb)) + hb + body, hb = json.dumps({\"data_size\": len(body)})
  length-field  a length field in a fixed header, as tokio-util's LengthDelimitedCodec
                (default: 4 bytes, big-endian, at offset 0): struct.pack('!I', len(m)) + m
  varint        an unsigned LEB128 length, as protobuf's writeDelimitedTo
  netstring     <decimal length>:<payload>, as djb's netstrings: b'5:hello,'
  lines         payloads ended by a delimiter (default \\n), as readline()

An option that does not apply to the chosen framing is a usage error.

Exit status: 0 success, also when a reader closes stdout early (`| head`):
framecat then stops quietly; 1 bad input data or an I/O error (every
complete frame before it is written first); 2 usage error (unknown or bad
option values, options that do not apply)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Makes frames of stdin: each line (the default), all of it, or JSON
    /// lines with header fields.
    #[command(after_help = "Example:
  printf 'hello\\nworld\\n' | framecat encode --framing ascii4        # 0005hello0005world
  echo '{\"body\": \"hi\", \"header\": {\"file_name\": \"a.txt\"}}' | framecat encode --framing json --input jsonl")]
    Encode {
        #[command(flatten)]
        framing: FramingArgs,
        /// What stdin holds: `lines` (each line without its \n or \r\n
        /// is a frame), `raw` (all of stdin is one frame, up to
        /// --max-frame bytes), `jsonl` (one JSON object per line:
        /// {"body": "text"} or {"body_base64": "..."}, with "header": {...}
        /// for json's header fields; what `decode` prints).
        #[arg(long, value_enum, default_value = "lines", value_name = "FORMAT")]
        input: InputFormat,
    },
    /// Reads a framed stream on stdin and prints its frames: one JSON line
    /// each (the default), the payloads themselves, or a hex dump.
    ///
    /// JSON lines hold "body" (the payload as text, when it is UTF-8) or
    /// "body_base64", and for json the "header" object. On malformed or
    /// truncated input, every complete frame is printed, then the error goes
    /// to stderr and the exit status is 1.
    #[command(after_help = "Example:
  printf '0005hello0002hi' | framecat decode --framing ascii4               # {\"body\": \"hello\"} ...
  framecat decode --framing struct --output raw --separator '\\n' < capture.bin
  framecat decode --framing json --output hex < capture.bin | less")]
    Decode {
        #[command(flatten)]
        framing: FramingArgs,
        /// Print only the totals: frames, payload bytes, stream bytes.
        #[arg(long, conflicts_with_all = ["output", "separator"])]
        count: bool,
        /// `jsonl`: one JSON object per frame [default]; `raw`: the
        /// payloads back to back (see --separator); `hex`: each frame's
        /// stream offset, header and payload as a hex dump with an ASCII
        /// column, as `hexdump -C` shows bytes.
        #[arg(long, value_enum, value_name = "FORMAT")]
        output: Option<OutputFormat>,
        /// With --output raw: bytes written after every payload, with the
        /// escapes \n \r \t \\ \xHH (so '\n' gives one line per frame).
        #[arg(long, value_name = "STRING", value_parser = parse::escaped, allow_hyphen_values = true)]
        separator: Option<parse::Bytes>,
    },
    /// Re-frames a stream from one framing to another, stdin to stdout.
    ///
    /// Frames are streamed: a payload up to 64 KiB is read whole and
    /// written, a larger one is copied through in 64 KiB pieces, so memory
    /// stays under about 256 KiB (plus a JSON header, at most 64 KiB)
    /// whatever the frame sizes; --max-frame bounds payloads (default 8
    /// MiB). With lines on either side a payload is held whole (lines are
    /// found, and checked for the delimiter, whole), up to --max-frame. JSON header fields go on to a json output (its size key
    /// replaced); other outputs carry the payload only. Frames before an
    /// error are all written; a payload over 64 KiB cut short in the input
    /// is cut short in the output too.
    ///
    /// Framing options: `--OPTION` applies to each side whose framing takes
    /// it (both, if both do; an option neither takes is a usage error);
    /// `--from-OPTION` and `--to-OPTION` apply to one side only and override
    /// `--OPTION` there.
    #[command(after_help = "Example:
  framecat transcode --from json --to ascii4 < capture.bin > capture.ascii4
  framecat transcode --from struct --to struct --from-endian little --to-endian big < le.bin > be.bin")]
    Transcode {
        /// The framing of stdin.
        #[arg(long, value_enum, value_name = "FRAMING")]
        from: FramingKind,
        /// The framing of stdout.
        #[arg(long, value_enum, value_name = "FRAMING")]
        to: FramingKind,
        /// Framing options for the sides that take them.
        #[command(flatten)]
        shared: Shared,
        /// Framing options of the input only.
        #[command(flatten, next_help_heading = "Input framing options")]
        from_options: FromOptions,
        /// Framing options of the output only.
        #[command(flatten, next_help_heading = "Output framing options")]
        to_options: ToOptions,
    },
    /// An echo server: sends every frame received back unchanged.
    ///
    /// Serves many clients at once on one async runtime (one thread, or
    /// --threads workers), one task per connection (no thread per
    /// client): an idle connection
    /// costs a few KiB. A client that sends bad or oversize input, or is
    /// too slow, loses only its own connection, with a line on stderr
    /// naming why.
    /// At --max-connections, new clients wait in the listen backlog until
    /// a connection ends. On SIGINT or SIGTERM the server stops accepting,
    /// echoes the frames already received whole, closes every connection
    /// within the grace period, prints counts of connections, frames and
    /// closes by reason on stderr, and exits with status 0.
    #[command(
        after_help = "Timeouts: --frame-timeout bounds each frame from its first byte to its
last, however slowly the bytes drip; --idle-timeout bounds the silence
between frames; --write-timeout bounds how long replies may stay unsent
(the reply as a whole, not each write). --timeout sets all three at once;
the specific options override it.

Example:
  framecat serve --framing json --listen 127.0.0.1:9000
  framecat serve --framing ascii4 --listen 0.0.0.0:9000 --max-connections 20000 \\
      --backlog 4096 --frame-timeout 5 --idle-timeout 300 --write-timeout 10"
    )]
    Serve {
        #[command(flatten)]
        framing: FramingArgs,
        /// Address to listen on, such as 127.0.0.1:9000 (port 0: any free
        /// port; the address is printed on stderr).
        #[arg(long, value_name = "ADDR")]
        listen: String,
        /// Connections served at once; more wait in the listen backlog
        /// until one closes (raise `ulimit -n` to match: one file
        /// descriptor per connection).
        #[arg(long, default_value_t = 10_000, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_connections: u32,
        /// Connections the system may hold waiting to be accepted (capped
        /// by the system: net.core.somaxconn on Linux).
        #[arg(long, default_value_t = 1024, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        backlog: u32,
        /// Seconds a frame may take from its first byte to its last
        /// [default: 30].
        #[arg(long, value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        frame_timeout: Option<Duration>,
        /// Seconds a client may stay silent between frames [default: 60].
        #[arg(long, value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        idle_timeout: Option<Duration>,
        /// Seconds replies may stay unsent, from when the first of them
        /// was due until all are sent, before a client that does not read
        /// them is closed [default: 30].
        #[arg(long, value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        write_timeout: Option<Duration>,
        /// Shorthand for --frame-timeout, --idle-timeout and --write-timeout
        /// all set to SECONDS (each of them, given, overrides it).
        #[arg(long, value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        timeout: Option<Duration>,
        /// Seconds, after SIGINT or SIGTERM, to finish the frames in
        /// flight before every connection is closed (a second signal
        /// closes them at once).
        #[arg(long, default_value = "10", value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        grace: Duration,
        /// No line per connection on stderr (connected, and why it
        /// closed): with many clients those lines cost more than the
        /// echoing. The address, accept errors and the closing counts are
        /// still printed.
        #[arg(long, short)]
        quiet: bool,
        /// Runtime worker threads serving the connections; 1 runs
        /// everything on one thread.
        #[arg(long, default_value_t = 1, value_name = "N", value_parser = clap::value_parser!(u16).range(1..))]
        threads: u16,
    },
    /// Connects to ADDR, sends each line of stdin as a frame, prints the
    /// replies.
    ///
    /// Replies are printed as `decode` prints frames, until the server
    /// closes the connection.
    #[command(after_help = "Example:
  printf 'one\\ntwo\\n' | framecat send --framing json 127.0.0.1:9000")]
    Send {
        #[command(flatten)]
        framing: FramingArgs,
        /// The server, such as 127.0.0.1:9000.
        #[arg(value_name = "ADDR")]
        addr: String,
        /// Seconds to wait for the next reply.
        #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        timeout: Duration,
    },
    /// Sends a file as the Python file-transfer programs do: one json frame
    /// whose header is {"file_name": NAME, "file_size": SIZE, "md5": HEX}.
    ///
    /// The wire is struct.pack('i', len(hb)) + hb + the file's bytes, hb =
    /// json.dumps(header). The file is read twice (the md5 goes in the
    /// header, before the body) and streamed, in bounded memory whatever
    /// its size. Prints {"file_name", "file_size", "md5"} on stdout once
    /// sent; a progress bar on stderr when stderr is a terminal.
    #[command(after_help = "Example:
  framecat send-file report.pdf 127.0.0.1:9000")]
    SendFile {
        /// The file to send.
        #[arg(value_name = "PATH")]
        path: PathBuf,
        /// The receiver, such as 127.0.0.1:9000.
        #[arg(value_name = "ADDR")]
        addr: String,
        /// The file name to announce [default: PATH's last component].
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// Seconds the receiver may refuse to take bytes, and then to
        /// close the connection once the file is sent.
        #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        timeout: Duration,
    },
    /// Receives files sent as `send-file` sends them (and as the Python
    /// programs do), into DIR.
    ///
    /// Serves one connection at a time; a connection may carry several
    /// files. Each body is streamed to a temporary file in DIR, its md5
    /// checked against the header's, then renamed to the name sent, with
    /// any directories stripped ("../../etc/passwd" is saved as
    /// DIR/passwd); a name that is empty, "." or "..", or holds NUL or
    /// control characters is refused. A refused or damaged file (bad md5,
    /// cut short) is deleted and its connection closed, and the exit status
    /// will be 1. Prints {"file_name", "path", "file_size", "md5"} on
    /// stdout per file received; a progress bar on stderr when stderr is a
    /// terminal.
    #[command(after_help = "Example:
  framecat recv-file --listen 127.0.0.1:9000 --dir inbox --count 1")]
    RecvFile {
        /// Address to listen on, such as 127.0.0.1:9000 (port 0: any free
        /// port; the address is printed on stderr).
        #[arg(long, value_name = "ADDR")]
        listen: String,
        /// The directory files are saved in (it must exist).
        #[arg(long, value_name = "DIR")]
        dir: PathBuf,
        /// Exit after N files, received or failed [default: serve forever].
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        count: Option<u64>,
        /// Largest file accepted, in bytes [default: 1 TiB].
        #[arg(long, value_name = "BYTES")]
        max_size: Option<u64>,
        /// Seconds a sender may stay silent before its connection is
        /// closed.
        #[arg(long, default_value = "30", value_name = "SECONDS", value_parser = parse::seconds, allow_negative_numbers = true)]
        timeout: Duration,
    },
}

/// The framing and its options, for the commands with one framing.
#[derive(Debug, Args)]
pub struct FramingArgs {
    /// The framing.
    #[arg(long, value_enum, value_name = "FRAMING")]
    pub framing: FramingKind,
    #[command(flatten)]
    pub options: Plain,
    /// Largest payload accepted, in bytes, inclusive (every framing).
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
    pub max_frame: u64,
}

/// `transcode`'s options for both sides.
#[derive(Debug, Args)]
pub struct Shared {
    #[command(flatten)]
    pub options: Plain,
    /// Largest payload accepted, in bytes, inclusive.
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
    pub max_frame: u64,
}

/// Declares a struct of the framing options whose flags start with
/// `$prefix` (`""`, `"from-"`, `"to-"`): the same options under three
/// sets of names, for `transcode`.
macro_rules! framing_options {
    ($name:ident, $prefix:literal) => {
        #[derive(Debug, Clone, Args)]
        pub struct $name {
            /// Byte order of the binary length: struct and json's header
            /// length [default: little], length-field [default: big].
            #[arg(long = concat!($prefix, "endian"), id = concat!($prefix, "endian"), value_enum, value_name = "ORDER")]
            pub endian: Option<EndianArg>,
            /// Python struct format of the binary length instead of
            /// --endian, such as "!I", "<q" or ">H" (struct, json).
            #[arg(
                long = concat!($prefix, "struct-format"),
                id = concat!($prefix, "struct-format"),
                value_name = "FORMAT",
                value_parser = parse::struct_format,
                conflicts_with = concat!($prefix, "endian"),
            )]
            pub struct_format: Option<Binary>,
            /// JSON key holding the body size (json) [default: data_size].
            #[arg(long = concat!($prefix, "length-key"), id = concat!($prefix, "length-key"), value_name = "KEY")]
            pub length_key: Option<String>,
            /// Number of digits of the ASCII length, 1 to 19 (ascii4)
            /// [default: 4].
            #[arg(long = concat!($prefix, "digits"), id = concat!($prefix, "digits"), value_name = "N", value_parser = parse::digits)]
            pub digits: Option<Ascii>,
            /// Header bytes before the length field (length-field)
            /// [default: 0].
            #[arg(long = concat!($prefix, "length-field-offset"), id = concat!($prefix, "length-field-offset"), value_name = "N")]
            pub length_field_offset: Option<usize>,
            /// Bytes of the length field, 1 to 8 (length-field) [default: 4].
            #[arg(
                long = concat!($prefix, "length-field-length"),
                id = concat!($prefix, "length-field-length"),
                value_name = "N",
                value_parser = clap::value_parser!(u8).range(1..=8),
            )]
            pub length_field_length: Option<u8>,
            /// Added to the length field to get the bytes after the first
            /// --num-skip, may be negative (length-field) [default: 0].
            #[arg(
                long = concat!($prefix, "length-adjustment"),
                id = concat!($prefix, "length-adjustment"),
                value_name = "N",
                allow_negative_numbers = true,
            )]
            pub length_adjustment: Option<i64>,
            /// Header bytes dropped before the payload (length-field)
            /// [default: the offset plus the length of the field].
            #[arg(long = concat!($prefix, "num-skip"), id = concat!($prefix, "num-skip"), value_name = "N")]
            pub num_skip: Option<usize>,
            /// The bytes that end each frame, with the escapes \n \r \t \\
            /// \xHH; not empty (lines) [default: \n].
            #[arg(
                long = concat!($prefix, "delimiter"),
                id = concat!($prefix, "delimiter"),
                value_name = "STRING",
                value_parser = parse::delimiter,
                allow_hyphen_values = true,
            )]
            pub delimiter: Option<parse::Bytes>,
        }
    };
}

framing_options!(Plain, "");
framing_options!(FromOptions, "from-");
framing_options!(ToOptions, "to-");

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FramingKind {
    /// 4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m
    Ascii4,
    /// A binary length, then the payload: struct.pack('i', len(m)) + m
    Struct,
    /// A binary header length, a JSON header holding the body size, the body: struct.pack('i', len(hb)) + hb + body
    Json,
    /// A length field in a fixed header, as tokio-util's LengthDelimitedCodec
    LengthField,
    /// An unsigned LEB128 length, as protobuf's writeDelimitedTo
    Varint,
    /// <decimal length>:<payload>, (djb's netstrings)
    Netstring,
    /// Payloads ended by a delimiter (--delimiter, default \n)
    Lines,
}

impl FramingKind {
    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            FramingKind::Ascii4 => "ascii4",
            FramingKind::Struct => "struct",
            FramingKind::Json => "json",
            FramingKind::LengthField => "length-field",
            FramingKind::Varint => "varint",
            FramingKind::Netstring => "netstring",
            FramingKind::Lines => "lines",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EndianArg {
    /// Least significant byte first (Python's 'i' on x86-64 and ARM64).
    Little,
    /// Network order ('!i').
    Big,
    /// This machine's order ('=i').
    Native,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// Each line, without its \n or \r\n, is a frame.
    Lines,
    /// All of stdin is one frame.
    Raw,
    /// One JSON object per line: {"body": ...} or {"body_base64": ...}, and "header": {...}.
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    /// One JSON object per frame.
    Jsonl,
    /// The payloads back to back.
    Raw,
    /// A hex dump of each frame: offset, header, payload.
    Hex,
}
