//! The build pipeline: load → validate → render → (only if all of that succeeded) write.

use crate::config::{Config, CONFIG_FILE};
use crate::content::{self, LoadOptions, Site};
use crate::dates::PartialDate;
use crate::diagnostics::{self, Diagnostic};
use crate::highlight::{self, Highlighter};
use crate::output::{self, SyncReport};
use crate::render::{self, Bodies, Output, Renderer};
use crate::{feeds, special, templates};
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Pages every language gets besides its content: `/<lang>/<name>/`.
pub const SPECIAL_PAGES: [&str; 2] = ["timeline", "map"];

#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    pub drafts: bool,
    pub base_url: Option<String>,
    pub build_date: PartialDate,
}

impl Options {
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
    pub timings: Vec<(&'static str, Duration)>,
}

/// A build that found errors: every diagnostic, errors first.
#[derive(Debug)]
pub struct Failed {
    pub diagnostics: Vec<Diagnostic>,
}

struct Stopwatch {
    last: Instant,
    laps: Vec<(&'static str, Duration)>,
}

impl Stopwatch {
    fn lap(&mut self, stage: &'static str) {
        let now = Instant::now();
        self.laps.push((stage, now - self.last));
        self.last = now;
    }
}

pub fn load_config(root: &Path) -> Result<Config, Diagnostic> {
    let path = root.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Diagnostic::error("config", CONFIG_FILE, format!("cannot read {}: {e}", path.display()))
            .with_hint("a site folder needs a site.toml with at least base_url = \"https://example.org/\"; pass --root DIR if the site is elsewhere")
    })?;
    Config::parse(&text)
}

/// Loads, validates and renders the whole site in memory; writes nothing.
pub fn build(options: &Options) -> Result<Built, Failed> {
    let mut clock = Stopwatch {
        last: Instant::now(),
        laps: Vec::new(),
    };
    let fail = |mut diagnostics: Vec<Diagnostic>| {
        diagnostics::sort(&mut diagnostics);
        Failed { diagnostics }
    };
    let mut config = load_config(&options.root).map_err(|d| fail(vec![d]))?;
    if let Some(url) = &options.base_url {
        config
            .set_base_url(url)
            .map_err(|m| fail(vec![Diagnostic::error("config", "--base-url", m)]))?;
    }
    let loaded = content::load(
        &options.root,
        config,
        &LoadOptions {
            drafts: options.drafts,
            build_date: options.build_date,
        },
    );
    let mut diags = loaded.diagnostics;
    let tera = templates::load(&options.root);
    clock.lap("load");
    let (site, tera) = match (loaded.site, tera) {
        (Some(site), Ok(tera)) if !diags.iter().any(Diagnostic::is_error) => (site, tera),
        (_, tera) => {
            diags.extend(tera.err().unwrap_or_default());
            return Err(fail(diags));
        }
    };
    let highlighter = Highlighter::default();
    let bodies = render::render_bodies(&site, &highlighter);
    for b in bodies.pages.iter().chain(bodies.sections.iter().flatten()) {
        diags.extend(b.diagnostics.iter().cloned());
    }
    clock.lap("markdown");
    let renderer = Renderer::new(&site, &tera, &bodies);
    let mut results = renderer.pages();
    results.extend(renderer.sections());
    results.extend(renderer.root_pages());
    results.extend(special::render_all(&renderer));
    let mut outputs = Vec::with_capacity(results.len() + 16);
    for r in results {
        match r {
            Ok(o) => outputs.push(o),
            Err(d) => diags.push(d),
        }
    }
    clock.lap("templates");
    outputs.extend(machine_files(&site, &bodies));
    let has_code = bodies
        .pages
        .iter()
        .chain(bodies.sections.iter().flatten())
        .any(|b| b.has_code);
    if has_code {
        outputs.push(Output {
            path: "syntax.css".into(),
            bytes: highlight::stylesheet().into_bytes(),
        });
    }
    match templates::static_files(&options.root) {
        Ok(files) => outputs.extend(
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
    outputs.sort_by(|a, b| a.path.cmp(&b.path));
    diags.extend(duplicate_outputs(&outputs));
    diags.extend(check_links(&site, &bodies, &outputs));
    diags.extend(missing_translations(&site));
    clock.lap("feeds and checks");
    if diags.iter().any(Diagnostic::is_error) {
        return Err(fail(diags));
    }
    diagnostics::sort(&mut diags);
    Ok(Built {
        site,
        outputs,
        diagnostics: diags,
        timings: clock.laps,
    })
}

/// Builds and, only if the build succeeded, brings `out` in line with it.
pub fn build_and_write(options: &Options, out: &Path) -> Result<(Built, SyncReport), Failed> {
    output::check_output_dir(&options.root, out).map_err(|e| Failed {
        diagnostics: vec![Diagnostic::error(
            "output",
            out.display().to_string(),
            format!("{e:#}"),
        )],
    })?;
    let mut built = build(options)?;
    let start = Instant::now();
    let report = output::sync(out, &built.outputs).map_err(|e| Failed {
        diagnostics: vec![Diagnostic::error(
            "output",
            out.display().to_string(),
            format!("{e:#}"),
        )],
    })?;
    built.timings.push(("write", start.elapsed()));
    Ok((built, report))
}

/// Sitemap, feeds and robots.txt.
fn machine_files(site: &Site, bodies: &Bodies) -> Vec<Output> {
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
    let mut out = vec![feeds::sitemap(site, &groups), feeds::robots(site)];
    out.extend(site.config.codes().map(|l| feeds::atom(site, bodies, l)));
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

/// Links inside the site must reach a file the build produces; anchors must reach a heading.
fn check_links(site: &Site, bodies: &Bodies, outputs: &[Output]) -> Vec<Diagnostic> {
    // Pages count as produced even if their template failed: that error is reported already.
    let intended: Vec<String> = site
        .pages
        .iter()
        .map(|p| p.path.as_str())
        .chain(site.sections.iter().map(|s| s.path.as_str()))
        .map(render::output_path)
        .collect();
    let produced: HashSet<&str> = outputs
        .iter()
        .map(|o| o.path.as_str())
        .chain(intended.iter().map(String::as_str))
        .collect();
    let anchors: HashMap<&str, HashSet<&str>> = site
        .pages
        .iter()
        .zip(&bodies.pages)
        .map(|(p, b)| {
            (
                p.path.as_str(),
                b.toc.iter().map(|h| h.id.as_str()).collect(),
            )
        })
        .collect();
    let mut out = Vec::new();
    for (p, body) in site.pages.iter().zip(&bodies.pages) {
        for link in &body.links {
            let target = if link.path.is_empty() {
                p.path.as_str()
            } else {
                link.path.as_str()
            };
            let file = percent_decode(target.split('?').next().unwrap_or(""));
            let exists = produced.contains(render::output_path(&file).as_str())
                || produced.contains(file.trim_start_matches('/'));
            let problem = if !exists {
                Some(format!(
                    "link to `{}`: the site has no page or file at {target}",
                    link.written
                ))
            } else {
                match (&link.anchor, anchors.get(target)) {
                    (Some(a), Some(ids))
                        if !a.is_empty() && !ids.contains(percent_decode(a).as_str()) =>
                    {
                        let mut d = format!(
                            "link to `{}`: no heading with id `{a}` on that page",
                            link.written
                        );
                        if let Some(s) = diagnostics::suggest(a, ids.iter().copied()) {
                            d.push_str(&format!(" (did you mean `{s}`?)"));
                        }
                        Some(d)
                    }
                    _ => None,
                }
            };
            if let Some(message) = problem {
                out.push(
                    Diagnostic::error("broken-link", &p.file, message)
                        .in_source(&p.source, link.line, Some(link.column))
                        .underline(link.len),
                );
            }
        }
    }
    out
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok());
        if let (b'%', Some(Ok(b))) = (bytes[i], hex.map(|h| u8::from_str_radix(h, 16))) {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A page without a version in some language: the switcher goes to that language's home.
fn missing_translations(site: &Site) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for p in &site.pages {
        for lang in site.config.codes() {
            if site.page(&p.id, lang).is_none() {
                out.push(Diagnostic::warning(
                    "missing-translation",
                    &p.file,
                    format!("no `{lang}` translation: the language switcher links to the `{lang}` home page instead"),
                ));
            }
        }
    }
    out
}
