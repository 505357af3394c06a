//! `cargo bench --bench engine_state`: what the engine's `apply` costs per kind of edit on the
//! 15,000-file corpus, and what publishing it in place costs (issue 18: `serve` edit → served
//! in < 100 ms). `build` after an edit (the engine kept in the build cache, restored, applied,
//! published and kept again) is measured by `cargo bench --bench build`.
//!
//! Write the corpus first (`HS_BENCH_CORPUS_ONLY=1 cargo bench --bench build`, same
//! `HS_BENCH_DIR`): this builds it in memory with `Incremental`, compiles the templates (a
//! restored engine compiles them), then edits a region page's title, then only its body, and
//! the same of an event page; times `Incremental::apply` by stage, and publishing each change
//! in place into the site's `public/` when a build made one.
//!
//! Uses the binary's allocator. Medians of 5 (6 for the edits, half of them undoing).

mod corpus;

use henan_stories::incremental::{Delta, Incremental};
use henan_stories::output::publish_in_place;
use henan_stories::pipeline::Options;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    let tera = median_ms(5, || drop(henan_stories::templates::load(&site)));
    println!("templates compiled in {tera:.1} ms");
    let page = site.join(format!("content/regions/{}.en.md", corpus::region_key(123)));
    edits(&mut engine, &site, &page, "region");
    let page = site.join(format!("content/events/{}.en.md", corpus::event_key(61)));
    edits(&mut engine, &site, &page, "event");
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
