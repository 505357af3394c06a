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
//! - `<shard>.json`: `{"token": [doc, score, doc, score, ...]}` for the tokens of one shard;
//!   words go to the shard named by their first `prefix` characters, CJK (and other non-ASCII)
//!   tokens to `_<n>` with n = first code point mod `buckets`;
//! - `doc/<n>.txt`: one document's plain text, loaded only for the results shown (snippets).

use crate::content::Site;
use crate::markdown::{is_cjk, Rendered};
use crate::render::{Bodies, Output};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Where a language's index lives, under `/<lang>/`.
pub const INDEX_DIR: &str = "search/index";
/// Bumped whenever the file format changes; the script refuses other versions.
pub const FORMAT_VERSION: u32 = 1;

const TITLE_WEIGHT: u32 = 10;
const META_WEIGHT: u32 = 3;
/// Body occurrences beyond this add nothing: a long page repeating a word is not more relevant.
const BODY_CAP: u32 = 20;
/// Shards aim at about this many bytes, so one query loads a few small files.
const SHARD_TARGET: usize = 8 * 1024;

/// One searchable document as the script shows it in the results.
#[derive(Debug, Clone, Serialize)]
pub struct Doc {
    pub title: String,
    pub url: String,
    /// The summary (or first paragraph), shown when the body has no match to quote.
    pub summary: String,
}

#[derive(Serialize)]
struct Meta<'a> {
    version: u32,
    lang: &'a str,
    stem: bool,
    prefix: usize,
    buckets: u32,
    shards: Vec<&'a str>,
    docs: &'a [Doc],
}

/// Whether a language's words are stemmed (English only: the stemmer is English).
pub fn stems(lang: &str) -> bool {
    lang == "en" || lang.starts_with("en-")
}

/// The tokens of `text`, in order, with repeats. `static/search.js` implements the same rules.
pub fn tokens(text: &str, stem_words: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut cjk: Vec<char> = Vec::new();
    for c in text.to_lowercase().chars().chain(std::iter::once(' ')) {
        if is_cjk(c) {
            flush_word(&mut word, stem_words, &mut out);
            cjk.push(c);
        } else {
            flush_cjk(&mut cjk, &mut out);
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush_word(&mut word, stem_words, &mut out);
            }
        }
    }
    out
}

fn flush_word(word: &mut String, stem_words: bool, out: &mut Vec<String>) {
    // Single letters come from possessives and initials ("Henan's", "J. Smith"): noise.
    if word.chars().nth(1).is_some() {
        out.push(if stem_words { stem(word) } else { word.clone() });
    }
    word.clear();
}

fn flush_cjk(run: &mut Vec<char>, out: &mut Vec<String>) {
    match run.len() {
        0 => {}
        1 => out.push(run[0].to_string()),
        _ => out.extend(run.windows(2).map(|w| w.iter().collect::<String>())),
    }
    run.clear();
}

/// English stemming: step 1 of Porter's algorithm (1980) — plurals (`-s`, `-es`, `-ies`),
/// `-ed` and `-ing` with their clean-ups, and a final `y` → `i` — so `anniversaries`,
/// `anniversary`, `visited` and `visiting` meet their base forms. The derivational steps 2–5 are
/// left out: they conflate more eagerly (`university` with `universe`) and the same code must be
/// repeated in the page script. Words with anything but ASCII letters are left as they are.
pub fn stem(word: &str) -> String {
    if word.len() <= 2 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return word.to_owned();
    }
    let mut w = word.as_bytes().to_vec();
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
            } else if ends_double_consonant(&w) && !matches!(w[w.len() - 1], b'l' | b's' | b'z') {
                w.pop();
            } else if measure(&w) == 1 && ends_cvc(&w) {
                w.push(b'e');
            }
        }
    }
    // Step 1c.
    if w.ends_with(b"y") && has_vowel(&w[..w.len() - 1]) {
        *w.last_mut().expect("ends with y") = b'i';
    }
    String::from_utf8(w).expect("ASCII stays ASCII")
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

/// The index files of every language, the languages in parallel.
pub fn index_files(site: &Site, bodies: &Bodies) -> Vec<Output> {
    let langs: Vec<&str> = site.config.codes().collect();
    langs
        .par_iter()
        .flat_map_iter(|lang| language_index(site, bodies, lang))
        .collect()
}

fn sources<'a>(site: &'a Site, bodies: &'a Bodies, lang: &str) -> Vec<Source<'a>> {
    let summary = |given: Option<&str>, body: &Rendered| {
        given.map_or_else(|| body.first_paragraph.clone(), str::to_owned)
    };
    let pages = site
        .pages
        .iter()
        .zip(&bodies.pages)
        .filter(|(p, _)| p.lang == lang)
        .map(|(p, body)| Source {
            doc: Doc {
                title: p.front.title.clone(),
                url: site.config.url(&p.path),
                summary: summary(p.front.summary.as_deref(), body),
            },
            title: &p.front.title,
            meta: p
                .front
                .summary
                .iter()
                .chain(&p.front.country)
                .chain(&p.front.tags)
                .map(String::as_str)
                .collect(),
            body,
        });
    let sections = site
        .sections
        .iter()
        .zip(&bodies.sections)
        .filter(|(s, _)| s.lang == lang)
        .filter_map(|(s, body)| Some((s, s.index.as_ref()?, body.as_ref()?)))
        .map(|(s, index, body)| Source {
            doc: Doc {
                title: index.front.title.clone(),
                url: site.config.url(&s.path),
                summary: summary(index.front.summary.as_deref(), body),
            },
            title: &index.front.title,
            meta: index.front.summary.iter().map(String::as_str).collect(),
            body,
        });
    pages.chain(sections).collect()
}

fn language_index(site: &Site, bodies: &Bodies, lang: &str) -> Vec<Output> {
    let stem_words = stems(lang);
    let sources = sources(site, bodies, lang);
    // token → doc → score
    let mut postings: BTreeMap<String, BTreeMap<usize, u32>> = BTreeMap::new();
    // Tokenizing is most of the work and each document's is independent: done in parallel,
    // then merged in document order, so the index is the same as a sequential pass.
    let scored: Vec<Vec<(String, u32)>> = sources
        .par_iter()
        .map(|s| {
            let mut body: BTreeMap<String, u32> = BTreeMap::new();
            for t in tokens(&s.body.text, stem_words) {
                *body.entry(t).or_default() += 1;
            }
            let mut scores: Vec<(String, u32)> = body
                .into_iter()
                .map(|(t, count)| (t, count.min(BODY_CAP)))
                .collect();
            scores.extend(
                tokens(s.title, stem_words)
                    .into_iter()
                    .map(|t| (t, TITLE_WEIGHT)),
            );
            for text in &s.meta {
                scores.extend(
                    tokens(text, stem_words)
                        .into_iter()
                        .map(|t| (t, META_WEIGHT)),
                );
            }
            scores
        })
        .collect();
    // Gathered in a hash map (a string comparison per token costs more than hashing), sorted
    // once at the end.
    let mut gathered: HashMap<String, BTreeMap<usize, u32>> = HashMap::new();
    for (n, scores) in scored.into_iter().enumerate() {
        for (token, score) in scores {
            *gathered.entry(token).or_default().entry(n).or_default() += score;
        }
    }
    postings.extend(gathered);
    let scheme = Scheme::fit(&postings);
    let mut shards: BTreeMap<String, BTreeMap<&str, Vec<u32>>> = BTreeMap::new();
    for (token, docs) in &postings {
        let flat = docs
            .iter()
            .flat_map(|(&d, &s)| [d as u32, s])
            .collect::<Vec<_>>();
        shards
            .entry(scheme.shard(token))
            .or_default()
            .insert(token, flat);
    }
    let dir = format!("{lang}/{INDEX_DIR}");
    let docs: Vec<Doc> = sources.iter().map(|s| s.doc.clone()).collect();
    let meta = Meta {
        version: FORMAT_VERSION,
        lang,
        stem: stem_words,
        prefix: scheme.prefix,
        buckets: scheme.buckets,
        shards: shards.keys().map(String::as_str).collect(),
        docs: &docs,
    };
    let mut out = vec![json_file(format!("{dir}/meta.json"), &meta)];
    out.extend(
        shards
            .iter()
            .map(|(name, tokens)| json_file(format!("{dir}/{name}.json"), tokens)),
    );
    out.extend(sources.iter().enumerate().map(|(n, s)| Output {
        path: format!("{dir}/doc/{n}.txt"),
        bytes: s.body.text.trim().as_bytes().to_vec(),
    }));
    out
}

fn json_file(path: String, value: &impl Serialize) -> Output {
    Output {
        path,
        bytes: serde_json::to_vec(value).expect("index data serializes"),
    }
}

/// How tokens map to shards: words by their first `prefix` characters, other tokens into
/// `buckets` groups by their first code point. Chosen per language from the index's size.
struct Scheme {
    prefix: usize,
    buckets: u32,
}

impl Scheme {
    fn fit(postings: &BTreeMap<String, BTreeMap<usize, u32>>) -> Scheme {
        let (mut words, mut others) = (0, 0);
        for (token, docs) in postings {
            // Roughly the serialized size of the entry.
            let size = token.len() + 6 + docs.len() * 6;
            if starts_ascii(token) {
                words += size;
            } else {
                others += size;
            }
        }
        // 36 first characters (a–z, 0–9) share the words; longer prefixes when that is too much.
        let prefix = if words / 36 > SHARD_TARGET { 2 } else { 1 };
        let buckets = (others / SHARD_TARGET + 1).next_power_of_two().min(256) as u32;
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
                .filter(|(path, _)| !path.contains("/doc/") && !path.ends_with("/meta.json"))
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
