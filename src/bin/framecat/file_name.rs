//! File names sent by a peer, made safe to create in the receiving
//! directory.

/// The longest name most file systems take, in bytes.
const MAX_NAME: usize = 255;

/// The name to save a file `sent` as: its last component (after the last
/// `/` or `\`), so that it cannot leave the directory; refused when that
/// is empty, `.` or `..`, holds a NUL or another control character, or is
/// longer than 255 bytes.
pub fn safe_name(sent: &str) -> Result<&str, String> {
    let name = sent.rsplit(['/', '\\']).next().unwrap_or_default();
    let refuse = |why: &str| Err(format!("file name {sent:?} refused: {why}"));
    if name.is_empty() || name == "." || name == ".." {
        return refuse("it names no file once its directories are stripped");
    }
    if name.chars().any(char::is_control) {
        return refuse("it holds a control character");
    }
    if name.len() > MAX_NAME {
        return refuse("it is longer than 255 bytes");
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for (sent, saved) in [
            ("report.pdf", "report.pdf"),
            ("../../etc/passwd", "passwd"),
            ("/etc/passwd", "passwd"),
            ("C:\\Windows\\win.ini", "win.ini"),
            ("dir/报告.txt", "报告.txt"),
            ("..a", "..a"),
            (" x ", " x "),
        ] {
            assert_eq!(safe_name(sent), Ok(saved), "{sent:?}");
        }
        for sent in [
            "", ".", "..", "a/..", "a/", "/", "../", "a\0b", "a\nb", "\u{7f}", "\u{9b}x",
        ] {
            assert!(safe_name(sent).is_err(), "{sent:?}");
        }
        assert!(safe_name(&"x".repeat(256)).is_err());
        assert!(safe_name(&"x".repeat(255)).is_ok());
    }
}
