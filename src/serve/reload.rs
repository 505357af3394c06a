//! Telling browsers what changed: the messages on the live-reload channel (Server-Sent Events),
//! and the client script injected into served pages (never into a build's output).

use crate::highlight::escape_html;
use serde::Serialize;

/// The Server-Sent Events stream the client listens on.
pub const EVENTS_PATH: &str = "/__livereload/events";
/// The client script, served by the preview itself.
pub const CLIENT_PATH: &str = "/__livereload/client.js";
pub const CLIENT_JS: &str = include_str!("livereload.js");

/// `page` value for responses that are not a site file (404, placeholder): any change may
/// concern them, so they reload on every change.
pub const ANY_PAGE: &str = "*";

/// One event on the live-reload channel. `version` names the state of the served site; a page
/// compares it with the version it was served at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Message {
    /// Sent first on every connection: the current version.
    Hello { version: String },
    /// A build succeeded; `changed` lists output paths that are new, changed or removed. The
    /// client reloads if its own page or a script or asset it may use is among them.
    Reload {
        version: String,
        changed: Vec<String>,
    },
    /// Only stylesheets changed: the client swaps them without reloading.
    Css {
        version: String,
        changed: Vec<String>,
    },
    /// A build failed: the report, as the terminal shows it without colour. The server keeps
    /// serving the last good site.
    Error { text: String },
}

impl Message {
    /// The message for a successful build that changed `changed`.
    pub fn built(version: String, changed: Vec<String>) -> Message {
        if !changed.is_empty() && changed.iter().all(|p| p.ends_with(".css")) {
            Message::Css { version, changed }
        } else {
            Message::Reload { version, changed }
        }
    }

    /// The SSE event name.
    pub fn name(&self) -> &'static str {
        match self {
            Message::Hello { .. } => "hello",
            Message::Reload { .. } => "reload",
            Message::Css { .. } => "css",
            Message::Error { .. } => "error",
        }
    }

    /// The SSE data: the message as JSON.
    pub fn data(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
}

/// `html` with the client script added before its last `</body>` (or at the end). `page` is
/// the output path the page was served from, `version` the site's version when it was served.
pub fn inject(html: &[u8], version: &str, page: &str) -> Vec<u8> {
    let tag = format!(
        "<script src=\"{CLIENT_PATH}\" data-version=\"{}\" data-page=\"{}\"></script>",
        escape_html(version),
        escape_html(page)
    );
    let at = rfind_ignore_case(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let tag = "<script src=\"/__livereload/client.js\" data-version=\"1-2\" data-page=\"en/index.html\"></script>";
        let table: &[(&str, String)] = &[
            (
                "<html><body><p>x</p></body></html>",
                format!("<html><body><p>x</p>{tag}</body></html>"),
            ),
            (
                "<BODY>x</BODY >\n",
                // `</BODY >` is not `</body>`: appended at the end instead.
                format!("<BODY>x</BODY >\n{tag}"),
            ),
            ("<body>x</Body>", format!("<body>x{tag}</Body>")),
            (
                "<body><pre>&lt;/body&gt;</pre></body>",
                format!("<body><pre>&lt;/body&gt;</pre>{tag}</body>"),
            ),
            ("fragment", format!("fragment{tag}")),
            ("", tag.to_owned()),
        ];
        for (html, want) in table {
            let got = inject(html.as_bytes(), "1-2", "en/index.html");
            assert_eq!(String::from_utf8(got).unwrap(), *want, "{html}");
        }
    }

    #[test]
    fn injection_escapes_attributes() {
        let got = inject(b"</body>", "1", "a\"b<c>.html");
        let got = String::from_utf8(got).unwrap();
        assert!(
            got.contains("data-page=\"a&quot;b&lt;c&gt;.html\""),
            "{got}"
        );
    }

    #[test]
    fn classifies_builds() {
        let v = || "s-3".to_owned();
        let paths = |p: &[&str]| p.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let table: &[(&[&str], &str)] = &[
            (&["style.css"], "css"),
            (&["style.css", "syntax.css"], "css"),
            (&["style.css", "en/index.html"], "reload"),
            (&["site.js"], "reload"),
            (&["en/regions/attica/index.html"], "reload"),
            // Nothing changed (e.g. a fix restored the last good site): clears an overlay.
            (&[], "reload"),
        ];
        for (changed, want) in table {
            assert_eq!(
                Message::built(v(), paths(changed)).name(),
                *want,
                "{changed:?}"
            );
        }
        let m = Message::built(v(), paths(&["a.css"]));
        assert_eq!(m.data(), r#"{"version":"s-3","changed":["a.css"]}"#);
        let e = Message::Error {
            text: "error: <x>\n".into(),
        };
        assert_eq!(e.data(), r#"{"text":"error: <x>\n"}"#);
    }
}
