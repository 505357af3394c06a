//! The rebuild engine for `serve`: holds the last successful build in memory and, after files
//! changed, brings it up to date and says which outputs changed or disappeared.
//!
//! Correctness comes first: after `apply` the outputs and diagnostics are exactly what a full
//! build of the current sources gives (`tests/incremental.rs` checks this byte for byte on
//! random edit sequences). The sources are always listed again, but only files that changed
//! are read and parsed again (`content::SourceCache`). When an edit keeps the site's shape —
//! the same pages at the same paths, the same configuration and templates — Markdown is
//! rendered again only for files whose source changed, and templates only for the edited
//! pages and, where front matter changed (cards and lists show titles, summaries, dates and
//! places, never bodies), for the outputs that show it:
//! - pages that show it as a card: the regions an event names (old and new list), the events
//!   that name a region;
//! - the lists that hold it, the home page of its language (for regions and events), the
//!   lists whose subsection intros changed;
//! - the timeline and map when a region or event changed;
//! - the search index, feeds, sitemap and the code stylesheet, which are always made again.
//!
//! Translations, navigation and every link in Markdown depend only on the site's shape, so any
//! other edit (a page added, removed, renamed or translated, a slug, a draft flag, a template,
//! `site.toml`) renders everything again, still in memory.

use crate::build::{self, Built, Failed, Loaded, Options, Stopwatch};
use crate::content::{Page, Site, SourceCache};
use crate::diagnostics::Diagnostic;
use crate::files;
use crate::highlight::Highlighter;
use crate::render::{self, Bodies, Output, Renderer};
use crate::special;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What one `apply` changed, for the server to reload.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delta {
    /// Output paths (relative, like `en/regions/attica/index.html`) with new bytes, sorted.
    pub changed: Vec<String>,
    /// Output paths no longer produced, sorted.
    pub removed: Vec<String>,
    /// Whether the edit changed the site's shape, so that everything was rendered again.
    pub full: bool,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The last successful build, kept up to date by `apply`.
pub struct Incremental {
    options: Options,
    built: Built,
    /// Markdown of `built.site`, aligned with its pages and sections; `None` after an `apply`
    /// that failed half-way, which makes the next one render everything.
    bodies: Option<Bodies>,
    /// Content files as last parsed, so that an edit reads and parses only what changed.
    sources: SourceCache,
    /// Names and bytes of the site's own templates: a change renders everything again.
    templates: Vec<(String, Vec<u8>)>,
    /// Outputs of the current build rendered through templates (the rest, made by
    /// `build::finish`, is always made again).
    rendered: Vec<String>,
}

impl Incremental {
    /// Builds the site in memory.
    pub fn new(options: &Options) -> Result<Self, Failed> {
        let mut sources = SourceCache::default();
        let loaded = build::load(options, Some(&mut sources))?;
        let templates = template_sources(&options.root);
        let (built, bodies, rendered) = full(options, loaded)?;
        Ok(Incremental {
            options: options.clone(),
            built,
            bodies: Some(bodies),
            sources,
            templates,
            rendered,
        })
    }

    /// The current build: outputs with their bytes, sorted by path; the site model; warnings.
    pub fn built(&self) -> &Built {
        &self.built
    }

    /// One output's bytes, by path relative to the output folder.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        let outputs = &self.built.outputs;
        outputs
            .binary_search_by(|o| o.path.as_str().cmp(path))
            .ok()
            .map(|i| outputs[i].bytes.as_slice())
    }

    /// Warnings of the current build.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.built.diagnostics
    }

    /// Brings the build up to date after `changed` files (created, edited, removed; for a
    /// rename pass both names) changed on disk. Paths that cannot affect the site (editor
    /// swap files, anything outside content/, templates/, static/ and site.toml) are ignored,
    /// and when nothing else changed nothing is done. Whatever the list says, the sources are
    /// compared with the last build, so a missed or spurious event cannot make the result
    /// wrong. On failure the previous build stays current, so the server keeps serving it.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Result<Delta, Failed> {
        if !changed.is_empty() && changed.iter().all(|p| !self.is_input(p)) {
            return Ok(Delta::default());
        }
        let mut clock = Stopwatch::start();
        let loaded = build::load(&self.options, Some(&mut self.sources))?;
        clock.lap("load");
        let templates = template_sources(&self.options.root);
        let same_shape = templates == self.templates
            && loaded.site.config == self.built.site.config
            && shape(&loaded.site) == shape(&self.built.site);
        let (built, bodies, delta) = match self.bodies.take() {
            // Same shape: the same outputs are rendered through templates as last time.
            Some(bodies) if same_shape => self.partial(loaded, bodies, &mut clock)?,
            _ => {
                let (built, bodies, rendered) = full(&self.options, loaded)?;
                let mut delta = diff(&self.built.outputs, &built.outputs);
                delta.full = true;
                self.rendered = rendered;
                (built, bodies, delta)
            }
        };
        self.built = built;
        self.built.timings = clock.laps;
        self.bodies = Some(bodies);
        self.templates = templates;
        Ok(delta)
    }

    /// Whether a changed path can affect the build.
    fn is_input(&self, path: &Path) -> bool {
        let root = &self.options.root;
        let rel = path
            .strip_prefix(root)
            .or_else(|_| path.strip_prefix(root.canonicalize().unwrap_or_default()))
            .unwrap_or(path);
        let mut names = rel.components().filter_map(|c| match c {
            std::path::Component::Normal(name) => Some(name),
            _ => None,
        });
        if names.clone().any(files::is_ignored) {
            return false;
        }
        let first = names.next();
        first.is_some_and(|f| {
            ["content", "templates", "static", crate::config::CONFIG_FILE]
                .iter()
                .any(|name| f == *name)
        })
    }

    /// Renders again only what reads a changed page (see the module comment); the site's
    /// shape is known to be unchanged, so pages and sections line up with the last build's.
    fn partial(
        &mut self,
        loaded: Loaded,
        mut old_bodies: Bodies,
        clock: &mut Stopwatch,
    ) -> Result<(Built, Bodies, Delta), Failed> {
        let Loaded {
            site,
            tera,
            mut diagnostics,
        } = loaded;
        let old = &self.built.site;
        // A changed source changes the page; only changed front matter (after inheritance
        // from translations) changes what other outputs show of it: cards and lists read
        // titles, summaries, dates and places, never the body.
        let source_changed: Vec<bool> = old
            .pages
            .iter()
            .zip(&site.pages)
            .map(|(a, b)| a.source != b.source)
            .collect();
        let front_changed: Vec<bool> = old
            .pages
            .iter()
            .zip(&site.pages)
            .map(|(a, b)| a.front != b.front)
            .collect();
        let index_changed: Vec<bool> = old
            .sections
            .iter()
            .zip(&site.sections)
            .map(|(a, b)| match (&a.index, &b.index) {
                (Some(a), Some(b)) => a.source != b.source || a.front != b.front,
                (a, b) => a.is_some() != b.is_some(),
            })
            .collect();
        // Reuse the Markdown of unchanged sources; link targets depend only on the shape.
        let reuse_pages = old_bodies
            .pages
            .drain(..)
            .zip(old.pages.iter().zip(&site.pages))
            .map(|(body, (a, b))| (a.source == b.source).then_some(body))
            .collect();
        let reuse_sections = old_bodies
            .sections
            .drain(..)
            .zip(old.sections.iter().zip(&site.sections))
            .map(|(body, (a, b))| {
                let same =
                    a.index.as_ref().map(|i| &i.source) == b.index.as_ref().map(|i| &i.source);
                if same {
                    body
                } else {
                    None
                }
            })
            .collect();
        let bodies = render::render_bodies_reusing(
            &site,
            &Highlighter::default(),
            reuse_pages,
            reuse_sections,
        );
        diagnostics.extend(build::body_diagnostics(&bodies));
        clock.lap("markdown");
        let affected = Affected::new(old, &site, &front_changed, &index_changed);
        let renderer = Renderer::new(&site, &tera);
        let mut rendered: Vec<Result<Output, Diagnostic>> = Vec::new();
        {
            use rayon::prelude::*;
            rendered.par_extend(
                site.pages
                    .par_iter()
                    .zip(&bodies.pages)
                    .enumerate()
                    .filter(|(i, _)| {
                        source_changed[*i] || front_changed[*i] || affected.pages.contains(i)
                    })
                    .map(|(_, (p, body))| renderer.page(p, body)),
            );
            rendered.par_extend(
                site.sections
                    .par_iter()
                    .zip(&bodies.sections)
                    .enumerate()
                    .filter(|(j, _)| affected.sections.contains(j))
                    .flat_map_iter(|(_, (s, body))| renderer.section(s, body.as_ref())),
            );
        }
        if affected.specials {
            rendered.extend(special::render_all(&renderer));
        }
        let mut outputs = Vec::with_capacity(self.built.outputs.len());
        for r in rendered {
            match r {
                Ok(o) => outputs.push(o),
                Err(d) => diagnostics.push(d),
            }
        }
        // Outputs not rendered again keep their bytes; until every check has passed they are
        // placeholders holding only the path, so a failure leaves the last build untouched.
        let fresh: HashSet<String> = outputs.iter().map(|o| o.path.clone()).collect();
        let kept: Vec<String> = self
            .rendered
            .iter()
            .filter(|p| !fresh.contains(*p))
            .cloned()
            .collect();
        outputs.extend(kept.iter().map(|path| Output {
            path: path.clone(),
            bytes: Vec::new(),
        }));
        drop(renderer);
        clock.lap("templates");
        let mut built = build::finish(&self.options, site, &bodies, outputs, diagnostics, &Ok)?;
        clock.lap("search, feeds and checks");
        let kept: HashSet<String> = kept.into_iter().collect();
        let mut old_outputs: HashMap<String, Vec<u8>> = std::mem::take(&mut self.built.outputs)
            .into_iter()
            .map(|o| (o.path, o.bytes))
            .collect();
        let mut delta = Delta::default();
        for o in &mut built.outputs {
            let before = old_outputs.remove(&o.path);
            if kept.contains(&o.path) {
                o.bytes = before.expect("kept outputs existed in the last build");
            } else if before.as_ref() != Some(&o.bytes) {
                delta.changed.push(o.path.clone());
            }
        }
        delta.removed = old_outputs.into_keys().collect();
        delta.removed.sort();
        Ok((built, bodies, delta))
    }
}

/// Renders everything from `loaded`; returns also the paths rendered through templates.
fn full(options: &Options, loaded: Loaded) -> Result<(Built, Bodies, Vec<String>), Failed> {
    let Loaded {
        site,
        tera,
        mut diagnostics,
    } = loaded;
    let bodies = render::render_bodies(&site, &Highlighter::default());
    diagnostics.extend(build::body_diagnostics(&bodies));
    let renderer = Renderer::new(&site, &tera);
    let outputs = build::render_all(&renderer, &bodies, &mut diagnostics);
    drop(renderer);
    let rendered = outputs.iter().map(|o| o.path.clone()).collect();
    let built = build::finish(options, site, &bodies, outputs, diagnostics, &Ok)?;
    Ok((built, bodies, rendered))
}

/// What an edit may not change for `partial` to apply: every page and section, where it is
/// published and what it is, and the folders' structure.
fn shape(site: &Site) -> Vec<String> {
    let pages = site
        .pages
        .iter()
        .map(|p| format!("{} {} {} {}", p.file, p.lang, p.path, p.id));
    let sections = site.sections.iter().map(|s| {
        format!(
            "{} {} {} {:?} {:?}",
            s.lang,
            s.dir,
            s.path,
            s.index.as_ref().map(|i| &i.file),
            s.subsections
        )
    });
    pages.chain(sections).collect()
}

/// Which pages and sections of the new site show the front matter of a page whose front
/// matter changed (`page_changed`), or the intro of a section whose index changed.
struct Affected {
    pages: HashSet<usize>,
    sections: HashSet<usize>,
    specials: bool,
}

impl Affected {
    fn new(old: &Site, new: &Site, page_changed: &[bool], index_changed: &[bool]) -> Self {
        let changed = |i: usize| page_changed[i];
        // (language, region key) of changed regions, and of regions named by changed events
        // before or after the edit.
        let mut regions: HashSet<(&str, &str)> = HashSet::new();
        let mut named: HashSet<(&str, &str)> = HashSet::new();
        let mut langs: HashSet<&str> = HashSet::new();
        for (i, p) in new.pages.iter().enumerate().filter(|(i, _)| changed(*i)) {
            if p.is_region() {
                regions.insert((&p.lang, &p.key));
            }
            if p.is_region() || p.is_event() {
                langs.insert(&p.lang);
            }
            for key in region_refs(p).chain(region_refs(&old.pages[i])) {
                named.insert((&p.lang, key));
            }
        }
        let pages = new
            .pages
            .iter()
            .enumerate()
            .filter(|(i, p)| {
                changed(*i)
                    || (p.is_region() && named.contains(&(p.lang.as_str(), p.key.as_str())))
                    || region_refs(p).any(|k| regions.contains(&(p.lang.as_str(), k)))
            })
            .map(|(i, _)| i)
            .collect();
        let index_of: HashMap<(&str, &str), usize> = new
            .sections
            .iter()
            .enumerate()
            .map(|(j, s)| ((s.lang.as_str(), s.dir.as_str()), j))
            .collect();
        let sections = new
            .sections
            .iter()
            .enumerate()
            .filter(|(j, s)| {
                index_changed[*j]
                    || s.pages != old.sections[*j].pages
                    || s.pages.iter().any(|&i| changed(i))
                    || (s.dir.is_empty() && langs.contains(s.lang.as_str()))
                    || s.subsections.iter().any(|d| {
                        index_of
                            .get(&(s.lang.as_str(), d.as_str()))
                            .is_some_and(|&k| index_changed[k])
                    })
            })
            .map(|(j, _)| j)
            .collect();
        Affected {
            pages,
            sections,
            specials: !langs.is_empty(),
        }
    }
}

fn region_refs(p: &Page) -> impl Iterator<Item = &str> {
    p.front.neutral.regions.iter().flatten().map(String::as_str)
}

/// The site's own templates, by name, for noticing that one changed.
fn template_sources(root: &Path) -> Vec<(String, Vec<u8>)> {
    let dir = root.join(crate::templates::TEMPLATES_DIR);
    let mut out: Vec<(String, Vec<u8>)> = files::list_files(&dir)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, path)| {
            let bytes = std::fs::read(&path).unwrap_or_default();
            (name, bytes)
        })
        .collect();
    out.sort();
    out
}

/// Outputs whose bytes differ or that exist only in `old`; both lists sorted by path.
pub fn diff(old: &[Output], new: &[Output]) -> Delta {
    let mut delta = Delta::default();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) if a.path == b.path => {
                if a.bytes != b.bytes {
                    delta.changed.push(b.path.clone());
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.path < b.path => {
                delta.removed.push(a.path.clone());
                i += 1;
            }
            (Some(a), None) => {
                delta.removed.push(a.path.clone());
                i += 1;
            }
            (_, Some(b)) => {
                delta.changed.push(b.path.clone());
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &str, text: &str) -> Output {
        Output::new(path, text)
    }

    #[test]
    fn diff_lists_changed_added_and_removed_outputs() {
        let old = [out("a", "1"), out("b", "2"), out("d", "4")];
        let new = [out("a", "1"), out("b", "3"), out("c", "new")];
        let d = diff(&old, &new);
        assert_eq!(d.changed, ["b", "c"]);
        assert_eq!(d.removed, ["d"]);
    }
}
