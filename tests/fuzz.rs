//! Robustness: arbitrary bytes and front-matter-shaped garbage through front-matter parsing,
//! Markdown rendering and the whole in-memory build. Whatever comes in, nothing panics: bad input
//! is a diagnostic. Case counts stay modest so `cargo test` stays quick.

use henan_stories::build;
use henan_stories::front_matter::{self, PageKind};
use henan_stories::highlight::Highlighter;
use henan_stories::markdown::{self, Resolved};
use henan_stories::pipeline::Options;
use proptest::prelude::*;
use std::sync::OnceLock;

mod common;

/// Pieces that steer the generator towards the parsers' interesting corners.
const PIECES: &[&str] = &[
    "---\n",
    "---\r\n",
    "\u{feff}",
    "title: A\n",
    "title:\n",
    "title: [x\n",
    "date: 2023-02-30\n",
    "date: 2023-05\n",
    "established: 0\n",
    "coordinates: {lat: 91, lon: x}\n",
    "coordinates: {lat: 37.9, lon: 23.7}\n",
    "regions: [attica, lubin]\n",
    "regions: {a: 1}\n",
    "kind: visit\n",
    "status: maybe\n",
    "slug: ../../x\n",
    "country_code: ΑΒ\n",
    "weight: 1e99\n",
    "tags: [[a]]\n",
    "draft: yes\n",
    ": : :\n",
    "- [\n",
    "  - x\n",
    "&anchor x\n",
    "*anchor\n",
    "## 合作领域\n",
    "# \n",
    "## x {#id}\n",
    "[a](@/regions/attica.md#合作领域)",
    "[b](../../../../x.md)",
    "[c](#)",
    "[d](#%E5%90%88%ZZ)",
    "[e](/en/regions/)",
    "[f](http://)",
    "[g](x.en.md)",
    "![i](/a.png)",
    "![j](../\u{0}.jpg)",
    "[k]: <@/_index.md>\n",
    "```rust\nfn main() {}\n",
    "```\n",
    "~~~\n",
    "| a | b |\n|---|---|\n| 1 |\n",
    "[^1]\n\n[^1]: note\n",
    "- [x] done\n",
    "<div>\n",
    "\n",
    "\r",
    "\t",
    "é",
    "\u{200b}",
];

fn garbage() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => prop::sample::select(PIECES).prop_map(str::to_owned),
        1 => any::<String>(),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn highlighter() -> &'static Highlighter {
    static H: OnceLock<Highlighter> = OnceLock::new();
    H.get_or_init(Highlighter::default)
}

/// Parses `text` as each kind of page and renders its body (or the whole text when the front
/// matter does not parse), the way the build does.
fn exercise(text: &str) {
    let source = front_matter::normalize(text);
    let mut body_start = 0;
    for kind in [PageKind::Region, PageKind::Event, PageKind::Page] {
        if let Ok(parsed) = front_matter::parse("content/x.en.md", &source, kind) {
            body_start = parsed.body_start;
            let _ = front_matter::typo_warnings("content/x.en.md", &source, &parsed.front, kind);
        }
    }
    let resolve = |id: &str, lang: Option<&str>, from: &str| -> Option<Resolved> {
        (id == "regions/attica").then(|| Resolved {
            path: format!("/{}/regions/attica/", lang.unwrap_or(from)),
            fallback_lang: None,
        })
    };
    let rendered = markdown::render(&markdown::Context {
        file: "content/x.en.md",
        source: &source,
        body_start,
        lang: "en",
        dir: "a/b",
        path: "/en/a/b/x/",
        base_path: "/henan",
        resolve: &resolve,
        drafts: &Default::default(),
        highlighter: highlighter(),
        // Both ways of treating raw HTML, one input or the other.
        raw_html: source.len().is_multiple_of(2),
        media: &henan_stories::media::PageMedia::none(),
    });
    for d in &rendered.diagnostics {
        let _ = d.render(false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        exercise(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn front_matter_shaped_garbage_never_panics(text in garbage()) {
        exercise(&text);
    }
}

proptest! {
    // Whole builds write files and compile the theme: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn whole_builds_of_garbage_report_instead_of_panicking(
        zh in garbage(),
        en in garbage(),
        intro in garbage(),
    ) {
        let site = common::Site::small();
        site.write("content/regions/attica.zh.md", &zh);
        site.write("content/events/x.en.md", &en);
        site.write("content/regions/_index.en.md", &intro);
        let result = build::build(&Options::new(site.root()));
        if let Err(failed) = result {
            prop_assert!(failed.diagnostics.iter().any(|d| d.is_error()));
        }
    }
}
