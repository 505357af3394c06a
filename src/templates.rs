//! Tera templates: the built-in theme compiled into the binary, overridden file by file by the
//! site's own `templates/`; and the theme's static files, likewise overridden by `static/`.

use crate::diagnostics::{Diagnostic, Kind};
use crate::files;
use crate::layout::{STATIC_DIR, TEMPLATES_DIR};
use std::path::Path;
use tera::Tera;

macro_rules! builtin {
    ($dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../", $dir, "/", $name)))),*]
    };
    (bytes $dir:literal: $($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../", $dir, "/", $name)))),*]
    };
}

/// The default theme's templates, by name.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = builtin!("templates":
    "base.html", "macros.html", "index.html", "section.html", "page.html", "region.html",
    "event.html", "root.html", "404.html", "timeline.html", "map.html", "search.html", "meta.html",
);

/// The default theme's static files, by path under `static/`.
pub const BUILTIN_STATIC: &[(&str, &[u8])] =
    builtin!(bytes "static": "style.css", "site.js", "search.js", "social-card.png");

/// Compiles the built-in templates with the site's overrides and additions.
pub fn load(root: &Path) -> Result<Tera, Vec<Diagnostic>> {
    let mut sources: Vec<(String, String)> = BUILTIN_TEMPLATES
        .iter()
        .map(|(n, s)| ((*n).to_owned(), (*s).to_owned()))
        .collect();
    let mut errors = Vec::new();
    let site_files = files::list_files(root, TEMPLATES_DIR)
        .map_err(|e| vec![Diagnostic::error(Kind::Io, TEMPLATES_DIR, format!("{e:#}"))])?;
    for (name, path) in site_files {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                sources.retain(|(n, _)| *n != name);
                sources.push((name, text));
            }
            Err(e) => errors.push(Diagnostic::error(
                Kind::Io,
                format!("{TEMPLATES_DIR}/{name}"),
                format!("cannot read the template: {e}"),
            )),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which makes every URL unreadable in the source.
    tera.set_escape_fn(escape);
    tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
        .map_err(|e| {
            vec![Diagnostic::error(
                Kind::Template,
                TEMPLATES_DIR,
                format!("the templates do not compile: {}", error_chain(&e)),
            )]
        })?;
    Ok(tera)
}

fn escape(text: &str) -> String {
    crate::highlight::escape_html(text)
}

/// Tera's error with all its causes, which hold the useful part (the line, the variable).
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Where a static file's bytes are: compiled into the binary, or a file in the site's
/// `static/`, read or copied only when needed (a video there is never held in memory whole).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Static {
    Builtin(&'static [u8]),
    File(std::path::PathBuf),
}

impl Static {
    /// The bytes, read from disk for a site file.
    pub fn read(&self) -> anyhow::Result<Vec<u8>> {
        match self {
            Static::Builtin(bytes) => Ok(bytes.to_vec()),
            Static::File(path) => files::read(path),
        }
    }
}

/// Static files to publish: the built-in ones, then the site's `static/` (which wins).
pub fn static_files(root: &Path) -> anyhow::Result<Vec<(String, Static)>> {
    let mut out: Vec<(String, Static)> = BUILTIN_STATIC
        .iter()
        .map(|(n, s)| ((*n).to_owned(), Static::Builtin(s)))
        .collect();
    for (name, path) in files::list_static_files(root, STATIC_DIR)? {
        out.retain(|(n, _)| *n != name);
        out.push((name, Static::File(path)));
    }
    Ok(out)
}
