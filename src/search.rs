//! The search index: for each language, sharded JSON files under `/<lang>/search/index/` that
//! `static/search.js` queries in the browser with the same tokenizer, so the site needs no server.
//!
//! Tokens: Chinese (any CJK run) as overlapping character bigrams, so every query of two or more
//! characters finds the pages containing it (a lone character is kept as a unigram); other text
//! as case-folded words, in English reduced by [`stem`]. Each token's posting list holds
//! (document, score) with title words weighted above summary words above body words.
//!
//! Files, all deterministic:
//! - `meta.json`: format version, shard scheme, shard names and the document list;
//! - `<shard>.json`: `{"token": [doc, score, gap, score, ...]}` for the tokens of one shard,
//!   document numbers after the first as gaps from the previous one; words go to the shard named
//!   by their first `prefix` characters, CJK (and other non-ASCII) tokens to `_<n>` with
//!   n = first code point mod `buckets`;
//! - `text/<n>.json`: the plain texts of documents `n × texts` onwards (`texts` per file, a JSON
//!   array), loaded only for the results shown (snippets).

use crate::content::{Page, Site};
use crate::markdown::Bodies;
use crate::markdown::{is_cjk, Rendered};
use crate::output::Output;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::Serialize;
use std::sync::Arc;

mod update;
pub use update::{Before, IndexUpdate, Live};

/// Where a language's index lives, under `/<lang>/`.
pub const INDEX_DIR: &str = "search/index";
/// Bumped whenever the file format changes; the script refuses other versions.
pub const FORMAT_VERSION: u32 = 2;

const TITLE_WEIGHT: u32 = 10;
const META_WEIGHT: u32 = 3;
/// Body occurrences beyond this add nothing: a long page repeating a word is not more relevant.
const BODY_CAP: u32 = 20;
/// Shards aim at about this many bytes, so one query loads a few small files.
const SHARD_TARGET: usize = 8 * 1024;

/// One searchable document as the script shows it in the results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc {
    pub title: String,
    pub url: String,
    /// The summary (or first paragraph), shown when the body has no match to quote.
    pub summary: String,
    /// A fallback page's language (`locale`, `name`), for the title's `lang` and a badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<(String, String)>,
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    lang: &'a str,
    stem: bool,
    prefix: usize,
    buckets: u32,
    /// Documents per file under `text/`.
    texts: usize,
    shards: Vec<&'a str>,
    docs: Vec<&'a Doc>,
}

/// Whether a language's words are stemmed (English only: the stemmer is English).
pub fn stems(lang: &str) -> bool {
    lang == "en" || lang.starts_with("en-")
}

/// The tokens of `text`, in order, with repeats. `static/search.js` implements the same rules.
pub fn tokens(text: &str, stem_words: bool) -> Vec<String> {
    let mut out = Vec::new();
    each_token(text, stem_words, |t| out.push(t.to_owned()));
    out
}

/// Calls `f` with each token of `text`, in order, with repeats, as slices of one lower-cased
/// copy of the text (stemmed words from one reused buffer): indexing makes no String per token.
pub fn each_token(text: &str, stem_words: bool, mut f: impl FnMut(&str)) {
    let lower = text.to_lowercase();
    let mut stemmed = Vec::new();
    // The word being read, from this byte; the CJK run's previous character and its length.
    let mut word: Option<usize> = None;
    let mut cjk: Option<(usize, usize)> = None;
    let mut run = 0;
    let mut flush_word = |start: &mut Option<usize>, end: usize, f: &mut dyn FnMut(&str)| {
        if let Some(from) = start.take() {
            let w = &lower[from..end];
            // Single letters come from possessives and initials ("Henan's", "J. Smith"): noise.
            if w.chars().nth(1).is_some() {
                if stem_words && stem_into(w, &mut stemmed) {
                    f(std::str::from_utf8(&stemmed).expect("ASCII stays ASCII"));
                } else {
                    f(w);
                }
            }
        }
    };
    let flush_cjk =
        |prev: &mut Option<(usize, usize)>, run: &mut usize, f: &mut dyn FnMut(&str)| {
            if let Some((at, len)) = prev.take() {
                if *run == 1 {
                    f(&lower[at..at + len]);
                }
            }
            *run = 0;
        };
    for (i, c) in lower.char_indices() {
        if is_cjk(c) {
            flush_word(&mut word, i, &mut f);
            if let Some((at, _)) = cjk {
                f(&lower[at..i + c.len_utf8()]);
            }
            cjk = Some((i, c.len_utf8()));
            run += 1;
        } else {
            flush_cjk(&mut cjk, &mut run, &mut f);
            if c.is_alphanumeric() {
                word.get_or_insert(i);
            } else {
                flush_word(&mut word, i, &mut f);
            }
        }
    }
    flush_word(&mut word, lower.len(), &mut f);
    flush_cjk(&mut cjk, &mut run, &mut f);
}

/// English stemming: step 1 of Porter's algorithm (1980) — plurals (`-s`, `-es`, `-ies`),
/// `-ed` and `-ing` with their clean-ups, and a final `y` → `i` — so `anniversaries`,
/// `anniversary`, `visited` and `visiting` meet their base forms. The derivational steps 2–5 are
/// left out: they conflate more eagerly (`university` with `universe`) and the same code must be
/// repeated in the page script. Words with anything but ASCII letters are left as they are.
pub fn stem(word: &str) -> String {
    let mut w = Vec::new();
    if stem_into(word, &mut w) {
        String::from_utf8(w).expect("ASCII stays ASCII")
    } else {
        word.to_owned()
    }
}

/// [`stem`] into a reused buffer; false (buffer untouched) when the word is left as it is.
fn stem_into(word: &str, w: &mut Vec<u8>) -> bool {
    if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    w.clear();
    w.extend_from_slice(word.as_bytes());
    // Step 1a.
    if w.ends_with(b"sses") || w.ends_with(b"ies") {
        w.truncate(w.len() - 2);
    } else if w.ends_with(b"s") && !w.ends_with(b"ss") {
        w.pop();
    }
    // Step 1b.
    if w.ends_with(b"eed") {
        if measure(&w[..w.len() - 3]) > 0 {
            w.pop();
        }
    } else {
        let cut = [&b"ed"[..], b"ing"]
            .into_iter()
            .find(|s| w.ends_with(s) && has_vowel(&w[..w.len() - s.len()]));
        if let Some(suffix) = cut {
            w.truncate(w.len() - suffix.len());
            if w.ends_with(b"at") || w.ends_with(b"bl") || w.ends_with(b"iz") {
                w.push(b'e');
            } else if ends_double_consonant(w) && !matches!(w[w.len() - 1], b'l' | b's' | b'z') {
                w.pop();
            } else if measure(w) == 1 && ends_cvc(w) {
                w.push(b'e');
            }
        }
    }
    // Step 1c.
    if w.ends_with(b"y") && has_vowel(&w[..w.len() - 1]) {
        *w.last_mut().expect("ends with y") = b'i';
    }
    true
}

/// Porter's consonant: not a vowel, and `y` only after a vowel (or at the start).
fn is_consonant(w: &[u8], i: usize) -> bool {
    match w[i] {
        b'a' | b'e' | b'i' | b'o' | b'u' => false,
        b'y' => i == 0 || !is_consonant(w, i - 1),
        _ => true,
    }
}

/// Porter's m: the number of vowel-consonant sequences in `[C](VC)^m[V]`.
fn measure(w: &[u8]) -> usize {
    let mut m = 0;
    let mut in_vowels = false;
    for i in 0..w.len() {
        let consonant = is_consonant(w, i);
        if consonant && in_vowels {
            m += 1;
        }
        in_vowels = !consonant;
    }
    m
}

fn has_vowel(w: &[u8]) -> bool {
    (0..w.len()).any(|i| !is_consonant(w, i))
}

fn ends_double_consonant(w: &[u8]) -> bool {
    let n = w.len();
    n >= 2 && w[n - 1] == w[n - 2] && is_consonant(w, n - 1)
}

/// Porter's *o: consonant-vowel-consonant at the end, the last not `w`, `x` or `y`.
fn ends_cvc(w: &[u8]) -> bool {
    let n = w.len();
    n >= 3
        && is_consonant(w, n - 3)
        && !is_consonant(w, n - 2)
        && is_consonant(w, n - 1)
        && !matches!(w[n - 1], b'w' | b'x' | b'y')
}

/// A searchable text of one document, by weight.
struct Source<'a> {
    doc: Doc,
    title: &'a str,
    meta: Vec<&'a str>,
    body: &'a Rendered,
}

/// The index files of every language, the languages in parallel, each handed to `sink` as soon
/// as it is made (a build stages them on disk), so the snippet texts are never all in memory.
pub fn index_files<T: Send>(
    site: &Site,
    bodies: &Bodies,
    sink: &(dyn Fn(Output) -> T + Sync),
) -> Vec<T> {
    let langs: Vec<&str> = site.config.codes().collect();
    langs
        .par_iter()
        .flat_map_iter(|lang| language_index(site, bodies, lang, sink))
        .collect()
}

/// A language's documents, in index order: its pages in site order, then its sections that
/// have an intro. A document's number in the index is its position here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocRef {
    /// An index into `Site::pages`.
    Page(usize),
    /// An index into `Site::sections`.
    Intro(usize),
}

/// Every document of `lang`, in index order.
pub fn documents(site: &Site, bodies: &Bodies, lang: &str) -> Vec<DocRef> {
    let pages = (0..site.pages.len())
        .filter(|&i| site.pages[i].lang == lang)
        .map(DocRef::Page);
    let intros = (0..site.sections.len())
        .filter(|&j| {
            let s = &site.sections[j];
            s.lang == lang && s.index.is_some() && bodies.sections[j].is_some()
        })
        .map(DocRef::Intro);
    pages.chain(intros).collect()
}

/// The language of a document.
fn lang_of(site: &Site, doc: DocRef) -> &str {
    match doc {
        DocRef::Page(i) => &site.pages[i].lang,
        DocRef::Intro(j) => &site.sections[j].lang,
    }
}

/// What the index reads of one document.
fn source<'a>(site: &'a Site, bodies: &'a Bodies, doc: DocRef) -> Source<'a> {
    match doc {
        DocRef::Page(i) => source_of(site, doc, &site.pages[i], &bodies.pages[i]),
        DocRef::Intro(j) => {
            let index = site.sections[j].index.as_ref();
            let body = bodies.sections[j].as_ref();
            source_of(
                site,
                doc,
                index.expect("an intro has an index file"),
                body.expect("an intro has a body"),
            )
        }
    }
}

/// Document `doc` of `site` as it reads from `page` (the page itself, or the section's index
/// file) and `body`: the incremental engine passes them as they were before an edit.
fn source_of<'a>(site: &Site, doc: DocRef, page: &'a Page, body: &'a Rendered) -> Source<'a> {
    let (path, meta) = match doc {
        DocRef::Page(i) => {
            let meta = page.front.summary.iter();
            let meta = meta.chain(&page.front.country).chain(&page.front.tags);
            (&site.pages[i].path, meta.map(String::as_str).collect())
        }
        DocRef::Intro(j) => {
            let meta = page.front.summary.iter().map(String::as_str).collect();
            (&site.sections[j].path, meta)
        }
    };
    Source {
        doc: Doc {
            title: page.front.title.clone(),
            url: site.config.url(path),
            summary: page
                .front
                .summary
                .clone()
                .unwrap_or_else(|| body.first_paragraph.clone()),
            lang: crate::view::Written::of(site, page)
                .map(|w| (w.locale.to_owned(), w.name.to_owned())),
        },
        title: &page.front.title,
        meta,
        body,
    }
}

fn sources<'a>(site: &'a Site, bodies: &'a Bodies, lang: &str) -> Vec<Source<'a>> {
    documents(site, bodies, lang)
        .into_iter()
        .map(|d| source(site, bodies, d))
        .collect()
}

/// Documents tokenized together before their postings are merged: bounds the memory held by
/// per-document token lists while keeping both cores busy.
const CHUNK: usize = 512;
/// Documents per snippet file: a result list of 20 fetches a few of them, not one per result.
pub const TEXTS_PER_FILE: usize = 64;

/// Counts one document's tokens at a time, reusing its table for the next document on the same
/// thread: a token's string is allocated once per thread, not once per document.
#[derive(Default)]
struct Counter {
    /// token → (the same token, document stamp, body occurrences, title and meta weight).
    /// Hashed with FxHash: tokens are short, the build's own text, and looked up millions of
    /// times (SipHash, whose resistance to chosen keys is not needed here, took 4 % of a build).
    counts: FxHashMap<Arc<str>, (Arc<str>, u32, u32, u32)>,
    /// The distinct tokens of the current document, in first-seen order.
    seen: Vec<Arc<str>>,
    stamp: u32,
}

impl Counter {
    fn add(&mut self, t: &str, body: u32, weight: u32) {
        let stamp = self.stamp;
        let entry = match self.counts.get_mut(t) {
            Some(e) => e,
            None => {
                let key: Arc<str> = Arc::from(t);
                self.counts
                    .entry(key.clone())
                    .or_insert((key, stamp.wrapping_sub(1), 0, 0))
            }
        };
        if entry.1 != stamp {
            *entry = (entry.0.clone(), stamp, 0, 0);
            self.seen.push(entry.0.clone());
        }
        entry.2 += body;
        entry.3 += weight;
    }

    /// One document's distinct tokens with their scores.
    fn scores(&mut self, s: &Source, stem_words: bool) -> Vec<(Arc<str>, u32)> {
        self.stamp = self.stamp.wrapping_add(1);
        each_token(&s.body.text, stem_words, |t| self.add(t, 1, 0));
        each_token(s.title, stem_words, |t| self.add(t, 0, TITLE_WEIGHT));
        for text in &s.meta {
            each_token(text, stem_words, |t| self.add(t, 0, META_WEIGHT));
        }
        let counts = &self.counts;
        self.seen
            .drain(..)
            .map(|t| {
                let (_, _, body, weight) = counts[&t];
                (t, body.min(BODY_CAP) + weight)
            })
            .collect()
    }
}

/// Every token of a language with its postings: (document, score) in document order.
struct Postings {
    /// (token, postings), sorted by token.
    tokens: Vec<(Arc<str>, PostingList)>,
}

/// (document, score) pairs in document order.
type PostingList = Vec<(u32, u32)>;

impl Postings {
    fn gather(sources: &[Source], stem_words: bool) -> Postings {
        // Interned: each token's string is kept once, its postings a flat list of integers.
        let mut ids: FxHashMap<Arc<str>, u32> = FxHashMap::default();
        let mut lists: Vec<PostingList> = Vec::new();
        for (c, chunk) in sources.chunks(CHUNK).enumerate() {
            let scored: Vec<Vec<(Arc<str>, u32)>> = chunk
                .par_iter()
                .map_init(Counter::default, |c, s| c.scores(s, stem_words))
                .collect();
            for (k, doc) in scored.into_iter().enumerate() {
                let n = (c * CHUNK + k) as u32;
                for (token, score) in doc {
                    let id = match ids.get(&token) {
                        Some(&id) => id,
                        None => {
                            lists.push(Vec::new());
                            let id = lists.len() as u32 - 1;
                            ids.insert(token, id);
                            id
                        }
                    };
                    lists[id as usize].push((n, score));
                }
            }
        }
        let mut tokens: Vec<(Arc<str>, PostingList)> = ids
            .into_iter()
            .map(|(t, id)| (t, std::mem::take(&mut lists[id as usize])))
            .collect();
        tokens.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        Postings { tokens }
    }
}

fn language_index<T: Send>(
    site: &Site,
    bodies: &Bodies,
    lang: &str,
    sink: &(dyn Fn(Output) -> T + Sync),
) -> Vec<T> {
    let stem_words = stems(lang);
    let sources = sources(site, bodies, lang);
    let mut postings = Postings::gather(&sources, stem_words);
    let scheme = Scheme::fit(&postings);
    // Tokens grouped by shard, in token order within each (tokens are sorted and the sort is
    // stable), so that each shard is written, handed on and let go before the next is made.
    let mut order: Vec<(String, usize)> = postings
        .tokens
        .iter()
        .enumerate()
        .map(|(i, (token, _))| (scheme.shard(token), i))
        .collect();
    order.sort_by(|a, b| a.0.cmp(&b.0));
    let mut names: Vec<&str> = order.iter().map(|(name, _)| name.as_str()).collect();
    names.dedup();
    let dir = format!("{lang}/{INDEX_DIR}");
    let meta = Meta {
        version: FORMAT_VERSION,
        lang,
        stem: stem_words,
        prefix: scheme.prefix,
        buckets: scheme.buckets,
        texts: TEXTS_PER_FILE,
        shards: names,
        docs: sources.iter().map(|s| &s.doc).collect(),
    };
    let mut out = vec![sink(json_file(format!("{dir}/meta.json"), &meta))];
    for shard in order.chunk_by(|a, b| a.0 == b.0) {
        let mut bytes = Vec::new();
        for &(_, i) in shard {
            let (token, docs) = &mut postings.tokens[i];
            start_entry(&mut bytes);
            write_postings(&mut bytes, token, &std::mem::take(docs));
        }
        bytes.push(b'}');
        out.push(sink(Output::new(
            format!("{dir}/{}.json", shard[0].0),
            bytes,
        )));
    }
    let texts: Vec<T> = sources
        .par_chunks(TEXTS_PER_FILE)
        .enumerate()
        .map(|(n, chunk)| {
            let texts: Vec<&str> = chunk.iter().map(|s| s.body.text.trim()).collect();
            sink(json_file(format!("{dir}/text/{n}.json"), &texts))
        })
        .collect();
    out.extend(texts);
    out
}

/// Starts the next entry of a shard's JSON object: `{` before the first, `,` between.
fn start_entry(out: &mut Vec<u8>) {
    out.push(if out.is_empty() { b'{' } else { b',' });
}

/// `"token":[doc,score,gap,score,...]`: each document number after the first as the gap from
/// the one before, which keeps the numbers short.
fn write_postings(out: &mut Vec<u8>, token: &str, docs: &[(u32, u32)]) {
    use std::io::Write;
    serde_json::to_writer(&mut *out, token).expect("a string serializes");
    out.extend_from_slice(b":[");
    let mut last = 0;
    for (i, &(doc, score)) in docs.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        write!(out, "{sep}{},{score}", doc - last).expect("writing to memory");
        last = doc;
    }
    out.push(b']');
}

fn json_file(path: String, value: &impl Serialize) -> Output {
    Output::new(
        path,
        serde_json::to_vec(value).expect("index data serializes"),
    )
}

/// How tokens map to shards: words by their first `prefix` characters, other tokens into
/// `buckets` groups by their first code point. Chosen per language from the index's size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Scheme {
    prefix: usize,
    buckets: u32,
}

impl Scheme {
    fn fit(postings: &Postings) -> Scheme {
        let mut sizes = Sizes::default();
        for (token, docs) in &postings.tokens {
            sizes.add(token, docs.len());
        }
        Scheme::of(sizes)
    }

    fn of(sizes: Sizes) -> Scheme {
        // 36 first characters (a–z, 0–9) share the words; longer prefixes when that is too much.
        let prefix = if sizes.words / 36 > SHARD_TARGET {
            2
        } else {
            1
        };
        let buckets = (sizes.others / SHARD_TARGET + 1)
            .next_power_of_two()
            .min(256) as u32;
        Scheme { prefix, buckets }
    }

    fn shard(&self, token: &str) -> String {
        if starts_ascii(token) {
            token.chars().take(self.prefix).collect()
        } else {
            let first = token.chars().next().map_or(0, u32::from);
            format!("_{}", first % self.buckets)
        }
    }
}

/// Roughly the serialized size of a language's shard entries, words and other tokens apart:
/// what the shard scheme is chosen from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Sizes {
    words: usize,
    others: usize,
}

impl Sizes {
    fn slot(&mut self, token: &str) -> &mut usize {
        if starts_ascii(token) {
            &mut self.words
        } else {
            &mut self.others
        }
    }

    /// Counts the entry of `token` with `docs` postings.
    fn add(&mut self, token: &str, docs: usize) {
        *self.slot(token) += token.len() + 6 + docs * 5;
    }

    /// Takes away an entry counted by `add`.
    fn remove(&mut self, token: &str, docs: usize) {
        *self.slot(token) -= token.len() + 6 + docs * 5;
    }
}

fn starts_ascii(token: &str) -> bool {
    token
        .bytes()
        .next()
        .is_some_and(|b| b.is_ascii_alphanumeric())
}

/// Bytes and files of each language's index, for the build report.
/// Sizes of each language's index, from (output path, length in bytes) of the built files:
/// `build` streams its outputs to disk, so it passes the lengths rather than the bytes.
pub fn sizes<'a>(files: &[(&str, usize)], langs: impl Iterator<Item = &'a str>) -> Vec<IndexSize> {
    langs
        .map(|lang| {
            let dir = format!("{lang}/{INDEX_DIR}/");
            let files: Vec<(&str, usize)> = files
                .iter()
                .filter(|(path, _)| path.starts_with(&dir))
                .copied()
                .collect();
            let largest_shard = files
                .iter()
                .filter(|(path, _)| !path.contains("/text/") && !path.ends_with("/meta.json"))
                .map(|(_, len)| *len)
                .max()
                .unwrap_or(0);
            IndexSize {
                lang: lang.to_owned(),
                files: files.len(),
                bytes: files.iter().map(|(_, len)| len).sum(),
                meta: files
                    .iter()
                    .find(|(path, _)| path.ends_with("/meta.json"))
                    .map_or(0, |(_, len)| *len),
                largest_shard,
            }
        })
        .collect()
}

#[derive(Debug)]
pub struct IndexSize {
    pub lang: String,
    pub files: usize,
    pub bytes: usize,
    pub meta: usize,
    pub largest_shard: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_becomes_bigrams_and_lone_characters_unigrams() {
        assert_eq!(tokens("卢布林省", false), ["卢布", "布林", "林省"]);
        assert_eq!(
            tokens("省，卢布林Lublin", true),
            ["省", "卢布", "布林", "lublin"]
        );
    }

    #[test]
    fn words_are_folded_split_and_stemmed() {
        assert_eq!(
            tokens("Henan's 35th Anniversaries, VISITED régions", true),
            ["henan", "35th", "anniversari", "visit", "régions"]
        );
        assert_eq!(tokens("Visited", false), ["visited"]);
    }

    #[test]
    fn porter_step_one() {
        let cases = [
            ("caresses", "caress"),
            ("ponies", "poni"),
            ("cats", "cat"),
            ("feed", "feed"),
            ("agreed", "agree"),
            ("plastered", "plaster"),
            ("motoring", "motor"),
            ("sing", "sing"),
            ("conflated", "conflate"),
            ("troubled", "trouble"),
            ("sized", "size"),
            ("hopping", "hop"),
            ("falling", "fall"),
            ("hissing", "hiss"),
            ("failing", "fail"),
            ("filing", "file"),
            ("happy", "happi"),
            ("sky", "sky"),
            ("anniversary", "anniversari"),
            ("anniversaries", "anniversari"),
            ("is", "is"),
        ];
        for (word, want) in cases {
            assert_eq!(stem(word), want, "{word}");
        }
    }

    #[test]
    fn shards_by_prefix_and_bucket() {
        let s = Scheme {
            prefix: 1,
            buckets: 4,
        };
        assert_eq!(s.shard("lublin"), "l");
        assert_eq!(s.shard("2023"), "2");
        assert_eq!(s.shard("卢布"), format!("_{}", '卢' as u32 % 4));
    }
}
