//! `henan-stories build`: publish the site, or report every problem and publish nothing.

use crate::build;
use crate::build_cache::{self, Cache, Said, Verdict};
use crate::content::SourceCache;
use crate::diagnostics::{self, report, Diagnostic, Kind};
use crate::files::Stamp;
use crate::incremental::{self, Incremental, Kept};
use crate::output::{publish_in_place, Output, SyncReport};
use crate::pipeline::{Built, Lap, Options};
use crate::producers;
use anyhow::Context;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// Where to publish [default: public/ inside the site folder].
    #[arg(long)]
    output: Option<PathBuf>,
    /// Include pages marked `draft: true`.
    #[arg(long)]
    drafts: bool,
    /// Override site.toml's base_url, e.g. for a preview host.
    #[arg(long)]
    base_url: Option<String>,
    /// Build everything, neither reading nor writing the build cache (.cache/build/ in the
    /// site folder, which lets a build after no change skip rendering).
    #[arg(long)]
    no_cache: bool,
    /// Print the time each stage took, and why the build cache was not used.
    #[arg(long, short)]
    verbose: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| args.root.join("public"));
    let options = Options {
        drafts: args.drafts,
        base_url: args.base_url.clone(),
        ..Options::new(&args.root)
    };
    let started = std::time::Instant::now();
    let cache = (!args.no_cache).then(|| Cache::new(&options, &out));
    let mut sources = None;
    if let Some(cache) = &cache {
        match cache.verdict() {
            Verdict::Current(hit) => return up_to_date(&args, &out, hit, started),
            Verdict::Edited(edited) => {
                match update(&args, &options, &out, cache, edited, started) {
                    Ok(done) => return done,
                    Err(stamped) => sources = Some(stamped),
                }
            }
            Verdict::Stale(stamped, why) => {
                note(&args, &format!("building everything: {why:#}"));
                sources = stamped;
            }
        }
    }
    // Time spent asking the cache, for `--verbose`.
    let checked = started.elapsed();
    let progress = Progress::new(started);
    let keep = sources.is_some().then(SourceCache::default);
    let result = build::build_and_write_with(&options, &out, &|| progress.tick(), keep);
    progress.clear();
    let (built, sync, leftovers) = match result {
        Ok(done) => done,
        Err(failed) => {
            report(&failed.diagnostics);
            return Ok(ExitCode::FAILURE);
        }
    };
    report(&built.diagnostics);
    // The outputs' bytes went to disk as they were rendered (`built` keeps only their paths):
    // sizes are read back from the published folder.
    let stamped = build_cache::stamp_outputs(&out, &built.outputs);
    let done = Done::new(stamped, &built, sync, checked, built.timings.clone());
    let kept = leftovers.and_then(|l| {
        // The search index's sizes, from its shards as published (an edit reads back the
        // other files it needs).
        let paths = built.outputs.iter().map(|o| o.path.clone()).collect();
        let shards = incremental::published(&out, paths, crate::search::read_on_edit)?;
        let index = crate::search::Live::measure(&built.site, &l.bodies, &shards);
        Some(Kept::new(built.site, l.bodies, l.sources, index, l.arcs))
    });
    let save = cache.as_ref().zip(sources).map(|(c, s)| (c, s, kept));
    let summary = done.finish(&args, &out, save, started);
    diagnostics::print(&summary).context("writing the summary to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// A build that succeeded and published, as the cache saves it and the summary tells it.
struct Done {
    /// Every published file with its stamp.
    stamped: Vec<(String, Option<Stamp>)>,
    said: Said,
    sync: SyncReport,
    /// How long asking the cache took, before the build.
    checked: Duration,
    /// The build's stages.
    laps: Vec<Lap>,
}

impl Done {
    fn new(
        stamped: Vec<(String, Option<Stamp>)>,
        built: &Built,
        sync: SyncReport,
        checked: Duration,
        laps: Vec<Lap>,
    ) -> Done {
        let said = Said {
            languages: built.site.config.codes().map(str::to_owned).collect(),
            plain: diagnostics::report_text(&built.diagnostics, false, ""),
            coloured: diagnostics::report_text(&built.diagnostics, true, ""),
        };
        Done {
            stamped,
            said,
            sync,
            checked,
            laps,
        }
    }

    /// Saves the cache, with the engine to keep when there is one, and returns the summary.
    fn finish(
        self,
        args: &Args,
        out: &Path,
        save: Option<(&Cache, build_cache::Sources, Option<Kept>)>,
        started: Instant,
    ) -> String {
        let saving = Instant::now();
        let published: Vec<(String, u64)> = (self.stamped.iter())
            .map(|(path, stamp)| (path.clone(), stamp.map_or(0, |s| s.len)))
            .collect();
        let languages = self.said.languages.clone();
        if let Some((cache, sources, kept)) = save {
            let saved = (cache.published_whole())
                .and_then(|()| cache.save(sources, &self.stamped, self.said, kept.as_ref()));
            if let Err(e) = saved {
                note(args, &format!("the build cache was not saved: {e:#}"));
            }
            // `build` ends right after the summary: the engine (the whole site model, millions
            // of allocations) is left for the process's end to release at once instead of
            // freed piece by piece, ~25 ms of an edit's build on the benchmark corpus.
            std::mem::forget(kept);
        }
        let saved = saving.elapsed();
        let mut summary = summary(&published, &languages, &self.sync, started, out);
        if args.verbose {
            let check = lap("cache check", self.checked);
            let save = lap("cache save", saved);
            let laps = [&check].into_iter().chain(&self.laps).chain([&save]);
            timings(&mut summary, laps);
        }
        summary
    }
}

/// A stage that has no peak memory to tell.
fn lap(stage: &'static str, took: Duration) -> Lap {
    Lap {
        stage,
        took,
        peak: None,
    }
}

/// Brings the published site up to date with the engine the last build kept, when only
/// pages' Markdown changed and the edit keeps the site's shape; what `run` returns. Gives
/// back the sources' stamps when a full build is needed instead: the engine cannot make the
/// edit (a page added, a slug changed), or the edit has errors, which the full build reports
/// as usual.
fn update(
    args: &Args,
    options: &Options,
    out: &Path,
    cache: &Cache,
    edited: Box<build_cache::Edited>,
    started: Instant,
) -> Result<anyhow::Result<ExitCode>, build_cache::Sources> {
    let build_cache::Edited {
        kept,
        changed,
        outputs,
        sources,
    } = *edited;
    let fail = |why: &str, sources| {
        note(args, &format!("building everything: {why}"));
        Err(sources)
    };
    let checked = started.elapsed();
    let paths = outputs.iter().map(|(path, _)| path.clone()).collect();
    let Some(engine) = Incremental::restore(options, kept, out, paths) else {
        return fail("the last build's engine could not be restored", sources);
    };
    let restored = started.elapsed();
    let paths: Vec<PathBuf> = changed.iter().map(|p| options.root.join(p)).collect();
    let (engine, delta) = match engine.apply_same_shape(&paths) {
        Ok(Some(done)) => done,
        Ok(None) => return fail("the edit changed more than pages' text", sources),
        Err(failed) => {
            let unread = (failed.diagnostics.iter()).find(|d| d.message == producers::UNREAD);
            let why = unread.map_or("the edit has errors".to_owned(), |d| {
                format!("{} (`{}`)", producers::UNREAD, d.file)
            });
            return fail(&why, sources);
        }
    };
    let applied = started.elapsed();
    let fresh: Vec<Output> = (delta.changed.iter())
        .filter_map(|path| engine.output(path).cloned())
        .collect();
    let sync = match publish_in_place(out, &cache.publishing_marker(), &fresh, &delta.removed) {
        Ok(sync) => sync,
        Err(e) => {
            let path = out.display().to_string();
            report(&[Diagnostic::error(Kind::Output, path, format!("{e:#}"))]);
            return Ok(Ok(ExitCode::FAILURE));
        }
    };
    report(engine.diagnostics());
    let mut laps = vec![lap("restore engine", restored - checked)];
    laps.extend(engine.built().timings.iter().cloned());
    laps.push(lap("publish in place", started.elapsed() - applied));
    let stamped = build_cache::restamp(out, engine.files(), &outputs, &delta.changed);
    let sync = SyncReport {
        unchanged: stamped.len().saturating_sub(sync.written),
        bytes: stamped.iter().map(|(_, s)| s.map_or(0, |s| s.len)).sum(),
        ..sync
    };
    let done = Done::new(stamped, engine.built(), sync, checked, laps);
    let save = Some((cache, sources, engine.keep()));
    let summary = done.finish(args, out, save, started);
    let printed = diagnostics::print(&summary).context("writing the summary to stdout");
    Ok(printed.map(|()| ExitCode::SUCCESS))
}

/// What `build` says when the cache shows that the published site is current: the last
/// build's warnings and summary, with nothing loaded, rendered or written.
fn up_to_date(
    args: &Args,
    out: &Path,
    hit: build_cache::Hit,
    started: std::time::Instant,
) -> anyhow::Result<ExitCode> {
    let said = &hit.said;
    diagnostics::eprint(if diagnostics::use_colour() {
        &said.coloured
    } else {
        &said.plain
    });
    let sync = SyncReport {
        unchanged: hit.outputs.len(),
        bytes: hit.outputs.iter().map(|(_, n)| n).sum(),
        ..SyncReport::default()
    };
    let mut summary = summary(&hit.outputs, &said.languages, &sync, started, out);
    let _ = writeln!(
        summary,
        "Nothing changed since the last build (remembered in {}/; --no-cache builds everything)",
        build_cache::CACHE_DIR
    );
    if args.verbose {
        timings(&mut summary, [&lap("cache check", started.elapsed())]);
    }
    diagnostics::print(&summary).context("writing the summary to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// One line per stage: its time, and the peak memory after it when known.
fn timings<'a>(summary: &mut String, laps: impl IntoIterator<Item = &'a Lap>) {
    for lap in laps {
        let peak = lap
            .peak
            .map(|b| format!(", peak memory {}", human_bytes(b)))
            .unwrap_or_default();
        let _ = writeln!(
            summary,
            "  {:<22} {:>8.1} ms{peak}",
            lap.stage,
            lap.took.as_secs_f64() * 1000.0
        );
    }
}

/// A note about the build cache, shown with `--verbose`.
fn note(args: &Args, text: &str) {
    if args.verbose {
        diagnostics::eprint(&format!("note: {text}\n"));
    }
}

/// The summary: pages per language, what publishing did, the search index and the page weight.
/// `published` holds every output's path and size, sorted by path.
fn summary(
    published: &[(String, u64)],
    languages: &[String],
    sync: &SyncReport,
    started: std::time::Instant,
    out: &Path,
) -> String {
    let mut summary = String::new();
    let html = |(path, _): &&(String, u64)| path.ends_with(".html");
    let per_lang: Vec<String> = (languages.iter())
        .map(|lang| {
            let dir = format!("{lang}/");
            let n = (published.iter().filter(html))
                .filter(|(path, _)| path.starts_with(&dir))
                .count();
            format!("{lang} {n}")
        })
        .collect();
    let _ = writeln!(
        summary,
        "Built {} pages ({}) in {} ms: {} written, {} unchanged, {} removed, {} → {}",
        published.iter().filter(html).count(),
        per_lang.join(", "),
        started.elapsed().as_millis(),
        sync.written,
        sync.unchanged,
        sync.removed,
        human_bytes(sync.bytes),
        out.display()
    );
    let lengths: Vec<(&str, usize)> = published
        .iter()
        .filter(|(path, _)| path.contains(crate::search::INDEX_DIR))
        .map(|(path, n)| (path.as_str(), *n as usize))
        .collect();
    let codes = languages.iter().map(String::as_str);
    let index: Vec<String> = crate::search::sizes(&lengths, codes)
        .iter()
        .map(|s| {
            format!(
                "{} {} in {} files (meta {}, largest shard {})",
                s.lang,
                human_bytes(s.bytes as u64),
                s.files,
                human_bytes(s.meta as u64),
                human_bytes(s.largest_shard as u64)
            )
        })
        .collect();
    let _ = writeln!(summary, "Search index: {}", index.join("; "));
    let _ = writeln!(summary, "{}", page_weight(published));
    summary
}

/// What a page loads besides its HTML: the theme's stylesheet and script everywhere, plus the
/// code stylesheet on pages with highlighted code and the search script on the search page.
/// Everything is local: no fonts or CDNs.
fn page_weight(published: &[(String, u64)]) -> String {
    let size = |name: &str| {
        published
            .binary_search_by(|(path, _)| path.as_str().cmp(name))
            .map_or(0, |i| published[i].1)
    };
    let every_page = size("style.css") + size("site.js");
    let mut line = format!(
        "Each page loads {} of CSS and JS (style.css + site.js)",
        human_bytes(every_page)
    );
    for (extra, pages) in [
        ("syntax.css", "pages with code"),
        ("search.js", "the search page"),
    ] {
        let bytes = size(extra);
        if bytes > 0 {
            line.push_str(&format!(
                ", {} with {extra} on {pages}",
                human_bytes(every_page + bytes)
            ));
        }
    }
    line
}

pub fn human_bytes(n: u64) -> String {
    match n {
        0..=9_999 => format!("{n} B"),
        10_000..=9_999_999 => format!("{:.1} kB", n as f64 / 1000.0),
        _ => format!("{:.1} MB", n as f64 / 1e6),
    }
}

/// A count of rendered files on a terminal, for builds that take more than a moment: hidden
/// for the first 300 ms and when stderr is not a terminal, cleared before the summary line.
struct Progress {
    bar: indicatif::ProgressBar,
    started: std::time::Instant,
    terminal: bool,
    shown: std::sync::atomic::AtomicBool,
}

impl Progress {
    fn new(started: std::time::Instant) -> Self {
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} rendering: {pos} files")
                .expect("a valid template"),
        );
        Progress {
            bar,
            started,
            terminal: std::io::stderr().is_terminal(),
            shown: false.into(),
        }
    }

    fn tick(&self) {
        use std::sync::atomic::Ordering;
        self.bar.inc(1);
        if self.terminal
            && !self.shown.load(Ordering::Relaxed)
            && self.started.elapsed() > std::time::Duration::from_millis(300)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(indicatif::ProgressDrawTarget::stderr());
            self.bar
                .enable_steady_tick(std::time::Duration::from_millis(100));
        }
    }

    fn clear(&self) {
        self.bar.finish_and_clear();
    }
}
