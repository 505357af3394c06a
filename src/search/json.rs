//! The documents' files written as JSON directly, with the bytes serde_json would give: their
//! text is most of the index's bytes, and serde_json escapes a string byte by byte (its scan
//! was a tenth of the index's instructions). Here eight bytes are checked at once, and runs
//! that need no escape are copied whole.

use super::Doc;

/// `[doc,doc,...]`, each as serde_json writes a [`Doc`].
pub(super) fn docs(docs: &[&Doc]) -> Vec<u8> {
    let bytes: usize = docs.iter().map(|d| d.bytes()).sum();
    // The field names and the escapes of a text's line breaks.
    let mut out = Vec::with_capacity(bytes + bytes / 32 + 80 * docs.len() + 2);
    out.push(b'[');
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        doc(&mut out, d);
    }
    out.push(b']');
    out
}

fn doc(out: &mut Vec<u8>, d: &Doc) {
    out.extend_from_slice(b"{\"title\":");
    string(out, d.title);
    out.extend_from_slice(b",\"url\":");
    string(out, &d.url);
    out.extend_from_slice(b",\"summary\":");
    string(out, d.summary);
    out.extend_from_slice(b",\"text\":");
    string(out, d.text);
    out.extend_from_slice(b",\"also\":");
    strings(out, &d.also);
    if let Some((locale, name)) = d.lang {
        out.extend_from_slice(b",\"lang\":");
        strings(out, &[locale, name]);
    }
    out.push(b'}');
}

/// `["a","b",...]`.
fn strings(out: &mut Vec<u8>, all: &[&str]) {
    out.push(b'[');
    for (i, s) in all.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        string(out, s);
    }
    out.push(b']');
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any of the eight bytes of `x` is a control character, `"` or `\`. Exact (the
/// usual bit tricks: a byte below n sets its high bit in `x - n` but not in `x`).
fn needs_escape(x: u64) -> bool {
    let below = |x: u64, n: u8| x.wrapping_sub(ONES * u64::from(n)) & !x & HIGH;
    let quote = x ^ (ONES * u64::from(b'"'));
    let backslash = x ^ (ONES * u64::from(b'\\'));
    below(x, 0x20) | below(quote, 1) | below(backslash, 1) != 0
}

/// Appends `s` as a JSON string, escaped as serde_json escapes it.
fn string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    let bytes = s.as_bytes();
    // `bytes[copied..i]` needs no escape, still to be copied.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        if let Some(eight) = bytes.get(i..i + 8) {
            if !needs_escape(u64::from_le_bytes(eight.try_into().expect("eight bytes"))) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        if b < 0x20 || b == b'"' || b == b'\\' {
            out.extend_from_slice(&bytes[copied..i]);
            escape(out, b);
            copied = i + 1;
        }
        i += 1;
    }
    out.extend_from_slice(&bytes[copied..]);
    out.push(b'"');
}

/// The escape of byte `b`, as serde_json writes it: short forms where JSON has them, else
/// `\u00xx` in lower-case hex.
fn escape(out: &mut Vec<u8>, b: u8) {
    let short = match b {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x09 => b't',
        0x0a => b'n',
        0x0c => b'f',
        0x0d => b'r',
        _ => {
            const HEX: &[u8; 16] = b"0123456789abcdef";
            let (high, low) = (HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xf)]);
            out.extend_from_slice(&[b'\\', b'u', b'0', b'0', high, low]);
            return;
        }
    };
    out.extend_from_slice(&[b'\\', short]);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn serde(s: &str) -> String {
        serde_json::to_string(s).unwrap()
    }

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s);
        String::from_utf8(out).unwrap()
    }

    proptest! {
        #[test]
        fn a_string_is_escaped_as_serde_json_does(s in "[\u{0}-\u{7f}\u{a0}\u{2028}\u{4e00}-\u{4e10}]{0,40}") {
            prop_assert_eq!(ours(&s), serde(&s));
        }

        #[test]
        fn text_with_some_escapes_is_escaped_as_serde_json_does(s in "([a-z\u{4e00} ]{0,12}[\"\\\\\n\t\u{1}\u{1f}]?){0,8}") {
            prop_assert_eq!(ours(&s), serde(&s));
        }
    }

    #[test]
    fn every_byte_is_escaped_as_serde_json_does() {
        for b in 0..=0x7f_u8 {
            let s = format!("abcdefgh{}ijklmnop", b as char);
            assert_eq!(ours(&s), serde(&s), "byte {b:#x}");
        }
    }

    #[test]
    fn documents_are_written_as_serde_json_writes_them() {
        let plain = Doc {
            title: "Lublin, \"Poland\"",
            url: "/en/lublin/".to_owned(),
            summary: "A region.",
            text: "First block.\nSecond\tblock \\ end",
            also: vec!["卢布林省", "Poland"],
            lang: None,
        };
        let fallback = Doc {
            also: Vec::new(),
            lang: Some(("zh-CN", "中文")),
            ..plain.clone()
        };
        for docs in [vec![], vec![&plain], vec![&plain, &fallback, &plain]] {
            assert_eq!(
                String::from_utf8(super::docs(&docs)).unwrap(),
                serde_json::to_string(&docs).unwrap()
            );
        }
    }
}
