//! The search index: for each language, static JSON files under `/<lang>/search/index/` that
//! `static/search.js` queries in the browser with the same tokenizer, so the site needs no server.
//!
//! Tokens: Chinese (any CJK run) as overlapping character bigrams, so every query of two or more
//! characters finds the pages containing it (a lone character is kept as a unigram); other text
//! as case-folded words, in English reduced by [`stem`]. Each token's posting list holds
//! (document, score) with title words weighted above summary words above body words. A page's
//! other names — its translations' titles and its country's names in every language — count as
//! title words (so `Lublin` finds 卢布林省) but are never shown.
//!
//! Files, all deterministic, sized so that a first query downloads little however big the site:
//! - `meta.json`: format version, shard scheme, shard names, the number of documents and how
//!   many share a file under `doc/`;
//! - `<shard>.json`: `{"token": [doc, score, gap, score, ...]}` for the tokens of one shard,
//!   document numbers after the first as gaps from the previous one; words go to the shard named
//!   by their first `prefix` characters, CJK (and other non-ASCII) tokens to `_<n>` with
//!   n = first code point mod `buckets`. A token in more than [`OWN_FILE`] documents is written
//!   `"token": "t"` there, its list alone in `t/<hex of its UTF-8>.json`: common words do not
//!   weigh on the rare ones that share their shard;
//! - `doc/<n>.json`: documents `n × chunk` onwards (`chunk` per file, chosen so that a file is
//!   about [`DOC_TARGET`] bytes), each `{"title", "url", "summary", "text", "also"}` (`also`:
//!   its other names, tags and country, for phrase checks), fetched only for the results shown.

use crate::content::{Page, Site};
use crate::markdown::Bodies;
use crate::markdown::{is_cjk, Rendered};
use crate::output::Output;
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

mod update;
pub use update::{Before, IndexUpdate, Live};

/// Where a language's index lives, under `/<lang>/`.
pub const INDEX_DIR: &str = "search/index";
/// Bumped whenever the file format changes; the script refuses other versions.
pub const FORMAT_VERSION: u32 = 3;

const TITLE_WEIGHT: u32 = 10;
/// Added to a title word, divided by the title's number of tokens: of two pages that name a
/// place in their titles, the one about the place (`Lublin, Poland`) comes before the one
/// mentioning it (`15 years of friendship with Lublin`).
const SHORT_TITLE: u32 = 10;
const META_WEIGHT: u32 = 3;
/// Body occurrences beyond this add nothing: a long page repeating a word is not more relevant.
const BODY_CAP: u32 = 20;
/// Shards aim at about this many bytes, so one query loads a few small files.
const SHARD_TARGET: usize = 8 * 1024;
/// A token in more documents than this has its posting list in a file of its own.
pub const OWN_FILE: usize = 256;
/// Files under `doc/` aim at about this many bytes: one document each on a big site, where
/// a query fetches only the results it shows, several on a small one, where that saves files.
const DOC_TARGET: usize = 4 * 1024;

/// One searchable document as the script shows it in the results (and checks phrases in).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Doc<'a> {
    pub title: &'a str,
    pub url: String,
    /// The summary (or first paragraph), shown when the body has no match to quote.
    pub summary: &'a str,
    pub text: &'a str,
    /// Other names, tags and country: found by a query, never shown.
    pub also: Vec<&'a str>,
    /// A fallback page's language (`locale`, `name`), for the title's `lang` and a badge.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lang: Option<(&'a str, &'a str)>,
}

impl Doc<'_> {
    /// What [`chunk_size`] counts of it.
    fn bytes(&self) -> usize {
        let also: usize = self.also.iter().map(|a| a.len()).sum();
        self.title.len() + self.url.len() + self.summary.len() + self.text.len() + also
    }
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    lang: &'a str,
    stem: bool,
    prefix: usize,
    buckets: u32,
    /// The number of documents.
    docs: usize,
    /// Documents per file under `doc/`.
    chunk: usize,
    shards: Vec<&'a str>,
}

/// Documents per file under `doc/` for `count` documents of `bytes` in all (see [`Doc::bytes`]):
/// a power of two, so that files hold about [`DOC_TARGET`] bytes.
fn chunk_size(count: usize, bytes: usize) -> usize {
    let each = (bytes / count.max(1)).max(1);
    let fits = (DOC_TARGET / each).clamp(1, 64);
    1 << fits.ilog2()
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

/// `str::to_lowercase`, without looking up Unicode's case tables for what a page mostly is:
/// ASCII, and CJK characters, which have no case (the look-up was 1.2 % of a build).
fn lowercase(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let bytes = text.as_bytes();
    // `text[copied..i]` is ASCII and CJK only, still to be copied.
    let mut copied = 0;
    let mut i = 0;
    while i < bytes.len() {
        // ASCII eight bytes at a time (no high bit set): decoding each character was most of
        // the time this took.
        if let Some(eight) = bytes.get(i..i + 8) {
            let eight = u64::from_ne_bytes(eight.try_into().expect("eight bytes"));
            if eight & 0x8080_8080_8080_8080 == 0 {
                i += 8;
                continue;
            }
        }
        if bytes[i].is_ascii() {
            i += 1;
            continue;
        }
        // U+3000 to U+9FFF (lead bytes E3 to E9), most of a Chinese text, have no case:
        // skipped without decoding.
        if (0xe3..=0xe9).contains(&bytes[i]) {
            i += 3;
            continue;
        }
        let c = text[i..].chars().next().expect("i is at a character");
        let next = i + c.len_utf8();
        if !is_cjk(c) {
            if c == 'Σ' {
                // Its lower case depends on where it is in a word: the library knows how.
                return text.to_lowercase();
            }
            push_lowercase_ascii(&mut out, &text[copied..i]);
            out.extend(c.to_lowercase());
            copied = next;
        }
        i = next;
    }
    push_lowercase_ascii(&mut out, &text[copied..]);
    out
}

/// Appends `run`, its ASCII letters lower-cased (ASCII bytes are never part of another character).
fn push_lowercase_ascii(out: &mut String, run: &str) {
    let start = out.len();
    out.push_str(run);
    out[start..].make_ascii_lowercase();
}

/// Calls `f` with each token of `text`, in order, with repeats, as slices of one lower-cased
/// copy of the text (stemmed words from one reused buffer): indexing makes no String per token.
pub fn each_token(text: &str, stem_words: bool, mut f: impl FnMut(&str)) {
    let mut stemmed = String::new();
    each_unstemmed(text, |t: &str| {
        if stem_words && stem_into(t, &mut stemmed) {
            f(&stemmed);
        } else {
            f(t);
        }
    });
}

/// [`each_token`] before stemming: a token's stem depends on nothing else, so the index stems
/// each distinct word once rather than each occurrence.
fn each_unstemmed(text: &str, mut f: impl Tokens) {
    let lower = lowercase(text);
    // The word being read, from this byte; the CJK run's previous character and its length.
    let mut word: Option<usize> = None;
    let mut cjk: Option<(usize, usize)> = None;
    let mut run = 0;
    let bytes = lower.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // ASCII, most of an English text, is never CJK: decided on the byte, without decoding.
        let b = bytes[i];
        if b.is_ascii() {
            if cjk.is_some() {
                flush_cjk(&lower, &mut cjk, &mut run, &mut f);
            }
            if ASCII_WORD[usize::from(b)] {
                word.get_or_insert(i);
                // The word's ASCII letters and digits at once: one look-up a byte.
                i += bytes[i..]
                    .iter()
                    .take_while(|&&b| ASCII_WORD[usize::from(b)])
                    .count();
            } else {
                flush_word(&lower, &mut word, i, &mut f);
                i += 1;
            }
            continue;
        }
        let (c, len) = char_at(&lower, i);
        if is_cjk(c) {
            flush_word(&lower, &mut word, i, &mut f);
            if let Some((at, _)) = cjk {
                f.token(&lower[at..i + len]);
            }
            cjk = Some((i, len));
            run += 1;
        } else {
            flush_cjk(&lower, &mut cjk, &mut run, &mut f);
            if is_alphanumeric(c) {
                word.get_or_insert(i);
            } else {
                flush_word(&lower, &mut word, i, &mut f);
            }
        }
        i += len;
    }
    flush_word(&lower, &mut word, lower.len(), &mut f);
    flush_cjk(&lower, &mut cjk, &mut run, &mut f);
}

/// Whether an ASCII byte is part of a word (`u8::is_ascii_alphanumeric`), by byte: one look-up
/// rather than three range tests, for every byte of an English text.
static ASCII_WORD: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    table
};

/// `char::is_alphanumeric`, answered from a mask of 64 characters for the punctuation of
/// English (U+2000 to U+203F: dashes, quotes) and Chinese (U+3000 to U+303F: `、。「」`; U+FF00
/// to U+FF3F: `，：！？（）`): the library searched its tables for them, 400 instructions a `。`.
fn is_alphanumeric(c: char) -> bool {
    let code = u32::from(c);
    let mask: u64 = match code >> 6 {
        0x80 => 0,
        0xc0 => 0x1f3e_03fe_0000_00e0,
        0x3fc => 0x07ff_fffe_03ff_0000,
        _ => return c.is_alphanumeric(),
    };
    mask >> (code & 63) & 1 == 1
}

/// The character starting at byte `i` of `s`, and its length. One of three bytes (lead byte
/// E0 to EF: U+0800 to U+FFFF, which hold CJK's common characters) is read from its bytes,
/// without the checks of a general decoder; others through `chars`.
#[inline(always)]
fn char_at(s: &str, i: usize) -> (char, usize) {
    let b = s.as_bytes();
    if b[i] & 0xf0 == 0xe0 {
        let bits = |byte: u8, shift: u32| u32::from(byte) << shift;
        let c = bits(b[i] & 0x0f, 12) | bits(b[i + 1] & 0x3f, 6) | bits(b[i + 2] & 0x3f, 0);
        (char::from_u32(c).expect("UTF-8 of three bytes"), 3)
    } else {
        let c = s[i..].chars().next().expect("i is at a character");
        (c, c.len_utf8())
    }
}

/// What [`each_unstemmed`] hands its tokens to. A trait rather than a closure, so that the
/// indexer's counting ([`Counting`]) is inlined where the tokenizer finds a token: a closure
/// called from four places stayed a call, its prologue and epilogue a sixth of a token's cost.
trait Tokens {
    fn token(&mut self, t: &str);
}

impl<F: FnMut(&str)> Tokens for F {
    fn token(&mut self, t: &str) {
        self(t)
    }
}

/// Hands on the word of `lower` being read from `start` (if any), ending at `end`. Generic
/// rather than a closure over `dyn FnMut`, so that the indexer's counting is inlined; and
/// inlined itself, as most calls (one per CJK character) find no word.
#[inline(always)]
fn flush_word(lower: &str, start: &mut Option<usize>, end: usize, f: &mut impl Tokens) {
    if let Some(from) = start.take() {
        hand_on_word(&lower[from..end], f);
    }
}

/// Hands on `w` unless it is a single letter: those come from possessives and initials
/// ("Henan's", "J. Smith"), noise.
fn hand_on_word(w: &str, f: &mut impl Tokens) {
    // An ASCII first letter is one byte: a second byte is a second character.
    let long = if w.as_bytes()[0].is_ascii() {
        w.len() > 1
    } else {
        w.chars().nth(1).is_some()
    };
    if long {
        f.token(w);
    }
}

/// Ends the CJK run being read: a lone character is a token of its own.
fn flush_cjk(lower: &str, prev: &mut Option<(usize, usize)>, run: &mut usize, f: &mut impl Tokens) {
    if let Some((at, len)) = prev.take() {
        if *run == 1 {
            f.token(&lower[at..at + len]);
        }
    }
    *run = 0;
}

/// English stemming: step 1 of Porter's algorithm (1980) — plurals (`-s`, `-es`, `-ies`),
/// `-ed` and `-ing` with their clean-ups, and a final `y` → `i` — so `anniversaries`,
/// `anniversary`, `visited` and `visiting` meet their base forms. The derivational steps 2–5 are
/// left out: they conflate more eagerly (`university` with `universe`) and the same code must be
/// repeated in the page script. Words with anything but ASCII letters are left as they are.
pub fn stem(word: &str) -> String {
    let mut w = String::new();
    if stem_into(word, &mut w) {
        w
    } else {
        word.to_owned()
    }
}

/// [`stem`] into a reused buffer; false (buffer untouched) when the word is left as it is.
/// The word is ASCII, so byte lengths are character lengths.
fn stem_into(word: &str, w: &mut String) -> bool {
    if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    w.clear();
    w.push_str(word);
    // Step 1a.
    if w.ends_with("sses") || w.ends_with("ies") {
        w.truncate(w.len() - 2);
    } else if w.ends_with('s') && !w.ends_with("ss") {
        w.pop();
    }
    // Step 1b.
    if w.ends_with("eed") {
        if measure(&w.as_bytes()[..w.len() - 3]) > 0 {
            w.pop();
        }
    } else {
        let cut = ["ed", "ing"]
            .into_iter()
            .find(|s| w.ends_with(s) && has_vowel(&w.as_bytes()[..w.len() - s.len()]));
        if let Some(suffix) = cut {
            w.truncate(w.len() - suffix.len());
            let b = w.as_bytes();
            if w.ends_with("at") || w.ends_with("bl") || w.ends_with("iz") {
                w.push('e');
            } else if ends_double_consonant(b) && !matches!(b[b.len() - 1], b'l' | b's' | b'z') {
                w.pop();
            } else if measure(b) == 1 && ends_cvc(b) {
                w.push('e');
            }
        }
    }
    // Step 1c.
    if w.ends_with('y') && has_vowel(&w.as_bytes()[..w.len() - 1]) {
        w.pop();
        w.push('i');
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
    doc: Doc<'a>,
    /// Weighted as titles, not shown: the translations' titles, the country's names.
    aliases: Vec<&'a str>,
    meta: Vec<&'a str>,
    body: &'a Rendered,
}

/// Titles as they were before an edit, as (page file, language, title): what the pages that
/// name those pages as translations were indexed with.
pub type Renamed<'a> = [(&'a str, &'a str, &'a str)];

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
fn source<'a>(
    site: &'a Site,
    bodies: &'a Bodies,
    doc: DocRef,
    countries: &mut Countries,
) -> Source<'a> {
    let (page, body) = doc_page(site, bodies, doc);
    source_of(site, doc, page, body, &[], countries)
}

/// Country names in every language of the table, by code, looked up once per code: the table
/// is read line by line, and a big site has thousands of regions.
#[derive(Default)]
struct Countries(FxHashMap<String, Vec<&'static str>>);

impl Countries {
    fn names(&mut self, code: &str) -> &[&'static str] {
        if !self.0.contains_key(code) {
            let names = ["en", "zh"]
                .into_iter()
                .filter_map(|lang| crate::countries::names(code, lang))
                .flatten();
            self.0.insert(code.to_owned(), names.collect());
        }
        &self.0[code]
    }
}

/// The page (or section index file) and body of a document.
fn doc_page<'a>(site: &'a Site, bodies: &'a Bodies, doc: DocRef) -> (&'a Page, &'a Rendered) {
    match doc {
        DocRef::Page(i) => (&site.pages[i], &bodies.pages[i]),
        DocRef::Intro(j) => (
            site.sections[j]
                .index
                .as_ref()
                .expect("an intro has an index file"),
            bodies.sections[j].as_ref().expect("an intro has a body"),
        ),
    }
}

/// Document `doc` of `site` as it reads from `page` (the page itself, or the section's index
/// file) and `body`, its translations' titles as `renamed` says they were: the incremental
/// engine passes them as they were before an edit.
fn source_of<'a>(
    site: &'a Site,
    doc: DocRef,
    page: &'a Page,
    body: &'a Rendered,
    renamed: &Renamed<'a>,
    countries: &mut Countries,
) -> Source<'a> {
    let (path, meta): (&str, Vec<&str>) = match doc {
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
    let aliases = aliases(site, doc, page, renamed, countries);
    let shown_summary = page.front.summary.is_some() as usize;
    let also = aliases.iter().chain(&meta[shown_summary..]).copied();
    Source {
        doc: Doc {
            title: &page.front.title,
            url: site.config.url(path),
            summary: page
                .front
                .summary
                .as_deref()
                .unwrap_or(&body.first_paragraph),
            text: body.text.trim(),
            also: also.collect(),
            lang: crate::view::Written::of(site, page).map(|w| (w.locale, w.name)),
        },
        aliases,
        meta,
        body,
    }
}

/// A document's other names: the titles of its translations (as `renamed` says they were, or
/// are now), then its country's names in every language the country table has.
fn aliases<'a>(
    site: &'a Site,
    doc: DocRef,
    page: &'a Page,
    renamed: &Renamed<'a>,
    countries: &mut Countries,
) -> Vec<&'a str> {
    let others: Vec<&'a Page> = match doc {
        DocRef::Page(_) => site
            .translations(&page.id)
            .filter(|p| p.lang != page.lang)
            .collect(),
        DocRef::Intro(j) => {
            let dir = &site.sections[j].dir;
            let others = site.sections.iter().filter(|s| &s.dir == dir);
            others
                .filter(|s| s.lang != page.lang)
                .filter_map(|s| s.index.as_ref())
                .collect()
        }
    };
    let titles = others.into_iter().map(|p| {
        renamed
            .iter()
            .find(|(file, lang, _)| *file == p.file && *lang == p.lang)
            .map_or(p.front.title.as_str(), |r| r.2)
    });
    let mut out: Vec<&'a str> = titles.collect();
    if let Some(code) = &page.front.neutral.country_code {
        out.extend(countries.names(code));
    }
    // A name the title already gives (or an earlier alias) adds nothing.
    let mut seen = vec![page.front.title.as_str()];
    out.retain(|a| {
        let new = !seen.contains(a);
        seen.push(a);
        new
    });
    out
}

fn sources<'a>(site: &'a Site, bodies: &'a Bodies, lang: &str) -> Vec<Source<'a>> {
    let mut countries = Countries::default();
    documents(site, bodies, lang)
        .into_iter()
        .map(|d| source(site, bodies, d, &mut countries))
        .collect()
}

/// Documents tokenized together before their postings are merged: bounds the memory held by
/// per-document token lists while keeping both cores busy.
const CHUNK: usize = 512;

/// How one occurrence of a token counts.
#[derive(Clone, Copy)]
enum Weight {
    Body,
    /// A title word: the best title (or other name) holding it counts, once.
    Title(u32),
    Meta,
}

/// One token's counts in the current document.
struct Count {
    token: Arc<str>,
    /// The document the counts are of.
    stamp: u32,
    body: u32,
    title: u32,
    meta: u32,
}

/// Counts one document's tokens at a time, reusing its tables for the next document on the same
/// thread: a token's string is allocated, and a word stemmed, once per thread, not once per
/// document or occurrence.
#[derive(Default)]
struct Counter {
    /// Each token as read (before stemming) of up to eight bytes (a CJK bigram has six, most
    /// words fewer), as one number (see [`packed`]) → its place in `counts`: hashed and compared
    /// as an integer. Hashed with FxHash: tokens are the build's own text, and looked up
    /// millions of times (SipHash, whose resistance to chosen keys is not needed here, took 4 %
    /// of a build).
    short: FxHashMap<u64, u32>,
    /// Each longer token as read → its place in `counts`.
    read: FxHashMap<Box<str>, u32>,
    /// Each token (after stemming) → its place in `counts`: the words of one stem share it.
    places: FxHashMap<Arc<str>, u32>,
    counts: Vec<Count>,
    /// The places of the current document's distinct tokens, in first-seen order.
    seen: Vec<u32>,
    /// The places of the tokens of the title being read, which weigh by their number.
    title: Vec<u32>,
    stemmed: String,
    stamp: u32,
}

impl Counter {
    /// Where the counts of `t` (as read, before stemming) are.
    #[inline(always)]
    fn place(&mut self, t: &str, stem_words: bool) -> u32 {
        let key = packed(t);
        let known = match key {
            Some(key) => self.short.get(&key),
            None => self.read.get(t),
        };
        match known {
            Some(&place) => place,
            None => self.new_place(t, key, stem_words),
        }
    }

    /// [`Counter::place`] of a token read for the first time: out of line, as most tokens
    /// read are known.
    #[cold]
    #[inline(never)]
    fn new_place(&mut self, t: &str, key: Option<u64>, stem_words: bool) -> u32 {
        let token = if stem_words && stem_into(t, &mut self.stemmed) {
            self.stemmed.as_str()
        } else {
            t
        };
        let place = match self.places.get(token) {
            Some(&place) => place,
            None => {
                let place = self.counts.len() as u32;
                let token: Arc<str> = Arc::from(token);
                self.counts.push(Count {
                    token: token.clone(),
                    stamp: self.stamp.wrapping_sub(1),
                    body: 0,
                    title: 0,
                    meta: 0,
                });
                self.places.insert(token, place);
                place
            }
        };
        match key {
            Some(key) => self.short.insert(key, place),
            None => self.read.insert(t.into(), place),
        };
        place
    }

    #[inline(always)]
    fn add(&mut self, place: u32, weight: Weight) {
        let entry = &mut self.counts[place as usize];
        if entry.stamp != self.stamp {
            (entry.stamp, entry.body, entry.title, entry.meta) = (self.stamp, 0, 0, 0);
            self.seen.push(place);
        }
        match weight {
            Weight::Body => entry.body += 1,
            Weight::Title(w) => entry.title = entry.title.max(w),
            Weight::Meta => entry.meta += META_WEIGHT,
        }
    }

    /// Counts every token of `text` with `weight`.
    fn add_text(&mut self, text: &str, stem_words: bool, weight: Weight) {
        let counting = Counting {
            counter: self,
            stem_words,
            weight,
        };
        each_unstemmed(text, counting);
    }

    /// One document's distinct tokens with their scores.
    fn scores(&mut self, s: &Source, stem_words: bool) -> Vec<(Arc<str>, u32)> {
        let scored = self.places(s, stem_words);
        let counts = &self.counts;
        scored
            .into_iter()
            .map(|(place, score)| (counts[place as usize].token.clone(), score))
            .collect()
    }

    /// One document's distinct tokens, as places in this counter, with their scores.
    fn places(&mut self, s: &Source, stem_words: bool) -> Vec<(u32, u32)> {
        self.stamp = self.stamp.wrapping_add(1);
        self.add_text(&s.body.text, stem_words, Weight::Body);
        let mut places = std::mem::take(&mut self.title);
        for title in std::iter::once(&s.doc.title).chain(&s.aliases) {
            places.clear();
            each_unstemmed(title, |t: &str| places.push(self.place(t, stem_words)));
            let w = Weight::Title(TITLE_WEIGHT + SHORT_TITLE / (places.len() as u32).max(1));
            for &place in &places {
                self.add(place, w);
            }
        }
        self.title = places;
        for text in &s.meta {
            self.add_text(text, stem_words, Weight::Meta);
        }
        let counts = &self.counts;
        self.seen
            .drain(..)
            .map(|place| {
                let c = &counts[place as usize];
                (place, c.body.min(BODY_CAP) + c.title + c.meta)
            })
            .collect()
    }
}

/// A [`Counter`] counting a text's tokens with one weight.
struct Counting<'c> {
    counter: &'c mut Counter,
    stem_words: bool,
    weight: Weight,
}

impl Tokens for Counting<'_> {
    #[inline(always)]
    fn token(&mut self, t: &str) {
        let place = self.counter.place(t, self.stem_words);
        self.counter.add(place, self.weight);
    }
}

/// A token of up to eight bytes as one number: its bytes, then zeros (no token has a zero byte,
/// so no two tokens share a number). Read as two overlapping loads, not copied into a buffer:
/// copying a slice of unknown length called `memcpy`, once per token read.
fn packed(t: &str) -> Option<u64> {
    let b = t.as_bytes();
    let n = b.len();
    let byte = |i: usize| u64::from(b[i]) << (8 * i);
    let four = |i: usize| u64::from(u32::from_le_bytes(b[i..i + 4].try_into().expect("four")));
    match n {
        0 => Some(0),
        // The first, middle and last byte: all of them, some read twice.
        1..=3 => Some(byte(0) | byte(n / 2) | byte(n - 1)),
        // The first four and the last four bytes, which overlap when n < 8.
        4..=8 => Some(four(0) | four(n - 4) << (8 * (n - 4))),
        _ => None,
    }
}

/// Every token of a language with its postings: (document, score) in document order.
struct Postings {
    /// (token, postings), sorted by token.
    tokens: Vec<(Arc<str>, PostingList)>,
}

/// (document, score) pairs in document order.
type PostingList = Vec<(u32, u32)>;

/// Postings being gathered, interned: each token's string is kept once, its postings a flat
/// list of integers.
#[derive(Default)]
struct Merged {
    ids: FxHashMap<Arc<str>, u32>,
    lists: Vec<PostingList>,
}

impl Merged {
    fn id(&mut self, token: &Arc<str>) -> u32 {
        if let Some(&id) = self.ids.get(token) {
            return id;
        }
        let id = self.lists.len() as u32;
        self.lists.push(Vec::new());
        self.ids.insert(token.clone(), id);
        id
    }
}

/// A counter that reads a share of every chunk of documents, kept from chunk to chunk, with
/// the ids of its places in [`Merged`]: a token is looked up by its string once per counter,
/// not once per document.
#[derive(Default)]
struct Share {
    counter: Counter,
    /// By place; [`NO_ID`] until looked up.
    ids: Vec<u32>,
}

const NO_ID: u32 = u32::MAX;

/// A counter knowing more tokens than this starts again: bounds the memory of a huge site's
/// vocabulary, kept once per counter.
const FORGET: usize = 1 << 18;

impl Share {
    fn id(&mut self, place: u32, merged: &mut Merged) -> u32 {
        let place = place as usize;
        if place >= self.ids.len() {
            self.ids.resize(self.counter.counts.len(), NO_ID);
        }
        if self.ids[place] == NO_ID {
            self.ids[place] = merged.id(&self.counter.counts[place].token);
        }
        self.ids[place]
    }
}

impl Postings {
    fn gather(sources: &[Source], stem_words: bool) -> Postings {
        let mut merged = Merged::default();
        // Two shares a thread, so that a thread that finishes first takes another.
        let mut shares: Vec<Share> = (0..2 * rayon::current_num_threads())
            .map(|_| Share::default())
            .collect();
        for (c, chunk) in sources.chunks(CHUNK).enumerate() {
            let each = chunk.len().div_ceil(shares.len());
            let scored: Vec<Vec<Vec<(u32, u32)>>> = shares
                .par_iter_mut()
                .zip(chunk.par_chunks(each))
                .map(|(share, docs)| {
                    let counter = &mut share.counter;
                    docs.iter().map(|s| counter.places(s, stem_words)).collect()
                })
                .collect();
            // The shares are the chunk's documents in order.
            let mut n = (c * CHUNK) as u32;
            for (share, docs) in shares.iter_mut().zip(scored) {
                for doc in docs {
                    for (place, score) in doc {
                        let id = share.id(place, &mut merged);
                        merged.lists[id as usize].push((n, score));
                    }
                    n += 1;
                }
                if share.counter.counts.len() > FORGET {
                    *share = Share::default();
                }
            }
        }
        let Merged { ids, mut lists } = merged;
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
    let postings = Postings::gather(&sources, stem_words);
    let scheme = Scheme::fit(&postings);
    // Tokens grouped by shard, in token order within each (tokens are sorted and the sort is
    // stable), so that each shard is written and handed on as one piece, shards side by side.
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
    let bytes = sources.iter().map(|s| s.doc.bytes()).sum();
    let chunk = chunk_size(sources.len(), bytes);
    let shape = Shape {
        scheme,
        docs: sources.len(),
        chunk,
    };
    let mut out = vec![sink(meta_file(&dir, lang, shape, names))];
    let shards: Vec<Vec<T>> = order
        .par_chunk_by(|a, b| a.0 == b.0)
        .map(|shard| {
            let mut out = Vec::new();
            let mut bytes = Vec::new();
            for &(_, i) in shard {
                let (token, docs) = &postings.tokens[i];
                out.extend(write_entry(&mut bytes, &dir, token, docs).map(sink));
            }
            bytes.push(b'}');
            out.push(sink(Output::new(
                format!("{dir}/{}.json", shard[0].0),
                bytes,
            )));
            out
        })
        .collect();
    out.extend(shards.into_iter().flatten());
    let docs: Vec<T> = sources
        .par_chunks(chunk)
        .enumerate()
        .map(|(n, c)| sink(doc_file(&dir, n, c.iter().map(|s| &s.doc))))
        .collect();
    out.extend(docs);
    out
}

/// How a language's index is cut into files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shape {
    scheme: Scheme,
    docs: usize,
    /// Documents per file under `doc/`.
    chunk: usize,
}

fn meta_file(dir: &str, lang: &str, shape: Shape, shards: Vec<&str>) -> Output {
    let meta = Meta {
        version: FORMAT_VERSION,
        lang,
        stem: stems(lang),
        prefix: shape.scheme.prefix,
        buckets: shape.scheme.buckets,
        docs: shape.docs,
        chunk: shape.chunk,
        shards,
    };
    json_file(format!("{dir}/meta.json"), &meta)
}

/// `doc/<n>.json`: the documents of file `n`.
fn doc_file<'d, 'a: 'd>(dir: &str, n: usize, docs: impl Iterator<Item = &'d Doc<'a>>) -> Output {
    let docs: Vec<&Doc> = docs.collect();
    Output::new(format!("{dir}/doc/{n}.json"), docs_json(&docs))
}

/// `docs` as JSON, the same bytes as `serde_json::to_vec(docs)`, but with texts escaped a block
/// at a time: serde_json's escaper, which tests each byte in turn, took 2 % of a build for the
/// documents' texts.
fn docs_json(docs: &[&Doc]) -> Vec<u8> {
    let mut out = Vec::with_capacity(docs.iter().map(|d| d.bytes() + 64).sum());
    out.push(b'[');
    for (i, doc) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        doc.write_json(&mut out);
    }
    out.push(b']');
    out
}

impl Doc<'_> {
    /// The object `#[derive(Serialize)]` writes: its fields in order, `lang` only when set.
    fn write_json(&self, out: &mut Vec<u8>) {
        let texts = [
            ("title", self.title),
            ("url", self.url.as_str()),
            ("summary", self.summary),
            ("text", self.text),
        ];
        for (i, (name, text)) in texts.into_iter().enumerate() {
            out.extend_from_slice(if i == 0 { b"{\"" } else { b",\"" });
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(b"\":");
            write_json_str(out, text);
        }
        out.extend_from_slice(b",\"also\":");
        write_json_strs(out, &self.also);
        if let Some((locale, name)) = self.lang {
            out.extend_from_slice(b",\"lang\":");
            write_json_strs(out, &[locale, name]);
        }
        out.push(b'}');
    }
}

/// `texts` as a JSON array of strings.
fn write_json_strs(out: &mut Vec<u8>, texts: &[&str]) {
    out.push(b'[');
    for (i, text) in texts.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_json_str(out, text);
    }
    out.push(b']');
}

/// `text` as a JSON string, escaped as serde_json escapes it: quotes, backslashes and control
/// characters (the short forms where JSON has them), through [`crate::text::escape_into`].
fn write_json_str(out: &mut Vec<u8>, text: &str) {
    /// `\u00XX` with serde_json's lower-case hex, or the short form.
    const CONTROL: [&str; 32] = [
        "\\u0000", "\\u0001", "\\u0002", "\\u0003", "\\u0004", "\\u0005", "\\u0006", "\\u0007",
        "\\b", "\\t", "\\n", "\\u000b", "\\f", "\\r", "\\u000e", "\\u000f", "\\u0010", "\\u0011",
        "\\u0012", "\\u0013", "\\u0014", "\\u0015", "\\u0016", "\\u0017", "\\u0018", "\\u0019",
        "\\u001a", "\\u001b", "\\u001c", "\\u001d", "\\u001e", "\\u001f",
    ];
    let hit = |b: u8| (b < 0x20) | (b == b'"') | (b == b'\\');
    out.push(b'"');
    crate::text::escape_into(out, text, hit, |b| match b {
        b'"' => Some("\\\""),
        b'\\' => Some("\\\\"),
        0..0x20 => Some(CONTROL[usize::from(b)]),
        _ => None,
    });
    out.push(b'"');
}

/// Starts the next entry of a shard's JSON object: `{` before the first, `,` between.
fn start_entry(out: &mut Vec<u8>) {
    out.push(if out.is_empty() { b'{' } else { b',' });
}

/// Adds `token`'s entry to a shard being written into `shard`; a list of more than
/// [`OWN_FILE`] documents goes to a file of its own, returned.
fn write_entry(shard: &mut Vec<u8>, dir: &str, token: &str, docs: &[(u32, u32)]) -> Option<Output> {
    start_entry(shard);
    serde_json::to_writer(&mut *shard, token).expect("a string serializes");
    shard.push(b':');
    if docs.len() > OWN_FILE {
        shard.extend_from_slice(b"\"t\"");
        let mut list = Vec::new();
        write_list(&mut list, docs);
        Some(Output::new(own_file(dir, token), list))
    } else {
        write_list(shard, docs);
        None
    }
}

/// Where the posting list of a token in more than [`OWN_FILE`] documents is.
fn own_file(dir: &str, token: &str) -> String {
    use std::fmt::Write;
    let mut path = format!("{dir}/t/");
    for b in token.bytes() {
        write!(path, "{b:02x}").expect("writing to a String");
    }
    path + ".json"
}

/// `[doc,score,gap,score,...]`: each document number after the first as the gap from the one
/// before, which keeps the numbers short.
fn write_list(out: &mut Vec<u8>, docs: &[(u32, u32)]) {
    // Room for short numbers, the most common: a score or a gap of two digits.
    out.reserve(2 + docs.len() * 6);
    let mut number = itoa::Buffer::new();
    out.push(b'[');
    let mut last = 0;
    for (i, &(doc, score)) in docs.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_number(out, &mut number, doc - last);
        out.push(b',');
        push_number(out, &mut number, score);
        last = doc;
    }
    out.push(b']');
}

/// Appends `n` in decimal. These lists are most of the index's bytes: itoa rather than
/// `write!` (whose formatting machinery took 4 % of a build), and numbers under 100 (most
/// scores, the gaps of common tokens) pushed digit by digit, as copying itoa's slice of unknown
/// length called `memcpy` for every number.
#[inline(always)]
fn push_number(out: &mut Vec<u8>, number: &mut itoa::Buffer, n: u32) {
    let digit = |d: u32| b'0' + d as u8;
    if n < 10 {
        out.push(digit(n));
    } else if n < 100 {
        out.extend_from_slice(&[digit(n / 10), digit(n % 10)]);
    } else {
        out.extend_from_slice(number.format(n).as_bytes());
    }
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
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

    /// Counts the entry of `token` with `docs` postings (in the shard, a list of its own
    /// counts as the pointer to it).
    fn add(&mut self, token: &str, docs: usize) {
        *self.slot(token) += entry_size(token, docs);
    }

    /// Takes away an entry counted by `add`.
    fn remove(&mut self, token: &str, docs: usize) {
        *self.slot(token) -= entry_size(token, docs);
    }
}

/// Roughly the bytes of a token's entry in its shard.
fn entry_size(token: &str, docs: usize) -> usize {
    token.len() + 6 + if docs > OWN_FILE { 0 } else { docs * 5 }
}

/// Whether an edit reads the bytes of the published file `path` (relative to the output
/// folder): a shard of a language's index, or a list of its own (`update::Live::update`).
pub fn read_on_edit(path: &str) -> bool {
    let in_index = path.split_once('/').is_some_and(|(_, rest)| {
        rest.strip_prefix(INDEX_DIR)
            .is_some_and(|file| file.starts_with('/'))
    });
    in_index && (is_shard(path) || path.contains("/t/"))
}

/// Whether an index file (by path) is a shard: not `meta.json`, a document or a list of its own.
fn is_shard(path: &str) -> bool {
    !path.contains("/doc/") && !path.contains("/t/") && !path.ends_with("/meta.json")
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
                .filter(|(path, _)| is_shard(path))
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
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn lowercase_is_the_librarys(text in "[a-zA-Z \u{3a3}\u{3c3}\u{130}\u{4e00}-\u{4e10}\u{c0}-\u{17f}\u{2019}]{0,24}") {
            prop_assert_eq!(lowercase(&text), text.to_lowercase());
        }
    }

    proptest! {
        // Texts of any bytes JSON escapes or not (quotes, backslashes, control characters, long
        // runs past a block, CJK), with and without `lang`.
        #[test]
        fn documents_are_written_as_serde_json_writes_them(
            texts in prop::collection::vec("[a-z\"\\\\\u{0}-\u{1f}\u{7f}\u{4e00}\u{2028} ]{0,80}", 7),
            lang in any::<bool>(),
        ) {
            let doc = Doc {
                title: &texts[0],
                url: texts[1].clone(),
                summary: &texts[2],
                text: &texts[3],
                also: vec![&texts[4], &texts[5]],
                lang: lang.then_some((texts[6].as_str(), "English")),
            };
            let empty = Doc { also: Vec::new(), lang: None, ..doc.clone() };
            let docs = [&doc, &empty];
            prop_assert_eq!(docs_json(&docs), serde_json::to_vec(&docs).unwrap());
        }
    }

    proptest! {
        #[test]
        fn packed_is_the_bytes_then_zeros(t in "[a-z0-9\u{e9}\u{4e00}-\u{4e10}]{0,9}") {
            let bytes = t.as_bytes();
            let want = (bytes.len() <= 8).then(|| {
                let mut b = [0; 8];
                b[..bytes.len()].copy_from_slice(bytes);
                u64::from_le_bytes(b)
            });
            prop_assert_eq!(packed(&t), want);
        }
    }

    proptest! {
        #[test]
        fn a_list_is_its_gaps_and_scores(mut docs in prop::collection::vec((0u32..200_000, 0u32..1_000), 0..40)) {
            docs.sort_by_key(|d| d.0);
            docs.dedup_by_key(|d| d.0);
            let mut last = 0;
            let numbers: Vec<String> = docs
                .iter()
                .flat_map(|&(doc, score)| {
                    let gap = doc - std::mem::replace(&mut last, doc);
                    [gap.to_string(), score.to_string()]
                })
                .collect();
            let mut out = b"x".to_vec();
            write_list(&mut out, &docs);
            prop_assert_eq!(String::from_utf8(out).unwrap(), format!("x[{}]", numbers.join(",")));
        }
    }

    #[test]
    fn what_lowercase_skips_has_no_case() {
        for c in '\u{3000}'..='\u{9fff}' {
            assert!(c.to_lowercase().eq([c]), "{c}");
            assert_eq!(c.len_utf8(), 3);
        }
    }

    proptest! {
        #[test]
        fn char_at_decodes_as_chars_does(text in "[a-z\u{e9}\u{3000}-\u{3010}\u{4e00}-\u{4e10}\u{ff01}\u{1f600}]{1,12}") {
            let mut i = 0;
            for c in text.chars() {
                prop_assert_eq!(char_at(&text, i), (c, c.len_utf8()));
                i += c.len_utf8();
            }
        }
    }

    #[test]
    fn is_alphanumeric_is_the_librarys() {
        for block in [0x2000, 0x3000, 0xff00, 0x40, 0x4e00] {
            for c in (block..block + 64).filter_map(char::from_u32) {
                assert_eq!(
                    is_alphanumeric(c),
                    c.is_alphanumeric(),
                    "{c} U+{:04X}",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn lowercase_keeps_a_final_sigma_and_a_dotted_capital_i() {
        for text in ["ΟΔΟΣ ΟΔΟΣ.", "Σ", "İstanbul 河南 Ärger’s"] {
            assert_eq!(lowercase(text), text.to_lowercase());
        }
    }

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
