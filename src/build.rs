//! The build pipeline: load → validate → render → (only if all of that succeeded) write.

use crate::check::{self, ExternalRef};
use crate::config::{Config, CONFIG_FILE};
use crate::content::{self, LoadOptions, Page, Site};
use crate::dates::PartialDate;
use crate::diagnostics::{self, Diagnostic};
use crate::highlight::{self, Highlighter};
use crate::markdown::Rendered;
use crate::output::{self, SyncReport};
use crate::render::{self, Bodies, Output, Renderer};
use crate::templates::Templates;
use crate::{feeds, search, special, templates};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Pages every language gets besides its content: `/<lang>/<name>/`.
pub const SPECIAL_PAGES: [&str; 3] = ["timeline", "map", "search"];

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    pub build_date: PartialDate,
}

impl Options {
    /// What loading the content needs of these options.
    pub(crate) fn load(&self) -> LoadOptions {
        LoadOptions {
            drafts: self.drafts,
            build_date: self.build_date,
        }
    }

    pub fn new(root: impl Into<PathBuf>) -> Self {
        Options {
            root: root.into(),
            drafts: false,
            base_url: None,
            build_date: PartialDate::build_date(),
        }
    }
}

/// A successful in-memory build.
pub struct Built {
    pub site: Site,
    /// Sorted by path.
    pub outputs: Vec<Output>,
    /// Warnings only (a build with errors is a `Failed`).
    pub diagnostics: Vec<Diagnostic>,
    /// Links to other sites, for `check --external` (the build itself does not fetch them).
    pub external_links: Vec<ExternalRef>,
    pub timings: Vec<Lap>,
}

/// A build that found errors: every diagnostic, errors first.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
    /// The loaded site, when the errors came after loading (for `check`'s coverage report).
    pub site: Option<Site>,
    /// Links to other sites, when the content was rendered (for `check --external`).
    pub external_links: Vec<ExternalRef>,
}

/// One stage of a build: how long it took, and the process's peak memory when it ended.
#[derive(Debug, Clone)]
pub struct Lap {
    pub stage: &'static str,
    pub took: Duration,
    /// Peak resident memory so far, in bytes (Linux only): where it jumps is where memory goes.
    pub peak: Option<u64>,
}

pub(crate) struct Stopwatch {
    last: Instant,
    pub laps: Vec<Lap>,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            last: Instant::now(),
            laps: Vec::new(),
        }
    }

    pub fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push(Lap {
            stage,
            took: now - self.last,
            peak: peak_memory(),
        });
        self.last = now;
    }
}

/// The process's peak resident memory (`VmHWM`), where the system reports it.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

pub fn load_config(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        if e.kind() == std::io::ErrorKind::NotFound {
            Diagnostic::error("config", CONFIG_FILE, message)
                .with_hint("a site folder needs a site.toml with at least base_url = \"https://example.org/\"; pass --root DIR if the site is elsewhere")
        } else {
            // The system's refusal (no file handles left, say), not a mistake in the file.
            Diagnostic::error("io", CONFIG_FILE, message)
        }
    })?;
    Config::parse(&text)
}

/// Loads, validates and renders the whole site in memory; writes nothing.
pub fn build(options: &Options) -> Result<Built, Failed> {
    build_with(options, &Ok)
}

/// What becomes of each output as soon as it is rendered: `build` keeps it; `build_and_write`
/// stages it on disk and keeps only its path, so memory does not grow with the site's HTML.
pub type Sink<'s> = &'s (dyn Fn(Output) -> Result<Output, Diagnostic> + Sync);

fn build_with(options: &Options, sink: Sink) -> Result<Built, Failed> {
    let mut clock = Stopwatch::start();
    let Loaded {
        mut site,
        tera,
        mut diagnostics,
    } = load(options, None)?;
    clock.lap("load");
    let sources = site.take_sources();
    let highlighter = Highlighter::default();
    let renderer = Renderer::new(&site, &tera).with_sink(sink);
    let sections = render::section_bodies(&site, &highlighter, Vec::new());
    // Lists and special pages first, while no page body is held yet: the timeline's and the
    // map's contexts hold every region and event.
    let mut results = lists(&renderer, &sections);
    // Of the bodies' HTML, only the events' is read again: the feeds quote them whole.
    let (pages, page_results) = renderer.pages_from_markdown(sources, &highlighter, Page::is_event);
    results.extend(page_results);
    let bodies = Bodies { pages, sections };
    diagnostics.extend(body_diagnostics(&bodies));
    let outputs = successes(results, &mut diagnostics);
    clock.lap("markdown and templates");
    let finished = finish(options, site, &bodies, outputs, diagnostics, sink)?;
    clock.lap("feeds and checks");
    Ok(Built {
        timings: clock.laps,
        ..finished
    })
}

/// The site model and compiled templates, with the diagnostics found loading them (errors
/// among them when the model is whole enough to render on and find more).
pub(crate) struct Loaded {
    pub site: Site,
    pub tera: Templates,
    pub diagnostics: Vec<Diagnostic>,
}

fn fail(mut diagnostics: Vec<Diagnostic>, site: Option<Site>) -> Failed {
    diagnostics::sort(&mut diagnostics);
    Failed {
        diagnostics,
        site,
        external_links: Vec::new(),
    }
}

/// The site's configuration, with `--base-url` applied.
pub(crate) fn config(options: &Options) -> Result<Config, Failed> {
    let mut config = load_config(&options.root).map_err(|d| fail(vec![d], None))?;
    if let Some(url) = &options.base_url {
        config
            .set_base_url(url)
            .map_err(|m| fail(vec![Diagnostic::error("config", "--base-url", m)], None))?;
    }
    Ok(config)
}

/// Loads the configuration, the content and the templates.
/// With a `cache`, content files unchanged since it was filled are not read again.
pub(crate) fn load(
    options: &Options,
    cache: Option<&mut content::SourceCache>,
) -> Result<Loaded, Failed> {
    let loaded = content::load(&options.root, config(options)?, &options.load(), cache);
    let mut diags = loaded.diagnostics;
    let tera = templates::load(&options.root);
    // Go on past errors while the model is whole, so one run also finds the broken links.
    let renderable = loaded.whole || !diags.iter().any(Diagnostic::is_error);
    match (loaded.site, tera) {
        (Some(site), Ok(tera)) if renderable => Ok(Loaded {
            site,
            tera,
            diagnostics: diags,
        }),
        (site, tera) => {
            diags.extend(tera.err().unwrap_or_default());
            Err(fail(diags, site))
        }
    }
}

/// Warnings and errors found rendering Markdown, in page order.
pub(crate) fn body_diagnostics(bodies: &Bodies) -> impl Iterator<Item = Diagnostic> + '_ {
    bodies
        .pages
        .iter()
        .chain(bodies.sections.iter().flatten())
        .flat_map(|b| b.diagnostics.iter().cloned())
}

/// Every page, list, root and special page through its template; failures go to `diags`.
pub(crate) fn render_all(
    renderer: &Renderer,
    bodies: &Bodies,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Output> {
    let mut results = renderer.pages(&bodies.pages);
    results.extend(lists(renderer, &bodies.sections));
    successes(results, diags)
}

/// Section lists, the root pages and the special pages.
fn lists(renderer: &Renderer, sections: &[Option<Rendered>]) -> Vec<Result<Output, Diagnostic>> {
    let mut results = renderer.sections(sections);
    results.extend(special::render_all(renderer));
    results.extend(renderer.root_pages());
    results
}

/// The outputs made; failures go to `diags`, one per template mistake however many pages met it.
pub(crate) fn successes(
    results: Vec<Result<Output, Diagnostic>>,
    diags: &mut Vec<Diagnostic>,
) -> Vec<Output> {
    let mut outputs = Vec::with_capacity(results.len() + 16);
    let mut failed = Vec::new();
    for r in results {
        match r {
            Ok(o) => outputs.push(o),
            Err(d) => failed.push(d),
        }
    }
    diags.extend(templates::merge_render_errors(failed));
    outputs
}

/// Adds the files made without templates (search index, feeds, sitemap, code stylesheet,
/// static files) to the rendered `outputs`, sorts them, and runs the whole-site checks.
pub(crate) fn finish(
    options: &Options,
    site: Site,
    bodies: &Bodies,
    mut outputs: Vec<Output>,
    mut diags: Vec<Diagnostic>,
    sink: Sink,
) -> Result<Built, Failed> {
    let mut sunk = search::index_files(&site, bodies, sink);
    sunk.extend(machine_files(&site, bodies, sink));
    let mut extra = Vec::new();
    if check::documents(&site, bodies).any(|(_, b)| b.has_code) {
        extra.push(Output::new(highlight::STYLESHEET, highlight::stylesheet()));
    }
    match templates::static_files(&options.root) {
        Ok(files) => extra.extend(
            files
                .into_iter()
                .map(|(path, bytes)| Output { path, bytes }),
        ),
        Err(e) => diags.push(Diagnostic::error(
            "io",
            templates::STATIC_DIR,
            format!("{e:#}"),
        )),
    }
    sunk.par_extend(extra.into_par_iter().map(sink));
    outputs.extend(successes(sunk, &mut diags));
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    diags.extend(duplicate_outputs(&outputs));
    diags.extend(check::links(&options.root, &site, bodies, &outputs));
    diags.extend(check::missing_translations(&site));
    let external_links = check::external_links(&options.root, &site, bodies);
    if diags.iter().any(Diagnostic::is_error) {
        return Err(Failed {
            external_links,
            ..fail(diags, Some(site))
        });
    }
    diagnostics::sort(&mut diags);
    Ok(Built {
        site,
        outputs,
        diagnostics: diags,
        external_links,
        timings: Vec::new(),
    })
}

/// Builds and, only if the build succeeded, brings `out` in line with it. Outputs are staged
/// on disk as they are rendered (see `output::Stage`), so the returned `Built` has the paths
/// of its outputs but not their bytes.
pub fn build_and_write(options: &Options, out: &Path) -> Result<(Built, SyncReport), Failed> {
    build_and_write_with(options, out, &|| {})
}

/// `build_and_write`, calling `rendered` (from any thread) each time an output is ready: for a
/// progress display.
pub fn build_and_write_with(
    options: &Options,
    out: &Path,
    rendered: &(dyn Fn() + Sync),
) -> Result<(Built, SyncReport), Failed> {
    let failed = |e: anyhow::Error| Failed {
        diagnostics: vec![Diagnostic::error(
            "output",
            out.display().to_string(),
            format!("{e:#}"),
        )],
        site: None,
        external_links: Vec::new(),
    };
    // A folder that is not a site (`--root /typo`) is refused before any output folder is made.
    config(options)?;
    output::check_output_dir(&options.root, out).map_err(failed)?;
    let stage = output::Stage::new(out).map_err(failed)?;
    let put = |o: Output| {
        rendered();
        let path = o.path.clone();
        stage.put(o).map_err(|e| {
            Diagnostic::error(
                "output",
                out.join(&path).display().to_string(),
                format!("{e:#}"),
            )
        })
    };
    // On failure `stage` is dropped with the staged files, and `out` was never touched.
    let mut built = build_with(options, &put)?;
    let mut clock = Stopwatch::start();
    let report = stage.commit(&built.outputs).map_err(failed)?;
    clock.lap("publish");
    built.timings.extend(clock.laps);
    Ok((built, report))
}

/// Sitemap, feeds and robots.txt, each handed to `sink` as soon as it is made: the feeds quote
/// every event whole, so one at a time.
fn machine_files(site: &Site, bodies: &Bodies, sink: Sink) -> Vec<Result<Output, Diagnostic>> {
    // One group per page id or section folder: the versions of one page in each language.
    let mut groups: Vec<Vec<(String, String)>> = Vec::new();
    let mut index: HashMap<(bool, &str), usize> = HashMap::new();
    let pages = site
        .pages
        .iter()
        .map(|p| ((false, p.id.as_str()), &p.lang, &p.path));
    let sections = site
        .sections
        .iter()
        .map(|s| ((true, s.dir.as_str()), &s.lang, &s.path));
    for (key, lang, path) in pages.chain(sections) {
        let i = *index.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push((lang.clone(), path.clone()));
    }
    for name in SPECIAL_PAGES {
        groups.push(
            site.config
                .codes()
                .map(|l| (l.to_owned(), format!("/{l}/{name}/")))
                .collect(),
        );
    }
    groups.sort();
    let mut out = vec![
        sink(feeds::sitemap(site, &groups)),
        sink(feeds::robots(site)),
    ];
    out.extend(
        site.config
            .codes()
            .map(|l| sink(feeds::atom(site, bodies, l))),
    );
    out
}

/// A static file may not shadow a generated page.
fn duplicate_outputs(outputs: &[Output]) -> Vec<Diagnostic> {
    outputs
        .windows(2)
        .filter(|w| w[0].path == w[1].path)
        .map(|w| {
            Diagnostic::error(
                "url-collision",
                format!("{}/{}", templates::STATIC_DIR, w[0].path),
                format!("`{}` is also a page the site generates", w[0].path),
            )
        })
        .collect()
}
