//! `henan-stories build`: publish the site, or report every problem and publish nothing.

use crate::build;
use crate::diagnostics::{self, report};
use crate::pipeline::Options;
use anyhow::Context;
use std::fmt::Write as _;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Print the time each stage took.
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
    let progress = Progress::new(started);
    let result = build::build_and_write_with(&options, &out, &|| progress.tick());
    progress.clear();
    let (built, sync) = match result {
        Ok(done) => done,
        Err(failed) => {
            report(&failed.diagnostics);
            return Ok(ExitCode::FAILURE);
        }
    };
    report(&built.diagnostics);
    let mut summary = String::new();
    let mut per_lang: Vec<String> = Vec::new();
    for lang in built.site.config.codes() {
        let n = built
            .outputs
            .iter()
            .filter(|o| o.path.starts_with(&format!("{lang}/")) && o.path.ends_with(".html"))
            .count();
        per_lang.push(format!("{lang} {n}"));
    }
    let _ = writeln!(
        summary,
        "Built {} pages ({}) in {} ms: {} written, {} unchanged, {} removed, {} → {}",
        built
            .outputs
            .iter()
            .filter(|o| o.path.ends_with(".html"))
            .count(),
        per_lang.join(", "),
        started.elapsed().as_millis(),
        sync.written,
        sync.unchanged,
        sync.removed,
        human_bytes(sync.bytes),
        out.display()
    );
    // The outputs' bytes went to disk as they were rendered (`built` keeps only their paths):
    // sizes are read back from the published folder.
    let published = |path: &str| std::fs::metadata(out.join(path)).map_or(0, |m| m.len());
    let lengths: Vec<(&str, usize)> = built
        .outputs
        .iter()
        .filter(|o| o.path.contains(crate::search::INDEX_DIR))
        .map(|o| (o.path.as_str(), published(&o.path) as usize))
        .collect();
    let index: Vec<String> = crate::search::sizes(&lengths, built.site.config.codes())
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
    let _ = writeln!(summary, "{}", page_weight(&built.outputs, published));
    if args.verbose {
        for lap in &built.timings {
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
    diagnostics::print(&summary).context("writing the summary to stdout")?;
    Ok(ExitCode::SUCCESS)
}

/// What a page loads besides its HTML: the theme's stylesheet and script everywhere, plus the
/// code stylesheet on pages with highlighted code and the search script on the search page.
/// Everything is local: no fonts or CDNs.
fn page_weight(outputs: &[crate::output::Output], published: impl Fn(&str) -> u64) -> String {
    let size = |name: &str| {
        outputs
            .iter()
            .find(|o| o.path == name)
            .map_or(0, |o| published(&o.path))
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
