//! Problems found in a site's input: what they are, where they are, and how they read.
//!
//! Every stage pushes `Diagnostic`s instead of stopping at the first problem, so that one run
//! reports every broken file. Only the caller decides whether errors abort the build.

use serde::{Deserialize, Serialize};
use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    /// Worth a look, not wrong: `check` reports these, `build` does not.
    Hint,
}

/// What kind of problem a diagnostic is. Its kebab-case name (`BrokenLink` → `broken-link`) is
/// part of `check --format json`'s output, so names never change; variants are in the order of
/// their names, so that diagnostics sort as they did when kinds were strings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Archetype,
    BrokenLink,
    Config,
    Content,
    ControlCharacter,
    CountryMismatch,
    Encoding,
    ExternalLink,
    FileName,
    FrontMatter,
    Image,
    ImageAlt,
    ImageSize,
    Io,
    Language,
    MissingIntro,
    MissingTranslation,
    New,
    OutdatedTranslation,
    Output,
    RawHtml,
    Symlink,
    TagUsedOnce,
    Template,
    TranslationMismatch,
    UnknownField,
    UnknownRegion,
    UnknownTag,
    UrlCollision,
}

/// One problem, located in a file relative to the site root (`content/regions/attica.en.md`).
/// Serialized whole (for the build cache); `check --format json` shows it as a `Reported`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub column: Option<usize>,
    /// A short machine-readable category, e.g. `front-matter`, `broken-link`, `missing-translation`.
    pub kind: Kind,
    pub message: String,
    /// How many characters the caret underlines, when known (else the rest of the word).
    pub width: Option<usize>,
    /// A suggestion for the fix, e.g. "did you mean `lublin`?".
    pub hint: Option<String>,
    /// The offending source line, cut to what is shown under the message with a caret.
    pub quote: Option<Quote>,
}

/// A diagnostic as `check --format json` shows it: its fields but the quote and underline,
/// which only the terminal report draws.
#[derive(Serialize)]
pub struct Reported<'a> {
    severity: Severity,
    file: &'a str,
    line: Option<usize>,
    column: Option<usize>,
    kind: Kind,
    message: &'a str,
    hint: Option<&'a str>,
}

impl<'a> From<&'a Diagnostic> for Reported<'a> {
    fn from(d: &'a Diagnostic) -> Self {
        Reported {
            severity: d.severity,
            file: &d.file,
            line: d.line,
            column: d.column,
            kind: d.kind,
            message: &d.message,
            hint: d.hint.as_deref(),
        }
    }
}

/// The part of a source line a message quotes: a long line (a paragraph is one line in Markdown)
/// is cut around the column, so that thousands of messages about one long paragraph do not each
/// hold a copy of it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Quote {
    pub text: String,
    /// 1-based column (in characters) in `text` that the caret points at.
    pub column: usize,
}

impl Quote {
    /// Line `line` (1-based) of `source`, around `column` (else its first non-blank character).
    pub fn of(source: &str, line: usize, column: Option<usize>) -> Option<Quote> {
        let full = source.lines().nth(line.saturating_sub(1))?;
        let column = column.unwrap_or_else(|| first_non_blank(full));
        let at = full
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(full.len(), |(i, _)| i);
        Some(window(full, at))
    }

    /// The line of `source` around byte `offset`, found without counting the characters before
    /// it: the quote costs the same at the end of a long paragraph as at its start. `None` when
    /// `offset` is not in `source` (it changed since).
    pub fn around(source: &str, offset: usize) -> Option<Quote> {
        if !source.is_char_boundary(offset) {
            return None;
        }
        let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
        let end = source[offset..]
            .find('\n')
            .map_or(source.len(), |i| offset + i);
        let line = &source[start..end];
        let line = line.strip_suffix('\r').unwrap_or(line);
        Some(window(line, (offset - start).min(line.len())))
    }
}

impl Diagnostic {
    pub fn error(kind: Kind, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, kind, file, message)
    }

    pub fn warning(kind: Kind, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Warning, kind, file, message)
    }

    pub fn hint(kind: Kind, file: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(Severity::Hint, kind, file, message)
    }

    fn new(
        severity: Severity,
        kind: Kind,
        file: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            file: file.into(),
            line: None,
            column: None,
            kind,
            message: message.into(),
            hint: None,
            width: None,
            quote: None,
        }
    }

    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    /// Locates the diagnostic at `line` and `column`, which are at byte `offset` of `source`, and
    /// keeps the part of that line to quote.
    pub fn quoting(mut self, source: &str, offset: usize, line: usize, column: usize) -> Self {
        self.quote = Quote::around(source, offset);
        self.at(line, Some(column))
    }

    /// Locates the diagnostic at `line` of `source`, keeping the part of that line to quote.
    pub fn in_source(mut self, source: &str, line: usize, column: Option<usize>) -> Self {
        self.quote = Quote::of(source, line, column);
        self.at(line, column)
    }

    pub fn underline(mut self, chars: usize) -> Self {
        self.width = Some(chars.max(1));
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders like the Rust compiler: headline, location, quoted line with a caret, hint.
    pub fn render(&self, colour: bool) -> String {
        let (label, code) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
            Severity::Hint => ("hint", "1;36"),
        };
        let paint = |code: &str, text: &str| {
            if colour {
                format!("\x1b[{code}m{text}\x1b[0m")
            } else {
                text.to_owned()
            }
        };
        // The headline names file and line (`file:4: message`); the caret below shows the column.
        let headline = match self.line {
            Some(l) => format!("{}:{l}", self.file),
            None => self.file.clone(),
        };
        let mut out = format!("{}: {headline}: {}\n", paint(code, label), self.message);
        if let (Some(quote), Some(line)) = (&self.quote, self.line) {
            let (src, col) = (quote.text.as_str(), quote.column);
            let gutter = line.to_string();
            let pad = " ".repeat(gutter.len());
            let _ = writeln!(out, "{pad} {}", paint("1;34", "|"));
            let _ = writeln!(
                out,
                "{} {} {}",
                paint("1;34", &gutter),
                paint("1;34", "|"),
                // Tabs as four spaces, so the caret's columns match what the terminal shows.
                src.replace('\t', "    ")
            );
            let width = match self.width {
                Some(chars) => src
                    .chars()
                    .skip(col - 1)
                    .take(chars)
                    .take_while(|&c| c != ELLIPSIS)
                    .map(char_width)
                    .sum::<usize>()
                    .max(1),
                None => caret_width(src, col),
            };
            let caret = format!(
                "{}{}",
                " ".repeat(display_width(src, col)),
                "^".repeat(width)
            );
            let _ = writeln!(out, "{pad} {} {}", paint("1;34", "|"), paint(code, &caret));
        }
        if let Some(hint) = &self.hint {
            // Aligned with the gutter of the quoted line, as rustc does.
            let pad = " ".repeat(self.line.map_or(1, |l| l.to_string().len()));
            let _ = writeln!(out, "{pad} = {}: {}", paint("1", "hint"), hint);
        }
        out
    }
}

/// Quoted lines longer than this many terminal columns are cut around the column shown.
const QUOTE_COLUMNS: usize = 100;
/// Characters kept before the column shown when a line is cut.
const QUOTE_BEFORE: usize = 30;
const ELLIPSIS: char = '…';

/// `line` as quoted around byte `at` in it: a long line is cut to about `QUOTE_COLUMNS` around
/// it, with `…` where text was left out. Reads no further into the line than it quotes.
fn window(line: &str, at: usize) -> Quote {
    let fits = line
        .chars()
        .scan(0, |width, c| {
            *width += char_width(c);
            Some(*width)
        })
        .all(|width| width <= QUOTE_COLUMNS);
    if fits {
        let column = line[..at].chars().count() + 1;
        return Quote {
            text: line.to_owned(),
            column,
        };
    }
    // Up to `QUOTE_BEFORE` characters before the column, then as many as fit.
    let start = line[..at]
        .char_indices()
        .rev()
        .take(QUOTE_BEFORE)
        .last()
        .map_or(at, |(i, _)| i);
    let mut text = String::new();
    if start > 0 {
        text.push(ELLIPSIS);
    }
    let column = text.chars().count() + line[start..at].chars().count() + 1;
    let mut width = 0;
    let mut rest = line[start..].chars().peekable();
    while let Some(&c) = rest.peek() {
        if width + char_width(c) > QUOTE_COLUMNS {
            break;
        }
        width += char_width(c);
        text.push(c);
        rest.next();
    }
    if rest.peek().is_some() {
        text.push(ELLIPSIS);
    }
    Quote { text, column }
}

fn first_non_blank(line: &str) -> usize {
    line.chars().take_while(|c| c.is_whitespace()).count() + 1
}

/// Terminal columns taken by the characters before the 1-based `column` (CJK counts double).
fn display_width(line: &str, column: usize) -> usize {
    line.chars()
        .take(column.saturating_sub(1))
        .map(char_width)
        .sum()
}

/// Underline the rest of the value starting at `column`.
fn caret_width(line: &str, column: usize) -> usize {
    let rest: usize = line
        .chars()
        .skip(column.saturating_sub(1))
        .take_while(|c| *c != '#')
        .map(char_width)
        .sum();
    rest.clamp(1, 60)
}

fn char_width(c: char) -> usize {
    if c == '\t' {
        4
    } else if ('\u{1100}'..='\u{115F}').contains(&c)
        || ('\u{2E80}'..='\u{A4CF}').contains(&c)
        || ('\u{AC00}'..='\u{D7A3}').contains(&c)
        || ('\u{F900}'..='\u{FAFF}').contains(&c)
        || ('\u{FE30}'..='\u{FE4F}').contains(&c)
        || ('\u{FF00}'..='\u{FF60}').contains(&c)
        || ('\u{FFE0}'..='\u{FFE6}').contains(&c)
    {
        2
    } else {
        1
    }
}

/// The 1-based line and column (in characters) of byte `offset` of `source`.
pub fn line_and_column(source: &str, offset: usize) -> (usize, usize) {
    let before = &source[..offset];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

/// The closest candidate to `word` by edit distance, if it is close enough to be a likely typo.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Errors first, then by file and line, so reports read in a stable order.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.severity, &a.file, a.line, a.column, &a.message)
            .cmp(&(b.severity, &b.file, b.line, b.column, &b.message))
    });
}

// ---- Printing: how the commands and the preview show diagnostics ----

/// Colour on a terminal, plain text when piped or when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, followed by a count when there are errors.
pub fn report(diagnostics: &[Diagnostic]) {
    eprint(&report_text(
        diagnostics,
        use_colour(),
        "nothing was published",
    ));
}

/// Writes `text` to stdout. A reader that stopped reading (`build | head -1`) did not want the
/// rest: that is done, not an error (and never a panic, as `println!` would make it).
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `text` to stderr; when stderr is gone there is nowhere left to say so.
pub fn eprint(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Diagnostics as `report` prints them; when there are errors, the count ends with `outcome`
/// (what the command did about them).
pub fn report_text(diagnostics: &[Diagnostic], colour: bool, outcome: &str) -> String {
    let mut text: String = diagnostics.iter().map(|d| d.render(colour)).collect();
    if diagnostics.iter().any(Diagnostic::is_error) {
        text.push_str(&format!("{}; {outcome}\n", count(diagnostics)));
    }
    text
}

/// Every diagnostic rendered like the Rust compiler's, coloured only on a terminal.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let colour = use_colour();
    diagnostics.iter().map(|d| d.render(colour)).collect()
}

/// `2 errors and 1 warning`; `0 errors, 0 warnings and 3 hints` when there are hints.
pub fn count(diagnostics: &[Diagnostic]) -> String {
    let [errors, warnings, hints] = severities(diagnostics);
    let (errors, warnings) = (
        format!("{errors} error{}", plural(errors)),
        format!("{warnings} warning{}", plural(warnings)),
    );
    match hints {
        0 => format!("{errors} and {warnings}"),
        n => format!("{errors}, {warnings} and {n} hint{}", plural(n)),
    }
}

/// How many errors, warnings and hints there are.
pub fn severities(diagnostics: &[Diagnostic]) -> [usize; 3] {
    let of = |s: Severity| diagnostics.iter().filter(|d| d.severity == s).count();
    [
        of(Severity::Error),
        of(Severity::Warning),
        of(Severity::Hint),
    ]
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_around_the_column() {
        let before = "a".repeat(150);
        let after = "b".repeat(150);
        let src = format!("{before}[x](/nowhere/){after}");
        let d = Diagnostic::error(Kind::BrokenLink, "content/a.en.md", "link")
            .in_source(&src, 1, Some(151))
            .underline(14);
        let text = d.render(false);
        let lines: Vec<&str> = text.lines().collect();
        let quoted = lines[2].trim_start_matches("1 | ");
        assert!(quoted.starts_with('…') && quoted.ends_with('…'), "{text}");
        assert!(quoted.chars().count() <= QUOTE_COLUMNS + 2, "{text}");
        let caret = lines[3].trim_start_matches("  | ");
        let at = caret.find('^').unwrap();
        assert_eq!(
            &quoted[quoted.char_indices().nth(at).unwrap().0..][..14],
            "[x](/nowhere/)"
        );
        assert_eq!(caret.trim(), "^".repeat(14));
        // Short lines are quoted whole.
        let d = Diagnostic::error(Kind::Io, "f", "m").in_source("short line", 1, Some(7));
        assert!(d.render(false).contains("1 | short line\n"));
    }

    #[test]
    fn quotes_by_offset_and_by_column_agree() {
        let src = format!("---\ntitle: T\n---\n{}\n", "阿提卡 [x](/a/) ".repeat(40));
        let line = src.lines().nth(3).unwrap();
        for (column, (offset, _)) in line.char_indices().enumerate().step_by(7) {
            let offset = src.len() - line.len() - 1 + offset;
            assert_eq!(
                Quote::around(&src, offset),
                Quote::of(&src, 4, Some(column + 1)),
                "column {}",
                column + 1
            );
        }
        assert_eq!(Quote::around(&src, src.len() + 1), None);
    }

    #[test]
    fn renders_caret_under_value() {
        let src = "---\ntitle: A\nestablished: spring 2023\n---\n";
        let d = Diagnostic::error(Kind::FrontMatter, "content/a.en.md", "bad date")
            .in_source(src, 3, Some(14))
            .with_hint("write 2023");
        let text = d.render(false);
        assert!(text.starts_with("error: content/a.en.md:3: bad date\n"));
        assert!(text.contains("3 | established: spring 2023\n"));
        assert!(text.contains("|              ^^^^^^^^^^^\n"), "{text}");
        assert!(text.contains("= hint: write 2023"));
    }

    #[test]
    fn caret_lines_up_after_tabs_and_wide_characters() {
        let src = "---\ntitle: T\n---\n阿提卡\t[链接](@/nope.md)\n";
        let d = Diagnostic::error(Kind::BrokenLink, "content/a.zh.md", "no such file")
            .in_source(src, 4, Some(5))
            .underline(17);
        let text = d.render(false);
        assert!(text.contains("4 | 阿提卡    [链接](@/nope.md)\n"), "{text}");
        assert!(
            text.contains(&format!("  | {}{}\n", " ".repeat(10), "^".repeat(17))),
            "{text}"
        );
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("lubin", ["lublin", "attica"]), Some("lublin"));
        assert_eq!(suggest("paris", ["lublin", "attica"]), None);
    }
}
