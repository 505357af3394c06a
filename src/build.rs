//! The full build: load → validate → render → (only if all of that succeeded) write. The
//! orchestrator that the commands call; the stages it runs are in `pipeline`.

use crate::content::SourceCache;
use crate::diagnostics::{Diagnostic, Kind};
use crate::highlight::Highlighter;
use crate::map::KeptArcs;
use crate::markdown::Bodies;
use crate::output::{self, Output, Sinks, SyncReport};
use crate::pipeline::{
    config, finish, load, produce, read_static, Built, Failed, Loaded, Options, Stopwatch,
};
use crate::producers::{Model, Work};
use crate::render::{self, Renderer};
use std::path::Path;

/// Loads, validates and renders the whole site in memory; writes nothing.
pub fn build(options: &Options) -> Result<Built, Failed> {
    let sinks = Sinks {
        output: &Ok,
        file: &read_static,
    };
    build_with(options, sinks, None).map(|(built, ..)| built)
}

/// What a full build leaves for the build cache to keep its engine from (`incremental::Kept`).
pub struct Leftovers {
    pub bodies: Bodies,
    pub sources: SourceCache,
    pub arcs: KeptArcs,
}

/// The build, with the Markdown and the map's arcs; `sources` is filled with the content
/// files as read.
fn build_with(
    options: &Options,
    sinks: Sinks,
    mut sources: Option<&mut SourceCache>,
) -> Result<(Built, Bodies, KeptArcs), Failed> {
    let mut clock = Stopwatch::start();
    let Loaded {
        mut site,
        tera,
        mut diagnostics,
    } = load(options, sources.as_deref_mut())?;
    if let Some(sources) = sources {
        // Before the site lets its sources go: what the site holds is not kept twice.
        sources.hollow(&site);
    }
    clock.lap("load");
    let highlighter = Highlighter::default();
    // Page sources are rendered by `Producer::Pages` and let go one by one; of the Markdown,
    // only the section intros' is rendered before the lists.
    let mut work = Work {
        sources: Some(site.take_sources()),
        bodies: Bodies {
            pages: Vec::new(),
            sections: render::section_bodies(&site, &highlighter, Vec::new()),
        },
    };
    let renderer = Renderer::new(&site, &tera).with_sink(sinks.output);
    let model = Model {
        root: &options.root,
        renderer: &renderer,
        highlighter: &highlighter,
        sinks,
        background: None,
    };
    let made = produce(&model, &mut work, &mut diagnostics, &mut clock);
    let arcs = renderer.into_arcs().unwrap_or_default();
    let finished = finish(options, site, &work.bodies, made, diagnostics)?;
    clock.lap("feeds and checks");
    let built = Built {
        timings: clock.laps,
        ..finished
    };
    Ok((built, work.bodies, arcs))
}

/// Builds and, only if the build succeeded, brings `out` in line with it. Outputs are staged
/// on disk as they are rendered (see `output::Stage`), so the returned `Built` has the paths
/// of its outputs but not their bytes.
pub fn build_and_write(options: &Options, out: &Path) -> Result<(Built, SyncReport), Failed> {
    build_and_write_with(options, out, &|| {}, None).map(|(built, report, _)| (built, report))
}

/// `build_and_write`, calling `rendered` (from any thread) each time an output is ready: for a
/// progress display. With `sources` (filled as `build_with` does), also what the build cache
/// keeps.
pub fn build_and_write_with(
    options: &Options,
    out: &Path,
    rendered: &(dyn Fn() + Sync),
    sources: Option<SourceCache>,
) -> Result<(Built, SyncReport, Option<Leftovers>), Failed> {
    let failed = |e: anyhow::Error| Failed {
        diagnostics: vec![Diagnostic::error(
            Kind::Output,
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
    let staging_failed = |path: &str, e: anyhow::Error| {
        Diagnostic::error(
            Kind::Output,
            out.join(path).display().to_string(),
            format!("{e:#}"),
        )
    };
    let put = |o: Output| {
        rendered();
        let path = o.path.clone();
        stage.put(o).map_err(|e| staging_failed(&path, e))
    };
    let copy = |path: String, source: &Path| {
        rendered();
        stage
            .put_file(path.clone(), source)
            .map_err(|e| staging_failed(&path, e))
    };
    let sinks = Sinks {
        output: &put,
        file: &copy,
    };
    // On failure `stage` is dropped with the staged files, and `out` was never touched.
    let mut sources = sources;
    let (mut built, bodies, arcs) = build_with(options, sinks, sources.as_mut())?;
    let leftovers = sources.map(|sources| Leftovers {
        bodies,
        sources,
        arcs,
    });
    let mut clock = Stopwatch::start();
    let report = stage.commit(&built.outputs).map_err(failed)?;
    clock.lap("publish");
    built.timings.extend(clock.laps);
    Ok((built, report, leftovers))
}
