//! Machine-read files: the sitemap (with hreflang alternates), an Atom feed of events per
//! language, and robots.txt. Written with escaping of every front-matter value.

use crate::content::Site;
use crate::dates::PartialDate;
use crate::front_matter::PageKind;
use crate::highlight::{escape_html as esc, escape_html_into, Highlighter};
use crate::markdown::Bodies;
use crate::output::Output;
use crate::render::html_of;
use rayon::prelude::*;
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// Site paths that exist in several languages, grouped: each inner list is one page's versions
/// as (language, site path).
pub type AlternateGroups = Vec<Vec<(String, String)>>;

/// Each language's feed is `/<lang>/` plus this name.
pub const ATOM_FILE: &str = "atom.xml";

pub fn sitemap(site: &Site, groups: &AlternateGroups) -> Output {
    let c = &site.config;
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    for group in groups {
        for (_, path) in group {
            let _ = writeln!(xml, "  <url>\n    <loc>{}</loc>", esc(&c.permalink(path)));
            if group.len() > 1 {
                for (lang, alt) in group {
                    let locale = c
                        .language(lang)
                        .map_or(lang.as_str(), |l| l.locale.as_str());
                    let _ = writeln!(
                        xml,
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        esc(locale),
                        esc(&c.permalink(alt))
                    );
                }
            }
            xml.push_str("  </url>\n");
        }
    }
    xml.push_str("</urlset>\n");
    Output::new("sitemap.xml", well_formed(xml))
}

/// RFC 3339 timestamp of the first moment of a (partial) date.
fn timestamp(d: PartialDate) -> String {
    format!("{}T00:00:00Z", d.first_day())
}

/// A feed as the last build published it, and the pages whose Markdown an edit has rendered
/// again since: the other events' content is taken from the feed as it is, where rendering
/// the Markdown let go of again would take most of an edit's time.
pub struct Before<'a> {
    pub feed: &'a [u8],
    pub rendered_again: &'a HashSet<usize>,
}

/// An entry's content: escaped already, or HTML to escape.
enum Content<'a> {
    Escaped(&'a str),
    Html(Cow<'a, str>),
}

/// The events a language's feed holds (index into `Site::pages`, date): the newest
/// `feed_limit`, newest first.
fn entries(site: &Site, lang: &str) -> Vec<(usize, PartialDate)> {
    let mut events: Vec<(usize, PartialDate)> = (site.pages.iter().enumerate())
        .filter(|(_, p)| p.kind == PageKind::Event && p.lang == lang)
        .filter_map(|(i, p)| p.front.neutral.date.map(|d| (i, d)))
        .collect();
    events.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    events.truncate(site.config.feed_limit);
    events
}

/// Whether a feed quotes each page (aligned with `Site::pages`): the full build keeps those
/// pages' HTML, and lets the others' go once they are written.
pub fn quoted(site: &Site) -> Vec<bool> {
    let mut quoted = vec![false; site.pages.len()];
    for lang in site.config.codes() {
        for (i, _) in entries(site, lang) {
            quoted[i] = true;
        }
    }
    quoted
}

/// `/<lang>/atom.xml`: the language's newest events (`feed_limit`), newest first. The events'
/// HTML is rendered again where it was let go (`render::html_of`), unless `before` has it.
pub fn atom(
    site: &Site,
    bodies: &Bodies,
    highlighter: &Highlighter,
    lang: &str,
    before: Option<Before>,
) -> Output {
    let c = &site.config;
    let language = c.language(lang).expect("configured");
    let events = entries(site, lang);
    let urls: Vec<String> = (events.iter())
        .map(|&(i, _)| esc(&c.permalink(&site.pages[i].path)))
        .collect();
    let kept = before
        .as_ref()
        .map(|b| (contents(b.feed), b.rendered_again));
    let content: Vec<Content> = (events.par_iter().zip(&urls))
        .map(|(&(i, _), url)| {
            let reused = kept.as_ref().filter(|(_, again)| !again.contains(&i));
            match reused.and_then(|(contents, _)| contents.get(url.as_str())) {
                Some(escaped) => Content::Escaped(escaped),
                None => Content::Html(html_of(site, highlighter, &site.pages[i], &bodies.pages[i])),
            }
        })
        .collect();
    // Escaped, the bodies take about an eighth more than their size: room for them up front
    // rather than copies of a growing feed of many megabytes.
    let room: usize = (content.iter())
        .map(|c| match c {
            Content::Escaped(text) => text.len() + 512,
            Content::Html(html) => html.len() * 9 / 8 + 512,
        })
        .sum();
    let updated = events.first().map_or(site.build_date, |e| e.1);
    let home = c.permalink(&format!("/{lang}/"));
    let self_url = c.permalink(&format!("/{lang}/{ATOM_FILE}"));
    let mut xml = String::with_capacity(room);
    let _ = write!(
        xml,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n  <title>{}</title>\n  <subtitle>{}</subtitle>\n  <link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n  <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n  <id>{}</id>\n  <updated>{}</updated>\n  <author><name>{}</name></author>\n  <generator>henan-stories</generator>\n",
        esc(&language.locale),
        esc(&language.title),
        esc(&language.description),
        esc(&self_url),
        esc(&home),
        esc(&self_url),
        timestamp(updated),
        esc(&language.title),
    );
    for (((i, date), url), content) in events.into_iter().zip(&urls).zip(&content) {
        let p = &site.pages[i];
        // A fallback's title and text are in its original's language.
        let written = p.fallback_from.as_deref().and_then(|l| c.language(l));
        let _ = match written {
            Some(l) => writeln!(xml, "  <entry xml:lang=\"{}\">", esc(&l.locale)),
            None => writeln!(xml, "  <entry>"),
        };
        let _ = write!(
            xml,
            "    <title>{}</title>\n    <link href=\"{url}\" rel=\"alternate\" type=\"text/html\"/>\n    {ID}{url}{ID_END}\n    <updated>{}</updated>\n    <published>{}</published>\n",
            esc(&p.front.title),
            timestamp(date),
            timestamp(date),
        );
        if let Some(summary) = &p.front.summary {
            let _ = writeln!(xml, "    <summary>{}</summary>", esc(summary));
        }
        xml.push_str(CONTENT);
        match content {
            Content::Escaped(text) => xml.push_str(text),
            Content::Html(html) => escape_html_into(&mut xml, html.as_ref()),
        }
        xml.push_str(CONTENT_END);
        xml.push_str("\n  </entry>\n");
    }
    xml.push_str("</feed>\n");
    Output::new(format!("{lang}/{ATOM_FILE}"), well_formed(xml))
}

/// Where each entry of a feed `atom` made begins.
const ENTRY: &[u8] = b"\n  <entry";
const ID: &str = "<id>";
const ID_END: &str = "</id>";
const CONTENT: &str = "    <content type=\"html\">";
const CONTENT_END: &str = "</content>";

/// The escaped content of each entry of a feed `atom` made, by the entry's escaped id: these
/// markers are not escaped, so they are found only where `atom` wrote them. An entry's id and
/// content start come first in it and its content's end last, so each is looked for from its
/// side: searching 15 MB of contents forward for their ends took most of an event edit's feed.
fn contents(feed: &[u8]) -> HashMap<&str, &str> {
    let text = std::str::from_utf8(feed).unwrap_or_default();
    let starts: Vec<usize> = memchr::memmem::find_iter(text.as_bytes(), ENTRY).collect();
    let ends = starts.iter().skip(1).copied().chain([text.len()]);
    (starts.iter().zip(ends))
        .filter_map(|(&start, end)| {
            let entry = &text[start..end];
            let id = after(entry, ID)?;
            let id = &id[..id.find(ID_END)?];
            let content = after(entry, CONTENT)?;
            Some((id, &content[..content.rfind(CONTENT_END)?]))
        })
        .collect()
}

/// What follows the first `marker` in `text`.
fn after<'t>(text: &'t str, marker: &str) -> Option<&'t str> {
    text.find(marker).map(|at| &text[at + marker.len()..])
}

/// Whether an edit reads the bytes of the published file `path` (relative to the output
/// folder): a language's feed, whose unchanged entries `atom` reuses.
pub fn read_on_edit(path: &str) -> bool {
    path.split_once('/')
        .is_some_and(|(_, name)| name == ATOM_FILE)
}

/// The bytes of `xml` without the characters XML 1.0 forbids. Content is cleaned when it is
/// read; this also covers `site.toml`, whose strings may write them as escapes (`"\u000B"`).
fn well_formed(xml: String) -> Vec<u8> {
    match crate::text::clean(&xml) {
        std::borrow::Cow::Borrowed(_) => xml.into_bytes(),
        std::borrow::Cow::Owned(clean) => clean.into_bytes(),
    }
}

pub fn robots(site: &Site) -> Output {
    let text = format!(
        "User-agent: *\nAllow: /\n\nSitemap: {}\n",
        site.config.permalink("/sitemap.xml")
    );
    Output::new("robots.txt", text)
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_entry_s_content_is_found_by_its_id_between_its_own_markers() {
        let feed = "<?xml version=\"1.0\"?>\n<feed>\n  <title>T</title>\n  <entry>\n    \
            <title>A</title>\n    <id>u1</id>\n    <content type=\"html\">&lt;p&gt;one&lt;/p&gt;\
            </content>\n  </entry>\n  <entry xml:lang=\"zh-Hans\">\n    <title>B</title>\n    \
            <id>u2</id>\n    <summary>s</summary>\n    <content type=\"html\">two</content>\n  \
            </entry>\n</feed>\n";
        let found = super::contents(feed.as_bytes());
        assert_eq!(found.len(), 2);
        assert_eq!(found["u1"], "&lt;p&gt;one&lt;/p&gt;");
        assert_eq!(found["u2"], "two");
    }
}
