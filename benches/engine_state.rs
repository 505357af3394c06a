//! `cargo bench --bench engine_state`: what keeping the `serve` engine's state between runs of
//! `build` would cost on the 15,000-file corpus (issue 18: `build` after a one-page edit in
//! <= 0.5 s), and what the engine's `apply` costs per kind of edit.
//!
//! Write the corpus first (`HS_BENCH_CORPUS_ONLY=1 cargo bench --bench build`, same
//! `HS_BENCH_DIR`): this builds it in memory with `Incremental`, then
//! - encodes and decodes with bincode, each part on its own, a stand-in of the state a same-shape
//!   edit needs: the model's types are not `Deserialize`, so each page, body and cached source
//!   becomes a list of the same strings and numbers (decoding costs an allocation a string, so
//!   it costs what the real types would), and the Markdown's HTML and search text, which
//!   re-rendering or reading on demand could replace, are measured apart; with SHA-1 over each;
//! - compiles the templates (Tera's are not serializable: a persisted engine compiles them);
//! - edits a region page's title, then only its body, and the same of an event page; times
//!   `Incremental::apply` by stage, and publishing each change in place into the site's
//!   `public/` when a build made one.
//!
//! Uses the binary's allocator. Medians of 5 (6 for the edits, half of them undoing).

mod corpus;

use henan_stories::content::Page;
use henan_stories::highlight::Highlighter;
use henan_stories::incremental::{Delta, Incremental};
use henan_stories::markdown::Rendered;
use henan_stories::output::publish_in_place;
use henan_stories::pipeline::Options;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha1::Digest;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// A page, body or cached source as its strings and numbers.
#[derive(Serialize, Deserialize, Default)]
struct Record {
    strings: Vec<String>,
    numbers: Vec<u64>,
}

/// A published file or source by path, with a stamp (size, times, inode) or a hash.
type Stamped = Vec<(String, [u64; 4])>;

fn main() {
    let base = std::env::var("HS_BENCH_DIR").unwrap_or_else(|_| "/dev/shm/henan-bench".into());
    let site = PathBuf::from(base).join("site");
    if !site.join("site.toml").is_file() {
        println!(
            "no corpus in {}: write it with HS_BENCH_CORPUS_ONLY=1 cargo bench --bench build",
            site.display()
        );
        return;
    }
    let options = Options::new(&site);
    let started = Instant::now();
    let Ok(mut engine) = Incremental::new(&options) else {
        panic!("the corpus does not build");
    };
    println!("engine built in {:.2?}", started.elapsed());
    measure_state(&engine);
    let tera = median_ms(5, || drop(henan_stories::templates::load(&site)));
    println!("templates compiled in {tera:.1} ms");
    let page = site.join(format!("content/regions/{}.en.md", corpus::region_key(123)));
    edits(&mut engine, &site, &page, "region");
    let page = site.join(format!("content/events/{}.en.md", corpus::event_key(61)));
    edits(&mut engine, &site, &page, "event");
}

/// Size, encode and decode time of each part of the stand-in state.
fn measure_state(engine: &Incremental) {
    let site = &engine.built().site;
    // The engine keeps its bodies to itself: rendered again here, as a full build does.
    let bodies = henan_stories::render::render_bodies(site, &Highlighter::default());
    let intros = site.sections.iter().filter_map(|s| s.index.as_ref());
    let pages: Vec<&Page> = site.pages.iter().chain(intros).collect();
    let bodies: Vec<&Rendered> = (bodies.pages.iter())
        .chain(bodies.sections.iter().flatten())
        .collect();
    println!(
        "{} documents, {} outputs",
        pages.len(),
        engine.files().len()
    );
    codec("pages", &pages.iter().map(|p| page_record(p)).collect());
    codec("bodies", &bodies.iter().map(|b| body_record(b)).collect());
    codec("sources", &pages.iter().map(|p| source_record(p)).collect());
    let outputs: Stamped = (engine.files().iter())
        .map(|o| (o.path.clone(), [o.bytes.len() as u64, 0, 0, 0]))
        .collect();
    codec("outputs", &outputs);
    codec("text", &bodies.iter().map(|b| b.text.clone()).collect());
    codec("html", &bodies.iter().map(|b| b.html.clone()).collect());
}

/// Prints the size of `value` in bincode and the median time to encode, decode and hash it.
fn codec<T: Serialize + DeserializeOwned>(name: &str, value: &Vec<T>) {
    let bytes = bincode::serialize(value).expect("encodes");
    let encode = median_ms(5, || drop(bincode::serialize(value)));
    let decode = median_ms(5, || {
        drop(bincode::deserialize::<Vec<T>>(&bytes).expect("decodes"))
    });
    let sha1 = median_ms(5, || {
        std::hint::black_box(sha1::Sha1::digest(&bytes));
    });
    println!(
        "  {name:<8} {:>6.1} MB  encode {encode:>6.1} ms  decode {decode:>6.1} ms  SHA-1 {sha1:>6.1} ms",
        bytes.len() as f64 / 1e6
    );
}

/// What a same-shape edit needs of a page: its names, paths and front matter.
fn page_record(p: &Page) -> Record {
    let f = &p.front;
    let mut r = Record::default();
    r.strings.extend(
        [
            &p.file, &p.lang, &p.dir, &p.key, &p.id, &p.slug, &p.path, &f.title,
        ]
        .map(String::clone),
    );
    r.strings
        .extend(f.summary.iter().chain(&f.tags).chain(&f.country).cloned());
    leaves(
        &serde_json::to_value(&f.neutral).expect("plain data"),
        &mut r.strings,
    );
    leaves(
        &serde_json::to_value(&f.extra).expect("plain data"),
        &mut r.strings,
    );
    r.numbers
        .extend([p.body_line, p.body_start].map(|n| n as u64));
    for (key, line) in &f.lines {
        r.strings.push(key.clone());
        r.numbers.push(*line as u64);
    }
    r
}

/// What the checks, cards and lists read of a body: headings, links, summary, counts.
fn body_record(b: &Rendered) -> Record {
    let mut r = Record::default();
    r.strings.push(b.first_paragraph.clone());
    r.strings.extend(b.cover.clone());
    r.numbers
        .extend([b.words, b.cjk_chars, b.has_code as usize].map(|n| n as u64));
    for h in &b.toc {
        r.strings.extend([h.id.clone(), h.title.clone()]);
        r.numbers.push(h.level.into());
    }
    for l in &b.links {
        r.strings.extend([l.path.clone(), l.written.clone()]);
        r.strings.extend(l.anchor.clone());
        r.numbers.extend([l.at.offset as u64, 0, 0, 0]);
    }
    for l in &b.external {
        r.strings.push(l.url.clone());
        r.numbers.extend([l.at.offset as u64, 0, 0]);
    }
    r.strings.extend(b.media.iter().map(|m| format!("{m:?}")));
    r
}

/// A cached source: its path and stamp, and its own language-neutral fields.
fn source_record(p: &Page) -> Record {
    let mut r = Record {
        strings: vec![p.file.clone()],
        numbers: vec![0; 4],
    };
    leaves(
        &serde_json::to_value(&p.front.neutral).expect("plain data"),
        &mut r.strings,
    );
    r
}

/// The keys and strings in `value`.
fn leaves(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| leaves(x, out)),
        serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k.clone());
            leaves(x, out)
        }),
        _ => {}
    }
}

/// `apply` after a title edit and after a body-only edit of `page`, each done and undone.
/// With the time to publish each change in place into the site's `public/` when a build made
/// it.
fn edits(engine: &mut Incremental, site: &Path, page: &Path, kind: &str) {
    let original = std::fs::read_to_string(page).expect("the corpus has the page");
    let title = original.replacen("title: \"", "title: \"Edited ", 1);
    let body = format!("{original}\nOne more line.\n");
    for (what, edited) in [("title", title), ("body", body)] {
        let (mut took, mut published) = (Vec::new(), Vec::new());
        let mut outputs = 0;
        for run in 0..6 {
            std::fs::write(page, if run % 2 == 0 { &edited } else { &original }).unwrap();
            let started = Instant::now();
            let Ok(delta) = engine.apply(&[page.to_path_buf()]) else {
                panic!("the edit fails");
            };
            took.push(started.elapsed().as_secs_f64() * 1e3);
            assert!(!delta.full, "the edit keeps the site's shape");
            outputs = outputs.max(delta.changed.len() + delta.removed.len());
            published.extend(publish(engine, &delta, site));
        }
        let laps: Vec<String> = (engine.built().timings.iter())
            .map(|l| format!("{} {:.1} ms", l.stage, l.took.as_secs_f64() * 1e3))
            .collect();
        println!(
            "apply after {kind} {what} edit: {:.1} ms ({outputs} outputs changed); last by stage: {}",
            median(took),
            laps.join(", ")
        );
        if !published.is_empty() {
            println!("  published in place: {:.1} ms", median(published));
        }
    }
    std::fs::write(page, original).unwrap();
}

/// Milliseconds to publish `delta` in place into `site/public`, when there is one.
fn publish(engine: &Incremental, delta: &Delta, site: &Path) -> Option<f64> {
    let out = site.join("public");
    if !out.is_dir() {
        return None;
    }
    let changed: Vec<_> = (delta.changed.iter())
        .map(|path| engine.output(path).expect("changed outputs exist").clone())
        .collect();
    let marker = site.join(".cache/build/publishing");
    let started = Instant::now();
    publish_in_place(&out, &marker, &changed, &delta.removed).expect("publishes");
    Some(started.elapsed().as_secs_f64() * 1e3)
}

fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let took = (0..runs).map(|_| {
        let started = Instant::now();
        f();
        started.elapsed().as_secs_f64() * 1e3
    });
    median(took.collect())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
