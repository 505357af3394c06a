//! Characters no page or feed may carry: the control characters XML 1.0 forbids (all below
//! U+0020 but tab, line feed and carriage return) and the non-characters U+FFFE and U+FFFF.
//! One such character makes a whole Atom feed ill-formed, and NUL has no place in HTML.

use crate::diagnostics::{Diagnostic, Kind};
use std::borrow::Cow;

pub fn is_forbidden(c: char) -> bool {
    (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
}

/// Whether `text` holds a character [`is_forbidden`]: every page and feed is checked, so this
/// looks at bytes (the controls are one byte, U+FFFE and U+FFFF are `EF BF BE` and `EF BF BF`)
/// in blocks without branches, which the compiler turns into vector instructions.
pub fn has_forbidden(text: &str) -> bool {
    const BLOCK: usize = 32;
    let bytes = text.as_bytes();
    let at = |i: usize| bytes.get(i).copied().unwrap_or(0);
    let mut start = 0;
    while start + BLOCK + 2 <= bytes.len() {
        let (x, y, z) = (
            &bytes[start..start + BLOCK],
            &bytes[start + 1..start + BLOCK + 1],
            &bytes[start + 2..start + BLOCK + 2],
        );
        let found = (0..BLOCK).fold(false, |found, i| found | forbidden_at(x[i], y[i], z[i]));
        if found {
            return true;
        }
        start += BLOCK;
    }
    (start..bytes.len()).any(|i| forbidden_at(at(i), at(i + 1), at(i + 2)))
}

/// Whether the byte `x`, followed by `y` and `z`, starts a forbidden character (see
/// [`has_forbidden`]; in valid UTF-8 the byte after `EF BF` is at most `BF`).
fn forbidden_at(x: u8, y: u8, z: u8) -> bool {
    let control = (x < b' ') & (x != b'\t') & (x != b'\n') & (x != b'\r');
    control | ((x == 0xEF) & (y == 0xBF) & (z >= 0xBE))
}

/// `text` without forbidden characters: vertical tab and form feed, which separate words, become
/// spaces; the others are left out.
pub fn clean(text: &str) -> Cow<'_, str> {
    if !has_forbidden(text) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .filter_map(|c| match c {
                '\u{b}' | '\u{c}' => Some(' '),
                c if is_forbidden(c) => None,
                c => Some(c),
            })
            .collect(),
    )
}

/// `html` without NUL characters, which browsers drop or show as `�`. Content is cleaned when it
/// is read; this also covers `site.toml` strings and templates.
pub fn without_nul(mut html: Vec<u8>) -> Vec<u8> {
    if has_nul(&html) {
        // In UTF-8 a NUL byte is the NUL character, never part of another.
        html.retain(|&b| b != 0);
    }
    html
}

/// Whether `bytes` holds a NUL: every page is checked, so a block at a time.
fn has_nul(bytes: &[u8]) -> bool {
    let (blocks, tail) = bytes.as_chunks::<BLOCK>();
    blocks.iter().any(|block| block_has(block, |b| b == 0)) || tail.contains(&0)
}

/// The bytes [`block_has`] tests at once.
pub const BLOCK: usize = 32;

/// Whether a byte of `block` is one `hit` matches, tested without branches and folded as bytes
/// (a fold of `bool`s stays a loop of single bytes), which the compiler turns into vector
/// instructions: the scans every page goes through (NUL, HTML escaping) look at text this way.
pub fn block_has(block: &[u8; BLOCK], hit: impl Fn(u8) -> bool) -> bool {
    block.iter().fold(0, |found, &b| found | u8::from(hit(b))) != 0
}

/// Text being written into: a `String`, or the bytes of one.
pub trait Sink {
    fn push_text(&mut self, text: &str);
}

impl Sink for String {
    fn push_text(&mut self, text: &str) {
        self.push_str(text);
    }
}

impl Sink for Vec<u8> {
    fn push_text(&mut self, text: &str) {
        self.extend_from_slice(text.as_bytes());
    }
}

/// Appends `text` to `out` with each byte `hit` matches replaced by its `replacement`: the
/// bytes replaced are ASCII, so the text between them is copied a run at a time, and blocks
/// without one (most) are passed over by [`block_has`]. `hit` must match exactly the bytes
/// `replacement` replaces, and never an ASCII letter.
pub fn escape_into(
    out: &mut impl Sink,
    text: &str,
    hit: impl Fn(u8) -> bool + Copy,
    replacement: impl Fn(u8) -> Option<&'static str>,
) {
    let mut last = 0;
    let mut replace = |range: std::ops::Range<usize>| {
        for i in range {
            if let Some(r) = replacement(text.as_bytes()[i]) {
                out.push_text(&text[last..i]);
                out.push_text(r);
                last = i + 1;
            }
        }
    };
    let (blocks, tail) = text.as_bytes().as_chunks::<BLOCK>();
    for (n, block) in blocks.iter().enumerate() {
        if block_has(block, hit) {
            replace(n * BLOCK..(n + 1) * BLOCK);
        }
    }
    // The tail too is tested as a whole block, padded with letters.
    let mut padded = [b'a'; BLOCK];
    padded[..tail.len()].copy_from_slice(tail);
    if block_has(&padded, hit) {
        replace(blocks.len() * BLOCK..text.len());
    }
    out.push_text(&text[last..]);
}

/// `U+000B`, for messages.
pub fn code_point(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

/// A warning for each line of `source` (the file as read, before [`clean`]) that holds a
/// forbidden character, at the first one.
pub fn warnings(file: &str, source: &str) -> Vec<Diagnostic> {
    if !has_forbidden(source) {
        return Vec::new();
    }
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    source
        .lines()
        .enumerate()
        .filter_map(|(i, line)| {
            let (column, c) = line.chars().enumerate().find(|&(_, c)| is_forbidden(c))?;
            Some(
                Diagnostic::warning(Kind::ControlCharacter, file, message(c))
                    .at(i + 1, Some(column + 1))
                    .with_hint(HINT),
            )
        })
        .collect()
}

/// The warning for a front-matter value that held the forbidden character `c` written as an
/// escape (`"\v"`, `"\0"`).
pub fn value_warning(file: &str, key: &str, c: char, line: usize) -> Diagnostic {
    Diagnostic::warning(
        Kind::ControlCharacter,
        file,
        format!("`{key}`: {}", message(c)),
    )
    .at(line, None)
    .with_hint(HINT)
}

fn message(c: char) -> String {
    let fate = if matches!(c, '\u{b}' | '\u{c}') {
        "it becomes a space"
    } else {
        "it is left out"
    };
    format!(
        "control character {} in the text: {fate} in the site (feeds and pages cannot carry it)",
        code_point(c)
    )
}

const HINT: &str = "delete it; such characters usually come from text pasted from another program";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_scan_finds_what_the_char_test_finds_at_any_offset() {
        // Near misses: U+FFFD (`EF BF BD`), U+FF0C (`EF BC 8C`), tab, CR, LF.
        let filler = "ab郑州\u{fffd}，\t\r\n\u{ffef}";
        for c in [
            '\0', '\u{1}', '\u{b}', '\u{1f}', '\u{fffe}', '\u{ffff}', 'x',
        ] {
            for at in 0..80 {
                let mut text: String = filler.chars().cycle().take(at).collect();
                text.push(c);
                let expected = c != 'x';
                assert_eq!(has_forbidden(&text), expected, "{c:?} last, after {at}");
                text.extend(filler.chars().cycle().take(80 - at));
                assert_eq!(
                    has_forbidden(&text),
                    expected,
                    "{c:?} after {at} characters"
                );
            }
        }
        assert!(!has_forbidden(""));
    }

    #[test]
    fn drops_nul_anywhere() {
        for at in 0..70 {
            let mut html = "<p>郑州".repeat(at / 8 + 1);
            html.insert(at.min(html.len() - 1) / 3 * 3, '\0');
            let expected = html.replace('\0', "");
            assert_ne!(expected, html);
            assert_eq!(without_nul(html.into_bytes()), expected.into_bytes());
        }
        let clean = "<p>河南</p>".repeat(9).into_bytes();
        assert_eq!(without_nul(clean.clone()), clean);
    }

    #[test]
    fn cleans_only_what_xml_forbids() {
        assert!(matches!(clean("tab\there\r\n河南"), Cow::Borrowed(_)));
        assert_eq!(clean("a\u{b}b\u{c}c\u{0}d\u{1f}e\u{fffe}"), "a b cde");
        let w = warnings("content/a.en.md", "\u{feff}ok\nx\u{0}y\u{1}\n");
        assert_eq!(w.len(), 1);
        assert_eq!((w[0].line, w[0].column), (Some(2), Some(2)));
        assert!(w[0].message.contains("U+0000"), "{}", w[0].message);
        assert!(w[0].message.contains("it is left out"), "{}", w[0].message);
        let w = warnings("content/a.en.md", "a\u{b}b\n");
        assert!(
            w[0].message.contains("it becomes a space"),
            "{}",
            w[0].message
        );
    }
}
