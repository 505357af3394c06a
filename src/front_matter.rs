//! Front matter: the YAML block between a first line `---` and the next `---` line.
//!
//! This is the only module that parses YAML (serde_yaml is archived upstream; its maintained
//! continuation `yaml_serde` has the same API, so the move is the one `use` line below).
//! Parsing is pure — text in, typed fields or located diagnostics out — so it is tested with
//! strings and fuzzed without touching the disk.

use crate::dates::{self, PartialDate};
use crate::diagnostics::{suggest, Diagnostic, Kind};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use serde_yaml as yaml;
use std::collections::BTreeMap;

/// Which typed fields a file may carry, from the section it lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum PageKind {
    Region,
    Event,
    Page,
}

impl PageKind {
    /// `region`, `event` or `page`, as `new` and messages name it.
    pub fn name(self) -> &'static str {
        match self {
            PageKind::Region => "region",
            PageKind::Event => "event",
            PageKind::Page => "page",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Established,
    Preparing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum EventKind {
    Anniversary,
    Visit,
    Signing,
    Publication,
    Other,
}

impl EventKind {
    pub const ALL: [(&'static str, EventKind); 5] = [
        ("anniversary", EventKind::Anniversary),
        ("visit", EventKind::Visit),
        ("signing", EventKind::Signing),
        ("publication", EventKind::Publication),
        ("other", EventKind::Other),
    ];

    pub fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("other", |(n, _)| n)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

/// Fields that mean the same in every language: written once, inherited by the translation
/// that omits them, and an error where two translations disagree.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Neutral {
    pub slug: Option<String>,
    pub country_code: Option<String>,
    pub established: Option<PartialDate>,
    pub status: Option<Status>,
    pub coordinates: Option<Coordinates>,
    pub date: Option<PartialDate>,
    pub kind: Option<EventKind>,
    pub regions: Option<Vec<String>>,
}

/// Names of the language-neutral fields, in the order `Neutral` declares them.
pub const NEUTRAL_FIELDS: [&str; 8] = [
    "slug",
    "country_code",
    "established",
    "status",
    "coordinates",
    "date",
    "kind",
    "regions",
];

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrontMatter {
    pub title: String,
    pub summary: Option<String>,
    pub draft: bool,
    pub tags: Vec<String>,
    pub weight: Option<i64>,
    pub country: Option<String>,
    pub neutral: Neutral,
    /// Every key this module does not type, for templates as `page.extra`.
    #[serde(with = "json_text")]
    pub extra: BTreeMap<String, Json>,
    /// 1-based line of each top-level key in the whole file, to locate later diagnostics.
    pub lines: BTreeMap<String, usize>,
}

/// `extra` as JSON text: formats that are not self-describing (the build cache's) cannot
/// read a `Json` back.
mod json_text {
    use super::Json;
    use serde::{Deserialize, Deserializer, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        extra: &BTreeMap<String, Json>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(extra).map_err(serde::ser::Error::custom)?;
        s.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<String, Json>, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

impl FrontMatter {
    /// Line of `key` in the file, or the first line where the key is absent.
    pub fn line_of(&self, key: &str) -> usize {
        self.lines.get(key).copied().unwrap_or(1)
    }
}

/// A content file split into its parts, with the body's position in the file.
#[derive(Debug)]
pub struct Parsed {
    pub front: FrontMatter,
    /// Byte offset of the body in the source.
    pub body_start: usize,
    /// 1-based line where the body starts, so Markdown diagnostics can be located too.
    pub body_line: usize,
    /// Values that held control characters written as escapes (`"\v"`), left out.
    pub warnings: Vec<Diagnostic>,
}

const COMMON_KEYS: [&str; 6] = ["title", "summary", "draft", "tags", "weight", "slug"];
const REGION_KEYS: [&str; 5] = [
    "country",
    "country_code",
    "established",
    "status",
    "coordinates",
];
const EVENT_KEYS: [&str; 3] = ["date", "kind", "regions"];

/// Strips a UTF-8 BOM and turns CRLF into LF, so positions are counted in one way, and leaves
/// out the control characters no page or feed may carry (see [`crate::text`]).
pub fn normalize(source: &str) -> String {
    normalized(source).text.to_string()
}

/// [`normalize`]d source, and whether characters were left out of it.
pub struct Normalized {
    pub text: std::sync::Arc<str>,
    /// Only then does [`crate::text::warnings`] find anything in the file as read: a file is
    /// scanned for them once, not twice.
    pub cleaned: bool,
}

pub fn normalized(source: &str) -> Normalized {
    let source = source.strip_prefix('\u{feff}').unwrap_or(source);
    let clean = crate::text::clean(source);
    let cleaned = matches!(clean, std::borrow::Cow::Owned(_));
    // Most files have no CR: one copy, without searching for `\r\n` on the way.
    let text = if clean.contains('\r') {
        clean.replace("\r\n", "\n").into()
    } else {
        clean.as_ref().into()
    };
    Normalized { text, cleaned }
}

/// Parses normalized source (see [`normalize`]) of the file `file` (for messages).
/// Returns every problem found, not only the first.
pub fn parse(file: &str, source: &str, kind: PageKind) -> Result<Parsed, Vec<Diagnostic>> {
    let (yaml_text, body, body_line) = split(file, source).map_err(|d| vec![d])?;
    let mut mapping = parse_yaml(file, source, yaml_text).map_err(|d| vec![d])?;
    let mut reader = Reader {
        file,
        source,
        lines: key_lines(yaml_text),
        errors: Vec::new(),
    };
    let warnings = reader.clean(&mut mapping);
    let mut front = reader.read(mapping, kind);
    if reader.errors.is_empty() {
        front.lines = reader.lines;
        Ok(Parsed {
            front,
            body_start: source.len() - body.len(),
            body_line,
            warnings,
        })
    } else {
        Err(reader.errors)
    }
}

/// Unknown keys that look like misspelt known ones: warnings, since they are kept as `extra`.
pub fn typo_warnings(
    file: &str,
    source: &str,
    front: &FrontMatter,
    kind: PageKind,
) -> Vec<Diagnostic> {
    let known = known_keys(kind);
    front
        .extra
        .keys()
        .filter_map(|key| {
            let guess = suggest(key, known.iter().copied())?;
            let line = front.line_of(key);
            Some(
                Diagnostic::warning(
                    Kind::UnknownField,
                    file,
                    format!("unknown field `{key}` is kept as page.extra.{key}"),
                )
                .in_source(source, line, Some(1))
                .with_hint(format!("did you mean `{guess}`?")),
            )
        })
        .collect()
}

fn known_keys(kind: PageKind) -> Vec<&'static str> {
    let mut keys = COMMON_KEYS.to_vec();
    match kind {
        PageKind::Region => keys.extend(REGION_KEYS),
        PageKind::Event => keys.extend(EVENT_KEYS),
        PageKind::Page => {}
    }
    keys
}

/// Splits off the front matter: (yaml, body, 1-based line of the body).
fn split<'a>(file: &str, source: &'a str) -> Result<(&'a str, &'a str, usize), Diagnostic> {
    let missing = || {
        Diagnostic::error(
            Kind::FrontMatter,
            file,
            "expected front matter: a first line `---`, YAML with at least `title:`, then a line `---`",
        )
        .in_source(source, 1, Some(1))
    };
    // Trailing blanks after the opening `---` are invisible in an editor; the closing line
    // allows them too.
    let first = source.split_inclusive('\n').next().unwrap_or("");
    if first.trim_end() != "---" || !first.ends_with('\n') {
        return Err(missing());
    }
    let rest = &source[first.len()..];
    let mut offset = 0;
    for (i, line) in rest.split_inclusive('\n').enumerate() {
        if line.trim_end() == "---" {
            let body = &rest[offset + line.len()..];
            return Ok((&rest[..offset], body, i + 3));
        }
        offset += line.len();
    }
    Err(Diagnostic::error(
        Kind::FrontMatter,
        file,
        "the front matter is not closed: expected a line `---` after the YAML",
    )
    .in_source(source, 1, Some(1))
    .with_hint("add a line `---` between the front matter and the text"))
}

fn parse_yaml(file: &str, source: &str, text: &str) -> Result<yaml::Mapping, Diagnostic> {
    if text.trim().is_empty() {
        return Ok(yaml::Mapping::new());
    }
    match yaml::from_str::<yaml::Value>(text) {
        Ok(yaml::Value::Mapping(m)) => Ok(m),
        Ok(yaml::Value::Null) => Ok(yaml::Mapping::new()),
        Ok(_) => Err(Diagnostic::error(
            Kind::FrontMatter,
            file,
            "expected the front matter to be `key: value` lines",
        )
        .in_source(source, 2, None)),
        Err(e) => {
            let (mut line, mut column) = e
                .location()
                .map_or((2, None), |l| (l.line() + 1, Some(l.column())));
            // An unclosed `[`, `{` or quote is only noticed at the end of the YAML; point at
            // where it was opened instead, which is where the editor must look.
            if line > text.lines().count() {
                if let Some((l, c)) = unclosed_opening(text) {
                    (line, column) = (l + 1, Some(c));
                }
            }
            let message = e.to_string();
            // serde_yaml appends " at line N column M" relative to the YAML; we give our own.
            let message = message.split(" at line ").next().unwrap_or(&message);
            let message = too_large(message).unwrap_or_else(|| message.to_owned());
            Err(Diagnostic::error(
                Kind::FrontMatter,
                file,
                format!("invalid YAML in front matter: {message}"),
            )
            .in_source(source, line, column))
        }
    }
}

/// serde_yaml's words for a number beyond 64 bits (`invalid type: integer `…` as u128,
/// expected any YAML value`), said as an editor would understand them.
fn too_large(message: &str) -> Option<String> {
    let (before, rest) = message.split_once("invalid type: integer `")?;
    let (number, rest) = rest.split_once('`')?;
    rest.contains("128").then(|| {
        format!("{before}the number {number} is too large (put it in quotes to keep it as text)")
    })
}

/// The (1-based line, column) of a bracket or quote that is never closed, if any.
fn unclosed_opening(text: &str) -> Option<(usize, usize)> {
    let mut open: Vec<(char, usize, usize)> = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut prev = ' ';
        for (j, c) in line.chars().enumerate() {
            let quoted = matches!(open.last(), Some(('"' | '\'', _, _)));
            let before = std::mem::replace(&mut prev, c);
            match c {
                '"' | '\'' if quoted && open.last().is_some_and(|o| o.0 == c) => {
                    open.pop();
                }
                _ if quoted => {}
                '#' if before == ' ' => break,
                '[' | '{' | '"' | '\'' => open.push((c, i + 1, j + 1)),
                ']' | '}' => {
                    open.pop();
                }
                _ => {}
            }
        }
        // A quote never spans lines in front matter as editors write it.
        if matches!(open.last(), Some(('"' | '\'', _, _))) {
            return open.last().map(|o| (o.1, o.2));
        }
    }
    open.first().map(|o| (o.1, o.2))
}

/// The file line (1-based, counting the opening `---` as line 1) of each top-level key.
fn key_lines(yaml_text: &str) -> BTreeMap<String, usize> {
    let mut lines = BTreeMap::new();
    for (i, line) in yaml_text.lines().enumerate() {
        if line.starts_with([' ', '\t', '#', '-']) {
            continue;
        }
        if let Some((key, _)) = line.split_once(':') {
            let key = key.trim().trim_matches(['"', '\'']);
            lines.entry(key.to_owned()).or_insert(i + 2);
        }
    }
    lines
}

struct Reader<'a> {
    file: &'a str,
    source: &'a str,
    lines: BTreeMap<String, usize>,
    errors: Vec<Diagnostic>,
}

impl Reader<'_> {
    /// Leaves control characters written as escapes out of every value, a warning for each key.
    fn clean(&self, mapping: &mut yaml::Mapping) -> Vec<Diagnostic> {
        let mut warnings = Vec::new();
        for (key, value) in mapping.iter_mut() {
            if let Some(c) = clean_value(value) {
                let key = key.as_str().unwrap_or("");
                let line = self.lines.get(key).copied().unwrap_or(1);
                warnings.push(crate::text::value_warning(self.file, key, c, line));
            }
        }
        warnings
    }

    fn read(&mut self, mapping: yaml::Mapping, kind: PageKind) -> FrontMatter {
        // `lines` joins it once read (see `parse`): it locates errors until then.
        let mut fm = FrontMatter::default();
        // `Some(None)`: a title that is there but wrong, already reported.
        let mut title: Option<Option<String>> = None;
        for (key, value) in mapping {
            let Some(key) = key.as_str().map(str::to_owned) else {
                let shown = show(&key);
                let line = self.lines.get(&shown).copied().unwrap_or(1);
                self.fail_at(
                    line,
                    Some(1),
                    format!("expected text keys, found `{shown}`"),
                );
                continue;
            };
            // `established:` with nothing after it is a field not filled in yet (archetypes
            // list every field that way), not a wrongly typed one.
            if value.is_null() && key != "title" && known_keys(kind).contains(&key.as_str()) {
                continue;
            }
            match (key.as_str(), kind) {
                // `title:` with nothing after it is an empty title, reported once below.
                ("title", _) if value.is_null() => title = Some(Some(String::new())),
                ("title", _) => title = Some(self.text(&key, &value)),
                ("summary", _) => fm.summary = self.text(&key, &value),
                ("draft", _) => fm.draft = self.boolean(&key, &value).unwrap_or(false),
                ("tags", _) => fm.tags = self.list(&key, &value).unwrap_or_default(),
                ("weight", _) => fm.weight = self.integer(&key, &value),
                ("slug", _) => fm.neutral.slug = self.slug(&key, &value),
                ("country", PageKind::Region) => fm.country = self.text(&key, &value),
                ("country_code", PageKind::Region) => {
                    fm.neutral.country_code = self.country_code(&key, &value)
                }
                ("established", PageKind::Region) => {
                    fm.neutral.established = self.date(&key, &value)
                }
                ("status", PageKind::Region) => fm.neutral.status = self.status(&key, &value),
                ("coordinates", PageKind::Region) => {
                    fm.neutral.coordinates = self.coordinates(&key, &value)
                }
                ("date", PageKind::Event) => fm.neutral.date = self.date(&key, &value),
                ("kind", PageKind::Event) => fm.neutral.kind = self.event_kind(&key, &value),
                ("regions", PageKind::Event) => fm.neutral.regions = self.list(&key, &value),
                // Read from `extra` by the section lists, but checked here, where its line is.
                ("paginate_by", _) => {
                    if let Some(n) = self.per_page(&key, &value) {
                        fm.extra.insert(key.clone(), Json::from(n));
                    }
                }
                _ => {
                    let json = serde_json::to_value(&value).unwrap_or(Json::Null);
                    fm.extra.insert(key.clone(), json);
                }
            }
        }
        match title {
            Some(Some(t)) if !t.trim().is_empty() => fm.title = t,
            Some(Some(_)) => {
                self.fail("title", "`title` is empty: every page needs a title".into())
            }
            Some(None) => {}
            None => self.errors.push(
                Diagnostic::error(
                    Kind::FrontMatter,
                    self.file,
                    "missing `title`: every page needs a title",
                )
                .in_source(self.source, 1, Some(1))
                .with_hint("add a line like `title: Attica, Greece` to the front matter"),
            ),
        }
        fm
    }

    /// Records an error at the value of `key`.
    fn fail(&mut self, key: &str, message: String) {
        let line = self.lines.get(key).copied().unwrap_or(1);
        let column = self
            .source
            .lines()
            .nth(line - 1)
            .and_then(|l| l.find(':').map(|i| (l, i)))
            .map(|(l, i)| {
                let after = &l[i + 1..];
                l[..i + 1].chars().count() + after.chars().take_while(|c| *c == ' ').count() + 1
            });
        self.fail_at(line, column, format!("{key}: {message}"));
    }

    fn fail_at(&mut self, line: usize, column: Option<usize>, message: String) {
        self.errors.push(
            Diagnostic::error(Kind::FrontMatter, self.file, message).in_source(
                self.source,
                line,
                column,
            ),
        );
    }

    fn expect<T>(&mut self, key: &str, value: &yaml::Value, what: &str) -> Option<T> {
        self.fail(key, format!("expected {what}, found {}", show(value)));
        None
    }

    fn text(&mut self, key: &str, value: &yaml::Value) -> Option<String> {
        match value {
            yaml::Value::String(s) => Some(s.clone()),
            yaml::Value::Number(n) => Some(n.to_string()),
            _ => self.expect(key, value, "text"),
        }
    }

    fn boolean(&mut self, key: &str, value: &yaml::Value) -> Option<bool> {
        match value {
            yaml::Value::Bool(b) => Some(*b),
            _ => self.expect(key, value, "true or false"),
        }
    }

    fn integer(&mut self, key: &str, value: &yaml::Value) -> Option<i64> {
        match value.as_i64() {
            Some(n) => Some(n),
            None => self.expect(key, value, "a whole number like 10"),
        }
    }

    fn per_page(&mut self, key: &str, value: &yaml::Value) -> Option<u64> {
        match value.as_u64() {
            Some(n) if n >= 1 => Some(n),
            _ => self.expect(key, value, crate::config::PAGINATE_BY_EXPECTED),
        }
    }

    fn list(&mut self, key: &str, value: &yaml::Value) -> Option<Vec<String>> {
        let items = match value {
            yaml::Value::Sequence(items) => items,
            yaml::Value::Null => return Some(Vec::new()),
            _ => return self.expect(key, value, "a list like [a, b]"),
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            match item {
                yaml::Value::String(s) => out.push(s.clone()),
                yaml::Value::Number(n) => out.push(n.to_string()),
                _ => return self.expect(key, item, "a list of words"),
            }
        }
        Some(out)
    }

    fn slug(&mut self, key: &str, value: &yaml::Value) -> Option<String> {
        let text = self.text(key, value)?;
        let ok = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Some(text)
        } else {
            self.expect(
                key,
                value,
                "an ASCII slug of letters, digits and `-`, like attica-greece",
            )
        }
    }

    fn country_code(&mut self, key: &str, value: &yaml::Value) -> Option<String> {
        let text = self.text(key, value)?;
        if text.len() == 2 && text.bytes().all(|b| b.is_ascii_alphabetic()) {
            Some(text.to_ascii_uppercase())
        } else {
            self.expect(key, value, "a two-letter ISO 3166-1 code like GR")
        }
    }

    fn date(&mut self, key: &str, value: &yaml::Value) -> Option<PartialDate> {
        let text = match value {
            yaml::Value::String(s) => s.clone(),
            yaml::Value::Number(n) => n.to_string(),
            _ => String::new(),
        };
        match PartialDate::parse(&text) {
            Some(d) => Some(d),
            None => self.expect(key, value, dates::EXPECTED),
        }
    }

    fn status(&mut self, key: &str, value: &yaml::Value) -> Option<Status> {
        match value.as_str() {
            Some("established") => Some(Status::Established),
            Some("preparing") => Some(Status::Preparing),
            _ => self.expect(key, value, "`established` or `preparing`"),
        }
    }

    fn event_kind(&mut self, key: &str, value: &yaml::Value) -> Option<EventKind> {
        let found = value
            .as_str()
            .and_then(|s| EventKind::ALL.iter().find(|(n, _)| *n == s));
        match found {
            Some((_, k)) => Some(*k),
            None => self.expect(
                key,
                value,
                "one of anniversary, visit, signing, publication, other",
            ),
        }
    }

    fn coordinates(&mut self, key: &str, value: &yaml::Value) -> Option<Coordinates> {
        const WHAT: &str =
            "coordinates like {lat: 37.98, lon: 23.73} (lat in [-90, 90], lon in [-180, 180])";
        let get = |name: &str| value.get(name).and_then(yaml::Value::as_f64);
        match (get("lat"), get("lon")) {
            (Some(lat), Some(lon))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) =>
            {
                Some(Coordinates { lat, lon })
            }
            _ => self.expect(key, value, WHAT),
        }
    }
}

/// Cleans the strings in `value` (see [`crate::text::clean`]); the first character left out.
fn clean_value(value: &mut yaml::Value) -> Option<char> {
    match value {
        yaml::Value::String(s) => {
            let found = s.chars().find(|&c| crate::text::is_forbidden(c))?;
            *s = crate::text::clean(s).into_owned();
            Some(found)
        }
        yaml::Value::Sequence(items) => items.iter_mut().filter_map(clean_value).reduce(|a, _| a),
        yaml::Value::Mapping(m) => m.values_mut().filter_map(clean_value).reduce(|a, _| a),
        yaml::Value::Tagged(t) => clean_value(&mut t.value),
        _ => None,
    }
}

/// A YAML value as the editor wrote it, for "found ..." in messages.
fn show(value: &yaml::Value) -> String {
    match value {
        yaml::Value::String(s) => format!("\"{s}\""),
        yaml::Value::Null => "nothing".into(),
        other => serde_json::to_string(other).unwrap_or_default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(src: &str) -> Result<Parsed, Vec<Diagnostic>> {
        parse(
            "content/regions/attica.en.md",
            &normalize(src),
            PageKind::Region,
        )
    }

    #[test]
    fn reads_typed_fields_and_keeps_extra() {
        let src = "\u{feff}---\r\ntitle: Attica\r\nestablished: 2023\r\ncoordinates: {lat: 37.98, lon: 23.73}\r\nmotto: hi\r\n---\r\nBody\r\n";
        let p = region(src).unwrap();
        assert_eq!(p.front.title, "Attica");
        assert_eq!(p.front.neutral.established.unwrap().to_string(), "2023");
        assert_eq!(p.front.neutral.coordinates.unwrap().lat, 37.98);
        assert_eq!(p.front.extra["motto"], "hi");
        assert_eq!(&normalize(src)[p.body_start..], "Body\n");
        assert_eq!(p.body_line, 7);
    }

    #[test]
    fn bad_date_names_line_and_value() {
        let errs =
            region("---\ntitle: A\ncountry: Greece\nestablished: spring 2023\n---\n").unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert_eq!(e.line, Some(4));
        assert_eq!(e.column, Some(14));
        assert_eq!(
            e.message,
            "established: expected a date like 2023-01-15, 2023-01 or 2023, found \"spring 2023\""
        );
    }

    #[test]
    fn reports_every_bad_field() {
        let errs = region("---\nstatus: maybe\ncoordinates: {lat: 95, lon: 0}\n---\n").unwrap_err();
        let lines: Vec<_> = errs.iter().map(|e| e.line).collect();
        assert_eq!(lines, [Some(2), Some(3), Some(1)], "{errs:?}");
    }

    #[test]
    fn yaml_syntax_error_is_located_in_the_file() {
        let errs = region("---\ntitle: A\ntags: [a, b\ncountry: X\n---\n").unwrap_err();
        assert!(errs[0].message.starts_with("invalid YAML"), "{:?}", errs[0]);
        assert_eq!(
            (errs[0].line, errs[0].column),
            (Some(3), Some(7)),
            "{:?}",
            errs[0]
        );
        let errs = region("---\ntitle: \"A\ncountry: X\n---\n").unwrap_err();
        assert_eq!(errs[0].line, Some(2), "{:?}", errs[0]);
    }

    #[test]
    fn missing_or_unclosed_front_matter() {
        assert!(region("title: A\n").unwrap_err()[0]
            .message
            .contains("expected front matter"));
        assert!(region("---\ntitle: A\n").unwrap_err()[0]
            .message
            .contains("not closed"));
    }

    #[test]
    fn typo_is_a_warning_with_a_hint() {
        let src = "---\ntitle: A\ncountyr: Greece\n---\n";
        let p = region(src).unwrap();
        let w = typo_warnings("f", src, &p.front, PageKind::Region);
        assert_eq!(w[0].hint.as_deref(), Some("did you mean `country`?"));
    }

    #[test]
    fn empty_optional_fields_count_as_absent() {
        let p =
            region("---\ntitle: A\nestablished:\nstatus:\ncoordinates:\ndraft:\n---\n").unwrap();
        assert_eq!(p.front.neutral, Neutral::default());
        assert!(p.front.extra.is_empty());
        assert!(region("---\ntitle:\n---\n").is_err());
    }

    #[test]
    fn event_fields_only_typed_in_events() {
        let src = "---\ntitle: A\ndate: 2023-05\nkind: visit\nregions: [attica]\n---\n";
        let p = parse("e", src, PageKind::Event).unwrap();
        assert_eq!(p.front.neutral.kind, Some(EventKind::Visit));
        assert_eq!(
            p.front.neutral.regions.as_deref(),
            Some(&["attica".to_owned()][..])
        );
        let p = parse("p", src, PageKind::Page).unwrap();
        assert!(p.front.extra.contains_key("date"));
    }
}
