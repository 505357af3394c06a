//! `site.toml`: the site's base URL, languages with their UI strings, and Henan's hub marker.

use crate::diagnostics::{line_and_column, Diagnostic, Kind};
use crate::layout::CONFIG_FILE;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Config {
    /// Absolute URL without a trailing slash: `https://example.org/henan`.
    pub base_url: String,
    /// The path part of `base_url` without a trailing slash (`/henan`, or empty at a domain root);
    /// every internal link starts with it so the site works on project-pages hosts.
    pub base_path: String,
    pub default_language: String,
    /// Languages in a stable order: the default first, then by code.
    pub languages: Vec<Language>,
    pub hub: Hub,
    pub markdown: MarkdownConfig,
    /// `[tags.<id>]`: one tag's label in each language (`zh = "经贸"`, `en = "Trade"`), so that
    /// its pages in every language share `/<lang>/tags/<id>/`; by id.
    pub tags: BTreeMap<String, BTreeMap<String, String>>,
    pub translations: TranslationsConfig,
    /// Entries in each language's Atom feed, newest first (`feed_limit`).
    pub feed_limit: usize,
    /// Any other keys of `[extra]`, for templates.
    pub extra: toml::Table,
}

/// Entries a feed holds where `site.toml` gives no `feed_limit`: as many as the first page of
/// a list. A feed quoting every event whole grows with the site (150 MB at 25,000 events), and
/// feed readers fetch it again and again.
pub const DEFAULT_FEED_LIMIT: usize = 50;

/// `[markdown]`: how page text is read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarkdownConfig {
    /// Raw HTML in Markdown passes through as written (CommonMark), scripts included; `false`
    /// shows it as text and drops `javascript:` link targets, for sites whose editors are not
    /// all trusted.
    #[serde(default = "yes")]
    pub raw_html: bool,
    /// Images larger than this many megabytes get a warning.
    #[serde(default = "max_image_mb")]
    pub max_image_mb: u64,
    /// Images wider or taller than this many pixels get a warning.
    #[serde(default = "max_image_px")]
    pub max_image_px: u32,
}

fn max_image_mb() -> u64 {
    10
}

fn max_image_px() -> u32 {
    8000
}

/// Size above which an image gets a warning (`[markdown] max_image_mb`, `max_image_px`).
#[derive(Debug, Clone, Copy)]
pub struct ImageLimits {
    pub bytes: u64,
    pub pixels: u32,
}

impl MarkdownConfig {
    pub fn image_limits(&self) -> ImageLimits {
        ImageLimits {
            bytes: self.max_image_mb * 1_000_000,
            pixels: self.max_image_px,
        }
    }
}

/// `[translations]`: what readers of one language see of pages written in another only.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TranslationsConfig {
    /// A page without a version in some language is published in that language too, in its
    /// original language with a notice (see `content::fallback`); `false` leaves it out there.
    #[serde(default = "yes")]
    pub fallback: bool,
}

impl Default for TranslationsConfig {
    fn default() -> Self {
        TranslationsConfig { fallback: true }
    }
}

fn yes() -> bool {
    true
}

impl Default for MarkdownConfig {
    fn default() -> Self {
        MarkdownConfig {
            raw_html: true,
            max_image_mb: max_image_mb(),
            max_image_px: max_image_px(),
        }
    }
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Language {
    pub code: String,
    pub title: String,
    pub description: String,
    /// BCP 47 tag for `<html lang>` and `hreflang`: `zh-Hans`, `en`.
    pub locale: String,
    /// Open Graph locale: `zh_CN`, `en_US`.
    pub og_locale: String,
    /// The language's own name, for the switcher: 中文, English.
    pub name: String,
    /// UI strings: built-in defaults overlaid with `[languages.<code>.strings]`.
    pub strings: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hub {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            name: "Zhengzhou".into(),
            lat: 34.75,
            lon: 113.62,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    base_url: String,
    default_language: Option<String>,
    #[serde(default)]
    languages: BTreeMap<String, RawLanguage>,
    hub: Option<Hub>,
    #[serde(default)]
    markdown: MarkdownConfig,
    #[serde(default)]
    tags: BTreeMap<String, BTreeMap<String, String>>,
    #[serde(default)]
    translations: TranslationsConfig,
    #[serde(default, deserialize_with = "feed_limit")]
    feed_limit: Option<usize>,
    #[serde(default)]
    extra: toml::Table,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    title: Option<String>,
    description: Option<String>,
    locale: Option<String>,
    og_locale: Option<String>,
    name: Option<String>,
    #[serde(default)]
    strings: BTreeMap<String, String>,
}

impl Config {
    /// Parses `site.toml`; problems come back as diagnostics naming the file and line: the
    /// first that stops parsing, else every setting the site cannot use.
    pub fn parse(text: &str) -> Result<Config, Vec<Diagnostic>> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let at = e.span().map(|s| s.start);
            vec![config_error(text, e.message().to_owned(), at)]
        })?;
        Self::from_raw(raw).map_err(|invalid| {
            // Read once more, with spans, to find where each refused setting is written.
            let doc = toml_edit::ImDocument::parse(text).ok();
            (invalid.into_iter())
                .map(|Invalid { keys, message }| {
                    let at = doc.as_ref().and_then(|doc| offset_of(doc, &keys));
                    config_error(text, message, at)
                })
                .collect()
        })
    }

    fn from_raw(mut raw: RawConfig) -> Result<Config, Vec<Invalid>> {
        let mut invalid = Vec::new();
        if raw.languages.is_empty() {
            for code in ["zh", "en"] {
                raw.languages.insert(code.into(), RawLanguage::default());
            }
        }
        let default_language = raw
            .default_language
            .unwrap_or_else(|| raw.languages.keys().next().cloned().unwrap_or_default());
        if !raw.languages.contains_key(&default_language) {
            let message = format!(
                "default_language = \"{default_language}\" is not one of the [languages.*] tables ({})",
                raw.languages.keys().cloned().collect::<Vec<_>>().join(", ")
            );
            invalid.push(Invalid::at(&["default_language"], message));
        }
        for code in raw.languages.keys() {
            if !is_language_code(code) {
                let message = format!(
                    "language code `{code}`: expected a lowercase code like `zh`, `en` or `pt-br`"
                );
                invalid.push(Invalid::at(&["languages", code], message));
            }
        }
        let mut languages: Vec<Language> = raw
            .languages
            .into_iter()
            .map(|(code, l)| Language::new(code, l))
            .collect();
        languages.sort_by_key(|l| (l.code != default_language, l.code.clone()));
        let base = split_base_url(&raw.base_url)
            .map_err(|m| invalid.push(Invalid::at(&["base_url"], m)))
            .ok();
        if let Some(hub) = &raw.hub {
            let lat = (-90.0..=90.0).contains(&hub.lat);
            if !lat || !(-180.0..=180.0).contains(&hub.lon) {
                let key = if lat { "lon" } else { "lat" };
                let message = format!(
                    "[hub] lat = {}, lon = {}: expected decimal degrees, lat in [-90, 90] and lon in [-180, 180]",
                    hub.lat, hub.lon
                );
                invalid.push(Invalid::at(&["hub", key], message));
            }
        }
        if let Some(value) = raw.extra.get("paginate_by") {
            if value.as_integer().is_none_or(|n| n < 1) {
                let message = format!(
                    "[extra] paginate_by = {value}: expected {}",
                    PAGINATE_BY_EXPECTED
                );
                invalid.push(Invalid::at(&["extra", "paginate_by"], message));
            }
        }
        check_tags(&raw.tags, &languages, &mut invalid);
        let Some((base_url, base_path)) = base.filter(|_| invalid.is_empty()) else {
            return Err(invalid);
        };
        Ok(Config {
            base_url,
            base_path,
            default_language,
            languages,
            hub: raw.hub.unwrap_or_default(),
            markdown: raw.markdown,
            tags: raw.tags,
            translations: raw.translations,
            feed_limit: raw.feed_limit.unwrap_or(DEFAULT_FEED_LIMIT),
            extra: raw.extra,
        })
    }

    /// Overrides the base URL (`--base-url`, or the local address under `serve`).
    pub fn set_base_url(&mut self, url: &str) -> Result<(), String> {
        (self.base_url, self.base_path) = split_base_url(url)?;
        Ok(())
    }

    pub fn language(&self, code: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.code == code)
    }

    pub fn codes(&self) -> impl Iterator<Item = &str> {
        self.languages.iter().map(|l| l.code.as_str())
    }

    /// Absolute URL of a site path (`/en/regions/attica/` → `https://example.org/henan/en/regions/attica/`).
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    /// Root-relative URL of a site path, with the base path in front.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path)
    }
}

/// `https://example.org/henan/` → (`https://example.org/henan`, `/henan`).
fn split_base_url(url: &str) -> Result<(String, String), String> {
    let base_url = url.trim_end_matches('/').to_owned();
    let after_scheme = base_url.split_once("://").map_or("", |(_, rest)| rest);
    if after_scheme.is_empty() {
        return Err(format!(
            "base_url = \"{url}\": expected an absolute URL like https://example.org/ or https://example.org/henan/"
        ));
    }
    let base_path = after_scheme
        .find('/')
        .map_or(String::new(), |i| after_scheme[i..].to_owned());
    Ok((base_url, base_path))
}

impl Language {
    fn new(code: String, raw: RawLanguage) -> Language {
        let zh = code.starts_with("zh");
        let pick = |given: Option<String>, zh_default: &str, en_default: &str| {
            given.unwrap_or_else(|| if zh { zh_default } else { en_default }.to_owned())
        };
        let mut strings = crate::i18n::default_strings(&code);
        strings.extend(raw.strings);
        Language {
            title: pick(raw.title, "河南故事", "Henan Stories"),
            description: pick(
                raw.description,
                "河南省国际友好省州的故事",
                "Stories of Henan province and its sister regions around the world",
            ),
            locale: pick(raw.locale, "zh-Hans", &code),
            og_locale: pick(
                raw.og_locale,
                "zh_CN",
                if code == "en" { "en_US" } else { &code },
            ),
            name: pick(raw.name, "中文", crate::i18n::language_name(&code)),
            strings,
            code,
        }
    }
}

/// A setting `site.toml` parsed but the site cannot use: why, and the keys that lead to it
/// from the top of the file (`["extra", "paginate_by"]`), so that the message can name its line.
struct Invalid {
    keys: Vec<String>,
    message: String,
}

impl Invalid {
    fn at(keys: &[&str], message: String) -> Self {
        let keys = keys.iter().map(|k| k.to_string()).collect();
        Invalid { keys, message }
    }
}

/// An error in `site.toml` (`text`), quoted at the line holding byte `at` where it is known.
fn config_error(text: &str, message: String, at: Option<usize>) -> Diagnostic {
    let d = Diagnostic::error(Kind::Config, CONFIG_FILE, message);
    match at {
        Some(at) => {
            let (line, _) = line_and_column(text, at.min(text.len()));
            d.in_source(text, line, None)
        }
        None => d,
    }
}

/// Where in `doc` the setting at `keys` is written (its key's first byte), as toml_edit finds
/// it, dotted keys and inline tables included; serde's own errors carry theirs already.
fn offset_of(doc: &toml_edit::ImDocument<&str>, keys: &[String]) -> Option<usize> {
    let mut item = doc.as_item();
    let mut span = None;
    for key in keys {
        let (k, found) = item.as_table_like()?.get_key_value(key)?;
        span = k.span().or_else(|| found.span()).or(span);
        item = found;
    }
    Some(span?.start)
}

/// Adds to `invalid` the mistakes `[tags]` can hold: an id that is not a URL segment, a
/// language that is not configured, an empty label, one label for two ids in a language.
fn check_tags(
    tags: &BTreeMap<String, BTreeMap<String, String>>,
    languages: &[Language],
    invalid: &mut Vec<Invalid>,
) {
    let mut seen: BTreeMap<(&str, String), &str> = BTreeMap::new();
    for (id, labels) in tags {
        let segment = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
        if id.is_empty() || !id.bytes().all(segment) {
            let message = format!(
                "[tags.{id}]: expected an id of lowercase ASCII letters, digits and `-`, like `trade` or `cultural-exchange`"
            );
            invalid.push(Invalid::at(&["tags", id], message));
        }
        for (lang, label) in labels {
            if !languages.iter().any(|l| &l.code == lang) {
                let message = format!(
                    "[tags.{id}] {lang} = \"{label}\": `{lang}` is not one of the [languages.*] tables"
                );
                invalid.push(Invalid::at(&["tags", id, lang], message));
                continue;
            }
            if label.trim().is_empty() {
                let message =
                    format!("[tags.{id}] {lang} = \"\": expected the tag's label in that language");
                invalid.push(Invalid::at(&["tags", id, lang], message));
                continue;
            }
            // Labels are matched without ASCII case (see `tags::resolve`).
            if let Some(other) = seen.insert((lang, label.trim().to_ascii_lowercase()), id) {
                let message = format!(
                    "[tags.{id}] {lang} = \"{label}\": [tags.{other}] has that label too; a label stands for one tag"
                );
                invalid.push(Invalid::at(&["tags", id, lang], message));
            }
        }
    }
}

/// `feed_limit`: a whole number above zero, refused at its line otherwise.
fn feed_limit<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<usize>, D::Error> {
    let n = i64::deserialize(d)
        .ok()
        .and_then(|n| usize::try_from(n).ok());
    match n.filter(|&n| n > 0) {
        Some(n) => Ok(Some(n)),
        None => Err(serde::de::Error::custom(
            "expected a whole number of feed entries, 1 or more, like 50",
        )),
    }
}

/// What `paginate_by` (in `site.toml` or a section's intro) takes, for messages.
pub const PAGINATE_BY_EXPECTED: &str =
    "a whole number of entries per list page, 1 or more, like 20";

/// What a language code looks like: two or three lowercase letters (`zh`, `en`), optionally a
/// `-` and a lowercase subtag of letters or digits (`zh-hans`, `pt-br`). `site.toml`'s languages
/// are such codes, and a file or link suffix of this shape names a language.
pub fn is_language_code(s: &str) -> bool {
    let (base, subtag) = match s.split_once('-') {
        Some((base, subtag)) => (base, Some(subtag)),
        None => (s, None),
    };
    (2..=3).contains(&base.len())
        && base.bytes().all(|b| b.is_ascii_lowercase())
        && subtag.is_none_or(|t| {
            (1..=8).contains(&t.len())
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        })
}

/// A file or link name's language suffix: `attica.en` → (`attica`, `en`).
#[derive(Debug, PartialEq, Eq)]
pub enum Suffix<'a> {
    /// The name ends in a configured language's code.
    Language(&'a str, &'a str),
    /// The name ends in something shaped like a language code that `site.toml` does not
    /// configure (`attica.fr`): (stem, suffix).
    Unconfigured(&'a str, &'a str),
    /// No language suffix: the whole name.
    None(&'a str),
}

impl Config {
    /// Splits the language suffix off `name` (`regions/attica.en`; no `.md`).
    pub fn split_language<'a>(&self, name: &'a str) -> Suffix<'a> {
        let last = name.rsplit('/').next().unwrap_or(name);
        match last.rsplit_once('.') {
            Some((_, suffix)) => {
                let stem = &name[..name.len() - suffix.len() - 1];
                if self.language(suffix).is_some() {
                    Suffix::Language(stem, suffix)
                } else if is_language_code(suffix) {
                    Suffix::Unconfigured(stem, suffix)
                } else {
                    Suffix::None(name)
                }
            }
            None => Suffix::None(name),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_language_codes_and_suffixes() {
        for code in ["zh", "en", "haw", "zh-hans", "pt-br", "es-419"] {
            assert!(is_language_code(code), "{code}");
        }
        for code in ["", "e", "english", "EN", "zh_hans", "zh-", "2023"] {
            assert!(!is_language_code(code), "{code}");
        }
        let c = Config::parse("base_url = \"https://x.org/\"\ndefault_language = \"zh\"\n[languages.zh]\ntitle = \"a\"\n[languages.en]\ntitle = \"b\"\n");
        let c = c.unwrap();
        assert_eq!(
            c.split_language("regions/attica.en"),
            Suffix::Language("regions/attica", "en")
        );
        assert_eq!(
            c.split_language("regions/attica.fr"),
            Suffix::Unconfigured("regions/attica", "fr")
        );
        assert_eq!(c.split_language("v1.2/notes"), Suffix::None("v1.2/notes"));
        assert_eq!(c.split_language("report.2023"), Suffix::None("report.2023"));
    }

    #[test]
    fn base_path_from_url_with_path() {
        let c = Config::parse("base_url = \"https://example.org/henan/\"\n").unwrap();
        assert_eq!(c.base_url, "https://example.org/henan");
        assert_eq!(c.base_path, "/henan");
        assert_eq!(c.url("/en/"), "/henan/en/");
        assert_eq!(c.default_language, "en");
        assert_eq!(c.languages.len(), 2);
    }

    #[test]
    fn default_language_first() {
        let c = Config::parse(
            "base_url = \"https://x.org\"\ndefault_language = \"zh\"\n[languages.en]\n[languages.zh]\nlocale = \"zh-Hans\"\n",
        )
        .unwrap();
        assert_eq!(c.codes().collect::<Vec<_>>(), ["zh", "en"]);
        assert_eq!(c.base_path, "");
        assert_eq!(c.language("en").unwrap().name, "English");
    }

    #[test]
    fn unknown_key_is_located() {
        let errs = Config::parse("base_url = \"https://x.org\"\nbase_ulr = 1\n").unwrap_err();
        let err = &errs[0];
        assert_eq!(err.line, Some(2));
        assert!(err.message.contains("base_ulr"), "{}", err.message);
    }
}
