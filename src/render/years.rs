//! The timeline's years (`macros.html`'s `timeline_year`): each year's section is rendered from
//! its part of the timeline's context, and an edit renders again only the years whose part
//! changed (a region's title shows in its own year and in the years of the events naming it),
//! taking the others from the timeline as last rendered. Rendering all of a language's
//! timeline (7,500 entries on the benchmark's corpus) was the longest step of a title edit.

use crate::diagnostics::Diagnostic;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;

/// Each language's years as its timeline page was last rendered, for the next render.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct KeptYears(BTreeMap<String, Vec<KeptYear>>);

/// A year's section in a timeline page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KeptYear {
    /// A digest of the year's context (`digest`): the HTML of a year whose context is the
    /// same is the same (the templates and the language's strings are, for as long as
    /// anything is kept).
    digest: u64,
    /// Where its HTML is in the page, and that HTML's CRC-32.
    from: usize,
    len: usize,
    crc: u32,
}

impl KeptYears {
    /// `made` in place of what this keeps for the same languages.
    pub fn update(&mut self, made: KeptYears) {
        self.0.extend(made.0);
    }

    pub fn insert(&mut self, lang: &str, years: Vec<KeptYear>) {
        self.0.insert(lang.to_owned(), years);
    }

    /// What is kept of `lang`'s timeline.
    pub fn of(&self, lang: &str) -> Option<&[KeptYear]> {
        self.0.get(lang).map(Vec::as_slice)
    }
}

/// The years of one language's timeline as a render makes them: each one's digest and HTML.
pub struct Years(Vec<(u64, String)>);

/// Renders a batch of years with `templates::YEARS`; the text it gives back holds each year
/// followed by NUL. The years are given back: copying them would take longer than rendering.
pub type Render<'r> = &'r dyn Fn(Vec<Value>) -> (Result<String, Diagnostic>, Vec<Value>);

impl Years {
    /// Sets the `html` of each year in `years` (the timeline context's): that of a year with
    /// the same digest in `before` (what was kept of the page as last rendered, and its bytes,
    /// when they are at hand), else rendered now with the others missing.
    pub fn fill(
        years: &mut [Value],
        before: Option<(&[KeptYear], &[u8])>,
        render: Render,
    ) -> Result<Years, Diagnostic> {
        let digests: Vec<u64> = years.par_iter().map(digest).collect();
        let old: HashMap<&u64, &str> = (before.into_iter())
            .flat_map(|(kept, page)| {
                kept.iter()
                    .filter_map(move |k| Some((&k.digest, k.in_page(page)?)))
            })
            .collect();
        let mut html: Vec<Option<String>> = (digests.iter())
            .map(|d| old.get(d).map(|h| (*h).to_owned()))
            .collect();
        let missing: Vec<usize> = (0..years.len()).filter(|&k| html[k].is_none()).collect();
        for (k, made) in missing.iter().zip(render_all(years, &missing, render)?) {
            html[*k] = Some(made);
        }
        let made: Vec<(u64, String)> = digests
            .into_iter()
            .zip(html.into_iter().map(Option::unwrap_or_default))
            .collect();
        for (year, (_, html)) in years.iter_mut().zip(&made) {
            year["html"] = Value::String(html.clone());
        }
        Ok(Years(made))
    }

    /// Where each year's HTML is in `page`, the timeline rendered with them: a year whose HTML
    /// the page does not hold as it is (a template of the site's own may print it otherwise)
    /// is not kept, and is rendered again next time.
    pub fn kept_in(self, page: &[u8]) -> Vec<KeptYear> {
        let text = std::str::from_utf8(page).unwrap_or_default();
        let mut at = 0;
        let mut kept = Vec::new();
        for (digest, html) in self.0 {
            let Some(found) = text[at..].find(html.as_str()) else {
                continue;
            };
            let from = at + found;
            at = from + html.len();
            kept.push(KeptYear {
                digest,
                from,
                len: html.len(),
                crc: crc32fast::hash(html.as_bytes()),
            });
        }
        kept
    }
}

impl KeptYear {
    /// The year's HTML in `page`, when it is still there.
    fn in_page<'p>(&self, page: &'p [u8]) -> Option<&'p str> {
        let bytes = page.get(self.from..self.from.checked_add(self.len)?)?;
        (crc32fast::hash(bytes) == self.crc)
            .then(|| std::str::from_utf8(bytes).ok())
            .flatten()
    }
}

/// The HTML of `years[k]` for each `k` in `which`, in one render.
fn render_all(
    years: &mut [Value],
    which: &[usize],
    render: Render,
) -> Result<Vec<String>, Diagnostic> {
    super::each_of_one_render(which, |ks| {
        let values = ks.iter().map(|&k| std::mem::take(&mut years[k])).collect();
        let (html, values) = render(values);
        for (&k, value) in ks.iter().zip(values) {
            years[k] = value;
        }
        html
    })
}

/// A digest of `value`: the standard library's hash (SipHash, with fixed keys: the same in
/// every run) of its every part, each tagged with its kind and length so that different values
/// give different bytes. The parts are gathered first and hashed at once: hashing each small
/// part on its own took ten times as long. The standard library may change its hash between
/// releases: a new binary builds everything again anyway.
fn digest(value: &Value) -> u64 {
    let mut bytes = Vec::with_capacity(64 * 1024);
    gather(value, &mut bytes);
    let mut hasher = std::hash::DefaultHasher::new();
    hasher.write(&bytes);
    hasher.finish()
}

fn gather(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => out.push(0),
        Value::Bool(b) => out.push(1 + u8::from(*b)),
        Value::Number(n) => {
            out.push(3);
            text(&n.to_string(), out);
        }
        Value::String(s) => {
            out.push(4);
            text(s, out);
        }
        Value::Array(items) => {
            out.push(5);
            length(items.len(), out);
            items.iter().for_each(|v| gather(v, out));
        }
        Value::Object(fields) => {
            out.push(6);
            length(fields.len(), out);
            for (k, v) in fields {
                text(k, out);
                gather(v, out);
            }
        }
    }
}

fn text(s: &str, out: &mut Vec<u8>) {
    length(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

/// `n` in LEB128: seven bits a byte, most lengths in one.
fn length(mut n: usize, out: &mut Vec<u8>) {
    while n >= 0x80 {
        out.push(n as u8 | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}
