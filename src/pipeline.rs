//! The stages of a build that the full build (`build`) and the incremental engine
//! (`incremental`) share: options, loading the model and templates, rendering every output in
//! memory, and the whole-site checks. Nothing here writes to the output folder.

use crate::check::{self, ExternalRef};
use crate::config::Config;
use crate::content::{self, LoadOptions, Site};
use crate::dates::PartialDate;
use crate::diagnostics::{self, Diagnostic, Kind};
use crate::files;
use crate::layout::CONFIG_FILE;
use crate::markdown::Bodies;
use crate::output::Output;
use crate::producers::{self, Claim, Made, Model, Producer, Work, PRODUCERS};
use crate::templates::{self, Templates};
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

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

/// A static file of the site read into an output.
pub fn read_static(path: String, source: &Path) -> Result<Output, Diagnostic> {
    let bytes = files::read(source).map_err(|e| {
        Diagnostic::error(
            Kind::Io,
            format!("{}/{path}", crate::layout::STATIC_DIR),
            format!("{e:#}"),
        )
    })?;
    Ok(Output::new(path, bytes))
}

pub fn load_config(root: &Path) -> Result<Config, Vec<Diagnostic>> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        let message = format!("cannot read {}: {e}", path.display());
        vec![if e.kind() == std::io::ErrorKind::NotFound {
            Diagnostic::error(Kind::Config, CONFIG_FILE, message)
                .with_hint("a site folder needs a site.toml with at least base_url = \"https://example.org/\"; pass --root DIR if the site is elsewhere")
        } else {
            // The system's refusal (no file handles left, say), not a mistake in the file.
            Diagnostic::error(Kind::Io, CONFIG_FILE, message)
        }]
    })?;
    Config::parse(&text)
}

/// The site model and compiled templates, with the diagnostics found loading them (errors
/// among them when the model is whole enough to render on and find more).
pub(crate) struct Loaded {
    pub site: Site,
    pub tera: Templates,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn fail(mut diagnostics: Vec<Diagnostic>, site: Option<Site>) -> Failed {
    diagnostics::sort(&mut diagnostics);
    Failed {
        diagnostics,
        site,
        external_links: Vec::new(),
    }
}

/// The site's configuration, with `--base-url` applied.
pub(crate) fn config(options: &Options) -> Result<Config, Failed> {
    let mut config = load_config(&options.root).map_err(|ds| fail(ds, None))?;
    if let Some(url) = &options.base_url {
        config
            .set_base_url(url)
            .map_err(|m| fail(vec![Diagnostic::error(Kind::Config, "--base-url", m)], None))?;
    }
    Ok(config)
}

/// Loads the configuration, the content and the templates.
/// With a `cache`, content files unchanged since it was filled are not read again.
pub(crate) fn load(
    options: &Options,
    cache: Option<&mut content::SourceCache>,
) -> Result<Loaded, Failed> {
    let config = config(options)?;
    // Compiling the templates needs no content: it overlaps reading it.
    let ((loaded, outside), tera) = rayon::join(
        || {
            let loaded = content::load(&options.root, config, &options.load(), cache);
            (loaded, files::problems_outside_content(&options.root))
        },
        || templates::load(&options.root),
    );
    let mut diags = loaded.diagnostics;
    diags.extend(outside);
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

/// Every producer's outputs, tagged with who made them; failures go to `diags`. The lap
/// "markdown and templates" ends when the pages are made.
pub(crate) fn produce(
    model: &Model,
    work: &mut Work,
    diags: &mut Vec<Diagnostic>,
    clock: &mut Stopwatch,
) -> Vec<(Producer, Vec<Output>)> {
    let pages = PRODUCERS
        .iter()
        .position(|p| *p == Producer::Pages)
        .expect("pages are produced");
    // The producers before the pages read only the model, so the pages are made beside them:
    // their serial tails (each special page is rendered on one core) overlap the pages' work
    // instead of holding it back with a core idle, which grew with the site (a 150,000-page
    // site's timeline takes seconds).
    let sources = work.sources.take();
    let (mut results, (rendered, made)) = rayon::join(
        || at_once(model, &PRODUCERS[..pages], work),
        || producers::pages(model, sources, work),
    );
    if let Some(rendered) = rendered {
        work.bodies.pages = rendered;
    }
    results.push((Producer::Pages, made));
    diags.extend(body_diagnostics(&work.bodies));
    clock.lap("markdown and templates");
    results.extend(at_once(model, &PRODUCERS[pages + 1..], work));
    let mut failed = Vec::new();
    let made = (results.into_iter())
        .map(|(producer, results)| (producer, successes(results, &mut failed)))
        .collect();
    diags.extend(templates::merge_render_errors(failed));
    made
}

/// What each of `producers` made, in their order. They run at once, so that one producer's
/// serial tail (a timeline, a feed, one language's index) overlaps the others' work instead of
/// leaving a core idle.
fn at_once(model: &Model, producers: &[Producer], work: &Work) -> Vec<(Producer, Made)> {
    producers
        .par_iter()
        .map(|producer| (*producer, producer.produce(model, work)))
        .collect()
}

/// The outputs made; failures go to `failed`, for `templates::merge_render_errors` to report
/// once per template mistake however many pages and producers met it.
pub(crate) fn successes(
    results: Vec<Result<Output, Diagnostic>>,
    failed: &mut Vec<Diagnostic>,
) -> Vec<Output> {
    let mut outputs = Vec::with_capacity(results.len() + 16);
    for r in results {
        match r {
            Ok(o) => outputs.push(o),
            Err(d) => failed.push(d),
        }
    }
    outputs
}

/// Sorts what the producers `made` and runs the whole-site checks.
pub(crate) fn finish(
    options: &Options,
    site: Site,
    bodies: &Bodies,
    made: Vec<(Producer, Vec<Output>)>,
    mut diags: Vec<Diagnostic>,
) -> Result<Built, Failed> {
    let mut tagged: Vec<(Output, Producer)> = made
        .into_iter()
        .flat_map(|(by, outputs)| outputs.into_iter().map(move |o| (o, by)))
        .collect();
    tagged.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let claims: Vec<Claim> = tagged
        .iter()
        .map(|(o, by)| Claim {
            path: &o.path,
            by: *by,
        })
        .collect();
    diags.extend(producers::collisions(&options.root, &site, &claims));
    let outputs: Vec<Output> = tagged.into_iter().map(|(o, _)| o).collect();
    diags.extend(check::links(&options.root, &site, bodies, &outputs));
    diags.extend(check::missing_translations(&site));
    diags.extend(crate::tags::near_misses(
        &options.root,
        &site.config,
        &site.pages,
    ));
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
