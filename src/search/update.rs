//! The index brought up to date after an edit that kept the site's shape, for the incremental
//! engine: only the edited documents (and, when a title changed, the translations that take it
//! as another name) are tokenized again, before and after the edit, and only the shard files
//! holding a token whose score changed, the lists of their own of such tokens, the document
//! files holding a changed document and, when the set of shards changed, `meta.json` are made
//! again. The result is byte for byte what `index_files` makes.

use super::{
    chunk_size, doc_file, documents, language_index, meta_file, own_file, source, source_of, stems,
    write_entry, Counter, Countries, DocRef, Renamed, Scheme, Shape, Sizes, INDEX_DIR, OWN_FILE,
};
use crate::content::{Page, Site};
use crate::markdown::Bodies;
use crate::markdown::Rendered;
use crate::output::{find, Output};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// What the engine keeps between edits: per language, the sizes its shard scheme was fitted
/// to and the bytes its document files were cut by, kept in step with the files.
#[derive(Clone, Serialize, Deserialize)]
pub struct Live {
    langs: Vec<(String, Measured)>,
}

/// What a language's index files were cut by.
#[derive(Clone, Copy, Serialize, Deserialize)]
struct Measured {
    sizes: Sizes,
    /// The documents' bytes, as [`super::Doc::bytes`] counts them.
    bytes: usize,
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
    /// Measures the index of `site` and `bodies` among `outputs` (sorted by path, with their
    /// bytes), as a full build made them.
    pub fn measure(site: &Site, bodies: &Bodies, outputs: &[Output]) -> Live {
        let langs = site
            .config
            .codes()
            .map(|lang| {
                let docs = documents(site, bodies, lang);
                let mut countries = Countries::default();
                let measured = Measured {
                    sizes: measure_shards(outputs, lang),
                    bytes: docs
                        .iter()
                        .map(|&d| source(site, bodies, d, &mut countries).doc.bytes())
                        .sum(),
                };
                (lang.to_owned(), measured)
            })
            .collect();
        Live { langs }
    }

    /// The index files that change when the documents `changed` became what `site` and
    /// `bodies` hold (an edit that kept the same pages and sections); `outputs` are the files
    /// as they are before it, sorted by path. Where the bodies' search text was let go, it is
    /// put back from the published document files, which `read` gives when `outputs` has not
    /// their bytes (see `Texts`); an error names a file that could not be read back.
    pub fn update(
        &mut self,
        site: &Site,
        bodies: &mut Bodies,
        changed: &[Before],
        outputs: &[Output],
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> Result<IndexUpdate, String> {
        let texts = Texts::put_back(&self.langs, site, bodies, changed, outputs, read)?;
        let bodies = &*bodies;
        let renamed = renamed(site, bodies, changed);
        let changed = with_translations(site, bodies, changed, &renamed);
        let mut out = IndexUpdate::default();
        for (lang, measured) in &mut self.langs {
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
                renamed: &renamed,
                texts: &texts,
            };
            language.update(measured, site, bodies, &mine, outputs, &mut out)?;
        }
        Ok(out)
    }
}

/// The search text of the documents an edit reads that the engine let go of (`Rendered::
/// text_dropped`), read back from the published document files (whose `text` is the body's
/// text trimmed, which tokenizes the same). Read back: each document file holding a changed
/// document or one of its translations (whose other names a title edit changes).
struct Texts {
    /// The changed documents' text before the edit, where their old body let it go.
    before: BTreeMap<DocRef, String>,
}

impl Texts {
    fn put_back(
        langs: &[(String, Measured)],
        site: &Site,
        bodies: &mut Bodies,
        changed: &[Before],
        outputs: &[Output],
        read: &dyn Fn(&str) -> Option<Vec<u8>>,
    ) -> Result<Texts, String> {
        let mut texts = Texts {
            before: BTreeMap::new(),
        };
        let edited: BTreeSet<DocRef> = changed.iter().map(|b| b.doc).collect();
        let dropped = |bodies: &Bodies, doc: DocRef| match doc {
            DocRef::Page(i) => bodies.pages[i].text_dropped,
            DocRef::Intro(_) => false,
        };
        let old_dropped: BTreeSet<DocRef> = (changed.iter())
            .filter(|b| b.body.text_dropped)
            .map(|b| b.doc)
            .collect();
        let mut wanted: BTreeSet<DocRef> = edited.clone();
        for &doc in &edited {
            wanted.extend(translations(site, bodies, doc));
        }
        for (lang, measured) in langs {
            let docs = documents(site, bodies, lang);
            let chunk = chunk_size(docs.len(), measured.bytes);
            let chunks: BTreeSet<usize> = (docs.iter().enumerate())
                .filter(|(_, d)| wanted.contains(d))
                .map(|(n, _)| n / chunk)
                .collect();
            for k in chunks {
                let range = k * chunk..((k + 1) * chunk).min(docs.len());
                let in_chunk = &docs[range];
                let needed = |d: &DocRef| old_dropped.contains(d) || dropped(bodies, *d);
                if !in_chunk.iter().any(needed) {
                    continue;
                }
                let path = format!("{lang}/{INDEX_DIR}/doc/{k}.json");
                let read_back = doc_texts(&path, outputs, read)
                    .filter(|read_back| read_back.len() == in_chunk.len())
                    .ok_or_else(|| format!("{path}: cannot read back the documents' text"))?;
                for (&doc, text) in in_chunk.iter().zip(read_back) {
                    if old_dropped.contains(&doc) {
                        texts.before.insert(doc, text);
                    } else if let (DocRef::Page(i), true) = (doc, dropped(bodies, doc)) {
                        bodies.pages[i].text = text;
                        bodies.pages[i].text_dropped = false;
                    }
                }
            }
        }
        Ok(texts)
    }

    /// `old`'s body with its text put back, where it was let go.
    fn before<'b>(&self, old: &Before<'b>) -> Result<Cow<'b, Rendered>, String> {
        if !old.body.text_dropped {
            return Ok(Cow::Borrowed(old.body));
        }
        let text = (self.before.get(&old.doc).cloned())
            .ok_or_else(|| "a changed document's text was not read back".to_owned())?;
        Ok(Cow::Owned(Rendered {
            text,
            text_dropped: false,
            ..old.body.clone()
        }))
    }
}

/// The `text` of each document in the document file `path`: from `outputs`, or, where they
/// have not its bytes, from `read`.
fn doc_texts(
    path: &str,
    outputs: &[Output],
    read: &dyn Fn(&str) -> Option<Vec<u8>>,
) -> Option<Vec<String>> {
    #[derive(Deserialize)]
    struct Text {
        text: String,
    }
    let bytes = match find(outputs, path) {
        Some(bytes) if !bytes.is_empty() => Cow::Borrowed(bytes),
        _ => Cow::Owned(read(path)?),
    };
    let docs: Vec<Text> = serde_json::from_slice(&bytes).ok()?;
    Some(docs.into_iter().map(|d| d.text).collect())
}

/// The titles an edit changed, as they were: pages that name those pages as translations take
/// their titles as other names.
fn renamed<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    changed: &[Before<'a>],
) -> Vec<(&'a str, &'a str, &'a str)> {
    changed
        .iter()
        .filter_map(|b| {
            let (now, _) = super::doc_page(site, bodies, b.doc);
            (now.front.title != b.page.front.title).then_some((
                now.file.as_str(),
                now.lang.as_str(),
                b.page.front.title.as_str(),
            ))
        })
        .collect()
}

/// `changed` with, for each title that changed, the documents of its translations (as they
/// are: their other names as `renamed` says come from `source_of`), each document once.
fn with_translations<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    changed: &[Before<'a>],
    renamed: &Renamed<'a>,
) -> Vec<Before<'a>> {
    let mut out: Vec<Before> = changed
        .iter()
        .map(|b| Before {
            doc: b.doc,
            page: b.page,
            body: b.body,
        })
        .collect();
    if renamed.is_empty() {
        return out;
    }
    let mut seen: BTreeSet<DocRef> = changed.iter().map(|b| b.doc).collect();
    for b in changed {
        let (now, _) = super::doc_page(site, bodies, b.doc);
        if now.front.title == b.page.front.title {
            continue;
        }
        for doc in translations(site, bodies, b.doc) {
            if seen.insert(doc) {
                let (page, body) = super::doc_page(site, bodies, doc);
                out.push(Before { doc, page, body });
            }
        }
    }
    out
}

/// The documents of `doc`'s translations in the other languages.
fn translations(site: &Site, bodies: &Bodies, doc: DocRef) -> Vec<DocRef> {
    match doc {
        DocRef::Page(i) => {
            let page = &site.pages[i];
            let others = site.translations(&page.id).filter(|p| p.lang != page.lang);
            others
                .filter_map(|q| site.pages.iter().position(|p| std::ptr::eq(p, q)))
                .map(DocRef::Page)
                .collect()
        }
        DocRef::Intro(j) => {
            let section = &site.sections[j];
            (0..site.sections.len())
                .filter(|&k| {
                    let s = &site.sections[k];
                    s.dir == section.dir && s.lang != section.lang
                })
                .filter(|&k| site.sections[k].index.is_some() && bodies.sections[k].is_some())
                .map(DocRef::Intro)
                .collect()
        }
    }
}

/// One language's index being updated.
struct Language<'a> {
    lang: &'a str,
    stem_words: bool,
    dir: String,
    /// Its documents in index order.
    docs: &'a [DocRef],
    renamed: &'a Renamed<'a>,
    texts: &'a Texts,
}

impl Language<'_> {
    fn update(
        &self,
        measured: &mut Measured,
        site: &Site,
        bodies: &Bodies,
        changed: &[&Before],
        outputs: &[Output],
        out: &mut IndexUpdate,
    ) -> Result<(), String> {
        let shape = self.shape(*measured);
        let mut changes = Changes::new();
        let mut dirty: BTreeSet<usize> = BTreeSet::new();
        let mut counter = Counter::default();
        let mut countries = Countries::default();
        for old in changed {
            let doc = old.doc;
            let n = self
                .docs
                .binary_search(&doc)
                .expect("a changed document is one of its language's") as u32;
            let old_body = self.texts.before(old)?;
            let before = source_of(site, doc, old.page, &old_body, self.renamed, &mut countries);
            let after = source(site, bodies, doc, &mut countries);
            if before.doc != after.doc {
                dirty.insert(n as usize / shape.chunk);
                measured.bytes = measured.bytes - before.doc.bytes() + after.doc.bytes();
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
        // Changed tokens by shard, each shard's in token order.
        let mut by_shard: BTreeMap<String, Vec<TokenEdits>> = BTreeMap::new();
        for (token, docs) in &changes {
            by_shard
                .entry(shape.scheme.shard(token))
                .or_default()
                .push((token, docs));
        }
        let mut shards_changed = false;
        let mut edited = Edited::default();
        for (name, tokens) in &by_shard {
            let path = format!("{}/{name}.json", self.dir);
            let current = find(outputs, &path);
            shards_changed |= current.is_none();
            match self.edit_shard(current, tokens, &mut measured.sizes, outputs, &mut edited) {
                Some(bytes) => edited.files.push(Output::new(path, bytes)),
                None => {
                    shards_changed = true;
                    if current.is_some() {
                        edited.removed.push(path);
                    }
                }
            }
        }
        if self.shape(*measured) != shape {
            // Files are cut differently now: every file of the language is made again, from
            // every document's text.
            if (self.docs.iter()).any(|&d| super::doc_page(site, bodies, d).1.text_dropped) {
                return Err(format!("{}: the index is cut anew", self.dir));
            }
            self.rebuild(measured, site, bodies, outputs, out);
            return Ok(());
        }
        let Edited { mut files, removed } = edited;
        if shards_changed {
            let mut names: BTreeSet<String> = shard_files(outputs, self.lang)
                .map(|o| shard_name(o.path.as_str()).to_owned())
                .collect();
            for o in files.iter().filter(|o| super::is_shard(&o.path)) {
                names.insert(shard_name(&o.path).to_owned());
            }
            for path in &removed {
                names.remove(shard_name(path));
            }
            let names = names.iter().map(String::as_str).collect();
            files.push(meta_file(&self.dir, self.lang, shape, names));
        }
        for k in dirty {
            let end = ((k + 1) * shape.chunk).min(self.docs.len());
            let sources: Vec<super::Source> = self.docs[k * shape.chunk..end]
                .iter()
                .map(|&d| source(site, bodies, d, &mut countries))
                .collect();
            if sources.iter().any(|s| s.body.text_dropped) {
                return Err(format!(
                    "{}/doc/{k}.json: a text was not read back",
                    self.dir
                ));
            }
            files.push(doc_file(&self.dir, k, sources.iter().map(|s| &s.doc)));
        }
        out.files.extend(files);
        out.removed.extend(removed);
        Ok(())
    }

    /// How the language's files are cut for what `measured` holds.
    fn shape(&self, measured: Measured) -> Shape {
        Shape {
            scheme: Scheme::of(measured.sizes),
            docs: self.docs.len(),
            chunk: chunk_size(self.docs.len(), measured.bytes),
        }
    }

    /// Every file of the language made again, and it measured again.
    fn rebuild(
        &self,
        measured: &mut Measured,
        site: &Site,
        bodies: &Bodies,
        outputs: &[Output],
        out: &mut IndexUpdate,
    ) {
        let mut files = language_index(site, bodies, self.lang, &|o| o);
        files.sort_by(|a, b| a.path.cmp(&b.path));
        measured.sizes = measure_shards(&files, self.lang);
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

    /// One shard file with `changes` (by token, in token order) applied; `None` when no token
    /// is left in it. `sizes` follows the entries that change; lists of their own made again
    /// or no longer made go to `edited`.
    fn edit_shard(
        &self,
        shard: Option<&[u8]>,
        changes: &[TokenEdits],
        sizes: &mut Sizes,
        outputs: &[Output],
        edited: &mut Edited,
    ) -> Option<Vec<u8>> {
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
                    super::start_entry(&mut out);
                    out.extend_from_slice(e.raw);
                    continue;
                }
                std::cmp::Ordering::Equal => {
                    let e = entries.next().expect("peeked");
                    let (token, edits) = changes.next().expect("peeked");
                    let list = match e.list {
                        List::Here(list) => parse_postings(list),
                        List::Own => {
                            let path = own_file(&self.dir, token);
                            edited.removed.push(path.clone());
                            let bytes = find(outputs, &path).expect("a list of its own is made");
                            parse_postings(&bytes[1..bytes.len() - 1])
                        }
                    };
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
                if let Some(own) = write_entry(&mut out, &self.dir, token, &list) {
                    edited.removed.retain(|p| *p != own.path);
                    edited.files.push(own);
                }
            }
        }
        if out.is_empty() {
            return None;
        }
        out.push(b'}');
        Some(out)
    }
}

/// Files an edit made again, and files it no longer makes.
#[derive(Default)]
struct Edited {
    files: Vec<Output>,
    removed: Vec<String>,
}

/// The sizes of the entries of `lang`'s shard files among `outputs` (sorted by path).
fn measure_shards(outputs: &[Output], lang: &str) -> Sizes {
    let mut sizes = Sizes::default();
    for o in shard_files(outputs, lang) {
        for entry in Entries::new(&o.bytes) {
            sizes.add(&entry.token, entry.count());
        }
    }
    sizes
}

/// The shard files of `lang` among `outputs` (sorted by path): not `meta.json`, not snippets.
fn shard_files<'o>(outputs: &'o [Output], lang: &str) -> impl Iterator<Item = &'o Output> {
    let prefix = format!("{lang}/{INDEX_DIR}/");
    let start = outputs.partition_point(|o| o.path.as_str() < prefix.as_str());
    outputs[start..]
        .iter()
        .take_while(move |o| o.path.as_str().starts_with(&prefix))
        .filter(|o| super::is_shard(o.path.as_str()))
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

/// One `"token":[...]` (or `"token":"t"`) of a shard file.
struct Entry<'a> {
    token: Cow<'a, str>,
    /// The whole entry as written.
    raw: &'a [u8],
    list: List<'a>,
}

/// Where an entry's posting list is.
enum List<'a> {
    /// Between the brackets.
    Here(&'a [u8]),
    /// In a file of its own.
    Own,
}

impl Entry<'_> {
    /// The number of documents in its list (any number above [`OWN_FILE`] for a list of its
    /// own: it counts in the shard's size as a pointer, whatever its length).
    fn count(&self) -> usize {
        match self.list {
            List::Here(list) => count_postings(list),
            List::Own => OWN_FILE + 1,
        }
    }
}

/// The entries of a shard file, as `write_entry` wrote them.
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
        let end = string_end(b, start)?;
        let quoted = &b[start..=end];
        let token = if quoted.contains(&b'\\') {
            Cow::Owned(serde_json::from_slice::<String>(quoted).ok()?)
        } else {
            Cow::Borrowed(std::str::from_utf8(&quoted[1..quoted.len() - 1]).ok()?)
        };
        // `:` then `[` and the numbers up to the `]`, or `"t"`.
        let open = end + 2;
        let (close, list) = if b.get(open) == Some(&b'"') {
            (open + 2, List::Own)
        } else {
            let close = open + b[open..].iter().position(|&c| c == b']')?;
            (close, List::Here(&b[open + 1..close]))
        };
        self.at = close + 1;
        Some(Entry {
            token,
            raw: &b[start..=close],
            list,
        })
    }
}

/// The closing quote of the JSON string starting at `start`.
fn string_end(b: &[u8], start: usize) -> Option<usize> {
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
            return Some(end);
        }
        end += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIR: &str = "en/search/index";

    /// A shard file of `entries`, with the lists of their own it points to, sorted by path.
    fn shard(entries: &[(&str, &[(u32, u32)])]) -> (Vec<u8>, Vec<Output>) {
        let mut out = Vec::new();
        let mut own = Vec::new();
        for (token, docs) in entries {
            own.extend(write_entry(&mut out, DIR, token, docs));
        }
        out.push(b'}');
        own.sort_by(|a, b| a.path.cmp(&b.path));
        (out, own)
    }

    fn language() -> Language<'static> {
        Language {
            lang: "en",
            stem_words: true,
            dir: DIR.to_owned(),
            docs: &[],
            renamed: &[],
            texts: &NO_TEXTS,
        }
    }

    static NO_TEXTS: Texts = Texts {
        before: BTreeMap::new(),
    };

    fn measured(bytes: &[u8]) -> Sizes {
        let mut sizes = Sizes::default();
        for e in Entries::new(bytes) {
            sizes.add(&e.token, e.count());
        }
        sizes
    }

    #[test]
    fn entries_read_back_what_was_written() {
        let long: Vec<(u32, u32)> = (0..=OWN_FILE as u32).map(|d| (d * 2, 1)).collect();
        let (bytes, own) = shard(&[
            ("a\"b", &[(3, 10), (7, 1)]),
            ("common", &long),
            ("卢布", &[(0, 2)]),
        ]);
        let entries: Vec<Entry> = Entries::new(&bytes).collect();
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[0].token, "a\"b");
        let List::Here(list) = entries[0].list else {
            panic!("a short list is in the shard")
        };
        assert_eq!(parse_postings(list), [(3, 10), (7, 1)]);
        assert!(matches!(entries[1].list, List::Own));
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].path, format!("{DIR}/t/636f6d6d6f6e.json"));
        assert_eq!(
            parse_postings(&own[0].bytes[1..own[0].bytes.len() - 1]),
            long
        );
        assert_eq!(entries[2].token, "卢布");
        assert_eq!(entries[2].count(), 1);
    }

    #[test]
    fn a_shard_edit_equals_writing_the_result() {
        let long: Vec<(u32, u32)> = (0..=OWN_FILE as u32).map(|d| (d * 2, 1)).collect();
        let (before, outputs) = shard(&[
            ("ab", &[(1, 2), (5, 3)]),
            ("ad", &[(5, 1)]),
            ("al", &long),
            ("ax", &[(2, 2)]),
        ]);
        let mut sizes = measured(&before);
        // `al` drops to a list in the shard; `ab` grows into a list of its own.
        let grown: Vec<Edit> = (10..=OWN_FILE as u32 + 10).map(|d| (d, Some(1))).collect();
        let shrunk: Vec<Edit> = (1..=OWN_FILE as u32).map(|d| (d * 2, None)).collect();
        let changes: Vec<TokenEdits> = vec![
            ("ab", &grown),
            ("ac", &[(5, Some(4))]),
            ("ad", &[(5, None)]),
            ("al", &shrunk),
        ];
        let mut edited = Edited::default();
        let after = language()
            .edit_shard(Some(&before), &changes, &mut sizes, &outputs, &mut edited)
            .unwrap();
        let mut ab = vec![(1, 2), (5, 3)];
        ab.extend((10..=OWN_FILE as u32 + 10).map(|d| (d, 1)));
        let (want, own) = shard(&[
            ("ab", &ab),
            ("ac", &[(5, 4)]),
            ("al", &[(0, 1)]),
            ("ax", &[(2, 2)]),
        ]);
        assert_eq!(
            String::from_utf8(after).unwrap(),
            String::from_utf8(want.clone()).unwrap()
        );
        assert_eq!(edited.files, own);
        assert_eq!(edited.removed, [format!("{DIR}/t/616c.json")]);
        assert_eq!(sizes, measured(&want));
        let (last, _) = shard(&[("ab", &[(5, 3)])]);
        let gone: Vec<TokenEdits> = vec![("ab", &[(5, None)])];
        let mut sizes = measured(&last);
        let mut edited = Edited::default();
        assert_eq!(
            language().edit_shard(Some(&last), &gone, &mut sizes, &[], &mut edited),
            None
        );
        assert_eq!(sizes, Sizes::default());
    }
}
