//! Command-line arguments.

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Length-framed messages on stdin, stdout and TCP, byte-compatible with
/// the framings of Python socket programs.
#[derive(Debug, Parser)]
#[command(
    name = "framecat",
    version,
    after_help = "Framings (--framing):
  ascii4  4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m
  struct  a binary length, then the payload: struct.pack('i', len(m)) + m
  json    a binary header length, a JSON header with the body size, the body:
          struct.pack('i', len(hb)) + hb + body, hb = json.dumps({\"data_size\": len(body)})"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Each line of stdin (without its newline) becomes one frame on stdout.
    Encode {
        #[command(flatten)]
        framing: FramingArgs,
    },
    /// Reads a framed stream on stdin and prints one JSON line per frame.
    ///
    /// Each line holds "body" (the payload as text, when it is UTF-8) or
    /// "body_base64", and for json the "header" object. On malformed or
    /// truncated input, every complete frame is printed, then the error goes
    /// to stderr and the exit status is 1.
    Decode {
        #[command(flatten)]
        framing: FramingArgs,
        /// Print only the totals: frames, payload bytes, stream bytes.
        #[arg(long)]
        count: bool,
    },
    /// An echo server: sends every frame received back unchanged.
    ///
    /// Serves many clients at once, one thread each. A client that sends
    /// bad or oversize input, or stalls, loses only its own connection.
    Serve {
        #[command(flatten)]
        framing: FramingArgs,
        /// Address to listen on, such as 127.0.0.1:9000 (port 0: any free
        /// port; the address is printed on stderr).
        #[arg(long, value_name = "ADDR")]
        listen: String,
        /// Connections served at once; more are closed at once.
        #[arg(long, default_value_t = 64, value_name = "N")]
        max_connections: usize,
        /// Seconds a client may stay silent (idle or mid-frame) or refuse
        /// to read before its connection is closed.
        #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
        timeout: f64,
    },
    /// Connects to ADDR, sends each line of stdin as a frame, prints the
    /// replies.
    ///
    /// Replies are printed as `decode` prints frames, until the server
    /// closes the connection.
    Send {
        #[command(flatten)]
        framing: FramingArgs,
        /// The server, such as 127.0.0.1:9000.
        #[arg(value_name = "ADDR")]
        addr: String,
        /// Seconds to wait for the next reply.
        #[arg(long, default_value_t = 30.0, value_name = "SECONDS")]
        timeout: f64,
    },
}

/// The framing and its options, common to every command.
#[derive(Debug, Args)]
pub struct FramingArgs {
    /// The framing.
    #[arg(long, value_enum, value_name = "FRAMING")]
    pub framing: FramingKind,
    /// Byte order of the binary length (struct, and json's header length).
    #[arg(long, value_enum, default_value = "little")]
    pub endian: EndianArg,
    /// Python struct format of the binary length instead of --endian, such
    /// as "!I", "<q" or ">H" (struct, and json's header length).
    #[arg(long, value_name = "FORMAT", conflicts_with = "endian")]
    pub struct_format: Option<String>,
    /// JSON key holding the body size (json).
    #[arg(long, default_value = "data_size", value_name = "KEY")]
    pub length_key: String,
    /// Number of digits of the ASCII length (ascii4).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub digits: usize,
    /// Largest payload accepted, in bytes.
    #[arg(long, default_value_t = 8 * 1024 * 1024, value_name = "BYTES")]
    pub max_frame: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FramingKind {
    /// 4 ASCII digits, then the payload: str(len(m)).zfill(4).encode() + m
    Ascii4,
    /// A binary length, then the payload: struct.pack('i', len(m)) + m
    Struct,
    /// A binary header length, a JSON header holding the body size, the body: struct.pack('i', len(hb)) + hb + body
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EndianArg {
    /// Least significant byte first (Python's 'i' on x86-64 and ARM64).
    Little,
    /// Network order ('!i').
    Big,
}
