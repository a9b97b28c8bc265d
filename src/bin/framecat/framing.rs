//! Building the framing the arguments name, and running a command with it.

use std::io::{self, Read, Write};

use sockframe::io::FrameWriter;
use sockframe::{
    Ascii, Binary, ConfigError, Delimited, Encode, Endian, Framing, Json, LengthField, Limits,
    Netstring, Varint,
};

use crate::args::{EndianArg, FramingArgs, FramingKind};
use crate::failure::Failure;
use crate::options::Options;
use crate::ordered::Fields;

/// What the commands need of a framing.
pub trait CliFraming:
    Framing<Scan: Send, Meta: Send, OwnedHeader: Send> + Encode + Clone + Send + Sync + 'static
{
    /// Whether headers carry fields besides the length (json).
    const TAKES_FIELDS: bool = false;

    /// Whether a payload can be written streamed from a reader, its length
    /// known up front (`write_frame_from`); not when the payload must be
    /// seen first (lines are checked for the delimiter).
    const STREAMS_BODIES: bool = true;

    /// The decoded header's JSON text, for framings that have one.
    fn header_json<'a>(header: &'a <Self as Framing>::Header<'_>) -> Option<&'a str>;

    /// The header's fields other than the body size, to carry to another
    /// framing that takes fields; `None` for framings without them.
    fn fields(&self, header: &Self::OwnedHeader) -> Option<Fields> {
        let _ = header;
        None
    }

    /// Writes one frame whose header carries `fields`; framings without
    /// fields ignore them (callers check [`TAKES_FIELDS`](Self::TAKES_FIELDS)).
    fn write_with<W: Write>(
        writer: &mut FrameWriter<W, Self>,
        fields: Option<&Fields>,
        payload: &[u8],
    ) -> io::Result<()> {
        let _ = fields;
        writer.write_frame(payload)
    }

    /// As [`write_with`](Self::write_with), the payload the next `len`
    /// bytes of `body`, streamed.
    fn write_with_from<W: Write, B: Read + ?Sized>(
        writer: &mut FrameWriter<W, Self>,
        fields: Option<&Fields>,
        len: u64,
        body: &mut B,
    ) -> io::Result<()> {
        let _ = fields;
        writer.write_frame_from(len, body)
    }
}

impl CliFraming for Ascii {
    fn header_json(_: &()) -> Option<&str> {
        None
    }
}

impl CliFraming for Binary {
    fn header_json(_: &()) -> Option<&str> {
        None
    }
}

impl CliFraming for LengthField {
    fn header_json<'a>(_: &'a &[u8]) -> Option<&'a str> {
        None
    }
}

impl CliFraming for Varint {
    fn header_json(_: &()) -> Option<&str> {
        None
    }
}

impl CliFraming for Netstring {
    fn header_json(_: &()) -> Option<&str> {
        None
    }
}

impl CliFraming for Delimited {
    const STREAMS_BODIES: bool = false;

    fn header_json(_: &()) -> Option<&str> {
        None
    }
}

impl CliFraming for Json {
    const TAKES_FIELDS: bool = true;

    fn header_json<'a>(header: &'a sockframe::JsonHeader<'_>) -> Option<&'a str> {
        // The decoder checked it is a JSON object.
        Some(header.as_str())
    }

    fn fields(&self, header: &sockframe::OwnedJsonHeader) -> Option<Fields> {
        // The decoder checked the header is an object: this cannot fail.
        let fields: Fields = serde_json::from_str(header.as_str()).unwrap_or_default();
        Some(fields.without(self.size_key()))
    }

    fn write_with<W: Write>(
        writer: &mut FrameWriter<W, Self>,
        fields: Option<&Fields>,
        payload: &[u8],
    ) -> io::Result<()> {
        match fields {
            Some(fields) if !fields.is_empty() => writer.write_frame_with(fields, payload),
            _ => writer.write_frame(payload),
        }
    }

    fn write_with_from<W: Write, B: Read + ?Sized>(
        writer: &mut FrameWriter<W, Self>,
        fields: Option<&Fields>,
        len: u64,
        body: &mut B,
    ) -> io::Result<()> {
        match fields {
            Some(fields) if !fields.is_empty() => writer.write_frame_with_from(fields, len, body),
            _ => writer.write_frame_from(len, body),
        }
    }
}

/// A command generic over the framing.
pub trait Run {
    /// Runs with the framing and limits the arguments name.
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), Failure>;
}

/// A framing built from the options, ready to run a command with.
#[derive(Debug, Clone)]
pub enum Built {
    Ascii(Ascii),
    Struct(Binary),
    Json(Json),
    LengthField(LengthField),
    Varint(Varint),
    Netstring(Netstring),
    Lines(Delimited),
}

impl Built {
    /// Runs `command` with this framing.
    pub fn run<R: Run>(self, command: R, limits: Limits) -> Result<(), Failure> {
        match self {
            Built::Ascii(framing) => command.run(framing, limits),
            Built::Struct(framing) => command.run(framing, limits),
            Built::Json(framing) => command.run(framing, limits),
            Built::LengthField(framing) => command.run(framing, limits),
            Built::Varint(framing) => command.run(framing, limits),
            Built::Netstring(framing) => command.run(framing, limits),
            Built::Lines(framing) => command.run(framing, limits),
        }
    }
}

/// What a command does with its framing: an option that would need header
/// bytes the command cannot write is refused when it `encodes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// Only reads frames (decode, serve, the input of transcode).
    Decode,
    /// Writes frames it makes (encode, send, the output of transcode).
    Encode,
}

/// Limits for `--max-frame`: it bounds payloads read whole and streamed
/// through alike.
pub fn limits(max_frame: u64) -> Limits {
    Limits::new()
        .max_frame(max_frame)
        .max_streamed_body(max_frame)
}

/// Builds the framing `kind` from `options` (checked to apply to it), with
/// each option's default for that framing; `prefix` is the options' flags'
/// ("", "from-", "to-"), for messages.
pub fn build(
    kind: FramingKind,
    options: &Options,
    max_frame: u64,
    usage: Use,
    prefix: &str,
) -> Result<Built, Failure> {
    Ok(match kind {
        FramingKind::Ascii4 => Built::Ascii(options.digits.unwrap_or_default()),
        FramingKind::Struct => Built::Struct(binary(options)),
        FramingKind::Json => Built::Json(
            Json::new().with_prefix(binary(options)).with_size_key(
                options
                    .length_key
                    .clone()
                    .unwrap_or_else(|| Json::DATA_SIZE.to_owned()),
            ),
        ),
        FramingKind::LengthField => {
            Built::LengthField(length_field(options, max_frame, usage, prefix)?)
        }
        FramingKind::Varint => Built::Varint(Varint::new()),
        FramingKind::Netstring => Built::Netstring(Netstring::new()),
        FramingKind::Lines => Built::Lines(match &options.delimiter {
            Some(delimiter) => Delimited::new(&delimiter.0)
                .map_err(|e| Failure::Usage(format!("--{prefix}delimiter: {}", reason(&e))))?,
            None => Delimited::lines(),
        }),
    })
}

/// The length-field framing: tokio-util's defaults (4 bytes, big-endian,
/// at offset 0, the header dropped), `--max-frame` as its
/// `max_frame_length`. For encoding, only layouts whose header is the
/// length field alone: framecat has no other header bytes to write.
fn length_field(
    options: &Options,
    max_frame: u64,
    usage: Use,
    prefix: &str,
) -> Result<LengthField, Failure> {
    let offset = options.length_field_offset.unwrap_or(0);
    let width = usize::from(options.length_field_length.unwrap_or(4));
    let adjustment = options.length_adjustment.unwrap_or(0);
    let mut builder = LengthField::builder();
    builder
        .length_field_offset(offset)
        .length_field_length(width)
        .endian(endian(options.endian.unwrap_or(EndianArg::Big)))
        .length_adjustment(isize::try_from(adjustment).map_err(|_| {
            Failure::Usage(format!(
                "--{prefix}length-adjustment {adjustment}: out of range on this machine"
            ))
        })?)
        .max_frame_length(usize::try_from(max_frame).unwrap_or(usize::MAX));
    if let Some(num_skip) = options.num_skip {
        builder.num_skip(num_skip);
    }
    let framing = builder.build().map_err(|e| {
        let flag = match &e {
            ConfigError::InvalidOption { option, .. } => match *option {
                "max_frame_length" => "--max-frame".to_owned(),
                option => format!("--{prefix}{}", option.replace('_', "-")),
            },
            _ => format!("--{prefix}framing length-field"),
        };
        Failure::Usage(format!("{flag}: {}", reason(&e)))
    })?;
    if usage == Use::Encode {
        let field_end = offset.saturating_add(width);
        let skip = framing.num_skip();
        let refusal = if offset > 0 {
            Some(format!(
                "--{prefix}length-field-offset {offset}: framecat cannot write the {offset} header bytes before the length field"
            ))
        } else if skip > field_end {
            Some(format!(
                "--{prefix}num-skip {skip}: framecat cannot write the {} header bytes after the length field",
                skip - field_end
            ))
        } else if skip < field_end {
            Some(format!(
                "--{prefix}num-skip {skip}: the length field (bytes {offset} to {field_end}) would be part of the payload, which framecat cannot write"
            ))
        } else {
            None
        };
        if let Some(refusal) = refusal {
            return Err(Failure::Usage(format!(
                "{refusal}; such streams can be decoded (decode, serve, transcode --from), not encoded"
            )));
        }
    }
    Ok(framing)
}

/// A configuration error's reason, without the builder's option name.
fn reason(error: &ConfigError) -> String {
    match error {
        ConfigError::InvalidOption { reason, .. } => reason.to_string(),
        other => other.to_string(),
    }
}

/// Checks the options of `args`, builds its framing and runs `command`.
pub fn run_with<R: Run>(args: FramingArgs, usage: Use, command: R) -> Result<(), Failure> {
    let options = Options::from(args.options);
    options.check(args.framing, "", "--framing")?;
    let built = build(args.framing, &options, args.max_frame, usage, "")?;
    built.run(command, limits(args.max_frame))
}

/// The binary length of struct and json: `--struct-format`, or `--endian`
/// (little unless given).
fn binary(options: &Options) -> Binary {
    options.struct_format.unwrap_or_else(|| {
        Binary::default().with_endian(endian(options.endian.unwrap_or(EndianArg::Little)))
    })
}

fn endian(arg: EndianArg) -> Endian {
    match arg {
        EndianArg::Little => Endian::Little,
        EndianArg::Big => Endian::Big,
        EndianArg::Native => Endian::Native,
    }
}
