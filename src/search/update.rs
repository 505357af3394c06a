//! The index brought up to date after an edit that kept the site's shape, for the incremental
//! engine: only the edited documents are tokenized again (before and after the edit), and only
//! the shard files holding a token whose score changed, the snippet files holding a changed
//! text and, when a document's title, address or summary or the set of shards changed,
//! `meta.json` are made again. The result is byte for byte what `index_files` makes.

use super::{
    documents, json_file, language_index, source, source_of, start_entry, stems, write_postings,
    Counter, DocRef, Meta, Scheme, Sizes, FORMAT_VERSION, INDEX_DIR, TEXTS_PER_FILE,
};
use crate::content::{Page, Site};
use crate::markdown::Bodies;
use crate::markdown::Rendered;
use crate::output::{find, Output};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What the engine keeps between edits: per language, the sizes its shard scheme was fitted
/// to, kept in step with the shard files.
#[derive(Clone)]
pub struct Live {
    langs: Vec<(String, Sizes)>,
}

/// Index files made again by `Live::update`, and those no longer made.
#[derive(Debug, Default)]
pub struct IndexUpdate {
    pub files: Vec<Output>,
    pub removed: Vec<String>,
}

/// A document an edit changed, as it was before: its page (or section index file) and body.
pub struct Before<'a> {
    pub doc: DocRef,
    pub page: &'a Page,
    pub body: &'a Rendered,
}

/// (document number, its new score or `None` when the token left it), by token.
type Changes = BTreeMap<Arc<str>, Vec<Edit>>;

/// A document's new score in a posting list, or `None` to take it out.
type Edit = (u32, Option<u32>);

/// A token with the edits to its posting list.
type TokenEdits<'a> = (&'a str, &'a [Edit]);

impl Live {
    /// Measures the index files among `outputs` (sorted by path, with their bytes), as a
    /// full build of `site` made them.
    pub fn measure(site: &Site, outputs: &[Output]) -> Live {
        let langs = site
            .config
            .codes()
            .map(|lang| {
                let mut sizes = Sizes::default();
                for o in shard_files(outputs, lang) {
                    for entry in Entries::new(&o.bytes) {
                        sizes.add(&entry.token, count_postings(entry.list));
                    }
                }
                (lang.to_owned(), sizes)
            })
            .collect();
        Live { langs }
    }

    /// The index files that change when the documents `changed` became what `site` and
    /// `bodies` hold (an edit that kept the same pages and sections); `outputs` are the files
    /// as they are before it, sorted by path.
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &Bodies,
        changed: &[Before],
        outputs: &[Output],
    ) -> IndexUpdate {
        let mut out = IndexUpdate::default();
        for (lang, sizes) in &mut self.langs {
            let mine: Vec<&Before> = changed
                .iter()
                .filter(|d| super::lang_of(site, d.doc) == lang.as_str())
                .collect();
            if mine.is_empty() {
                continue;
            }
            let docs = documents(site, bodies, lang);
            let language = Language {
                lang,
                stem_words: stems(lang),
                dir: format!("{lang}/{INDEX_DIR}"),
                docs: &docs,
            };
            language.update(sizes, site, bodies, &mine, outputs, &mut out);
        }
        out
    }
}

/// One language's index being updated.
struct Language<'a> {
    lang: &'a str,
    stem_words: bool,
    dir: String,
    /// Its documents in index order.
    docs: &'a [DocRef],
}

impl Language<'_> {
    fn update(
        &self,
        sizes: &mut Sizes,
        site: &Site,
        bodies: &Bodies,
        changed: &[&Before],
        outputs: &[Output],
        out: &mut IndexUpdate,
    ) {
        let mut changes = Changes::new();
        let mut meta_changed = false;
        let mut texts: BTreeSet<usize> = BTreeSet::new();
        let mut counter = Counter::default();
        for old in changed {
            let doc = old.doc;
            let n = self
                .docs
                .binary_search(&doc)
                .expect("a changed document is one of its language's") as u32;
            let before = source_of(site, doc, old.page, old.body);
            let after = source(site, bodies, doc);
            meta_changed |= before.doc != after.doc;
            if before.body.text.trim() != after.body.text.trim() {
                texts.insert(n as usize / TEXTS_PER_FILE);
            }
            let was: BTreeMap<Arc<str>, u32> = counter
                .scores(&before, self.stem_words)
                .into_iter()
                .collect();
            let now: BTreeMap<Arc<str>, u32> = counter
                .scores(&after, self.stem_words)
                .into_iter()
                .collect();
            for token in was.keys().filter(|t| !now.contains_key(*t)) {
                changes.entry(token.clone()).or_default().push((n, None));
            }
            for (token, score) in now {
                if was.get(&token) != Some(&score) {
                    changes.entry(token).or_default().push((n, Some(score)));
                }
            }
        }
        let scheme = Scheme::of(*sizes);
        // Changed tokens by shard, each shard's in token order.
        let mut by_shard: BTreeMap<String, Vec<TokenEdits>> = BTreeMap::new();
        for (token, docs) in &changes {
            by_shard
                .entry(scheme.shard(token))
                .or_default()
                .push((token, docs));
        }
        let mut shards_changed = false;
        let mut files = Vec::new();
        let mut removed = Vec::new();
        for (name, tokens) in &by_shard {
            let path = format!("{}/{name}.json", self.dir);
            let current = find(outputs, &path);
            shards_changed |= current.is_none();
            match edit_shard(current, tokens, sizes) {
                Some(bytes) => files.push(Output::new(path, bytes)),
                None => {
                    shards_changed = true;
                    if current.is_some() {
                        removed.push(path);
                    }
                }
            }
        }
        if Scheme::of(*sizes) != scheme {
            // Shards are cut differently now: every file of the language is made again.
            self.rebuild(sizes, site, bodies, outputs, out);
            return;
        }
        if meta_changed || shards_changed {
            let mut names: BTreeSet<String> = shard_files(outputs, self.lang)
                .map(|o| shard_name(o.path.as_str()).to_owned())
                .collect();
            for o in &files {
                names.insert(shard_name(&o.path).to_owned());
            }
            for path in &removed {
                names.remove(shard_name(path));
            }
            files.push(self.meta(site, bodies, scheme, &names));
        }
        for k in texts {
            let end = ((k + 1) * TEXTS_PER_FILE).min(self.docs.len());
            let chunk: Vec<&str> = self.docs[k * TEXTS_PER_FILE..end]
                .iter()
                .map(|&d| body_text(bodies, d))
                .collect();
            files.push(json_file(format!("{}/text/{k}.json", self.dir), &chunk));
        }
        out.files.extend(files);
        out.removed.extend(removed);
    }

    fn meta(
        &self,
        site: &Site,
        bodies: &Bodies,
        scheme: Scheme,
        shards: &BTreeSet<String>,
    ) -> Output {
        let docs: Vec<super::Doc> = self
            .docs
            .iter()
            .map(|&d| source(site, bodies, d).doc)
            .collect();
        let meta = Meta {
            version: FORMAT_VERSION,
            lang: self.lang,
            stem: self.stem_words,
            prefix: scheme.prefix,
            buckets: scheme.buckets,
            texts: TEXTS_PER_FILE,
            shards: shards.iter().map(String::as_str).collect(),
            docs: docs.iter().collect(),
        };
        json_file(format!("{}/meta.json", self.dir), &meta)
    }

    /// Every file of the language made again, and the sizes measured again.
    fn rebuild(
        &self,
        sizes: &mut Sizes,
        site: &Site,
        bodies: &Bodies,
        outputs: &[Output],
        out: &mut IndexUpdate,
    ) {
        let mut files = language_index(site, bodies, self.lang, &|o| o);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        *sizes = Sizes::default();
        for o in shard_files(&files, self.lang) {
            for entry in Entries::new(&o.bytes) {
                sizes.add(&entry.token, count_postings(entry.list));
            }
        }
        let prefix = format!("{}/", self.dir);
        let start = outputs.partition_point(|o| o.path.as_str() < prefix.as_str());
        out.removed.extend(
            outputs[start..]
                .iter()
                .take_while(|o| o.path.as_str().starts_with(&prefix))
                .filter(|o| {
                    files
                        .binary_search_by(|f| f.path.as_str().cmp(o.path.as_str()))
                        .is_err()
                })
                .map(|o| o.path.as_str().to_owned()),
        );
        out.files.extend(files);
    }
}

fn body_text(bodies: &Bodies, doc: DocRef) -> &str {
    match doc {
        DocRef::Page(i) => bodies.pages[i].text.trim(),
        DocRef::Intro(j) => bodies.sections[j].as_ref().map_or("", |b| b.text.trim()),
    }
}

/// The shard files of `lang` among `outputs` (sorted by path): not `meta.json`, not snippets.
fn shard_files<'o>(outputs: &'o [Output], lang: &str) -> impl Iterator<Item = &'o Output> {
    let prefix = format!("{lang}/{INDEX_DIR}/");
    let start = outputs.partition_point(|o| o.path.as_str() < prefix.as_str());
    outputs[start..]
        .iter()
        .take_while(move |o| o.path.as_str().starts_with(&prefix))
        .filter(|o| !o.path.as_str().contains("/text/") && !o.path.as_str().ends_with("/meta.json"))
}

/// `en/search/index/ab.json` → `ab`.
fn shard_name(path: &str) -> &str {
    let file = path.rsplit('/').next().unwrap_or(path);
    file.strip_suffix(".json").unwrap_or(file)
}

/// The number of (document, score) pairs in a serialized posting list.
fn count_postings(list: &[u8]) -> usize {
    if list.is_empty() {
        0
    } else {
        (list.iter().filter(|&&b| b == b',').count()).div_ceil(2)
    }
}

/// A serialized posting list `doc,score,gap,score,...` read back.
fn parse_postings(list: &[u8]) -> Vec<(u32, u32)> {
    let mut numbers = list.split(|&b| b == b',').map(|n| {
        n.iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
    });
    let mut out = Vec::new();
    let mut doc = 0;
    while let (Some(gap), Some(score)) = (numbers.next(), numbers.next()) {
        doc += gap;
        out.push((doc, score));
    }
    out
}

/// One shard file with `changes` (by token, in token order) applied; `None` when no token is
/// left in it. `sizes` follows the entries that change.
fn edit_shard(shard: Option<&[u8]>, changes: &[TokenEdits], sizes: &mut Sizes) -> Option<Vec<u8>> {
    let current = shard.unwrap_or(b"{}");
    let mut out = Vec::with_capacity(current.len() + 64);
    let mut entries = Entries::new(current).peekable();
    let mut changes = changes.iter().peekable();
    loop {
        let order = match (entries.peek(), changes.peek()) {
            (None, None) => break,
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (Some(e), Some((token, _))) => e.token.as_ref().cmp(token),
        };
        let (list, token, edits) = match order {
            std::cmp::Ordering::Less => {
                let e = entries.next().expect("peeked");
                start_entry(&mut out);
                out.extend_from_slice(e.raw);
                continue;
            }
            std::cmp::Ordering::Equal => {
                let e = entries.next().expect("peeked");
                let (token, edits) = changes.next().expect("peeked");
                let list = parse_postings(e.list);
                sizes.remove(token, list.len());
                (list, *token, *edits)
            }
            std::cmp::Ordering::Greater => {
                let (token, edits) = changes.next().expect("peeked");
                (Vec::new(), *token, *edits)
            }
        };
        let list = apply(list, edits);
        if !list.is_empty() {
            sizes.add(token, list.len());
            start_entry(&mut out);
            write_postings(&mut out, token, &list);
        }
    }
    if out.is_empty() {
        return None;
    }
    out.push(b'}');
    Some(out)
}

/// A posting list (in document order) with documents' scores set or removed.
fn apply(mut list: Vec<(u32, u32)>, edits: &[Edit]) -> Vec<(u32, u32)> {
    for &(doc, score) in edits {
        match (list.binary_search_by_key(&doc, |p| p.0), score) {
            (Ok(i), Some(s)) => list[i].1 = s,
            (Ok(i), None) => {
                list.remove(i);
            }
            (Err(i), Some(s)) => list.insert(i, (doc, s)),
            (Err(_), None) => {}
        }
    }
    list
}

/// One `"token":[...]` of a shard file.
struct Entry<'a> {
    token: Cow<'a, str>,
    /// The whole entry as written.
    raw: &'a [u8],
    /// Between the brackets.
    list: &'a [u8],
}

/// The entries of a shard file, as `write_postings` wrote them.
struct Entries<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Entries<'a> {
    fn new(bytes: &'a [u8]) -> Self {
        Entries { bytes, at: 0 }
    }
}

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        let b = self.bytes;
        // Past the `{` or `,` before the entry.
        let start = self.at + 1;
        if b.get(start) != Some(&b'"') {
            return None;
        }
        let mut end = start + 1;
        loop {
            end += b[end..].iter().position(|&c| c == b'"')?;
            let backslashes = b[start + 1..end]
                .iter()
                .rev()
                .take_while(|&&c| c == b'\\')
                .count();
            if backslashes % 2 == 0 {
                break;
            }
            end += 1;
        }
        let quoted = &b[start..=end];
        let token = if quoted.contains(&b'\\') {
            Cow::Owned(serde_json::from_slice::<String>(quoted).ok()?)
        } else {
            Cow::Borrowed(std::str::from_utf8(&quoted[1..quoted.len() - 1]).ok()?)
        };
        // `":["` then the numbers, up to the `]`.
        let open = end + 2;
        let close = open + b[open..].iter().position(|&c| c == b']')?;
        self.at = close + 1;
        Some(Entry {
            token,
            raw: &b[start..=close],
            list: &b[open + 1..close],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shard(entries: &[(&str, &[(u32, u32)])]) -> Vec<u8> {
        let mut out = Vec::new();
        for (token, docs) in entries {
            start_entry(&mut out);
            write_postings(&mut out, token, docs);
        }
        out.push(b'}');
        out
    }

    #[test]
    fn entries_read_back_what_was_written() {
        let bytes = shard(&[("a\"b", &[(3, 10), (7, 1)]), ("卢布", &[(0, 2)])]);
        let entries: Vec<Entry> = Entries::new(&bytes).collect();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].token, "a\"b");
        assert_eq!(parse_postings(entries[0].list), [(3, 10), (7, 1)]);
        assert_eq!(entries[1].token, "卢布");
        assert_eq!(count_postings(entries[1].list), 1);
    }

    #[test]
    fn a_shard_edit_equals_writing_the_result() {
        let before = shard(&[
            ("ab", &[(1, 2), (5, 3)]),
            ("ad", &[(5, 1)]),
            ("ax", &[(2, 2)]),
        ]);
        let mut sizes = Sizes::default();
        for e in Entries::new(&before) {
            sizes.add(&e.token, count_postings(e.list));
        }
        let changes: Vec<TokenEdits> = vec![
            ("ab", &[(5, Some(9)), (3, Some(1))]),
            ("ac", &[(5, Some(4))]),
            ("ad", &[(5, None)]),
        ];
        let after = edit_shard(Some(&before), &changes, &mut sizes).unwrap();
        let want = shard(&[
            ("ab", &[(1, 2), (3, 1), (5, 9)]),
            ("ac", &[(5, 4)]),
            ("ax", &[(2, 2)]),
        ]);
        assert_eq!(
            String::from_utf8(after).unwrap(),
            String::from_utf8(want.clone()).unwrap()
        );
        let mut measured = Sizes::default();
        for e in Entries::new(&want) {
            measured.add(&e.token, count_postings(e.list));
        }
        assert_eq!(sizes, measured);
        let last = shard(&[("ab", &[(5, 3)])]);
        let gone: Vec<TokenEdits> = vec![("ab", &[(5, None)])];
        let mut sizes = Sizes::default();
        sizes.add("ab", 1);
        assert_eq!(edit_shard(Some(&last), &gone, &mut sizes), None);
        assert_eq!(sizes, Sizes::default());
    }
}
