//! Python `struct` format strings naming a single integer (`"!I"`, `"<q"`).

use nom::character::complete::{multispace0, one_of};
use nom::combinator::{eof, opt};
use nom::{IResult, Parser};

use crate::error::ConfigError;

/// The integer a format names, in Python's terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct StructInt {
    /// Size in bytes: 1, 2, 4 or 8.
    pub(crate) bytes: usize,
    /// `'<'`, `'>'` (`'!'` too) or `'='` (no prefix and `'@'` too).
    pub(crate) order: char,
    pub(crate) signed: bool,
}

const ORDER_CHARS: &str = "@=<>!";
const CODE_CHARS: &str = "bBhHiIlLqQnN";

type Parsed<'a, T> = IResult<&'a str, T, nom::error::Error<&'a str>>;

fn order(input: &str) -> Parsed<'_, Option<char>> {
    opt(one_of(ORDER_CHARS)).parse(input)
}

fn code(input: &str) -> Parsed<'_, char> {
    one_of(CODE_CHARS).parse(input)
}

fn end(input: &str) -> Parsed<'_, (&str, &str)> {
    (multispace0, eof).parse(input)
}

pub(crate) fn parse(format: &str) -> Result<StructInt, ConfigError> {
    let at = |rest: &str| format.len() - rest.len();
    let error = |rest: &str, expected| ConfigError::StructFormat {
        offset: at(rest),
        expected,
    };
    let (rest, _) =
        multispace0::<_, nom::error::Error<&str>>(format).map_err(|_| error(format, "a format"))?;
    let (rest, order) = order(rest).map_err(|_| error(rest, "a byte order"))?;
    let (after_code, code) = code(rest).map_err(|_| {
        error(
            rest,
            "one integer code: b B h H i I l L q Q (n N in native mode)",
        )
    })?;
    end(after_code).map_err(|e| match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => {
            error(e.input, "the end of the format: one integer only")
        }
        nom::Err::Incomplete(_) => error(after_code, "the end of the format: one integer only"),
    })?;

    let native_sizes = matches!(order, None | Some('@'));
    let bytes = match code.to_ascii_lowercase() {
        'b' => 1,
        'h' => 2,
        'i' => 4,
        'l' if native_sizes => core::mem::size_of::<core::ffi::c_long>(),
        'l' => 4,
        'q' => 8,
        'n' if native_sizes => core::mem::size_of::<usize>(),
        _ => {
            return Err(error(
                rest,
                "an integer code of standard size (n and N need native mode)",
            ))
        }
    };
    Ok(StructInt {
        bytes,
        order: match order {
            None | Some('@') | Some('=') => '=',
            Some('<') => '<',
            _ => '>',
        },
        signed: code.is_ascii_lowercase(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    macro_rules! formats {
        ($($format:expr => $bytes:literal $order:literal $signed:literal),* $(,)?) => {$(
            assert_eq!(
                parse($format),
                Ok(StructInt { bytes: $bytes, order: $order, signed: $signed }),
                "format {:?}", $format
            );
        )*};
    }

    #[test]
    fn python_formats() {
        formats! {
            "i" => 4 '=' true,
            "<i" => 4 '<' true,
            "!I" => 4 '>' false,
            ">H" => 2 '>' false,
            "=q" => 8 '=' true,
            "<b" => 1 '<' true,
            "<B" => 1 '<' false,
            "<l" => 4 '<' true,
            ">Q" => 8 '>' false,
            " !i " => 4 '>' true,
        }
        let native_long = core::mem::size_of::<core::ffi::c_long>();
        assert_eq!(parse("l").unwrap().bytes, native_long);
        assert_eq!(parse("@N").unwrap().bytes, core::mem::size_of::<usize>());
    }

    #[test]
    fn not_a_single_integer() {
        let cases: &[(&str, usize)] = &[
            ("", 0),
            ("f", 0),
            ("<d", 1),
            ("ii", 1),
            ("2i", 0),
            ("<4s", 1),
            ("<n", 1),
            ("!N", 1),
            ("i x", 2),
            ("?", 0),
        ];
        for &(format, offset) in cases {
            match parse(format) {
                Err(ConfigError::StructFormat { offset: at, .. }) => {
                    assert_eq!(at, offset, "format {format:?}")
                }
                other => panic!("format {format:?}: {other:?}"),
            }
        }
    }
}
