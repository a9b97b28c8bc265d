//! Framing options: which framing takes which, the usage errors for those
//! given where they do not apply, and `transcode`'s two sides.

use sockframe::{Ascii, Binary};

use crate::args::{EndianArg, FramingKind};
use crate::failure::Failure;
use crate::parse::Bytes;

/// The framing options as given (`None`: not given), whatever their flags'
/// prefix.
#[derive(Debug, Clone, Default)]
pub struct Options {
    pub endian: Option<EndianArg>,
    pub struct_format: Option<Binary>,
    pub length_key: Option<String>,
    pub digits: Option<Ascii>,
    pub length_field_offset: Option<usize>,
    pub length_field_length: Option<u8>,
    pub length_adjustment: Option<i64>,
    pub num_skip: Option<usize>,
    pub delimiter: Option<Bytes>,
}

/// One framing option.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opt {
    Endian,
    StructFormat,
    LengthKey,
    Digits,
    LengthFieldOffset,
    LengthFieldLength,
    LengthAdjustment,
    NumSkip,
    Delimiter,
}

impl Opt {
    pub const ALL: [Opt; 9] = [
        Opt::Endian,
        Opt::StructFormat,
        Opt::LengthKey,
        Opt::Digits,
        Opt::LengthFieldOffset,
        Opt::LengthFieldLength,
        Opt::LengthAdjustment,
        Opt::NumSkip,
        Opt::Delimiter,
    ];

    /// The flag without its dashes and prefix.
    pub fn name(self) -> &'static str {
        match self {
            Opt::Endian => "endian",
            Opt::StructFormat => "struct-format",
            Opt::LengthKey => "length-key",
            Opt::Digits => "digits",
            Opt::LengthFieldOffset => "length-field-offset",
            Opt::LengthFieldLength => "length-field-length",
            Opt::LengthAdjustment => "length-adjustment",
            Opt::NumSkip => "num-skip",
            Opt::Delimiter => "delimiter",
        }
    }

    /// The framings that take it.
    pub fn framings(self) -> &'static [FramingKind] {
        use FramingKind::*;
        match self {
            Opt::Endian => &[Struct, Json, LengthField],
            Opt::StructFormat => &[Struct, Json],
            Opt::Digits => &[Ascii4],
            Opt::LengthFieldOffset
            | Opt::LengthFieldLength
            | Opt::LengthAdjustment
            | Opt::NumSkip => &[LengthField],
            Opt::Delimiter => &[Lines],
            Opt::LengthKey => &[Json],
        }
    }

    pub fn applies_to(self, kind: FramingKind) -> bool {
        self.framings().contains(&kind)
    }

    /// "ascii4", "struct and json", ...
    fn framing_names(self) -> String {
        let names: Vec<&str> = self.framings().iter().map(|k| k.name()).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

impl Options {
    pub fn given(&self, opt: Opt) -> bool {
        match opt {
            Opt::Endian => self.endian.is_some(),
            Opt::StructFormat => self.struct_format.is_some(),
            Opt::LengthKey => self.length_key.is_some(),
            Opt::Digits => self.digits.is_some(),
            Opt::LengthFieldOffset => self.length_field_offset.is_some(),
            Opt::LengthFieldLength => self.length_field_length.is_some(),
            Opt::LengthAdjustment => self.length_adjustment.is_some(),
            Opt::NumSkip => self.num_skip.is_some(),
            Opt::Delimiter => self.delimiter.is_some(),
        }
    }

    /// Copies `opt`'s value from `other`.
    fn copy(&mut self, other: &Options, opt: Opt) {
        match opt {
            Opt::Endian => self.endian = other.endian,
            Opt::StructFormat => self.struct_format = other.struct_format,
            Opt::LengthKey => self.length_key.clone_from(&other.length_key),
            Opt::Digits => self.digits = other.digits,
            Opt::LengthFieldOffset => self.length_field_offset = other.length_field_offset,
            Opt::LengthFieldLength => self.length_field_length = other.length_field_length,
            Opt::LengthAdjustment => self.length_adjustment = other.length_adjustment,
            Opt::NumSkip => self.num_skip = other.num_skip,
            Opt::Delimiter => self.delimiter.clone_from(&other.delimiter),
        }
    }

    /// Every option given must apply to `kind`; `prefix` is the flags'
    /// ("", "from-", "to-") and `framing_flag` the one naming the framing.
    pub fn check(
        &self,
        kind: FramingKind,
        prefix: &str,
        framing_flag: &str,
    ) -> Result<(), Failure> {
        for opt in Opt::ALL {
            if self.given(opt) && !opt.applies_to(kind) {
                return Err(Failure::Usage(format!(
                    "--{prefix}{} does not apply to {framing_flag} {}: it is an option of {}",
                    opt.name(),
                    kind.name(),
                    opt.framing_names()
                )));
            }
        }
        Ok(())
    }
}

/// `transcode`'s options for each side: `--from-X` and `--to-X` for their
/// side, `--X` for each side that takes it and has no `--from-X` or
/// `--to-X`. Any option that applies nowhere is a usage error.
pub fn sides(
    from: FramingKind,
    to: FramingKind,
    shared: &Options,
    from_only: Options,
    to_only: Options,
) -> Result<(Options, Options), Failure> {
    from_only.check(from, "from-", "--from")?;
    to_only.check(to, "to-", "--to")?;
    let (mut input, mut output) = (from_only, to_only);
    for opt in Opt::ALL {
        if !shared.given(opt) {
            continue;
        }
        let to_input = opt.applies_to(from) && !input.given(opt);
        let to_output = opt.applies_to(to) && !output.given(opt);
        if to_input {
            input.copy(shared, opt);
        }
        if to_output {
            output.copy(shared, opt);
        }
        if !(to_input || to_output) {
            let name = opt.name();
            return Err(Failure::Usage(
                if opt.applies_to(from) || opt.applies_to(to) {
                    format!("--{name} is overridden by --from-{name} or --to-{name} on every side that takes it")
                } else {
                    format!(
                        "--{name} applies to neither --from {} nor --to {}: it is an option of {}",
                        from.name(),
                        to.name(),
                        opt.framing_names()
                    )
                },
            ));
        }
    }
    Ok((input, output))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_applies_somewhere() {
        for opt in Opt::ALL {
            assert!(!opt.framings().is_empty(), "{opt:?}");
        }
        assert_eq!(Opt::StructFormat.framing_names(), "struct and json");
        assert_eq!(Opt::Endian.framing_names(), "struct, json and length-field");
        assert_eq!(Opt::LengthKey.framing_names(), "json");
    }
}

/// The options of each of args.rs's option sets, here so that the
/// arguments do not depend on what is made of them.
macro_rules! options_from {
    ($($name:ident),*) => {$(
        impl From<crate::args::$name> for Options {
            fn from(o: crate::args::$name) -> Self {
                Options {
                    endian: o.endian,
                    struct_format: o.struct_format,
                    length_key: o.length_key,
                    digits: o.digits,
                    length_field_offset: o.length_field_offset,
                    length_field_length: o.length_field_length,
                    length_adjustment: o.length_adjustment,
                    num_skip: o.num_skip,
                    delimiter: o.delimiter,
                }
            }
        }
    )*};
}

options_from!(Plain, FromOptions, ToOptions);
