//! Outputs that cannot all be published: two on one path, or a file where another output
//! needs a folder (`static/en` as a file and the page `en/index.html`). Either would make one
//! replace the other in the output folder, so a build that has any fails, naming both sources.

use crate::content::Site;
use crate::diagnostics::{Diagnostic, Kind};
use crate::layout::{CONTENT_DIR, SPECIAL_PAGES, STATIC_DIR};
use crate::output::output_path;
use crate::{highlight, search};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// The errors of the outputs at `paths` that cannot all be published, and the paths that
/// clash (the static files among them are better not staged). `statics`: the output paths of
/// the static files (the theme's and the site's).
pub fn check<'p>(
    root: &Path,
    site: &Site,
    mut paths: Vec<&'p str>,
    statics: impl Iterator<Item = &'p str>,
) -> (HashSet<String>, Vec<Diagnostic>) {
    paths.sort_unstable();
    let pairs = clashes(&paths);
    if pairs.is_empty() {
        return Default::default();
    }
    let origins = Origins::new(root, site, statics);
    let clashing = pairs
        .iter()
        .flat_map(|&(a, b)| [a, b])
        .map(str::to_owned)
        .collect();
    (clashing, origins.diagnostics(&pairs))
}

/// Pairs of output paths that cannot both be published: equal, or the first a folder holding
/// the second. `paths` sorted (equal paths next to each other).
pub fn clashes<'p>(paths: &[&'p str]) -> Vec<(&'p str, &'p str)> {
    let all: HashSet<&str> = paths.iter().copied().collect();
    let mut out: Vec<(&str, &str)> = paths
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| (w[0], w[1]))
        .collect();
    for &path in paths {
        let folders = path.match_indices('/').map(|(i, _)| &path[..i]);
        out.extend(folders.filter(|f| all.contains(f)).map(|f| (f, path)));
    }
    out
}

/// Where an output comes from, for messages.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    /// A file of the site's `static/` folder (path relative to the site root).
    Static(String),
    /// The content file of a page or list.
    Content(String),
    /// An output the build makes by itself: what it is.
    Builtin(String),
}

impl Origin {
    fn file(&self) -> Option<&str> {
        match self {
            Origin::Static(f) | Origin::Content(f) => Some(f),
            Origin::Builtin(_) => None,
        }
    }

    fn describe(&self) -> &str {
        match self {
            Origin::Static(s) | Origin::Content(s) | Origin::Builtin(s) => s,
        }
    }
}

/// Tells where outputs come from: the site's static files (by output path) and its pages.
struct Origins<'r, 's> {
    root: &'r Path,
    statics: HashSet<&'s str>,
    /// Pages and lists by output path.
    documents: HashMap<String, Origin>,
}

impl<'r, 's> Origins<'r, 's> {
    /// `statics`: the output paths of the static files (the theme's and the site's).
    fn new(root: &'r Path, site: &Site, statics: impl Iterator<Item = &'s str>) -> Self {
        let pages = site
            .pages
            .iter()
            .map(|p| (output_path(&p.path), Origin::Content(p.file.clone())));
        let lists = site.sections.iter().map(|s| {
            let origin = match &s.index {
                Some(index) => Origin::Content(index.file.clone()),
                None if s.dir.is_empty() => {
                    Origin::Builtin(format!("the home page of `{}`", s.lang))
                }
                None => Origin::Builtin(format!(
                    "the list page of `{CONTENT_DIR}/{}` in `{}`",
                    s.dir, s.lang
                )),
            };
            (output_path(&s.path), origin)
        });
        Origins {
            root,
            statics: statics.collect(),
            documents: pages.chain(lists).collect(),
        }
    }

    /// Where the output at `path` comes from; `generated` when it is not the static file of
    /// an equal pair.
    fn of(&self, path: &str, generated: bool) -> Origin {
        if !generated && self.statics.contains(path) {
            let file = format!("{STATIC_DIR}/{path}");
            if self.root.join(&file).symlink_metadata().is_ok() {
                return Origin::Static(file);
            }
            return Origin::Builtin(format!("the theme's static file `{path}`"));
        }
        match self.documents.get(path) {
            Some(origin) => origin.clone(),
            None => Origin::Builtin(builtin(path)),
        }
    }

    /// One error per source that clashes, naming the other source; `pairs` from `clashes`.
    fn diagnostics(&self, pairs: &[(&str, &str)]) -> Vec<Diagnostic> {
        // By the source named first, then the path it clashes at: a static file `en` clashes
        // with every page under `en/`, and is reported once.
        let mut found: BTreeMap<(Origin, &str), (Origin, &str, usize)> = BTreeMap::new();
        for &(outer, inner) in pairs {
            let equal = outer == inner;
            let a = (self.of(outer, false), outer);
            let b = (self.of(inner, equal), inner);
            let (first, other) = if a.0 <= b.0 { (a, b) } else { (b, a) };
            // Of many, the other source named is a page rather than a built-in output.
            let entry = found.entry(first).or_insert((other.0.clone(), other.1, 0));
            entry.2 += 1;
            if other.0 < entry.0 {
                (entry.0, entry.1) = other;
            }
        }
        found
            .into_iter()
            .map(|((origin, path), (other, other_path, count))| {
                let message = if path == other_path {
                    format!(
                        "publishes `{path}`, which {} also publishes",
                        other.describe()
                    )
                } else if other_path.starts_with(path) {
                    let more = match count - 1 {
                        0 => String::new(),
                        n => format!(" (and {n} more outputs under `{path}/`)"),
                    };
                    format!(
                        "publishes the file `{path}`, but {} publishes `{other_path}` inside a \
                         folder of that name{more}",
                        other.describe()
                    )
                } else {
                    format!(
                        "publishes `{path}`, inside `{other_path}`, which {} publishes as a file",
                        other.describe()
                    )
                };
                let file = origin.file().unwrap_or(path).to_owned();
                Diagnostic::error(Kind::UrlCollision, file, message).with_hint(
                    "one would replace the other in the output folder: rename or move one of \
                     them (for a page, give it another `slug`)",
                )
            })
            .collect()
    }
}

/// What a built-in output at `path` is.
fn builtin(path: &str) -> String {
    let (first, rest) = path.split_once('/').unwrap_or(("", path));
    let what = match (first, rest) {
        ("", "index.html") => "the root page".to_owned(),
        ("", "404.html") => "the 404 page".to_owned(),
        ("", "sitemap.xml") => "the sitemap".to_owned(),
        ("", "robots.txt") => "robots.txt".to_owned(),
        ("", crate::output::MANIFEST) => "the manifest of what a build published".to_owned(),
        ("", highlight::STYLESHEET) => "the code stylesheet".to_owned(),
        (lang, crate::feeds::ATOM_FILE) => format!("the Atom feed of `{lang}`"),
        (lang, rest) if rest.starts_with(&format!("{}/", search::INDEX_DIR)) => {
            format!("the search index of `{lang}`")
        }
        (lang, rest) => match SPECIAL_PAGES
            .iter()
            .find(|n| rest == format!("{n}/index.html"))
        {
            Some(name) => format!("the {name} page of `{lang}`"),
            None => "a file the build makes".to_owned(),
        },
    };
    format!("{what} (`{path}`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_paths_and_files_in_the_place_of_folders_clash() {
        let mut paths = vec![
            "en",
            "en-x/a",
            "en/index.html",
            "en/about/index.html",
            "zh/about/index.html",
            "zh/about/index.html/x",
            "zh/index.html",
            "zh/index.html",
            "zh/indexhtml",
        ];
        paths.sort();
        let mut found = clashes(&paths);
        found.sort();
        assert_eq!(
            found,
            [
                ("en", "en/about/index.html"),
                ("en", "en/index.html"),
                ("zh/about/index.html", "zh/about/index.html/x"),
                ("zh/index.html", "zh/index.html"),
            ]
        );
    }

    #[test]
    fn builtin_outputs_say_what_they_are() {
        assert_eq!(
            builtin("en/atom.xml"),
            "the Atom feed of `en` (`en/atom.xml`)"
        );
        assert_eq!(
            builtin("zh/timeline/index.html"),
            "the timeline page of `zh` (`zh/timeline/index.html`)"
        );
        assert_eq!(builtin("sitemap.xml"), "the sitemap (`sitemap.xml`)");
        assert_eq!(
            builtin("en/search/index.html"),
            "the search page of `en` (`en/search/index.html`)"
        );
        assert_eq!(
            builtin("en/search/index/meta.json"),
            "the search index of `en` (`en/search/index/meta.json`)"
        );
    }
}
