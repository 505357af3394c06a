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

/// `/<lang>/atom.xml`: the language's events, newest first. The events' HTML is rendered
/// again where it was let go (`render::html_of`).
pub fn atom(site: &Site, bodies: &Bodies, highlighter: &Highlighter, lang: &str) -> Output {
    let c = &site.config;
    let language = c.language(lang).expect("configured");
    let mut events: Vec<(usize, PartialDate)> = site
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.kind == PageKind::Event && p.lang == lang)
        .filter_map(|(i, p)| p.front.neutral.date.map(|d| (i, d)))
        .collect();
    events.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let html: Vec<Cow<str>> = (events.par_iter())
        .map(|&(i, _)| html_of(site, highlighter, &site.pages[i], &bodies.pages[i]))
        .collect();
    // Escaped, the bodies take about an eighth more than their size: room for them up front
    // rather than copies of a growing feed of many megabytes.
    let room: usize = html.iter().map(|h| h.len() * 9 / 8 + 512).sum();
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
    for ((i, date), html) in events.into_iter().zip(&html) {
        let p = &site.pages[i];
        let url = c.permalink(&p.path);
        // A fallback's title and text are in its original's language.
        let written = p.fallback_from.as_deref().and_then(|l| c.language(l));
        let _ = match written {
            Some(l) => writeln!(xml, "  <entry xml:lang=\"{}\">", esc(&l.locale)),
            None => writeln!(xml, "  <entry>"),
        };
        let _ = write!(
            xml,
            "    <title>{}</title>\n    <link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n    <id>{}</id>\n    <updated>{}</updated>\n    <published>{}</published>\n",
            esc(&p.front.title),
            esc(&url),
            esc(&url),
            timestamp(date),
            timestamp(date),
        );
        if let Some(summary) = &p.front.summary {
            let _ = writeln!(xml, "    <summary>{}</summary>", esc(summary));
        }
        xml.push_str("    <content type=\"html\">");
        escape_html_into(&mut xml, html);
        xml.push_str("</content>\n  </entry>\n");
    }
    xml.push_str("</feed>\n");
    Output::new(format!("{lang}/{ATOM_FILE}"), well_formed(xml))
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
