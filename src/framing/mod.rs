//! The three framings, one file each.

pub mod ascii;
pub mod binary;
#[cfg(feature = "json")]
pub mod json;
pub(crate) mod struct_format;
