//! Tags across languages: what a tag written on a page stands for, and which pages each tag of
//! a language holds. `site.toml`'s `[tags.<id>]` pairs the labels of one tag in every language,
//! so that its pages share `/<lang>/tags/<id>/`; any other tag is its own, in its language,
//! at its text made into a URL segment (`slug`), never transliterated.

use crate::config::Config;
use crate::content::Page;
use crate::diagnostics::{suggest, Diagnostic, Kind};
use std::collections::BTreeMap;
use std::path::Path;

/// A tag's URL segment made from its text: ASCII lower case, spaces as `-`, and the characters
/// that would end or split a path segment (`/ ? # %` and the like) as `-` too; other letters,
/// Chinese included, as written. Empty when nothing is left.
pub fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.trim().chars() {
        let unsafe_char = c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '/' | '\\' | '?' | '#' | '%' | '&' | ':' | '*' | '"' | '<' | '>' | '|' | '+'
            );
        if unsafe_char {
            if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    let trimmed = out.trim_end_matches('-');
    // `.` and `..` are not folders of their own.
    if trimmed.chars().all(|c| c == '.') {
        return String::new();
    }
    trimmed.to_owned()
}

/// Labels compare without ASCII case: `Trade` is the label `trade`.
fn fold(label: &str) -> String {
    label.trim().to_ascii_lowercase()
}

/// What a tag written on a page in `lang` stands for: a paired tag (its id is the slug), or a
/// tag of that language alone; `None` when its text leaves no URL segment.
pub fn resolve(config: &Config, lang: &str, written: &str) -> Option<TagRef> {
    let own = slug(written);
    let folded = fold(written);
    let paired = config
        .tags
        .iter()
        .find(|(id, labels)| **id == own || labels.get(lang).is_some_and(|l| fold(l) == folded));
    match paired {
        Some((id, _)) => Some(TagRef {
            slug: id.clone(),
            paired: true,
        }),
        None if own.is_empty() => None,
        None => Some(TagRef {
            slug: own,
            paired: false,
        }),
    }
}

/// A tag of one language, as pages name it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TagRef {
    /// The URL segment: the id of a paired tag, else the slug of its text.
    pub slug: String,
    pub paired: bool,
}

/// One tag of one language and the pages that have it.
#[derive(Debug)]
pub struct Tag {
    pub lang: String,
    pub tag: TagRef,
    /// `site.toml`'s label in this language; else (and for unpaired tags) the text as the
    /// first page in site order writes it.
    pub label: String,
    /// Indices of the pages, in site order, each once.
    pub pages: Vec<usize>,
}

/// Every tag of every language, by (language, tag), from `pages` (index and page).
pub fn collect<'a>(
    config: &Config,
    pages: impl Iterator<Item = (usize, &'a Page)>,
) -> BTreeMap<(String, TagRef), Tag> {
    let mut tags: BTreeMap<(String, TagRef), Tag> = BTreeMap::new();
    for (i, p) in pages {
        for (written, tag) in written_tags(config, p) {
            let entry = tags
                .entry((p.lang.clone(), tag.clone()))
                .or_insert_with(|| Tag {
                    lang: p.lang.clone(),
                    label: label(config, &p.lang, &tag).unwrap_or_else(|| written.clone()),
                    tag,
                    pages: Vec::new(),
                });
            if entry.pages.last() != Some(&i) {
                entry.pages.push(i);
            }
        }
    }
    tags
}

/// The tags of `p`, each with the text that names it, in the order written.
fn written_tags<'p>(
    config: &'p Config,
    p: &'p Page,
) -> impl Iterator<Item = (&'p String, TagRef)> + 'p {
    (p.front.tags.iter())
        .filter_map(|written| Some((written, resolve(config, p.written_lang(), written)?)))
}

/// The tags of `p` (in its language, as `collect` keys them).
pub fn of<'p>(config: &'p Config, p: &'p Page) -> impl Iterator<Item = TagRef> + 'p {
    written_tags(config, p).map(|(_, tag)| tag)
}

/// A paired tag's label in `lang`, from `site.toml`.
pub fn label(config: &Config, lang: &str, tag: &TagRef) -> Option<String> {
    tag.paired
        .then(|| config.tags.get(&tag.slug)?.get(lang).cloned())
        .flatten()
}

/// Warnings for tags that are near misses of a paired tag (`trad` for `trade`): a typo makes
/// a tag of its own, with a page of its own.
pub fn near_misses(root: &Path, config: &Config, pages: &[Page]) -> Vec<Diagnostic> {
    if config.tags.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    // A fallback's tags are its original's, reported there.
    for p in pages.iter().filter(|p| !p.is_fallback()) {
        let candidates: Vec<&str> = config
            .tags
            .iter()
            .flat_map(|(id, labels)| {
                std::iter::once(id.as_str()).chain(labels.get(&p.lang).map(String::as_str))
            })
            .collect();
        for written in &p.front.tags {
            if resolve(config, &p.lang, written).is_none_or(|t| t.paired) {
                continue;
            }
            if let Some(guess) = suggest(&fold(written), candidates.iter().copied()) {
                out.push(
                    at_tag(
                        Diagnostic::warning(
                            Kind::UnknownTag,
                            &p.file,
                            format!("tags: `{written}` is not a tag of site.toml's [tags]"),
                        ),
                        &p.source_text(root),
                        p,
                        written,
                    )
                    .with_hint(format!(
                        "did you mean `{guess}`? (a tag of its own gets a page of its own)"
                    )),
                );
            }
        }
    }
    out
}

/// Hints for tags that only one page has (its translations aside), in each language: often a
/// typo, and a list of one page is hardly a list.
pub fn used_once(root: &Path, config: &Config, pages: &[Page]) -> Vec<Diagnostic> {
    let tags = collect(config, pages.iter().enumerate());
    // A paired tag counts once across languages; a page and its translations are one page.
    let mut ids: BTreeMap<(Option<&str>, &TagRef), Vec<&str>> = BTreeMap::new();
    for ((lang, tag), t) in &tags {
        let lang = (!tag.paired).then_some(lang.as_str());
        let list = ids.entry((lang, tag)).or_default();
        list.extend(t.pages.iter().map(|&i| pages[i].id.as_str()));
    }
    let mut out = Vec::new();
    for ((lang, tag), mut list) in ids {
        list.sort_unstable();
        list.dedup();
        if list.len() != 1 {
            continue;
        }
        // Reported at the first page that has it, with the text it writes.
        let Some(p) = pages.iter().find(|p| {
            p.id == list[0]
                && lang.is_none_or(|l| p.lang == l)
                && p.front
                    .tags
                    .iter()
                    .any(|w| resolve(config, &p.lang, w).as_ref() == Some(tag))
        }) else {
            continue;
        };
        let written = p
            .front
            .tags
            .iter()
            .find(|w| resolve(config, &p.lang, w).as_ref() == Some(tag))
            .expect("found by it");
        out.push(
            at_tag(
                Diagnostic::hint(
                    Kind::TagUsedOnce,
                    &p.file,
                    format!("tags: `{written}` is on this page only"),
                ),
                &p.source_text(root),
                p,
                written,
            )
            .with_hint(
                "if it is a typo, write the tag other pages have; else other pages may share it",
            ),
        );
    }
    out
}

/// `d` pointing at `written` in the `tags` line of the page's `source`.
fn at_tag(d: Diagnostic, source: &str, p: &Page, written: &str) -> Diagnostic {
    let line = p.front.line_of("tags");
    let column = source
        .lines()
        .nth(line.saturating_sub(1))
        .and_then(|l| Some(l[..l.find(written)?].chars().count() + 1));
    d.in_source(source, line, column)
        .underline(written.chars().count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_letters_and_drop_separators() {
        assert_eq!(slug("Cultural exchange"), "cultural-exchange");
        assert_eq!(slug("  Trade  "), "trade");
        assert_eq!(slug("文化"), "文化");
        assert_eq!(slug("Arts & Crafts"), "arts-crafts");
        assert_eq!(slug("a/b?c#d"), "a-b-c-d");
        assert_eq!(slug(".."), "");
        assert_eq!(slug("///"), "");
    }
}
