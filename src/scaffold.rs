//! `new`: starts a region, event or page in every configured language from an archetype — a
//! Tera template of the front matter with every field present and explained.
//!
//! Archetypes are looked up in the site folder first (`archetypes/region.en.md`, then
//! `archetypes/region.md`), then among the built-in defaults compiled into the binary. What an
//! archetype produces must pass the front-matter parser, so a new draft never breaks the build.

use crate::config::{Config, Suffix};
use crate::content::{EVENTS, REGIONS};
use crate::dates::PartialDate;
use crate::diagnostics::{Diagnostic, Kind};
use crate::front_matter::{self, PageKind};
use crate::layout::CONTENT_DIR;
use crate::templates::error_chain;
use std::path::Path;

pub const ARCHETYPES_DIR: &str = "archetypes";

/// The built-in archetypes, by kind.
const BUILTIN: [(PageKind, &str); 3] = [
    (PageKind::Region, include_str!("archetypes/region.md")),
    (PageKind::Event, include_str!("archetypes/event.md")),
    (PageKind::Page, include_str!("archetypes/page.md")),
];

/// A file `new` is about to write.
#[derive(Debug, Clone, PartialEq)]
pub struct NewFile {
    /// Relative to the site root: `content/regions/wallonia.en.md`.
    pub file: String,
    pub text: String,
}

/// What to create: `kind` and the name as typed (`wallonia`, `wallonia.en`, `stories/2023/spring`).
pub struct Request<'a> {
    pub kind: PageKind,
    pub name: &'a str,
    pub today: PartialDate,
    /// Start the page as a folder (`wallonia/index.en.md`), to hold its photos and files.
    pub bundle: bool,
}

/// Works out the files to write and their text; touches nothing. Fails, naming the file, when
/// one of them exists already.
pub fn plan(
    root: &Path,
    config: &Config,
    request: &Request,
) -> Result<Vec<NewFile>, Vec<Diagnostic>> {
    let fail = |message: String, hint: &str| {
        vec![Diagnostic::error(Kind::New, request.name, message).with_hint(hint)]
    };
    let (path, only_lang) = split_language(request.name, config).map_err(|(m, h)| fail(m, &h))?;
    validate_path(&path, request.kind).map_err(|(m, h)| fail(m, h))?;
    let (dir, key) = match request.kind {
        PageKind::Region => (REGIONS.to_owned(), path.clone()),
        PageKind::Event => (EVENTS.to_owned(), path.clone()),
        PageKind::Page => match path.rsplit_once('/') {
            Some((dir, key)) => (dir.to_owned(), key.to_owned()),
            None => (String::new(), path.clone()),
        },
    };
    let folder = if dir.is_empty() {
        CONTENT_DIR.to_owned()
    } else {
        format!("{CONTENT_DIR}/{dir}")
    };
    let langs: Vec<&str> = match &only_lang {
        Some(l) => vec![l.as_str()],
        None => config.codes().collect(),
    };
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for lang in langs {
        let file = match request.bundle {
            true => format!("{folder}/{key}/index.{lang}.md"),
            false => format!("{folder}/{key}.{lang}.md"),
        };
        // `wallonia.md` is the default language's version too, and a folder is the same page
        // as a file.
        let in_lang = [
            format!("{folder}/{key}.{lang}.md"),
            format!("{folder}/{key}/index.{lang}.md"),
        ];
        let bare = [
            format!("{folder}/{key}.md"),
            format!("{folder}/{key}/index.md"),
        ];
        let default = lang == config.default_language;
        for existing in in_lang.iter().chain(bare.iter().filter(|_| default)) {
            if root.join(existing).exists() {
                errors.push(
                    Diagnostic::error(
                        Kind::New,
                        existing.as_str(),
                        "this file already exists; nothing was written",
                    )
                    .with_hint("edit that file, or choose another name"),
                );
            }
        }
        match render(root, config, request, &key, lang, &file) {
            Ok(text) => files.push(NewFile { file, text }),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

/// Writes planned files; none may exist (checked again at the moment of creation). On failure
/// the files already written are removed again, so `new` writes all or nothing.
pub fn write(root: &Path, files: &[NewFile]) -> Result<(), Diagnostic> {
    for (i, f) in files.iter().enumerate() {
        if let Err(e) = create(&root.join(&f.file), &f.text) {
            for done in &files[..i] {
                let _ = std::fs::remove_file(root.join(&done.file));
            }
            return Err(Diagnostic::error(
                Kind::Io,
                f.file.as_str(),
                format!("cannot write {}: {e}; nothing was written", f.file),
            ));
        }
    }
    Ok(())
}

fn create(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?
        .write_all(text.as_bytes())
}

/// `wallonia.en` → (`wallonia`, Some(`en`)); `wallonia.fr` → an error unless `fr` is configured.
fn split_language(
    name: &str,
    config: &Config,
) -> Result<(String, Option<String>), (String, String)> {
    let name = name.strip_suffix(".md").unwrap_or(name);
    match config.split_language(name) {
        Suffix::None(_) => Ok((name.to_owned(), None)),
        Suffix::Language(path, lang) => Ok((path.to_owned(), Some(lang.to_owned()))),
        Suffix::Unconfigured(_, suffix) => {
            let codes: Vec<&str> = config.codes().collect();
            Err((
                format!("`.{suffix}` is not a language configured in site.toml"),
                format!(
                    "leave the suffix out to start every language ({}), or name one of them",
                    codes.join(", ")
                ),
            ))
        }
    }
}

/// Keys become file names and URLs: ASCII letters, digits, `-` and `_`, starting with a letter
/// or digit; a page may nest in folders (`stories/2023/spring`) and may be a folder's `_index`.
fn validate_path(path: &str, kind: PageKind) -> Result<(), (String, &'static str)> {
    const HINT: &str = "use ASCII letters, digits, `-` and `_`, like wallonia or gyeongsangbuk-do";
    let segments: Vec<&str> = path.split('/').collect();
    if kind != PageKind::Page && segments.len() > 1 {
        return Err((
            format!("`{path}`: a {} key is one name, without `/`", kind.name()),
            HINT,
        ));
    }
    // `regions/_index` and `events/_index` are those sections' intros: plain pages.
    let section_intro = segments.len() == 2 && segments[1] == "_index";
    if kind == PageKind::Page && segments.len() > 1 && !section_intro {
        match segments[0] {
            REGIONS => {
                return Err((
                    format!("`{path}` is in content/{REGIONS}/"),
                    "start a region with `henan-stories new region <key>`",
                ))
            }
            EVENTS => {
                return Err((
                    format!("`{path}` is in content/{EVENTS}/"),
                    "start an event with `henan-stories new event <key>`",
                ))
            }
            _ => {}
        }
    }
    for (i, s) in segments.iter().enumerate() {
        let is_index = *s == "_index" && i == segments.len() - 1 && kind == PageKind::Page;
        let ok = is_index
            || (s.starts_with(|c: char| c.is_ascii_alphanumeric())
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        if !ok {
            let message = if segments.len() == 1 {
                format!("`{path}` is not a valid key")
            } else {
                format!("`{path}` is not a valid path: `{s}` is not a valid key")
            };
            return Err((message, HINT));
        }
    }
    Ok(())
}

/// The archetype for `kind` in `lang`: the site's own, else the built-in one; with its name.
fn archetype(root: &Path, kind: PageKind, lang: &str) -> Result<(String, String), Diagnostic> {
    let name = kind.name();
    for file in [format!("{name}.{lang}.md"), format!("{name}.md")] {
        let rel = format!("{ARCHETYPES_DIR}/{file}");
        let path = root.join(&rel);
        if path.is_file() {
            let text = std::fs::read_to_string(&path).map_err(|e| {
                Diagnostic::error(
                    Kind::Io,
                    rel.as_str(),
                    format!("cannot read the archetype: {e}"),
                )
            })?;
            return Ok((rel, text));
        }
    }
    let text = BUILTIN
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or("", |(_, t)| t);
    Ok((format!("the built-in {name} archetype"), text.to_owned()))
}

fn render(
    root: &Path,
    config: &Config,
    request: &Request,
    key: &str,
    lang: &str,
    file: &str,
) -> Result<String, Vec<Diagnostic>> {
    let (origin, template) = archetype(root, request.kind, lang).map_err(|d| vec![d])?;
    let mut cx = tera::Context::new();
    cx.insert("key", key);
    cx.insert("lang", lang);
    cx.insert("title", &title_for(config, key, lang, file));
    cx.insert("today", &request.today.to_string());
    cx.insert("default_language", &config.default_language);
    cx.insert(
        "language",
        &config.language(lang).map_or(lang, |l| l.name.as_str()),
    );
    let text = tera::Tera::one_off(&template, &cx, false).map_err(|e| {
        vec![Diagnostic::error(
            Kind::Archetype,
            origin.as_str(),
            format!("the archetype does not render: {}", error_chain(&e)),
        )]
    })?;
    let source = front_matter::normalize(&text);
    front_matter::parse(file, &source, request.kind).map_err(|errors| {
        errors
            .into_iter()
            .map(|e| {
                let message = format!(
                    "{origin} produces front matter that does not parse: {}",
                    e.message
                );
                Diagnostic { message, ..e }
            })
            .collect::<Vec<_>>()
    })?;
    Ok(text)
}

/// `gyeongsangbuk-do` → `Gyeongsangbuk Do`: a placeholder title the editor will replace.
/// A first title: from the key, or for a folder's intro (`_index`) from the folder's name, and
/// for the home page's the site's title.
fn title_for(config: &Config, key: &str, lang: &str, file: &str) -> String {
    if key != "_index" {
        return title_of(key);
    }
    let folder = file.rsplit('/').nth(1).unwrap_or(CONTENT_DIR);
    if folder == CONTENT_DIR {
        config
            .language(lang)
            .map_or_else(|| title_of(key), |l| l.title.clone())
    } else {
        title_of(folder)
    }
}

fn title_of(key: &str) -> String {
    key.split(['-', '_'])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_uppercase().chain(c).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_slugs_and_pages_may_nest() {
        assert!(validate_path("wallonia", PageKind::Region).is_ok());
        assert!(validate_path("stories/2023/spring", PageKind::Page).is_ok());
        assert!(validate_path("stories/_index", PageKind::Page).is_ok());
        for bad in ["a/b", "Wal lonia", "-x", "", "_index", "a..b"] {
            assert!(validate_path(bad, PageKind::Region).is_err(), "{bad}");
        }
        assert!(validate_path("regions/x", PageKind::Page).is_err());
        assert!(validate_path("../x", PageKind::Page).is_err());
    }

    #[test]
    fn placeholder_title() {
        assert_eq!(title_of("gyeongsangbuk-do"), "Gyeongsangbuk Do");
    }
}
