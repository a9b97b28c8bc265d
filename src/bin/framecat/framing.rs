//! Building the framing the arguments name, and running a command with it.

use sockframe::{Ascii, Binary, Encode, Endian, Framing, Json, Limits};

use crate::args::{EndianArg, FramingArgs, FramingKind};

/// What the commands need of a framing.
pub trait CliFraming: Framing + Encode + Clone + Send + 'static {
    /// The decoded header's JSON text, for framings that have one.
    fn header_json<'a>(header: &'a <Self as Framing>::Header<'_>) -> Option<&'a str>;
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

impl CliFraming for Json {
    fn header_json<'a>(header: &'a sockframe::JsonHeader<'_>) -> Option<&'a str> {
        // The decoder checked it is a JSON object.
        Some(header.as_str())
    }
}

/// A command generic over the framing.
pub trait Run {
    /// Runs with the framing and limits the arguments name.
    fn run<F: CliFraming>(self, framing: F, limits: Limits) -> Result<(), String>;
}

/// Builds the framing from `args` and runs `command` with it.
pub fn run_with<R: Run>(args: &FramingArgs, command: R) -> Result<(), String> {
    let limits = Limits::new().max_frame(args.max_frame);
    match args.framing {
        FramingKind::Ascii4 => {
            let ascii = Ascii::with_width(args.digits).map_err(|e| format!("--digits: {e}"))?;
            command.run(ascii, limits)
        }
        FramingKind::Struct => command.run(binary(args)?, limits),
        FramingKind::Json => {
            let json = Json::new()
                .with_prefix(binary(args)?)
                .with_size_key(args.length_key.clone());
            command.run(json, limits)
        }
    }
}

fn binary(args: &FramingArgs) -> Result<Binary, String> {
    match &args.struct_format {
        Some(format) => Binary::from_struct_format(format)
            .map_err(|e| format!("--struct-format {format:?}: {e}")),
        None => Ok(Binary::default().with_endian(match args.endian {
            EndianArg::Little => Endian::Little,
            EndianArg::Big => Endian::Big,
        })),
    }
}
