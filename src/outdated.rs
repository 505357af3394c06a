//! Possibly outdated translations: when the site is in a git repository, a translation whose
//! last commit is older than the last commit that changed another translation of the same page
//! is reported (`check`), and shown with a notice in the preview (`serve`).
//!
//! The history is read with one `git log` of the site folder for the whole site. A commit whose
//! message has the line `Translation: none` (a trailer, in any case) changes the files it
//! touches without making their other translations outdated: editors mark typo fixes that way,
//! and the commit that brings a translation up to date (itself a translation). Without git, or
//! outside a repository, there is no history and nothing is reported.

use crate::content::{Page, Site};
use crate::diagnostics::{Diagnostic, Kind};
use crate::highlight::escape_html as esc;
use std::collections::HashMap;
use std::path::Path;
use std::process::{Command, Stdio};

/// The commit-message line that says a change needs no translation.
pub const NO_TRANSLATION: &str = "Translation: none";

/// A commit that changed a file: its place in the history (greater is later; history order,
/// not clocks, which may disagree with it) and its date as its committer wrote it,
/// `2024-03-02T09:00:00+01:00`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub order: usize,
    pub date: String,
}

impl Change {
    /// The dates of `self` and `newer` as messages show them: the day (`2024-03-02`), with the
    /// time (`2024-03-02 09:00`) when both are of one day.
    fn shown(&self, newer: &Change) -> (String, String) {
        let day = |c: &Change| c.date.get(..10).unwrap_or(&c.date).to_owned();
        let minute = |c: &Change| c.date.get(..16).unwrap_or(&c.date).replace('T', " ");
        if day(self) == day(newer) {
            (minute(self), minute(newer))
        } else {
            (day(self), day(newer))
        }
    }
}

/// A file's last change, and its last change that needs translating (not marked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    pub last: Change,
    pub to_translate: Option<Change>,
}

/// Each content file's changes, by path relative to the site root
/// (`content/regions/mie.en.md`).
pub type History = HashMap<String, Changes>;

/// A translation last changed before another translation of the same page changed in a way
/// that needs translating.
#[derive(Debug, Clone)]
pub struct Outdated<'a> {
    pub page: &'a Page,
    pub changed: &'a Change,
    /// The translation changed since, and when.
    pub newer: &'a Page,
    pub newer_changed: &'a Change,
}

/// The history of the files under `root`, or `None` without git or outside a repository.
pub fn history(root: &Path) -> Option<History> {
    let log = git(
        root,
        &[
            "-c",
            "core.quotePath=false",
            "log",
            "--name-only",
            // Paths relative to the site folder, whatever folder of the repository holds it.
            // No pathspec for `content/` and no rename detection: on a 15,000-file site each
            // doubles the time, and the other files' lines are simply never looked up.
            "--relative",
            "--no-renames",
            // Every commit after those it builds on, whatever their dates.
            "--topo-order",
            // A record separator, the date, the message, a unit separator.
            "--format=%x1e%cI%n%B%x1f",
        ],
    )?;
    Some(parse(&log))
}

/// What `git args` prints in `root`, if it runs and succeeds.
fn git(root: &Path, args: &[&str]) -> Option<String> {
    let output = Command::new("git")
        .current_dir(root)
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).into_owned())
}

/// The history for the preview, read again only when the repository's `HEAD` moved: reading
/// it takes about half a second of CPU on a 15,000-file site with a hundred commits, a
/// rebuild after an edit a few milliseconds.
#[derive(Default)]
pub struct Latest {
    head: Option<String>,
    history: Option<History>,
}

impl Latest {
    pub fn get(&mut self, root: &Path) -> Option<&History> {
        let head = git(root, &["rev-parse", "HEAD"]);
        if head.is_none() || head != self.head {
            self.history = head.as_ref().and_then(|_| history(root));
            self.head = head;
        }
        self.history.as_ref()
    }
}

/// Reads `git log` output in the format `history` asks for: newest commit first, so a file's
/// first commit (first unmarked commit) is its last change (that needs translating).
fn parse(log: &str) -> History {
    let mut history = History::new();
    let records: Vec<&str> = (log.split('\x1e'))
        .filter(|r| !r.trim().is_empty())
        .collect();
    for (i, record) in records.iter().enumerate() {
        let Some((head, files)) = record.split_once('\x1f') else {
            continue;
        };
        let (date, message) = head.split_once('\n').unwrap_or((head, ""));
        let marked = needs_no_translation(message);
        let change = Change {
            order: records.len() - i,
            date: date.trim().to_owned(),
        };
        for file in files.lines().map(str::trim).filter(|f| !f.is_empty()) {
            let changes = history.entry(file.to_owned()).or_insert_with(|| Changes {
                last: change.clone(),
                to_translate: None,
            });
            if !marked && changes.to_translate.is_none() {
                changes.to_translate = Some(change.clone());
            }
        }
    }
    history
}

/// Whether a commit message has the `Translation: none` line.
fn needs_no_translation(message: &str) -> bool {
    message.lines().any(|line| {
        line.split_once(':').is_some_and(|(key, value)| {
            key.trim().eq_ignore_ascii_case("translation")
                && value.trim().eq_ignore_ascii_case("none")
        })
    })
}

/// The translations (pages and section intros, not fallbacks) whose last change is older than
/// that of another translation of the same page, in site order.
pub fn find<'a>(site: &'a Site, history: &'a History) -> Vec<Outdated<'a>> {
    let intros = site.sections.iter().filter_map(|s| s.index.as_ref());
    let mut groups: Vec<Vec<&Page>> = Vec::new();
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    for p in site.pages.iter().chain(intros).filter(|p| !p.is_fallback()) {
        let i = *group_of.entry(p.id.as_str()).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[i].push(p);
    }
    let mut out = Vec::new();
    for group in groups.iter().filter(|g| g.len() > 1) {
        let dated: Vec<(&Page, &Changes)> = group
            .iter()
            .filter_map(|p| Some((*p, history.get(&p.file)?)))
            .collect();
        let sources = dated
            .iter()
            .filter_map(|(p, c)| Some((*p, c.to_translate.as_ref()?)));
        let Some((newer, newer_changed)) = sources.max_by_key(|(_, c)| c.order) else {
            continue;
        };
        for &(page, changes) in &dated {
            if changes.last.order < newer_changed.order {
                out.push(Outdated {
                    page,
                    changed: &changes.last,
                    newer,
                    newer_changed,
                });
            }
        }
    }
    out
}

/// For the preview: the notice each possibly outdated translation shows at its top, by output
/// path (`en/regions/attica/index.html`); empty without history.
pub fn preview_notices(site: &Site, history: Option<&History>) -> HashMap<String, String> {
    let Some(history) = history else {
        return HashMap::new();
    };
    let found = find(site, history);
    (found.iter())
        .filter_map(|o| Some((crate::output::output_path(&o.page.path), o.notice(site)?)))
        .collect()
}

impl Outdated<'_> {
    /// The preview's notice, in the translation's language, linking to the newer version.
    fn notice(&self, site: &Site) -> Option<String> {
        let language = site.config.language(&self.page.lang)?;
        let newer = site.config.language(&self.newer.lang)?;
        let strings = &language.strings;
        let name = (strings.get(&format!("language_{}", newer.code))).unwrap_or(&newer.name);
        let (then, date) = self.changed.shown(self.newer_changed);
        let text = (strings.get("outdated_notice")?)
            .replace("{language}", name)
            .replace("{date}", &date)
            .replace("{then}", &then);
        Some(format!(
            "<div class=\"wrap\"><p class=\"lang-notice\" role=\"note\">{} <a href=\"{}\" hreflang=\"{}\">{}</a></p></div>",
            esc(&text),
            esc(&site.config.url(&self.newer.path)),
            esc(&newer.locale),
            esc(strings.get("outdated_newer").map_or("", String::as_str)),
        ))
    }

    pub fn diagnostic(&self) -> Diagnostic {
        let (then, date) = self.changed.shown(self.newer_changed);
        Diagnostic::warning(
            Kind::OutdatedTranslation,
            &self.page.file,
            format!(
                "possibly outdated: last changed {then}, but {} was changed {date}",
                self.newer.file
            ),
        )
        .with_hint(format!(
            "bring this translation up to date and commit it; a change that needs no translation \
             is committed with the line `{NO_TRANSLATION}` in its message"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_newest_counted_commit_of_a_file_is_its_last_change() {
        let log =
            "\x1e2023-11-14T22:00:00+00:00\nFix a typo\n\nTranslation: none\n\x1f\n\ncontent/a.en.md\n\
                   \x1e2023-11-14T21:00:00+00:00\nRewrite\n\x1f\n\ncontent/a.en.md\ncontent/b.zh.md\n\
                   \x1e2023-11-13T09:00:00+01:00\nFirst\n\x1f\n\ncontent/a.zh.md\ncontent/b.zh.md\n";
        let h = parse(log);
        assert_eq!(h["content/a.en.md"].last.order, 3);
        let counted = |f: &str| h[f].to_translate.as_ref().unwrap().order;
        assert_eq!(counted("content/a.en.md"), 2);
        assert_eq!(counted("content/b.zh.md"), 2);
        assert_eq!(h["content/a.zh.md"].last.date, "2023-11-13T09:00:00+01:00");
        let (a, b) = (&h["content/a.zh.md"].last, &h["content/a.en.md"].last);
        assert_eq!(a.shown(b), ("2023-11-13".into(), "2023-11-14".into()));
        let same_day = Change {
            order: 0,
            date: "2023-11-13T08:05:00+01:00".into(),
        };
        assert_eq!(
            same_day.shown(a),
            ("2023-11-13 08:05".into(), "2023-11-13 09:00".into())
        );
    }

    #[test]
    fn the_marker_is_a_line_of_its_own_in_any_case() {
        assert!(needs_no_translation("Typo\n\ntranslation:  NONE"));
        assert!(!needs_no_translation(
            "Typo: none of the translations agree"
        ));
    }
}
