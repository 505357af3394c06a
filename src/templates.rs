//! Tera templates: the built-in theme compiled into the binary, overridden file by file by the
//! site's own `templates/`; and the theme's static files, likewise overridden by `static/`.

use crate::diagnostics::{line_and_column, Diagnostic, Kind};
use crate::files;
use crate::layout::{STATIC_DIR, TEMPLATES_DIR};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::Path;
use tera::ast::{Expr, ExprVal, Node};
use tera::{Context, Tera};

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
    "countries.html", "country.html", "tags.html", "tag.html", "header.html",
);

/// An internal template (its name, which errors quote, is not one the theme's files have, and
/// ends in `.html` so that Tera escapes what it prints): every card of `cards`
/// (a list of page links) as `macros.html`'s `card` renders it in the language of `t`, each
/// followed by NUL, which no rendered text holds. Rendering a list's cards at once costs one
/// render's set-up instead of one per card (see `render::cards`).
pub const CARDS: (&str, &str) = (
    "cards of macros.html",
    "{% import \"macros.html\" as m %}{% for p in cards %}{{ m::card(p=p, t=t) }}\u{0}{% endfor %}",
);

/// An internal template: one year of the timeline, `y` (an item of `timeline.years`), as
/// `macros.html`'s `timeline_year` renders it in the language of `t`; the years are rendered
/// side by side (see `render::Renderer::timeline_years`).
pub const YEAR: (&str, &str) = (
    "timeline_year of macros.html",
    "{% import \"macros.html\" as m %}{{ m::timeline_year(y=y, t=t) }}",
);

/// The default theme's static files, by path under `static/`.
pub const BUILTIN_STATIC: &[(&str, &[u8])] =
    builtin!(bytes "static": "style.css", "site.js", "search.js", "social-card.png");

/// Room a page is rendered into: nine pages in ten of the benchmark's corpus fit (median
/// 10 kB, 99th percentile 26 kB), so the buffer does not grow, copying, a dozen times as Tera
/// writes; and trimming it in `Output::new` does not copy a page of more than half of it
/// (mimalloc shrinks such a block in place).
const PAGE_CAPACITY: usize = 16 * 1024;

/// The compiled templates, with their sources: Tera's errors carry no line, so diagnostics find
/// the place in the source.
pub struct Templates {
    tera: Tera,
    /// Source of each template, by name.
    sources: HashMap<String, String>,
}

/// Templates may nest (includes, macro calls, blocks, loops) this many levels deep. Tera renders
/// by recursion without a limit of its own, so a deeper nesting could overflow a thread's
/// stack; with cycles refused, the templates themselves bound the depth, checked against this.
pub const MAX_DEPTH: usize = 64;

/// Compiles the built-in templates with the site's overrides and additions.
pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
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
                file_of(&name),
                format!("cannot read the template: {e}"),
            )),
        }
    }
    for (name, source) in [CARDS, YEAR] {
        sources.push((name.to_owned(), source.to_owned()));
    }
    // Each template parsed on its own (side by side), so that every syntax error is reported
    // at once, then handed to Tera as it is: parsing them again (`add_raw_templates`) would
    // double a cost that is a large part of a small site's build.
    let parsed: Vec<Result<tera::Template, Diagnostic>> = sources
        .par_iter()
        .map(|(name, source)| parse(name, source))
        .collect();
    let mut tera = Tera::default();
    for template in parsed {
        match template {
            Ok(t) => {
                tera.templates.insert(t.name.clone(), t);
            }
            Err(d) => errors.push(d),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    tera.autoescape_on(vec![".html", ".xml"]);
    // Tera's default also escapes `/`, which makes every URL unreadable in the source.
    tera.set_escape_fn(escape);
    let sources: HashMap<String, String> = sources.into_iter().collect();
    (tera.build_inheritance_chains())
        .and_then(|()| tera.check_macro_files())
        .map_err(|e| vec![compile_error(&sources, &e)])?;
    let templates = Templates { tera, sources };
    let nesting = templates.check_nesting();
    if nesting.is_empty() {
        Ok(templates)
    } else {
        Err(nesting)
    }
}

/// One template, parsed; its nesting is measured first, since Tera's parser recurses.
fn parse(name: &str, source: &str) -> Result<tera::Template, Diagnostic> {
    if let Some((line, column)) = too_deep(source) {
        let message = format!("tags or brackets nest more than {MAX_DEPTH} levels deep");
        let error = Diagnostic::error(Kind::Template, file_of(name), message);
        return Err(error.in_source(source, line, Some(column)));
    }
    tera::Template::new(name, None, source).map_err(|e| syntax_error(name, source, &e))
}

fn escape(text: &str) -> String {
    crate::highlight::escape_html(text)
}

/// Where nested `{% if %}`, `{% for %}`… and brackets inside tags first go deeper than
/// `MAX_DEPTH`, if they do: a look at the text only, so that it is safe before parsing.
fn too_deep(source: &str) -> Option<(usize, usize)> {
    const OPENING: [&str; 5] = ["if", "for", "block", "macro", "filter"];
    let mut depth = 0usize;
    let mut rest = source;
    while let Some(start) = rest.find('{') {
        let tag = &rest[start..];
        let close = match tag.get(..2) {
            Some("{%") => "%}",
            Some("{{") => "}}",
            _ => {
                rest = &rest[start + 1..];
                continue;
            }
        };
        let (inner, end) = match tag[2..].find(close) {
            Some(e) => (&tag[2..2 + e], 2 + e + 2),
            None => (&tag[2..], tag.len()),
        };
        let word = inner.trim_start_matches(['-', ' ', '\t', '\n']);
        let word = &word[..word
            .find(|c: char| !c.is_alphanumeric())
            .unwrap_or(word.len())];
        if close == "%}" && OPENING.contains(&word) {
            depth += 1;
        } else if close == "%}"
            && word
                .strip_prefix("end")
                .is_some_and(|w| OPENING.contains(&w))
        {
            depth = depth.saturating_sub(1);
        }
        let mut brackets = 0usize;
        let mut deepest = depth;
        for c in inner.chars() {
            match c {
                '(' | '[' => brackets += 1,
                ')' | ']' => brackets = brackets.saturating_sub(1),
                _ => {}
            }
            deepest = deepest.max(depth + brackets);
        }
        if deepest > MAX_DEPTH {
            return Some(line_and_column(source, source.len() - tag.len()));
        }
        rest = &tag[end..];
    }
    None
}

/// Where a template is, for messages: the site's file (or the theme's, when not overridden).
fn file_of(name: &str) -> String {
    format!("{TEMPLATES_DIR}/{name}")
}

/// A parse error, at the line and column pest gives in its text (` --> 4:7`).
fn syntax_error(name: &str, source: &str, e: &tera::Error) -> Diagnostic {
    let text = error_chain(e);
    let expected = text
        .lines()
        .rev()
        .find_map(|l| l.trim().strip_prefix("= "))
        .unwrap_or(&text);
    let diagnostic = Diagnostic::error(
        Kind::Template,
        file_of(name),
        format!("invalid template syntax: {expected}"),
    );
    let place = text.split_once("--> ").and_then(|(_, rest)| {
        let (line, rest) = rest.split_once(':')?;
        let column: String = rest.chars().take_while(char::is_ascii_digit).collect();
        Some((line.trim().parse().ok()?, column.parse().ok()?))
    });
    match place {
        Some((line, column)) => diagnostic.in_source(source, line, Some(column)),
        None => diagnostic,
    }
}

/// An error linking the templates (a missing parent or macro file, a circular `extends`),
/// filed under the first template it names.
fn compile_error(sources: &HashMap<String, String>, e: &tera::Error) -> Diagnostic {
    let text = error_chain(e);
    let names: Vec<&str> = quoted(&text, '\'').chain(quoted(&text, '`')).collect();
    let message = format!("the templates do not compile: {text}");
    let Some((name, source)) = names.iter().find_map(|n| sources.get_key_value(*n)) else {
        return Diagnostic::error(Kind::Template, TEMPLATES_DIR, message);
    };
    let d = Diagnostic::error(Kind::Template, file_of(name), message);
    // At the other template it names (the missing parent or macro file), where it is named.
    let place = names
        .iter()
        .filter(|n| *n != name)
        .find_map(|n| Some((find_word(source, n)?, n.chars().count())));
    match place {
        Some(((line, column), width)) => d.in_source(source, line, Some(column)).underline(width),
        None => d,
    }
}

/// The texts between pairs of `quote` in `text`.
fn quoted(text: &str, quote: char) -> impl Iterator<Item = &str> {
    text.split(quote).skip(1).step_by(2)
}

/// `page.nope` as a whole word in `source`: its 1-based line and column.
fn find_word(source: &str, word: &str) -> Option<(usize, usize)> {
    if word.is_empty() {
        return None;
    }
    let part = |c: char| c.is_alphanumeric() || c == '_' || c == '.';
    let mut from = 0;
    while let Some(i) = source.get(from..)?.find(word).map(|i| i + from) {
        let end = i + word.len();
        let before = source[..i].chars().next_back().is_some_and(part);
        let after = source[end..]
            .chars()
            .next()
            .is_some_and(|c| c.is_alphanumeric() || c == '_');
        if !before && !after {
            return Some(line_and_column(source, i));
        }
        from = end;
    }
    None
}

/// What the rendering message says after the page's own: `(rendering <page> with `<template>`)`.
const RENDERING: &str = " (rendering ";

impl Templates {
    /// Whether template `name` is the built-in one (the site's file of that name, if any, is
    /// the same text).
    pub fn is_builtin(&self, name: &str) -> bool {
        let builtin = BUILTIN_TEMPLATES.iter().find(|(n, _)| *n == name);
        builtin.is_some_and(|(_, text)| self.sources.get(name).is_some_and(|s| s == text))
    }

    /// Whether the template `file` defines the macro `name` with exactly the arguments `args`.
    pub fn has_macro(&self, file: &str, name: &str, args: &[&str]) -> bool {
        let Some(def) = (self.tera.get_template(file).ok()).and_then(|t| t.macros.get(name)) else {
            return false;
        };
        def.args.len() == args.len() && args.iter().all(|a| def.args.contains_key(*a))
    }

    /// Renders `name`; an error is located in the template that holds the mistake, and names
    /// `page` (the file being rendered, for messages).
    pub fn render(&self, name: &str, context: &Context, page: &str) -> Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| self.failed(name, &e, page))
    }

    /// Like `render`, as bytes (in room for a typical page): these are UTF-8 (Tera writes only
    /// text), and unlike `Tera::render` this does not check them again, which for a whole page
    /// takes ~2 % of a build's instructions.
    pub fn render_bytes(
        &self,
        name: &str,
        context: &Context,
        page: &str,
    ) -> Result<Vec<u8>, Diagnostic> {
        let mut bytes = Vec::with_capacity(PAGE_CAPACITY);
        self.tera
            .render_to(name, context, &mut bytes)
            .map_err(|e| self.failed(name, &e, page))?;
        Ok(bytes)
    }

    fn failed(&self, name: &str, e: &tera::Error, page: &str) -> Diagnostic {
        rendering(self.render_error(name, e), page, name)
    }

    /// Where a render error is: the first template, among those the render went through, that
    /// holds the name the error quotes (`page.nope`, a filter, a macro).
    fn render_error(&self, name: &str, e: &tera::Error) -> Diagnostic {
        let text = error_chain(e);
        // Tera's innermost cause says what went wrong; the outer ones only where it rendered.
        let what = innermost(e);
        let what = what
            .split(" while rendering '")
            .next()
            .unwrap_or(&what)
            .to_owned();
        // The name in question: Tera quotes variables and macros with `…`, templates with '…'.
        let word = quoted(&what, '`')
            .chain(quoted(&what, '\''))
            .next()
            .unwrap_or_default();
        // A missing include is quoted as a list: `'[a.html, b.html]'`.
        let word = word.trim_matches(['[', ']']);
        let word = word.split(", ").next().unwrap_or(word).to_owned();
        let candidates = quoted(&text, '\'')
            .map(str::to_owned)
            .chain(self.reached_from(name));
        let mut first = None;
        for candidate in candidates {
            let Some(source) = self.sources.get(&candidate) else {
                continue;
            };
            if let Some((line, column)) = find_word(source, &word) {
                return Diagnostic::error(Kind::Template, file_of(&candidate), what)
                    .in_source(source, line, Some(column))
                    .underline(word.chars().count());
            }
            first.get_or_insert(candidate);
        }
        let file = file_of(first.as_deref().unwrap_or(name));
        Diagnostic::error(Kind::Template, file, what)
    }

    /// `name`, its parents, and every template they include or import macros from, transitively.
    fn reached_from(&self, name: &str) -> Vec<String> {
        let mut seen = vec![name.to_owned()];
        let mut i = 0;
        while i < seen.len() {
            if let Ok(t) = self.tera.get_template(&seen[i]) {
                let mut next: Vec<String> = t.parents.clone();
                next.extend(t.imported_macro_files.iter().map(|(f, _)| f.clone()));
                walk(&t.ast, &mut |node| {
                    if let Node::Include(_, names, _) = node {
                        next.extend(names.iter().cloned());
                    }
                });
                for n in next {
                    if !seen.contains(&n) {
                        seen.push(n);
                    }
                }
            }
            i += 1;
        }
        seen
    }
}

/// A render error located in its template, with the page being rendered added to the message
/// (`merge_render_errors` takes it apart again).
fn rendering(d: Diagnostic, page: &str, template: &str) -> Diagnostic {
    let message = format!("{}{RENDERING}{page} with `{template}`)", d.message);
    Diagnostic { message, ..d }
}

/// The last cause in Tera's chain: what went wrong, without where it was rendering.
fn innermost(e: &dyn std::error::Error) -> String {
    let mut last = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// One diagnostic per template mistake: the same error met rendering many pages is reported
/// once, naming the first page and how many more.
pub fn merge_render_errors(diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut groups: Vec<(Diagnostic, Vec<String>)> = Vec::new();
    // Index in `groups` of each mistake: (file, line, column, message without the page).
    let mut index: HashMap<(String, Option<usize>, Option<usize>, String), usize> = HashMap::new();
    for d in diagnostics {
        let Some((what, page)) = d.message.rsplit_once(RENDERING) else {
            groups.push((d, Vec::new()));
            continue;
        };
        let (what, page) = (what.to_owned(), page.to_owned());
        let key = (d.file.clone(), d.line, d.column, what.clone());
        let i = *index.entry(key).or_insert_with(|| {
            groups.push((Diagnostic { message: what, ..d }, Vec::new()));
            groups.len() - 1
        });
        groups[i].1.push(page);
    }
    groups
        .into_iter()
        .map(|(d, mut pages)| {
            pages.sort();
            let Some(first) = pages.first() else {
                return d;
            };
            let first = first.strip_suffix(')').unwrap_or(first);
            let more = match pages.len() - 1 {
                0 => String::new(),
                1 => " and 1 more page".to_owned(),
                n => format!(" and {n} more pages"),
            };
            let message = format!("{}{RENDERING}{first}{more})", d.message);
            Diagnostic { message, ..d }
        })
        .collect()
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

/// Static files to publish: the built-in ones, then the site's `static/` (which wins).
pub fn static_files(root: &Path) -> anyhow::Result<Vec<(String, Static)>> {
    Ok(with_builtin_statics(files::list_static_files(
        root, STATIC_DIR,
    )?))
}

/// The built-in static files, then the site's (as listed under `static/`), which win.
pub fn with_builtin_statics(
    site: impl IntoIterator<Item = (String, std::path::PathBuf)>,
) -> Vec<(String, Static)> {
    let mut out: Vec<(String, Static)> = BUILTIN_STATIC
        .iter()
        .map(|(n, s)| ((*n).to_owned(), Static::Builtin(s)))
        .collect();
    for (name, path) in site {
        out.retain(|(n, _)| *n != name);
        out.push((name, Static::File(path)));
    }
    out
}

/// Something Tera renders by recursion: a template, or a macro (file, name).
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
enum Unit {
    Template(String),
    Macro(String, String),
}

impl Unit {
    fn file(&self) -> &str {
        match self {
            Unit::Template(f) | Unit::Macro(f, _) => f,
        }
    }

    fn show(&self) -> String {
        match self {
            Unit::Template(f) => format!("`{f}`"),
            Unit::Macro(f, m) => format!("macro `{m}` ({f})"),
        }
    }
}

/// One place a unit renders another: at what nesting depth, and the text that names it there.
struct Call {
    to: Unit,
    depth: usize,
    text: String,
}

/// How far a depth-first search got with a unit.
enum Visit {
    Open,
    Done(usize),
}

impl Templates {
    /// Refuses templates that include themselves or macros that call themselves (directly or
    /// through others), and nesting deeper than `MAX_DEPTH`: Tera would overflow the stack.
    fn check_nesting(&self) -> Vec<Diagnostic> {
        let mut names: Vec<&String> = self.sources.keys().collect();
        names.sort();
        // Every template and every macro, called or not: an endless one is a mistake either way.
        let units = names.into_iter().flat_map(|name| {
            let mut macros: Vec<&String> = self
                .tera
                .get_template(name)
                .map(|t| t.macros.keys().collect())
                .unwrap_or_default();
            macros.sort();
            std::iter::once(Unit::Template(name.clone())).chain(
                macros
                    .into_iter()
                    .map(|m| Unit::Macro(name.clone(), m.clone())),
            )
        });
        let mut state = HashMap::new();
        // The first problem only: the search stops there, with a chain of calls left open.
        units
            .into_iter()
            .find_map(|unit| self.depth(&unit, &mut state, &mut Vec::new()).err())
            .into_iter()
            .collect()
    }

    /// The deepest nesting rendering `unit` reaches; `path` is the chain of calls that led to it.
    fn depth(
        &self,
        unit: &Unit,
        state: &mut HashMap<Unit, Visit>,
        path: &mut Vec<(Unit, String)>,
    ) -> Result<usize, Diagnostic> {
        match state.get(unit) {
            Some(Visit::Done(d)) => return Ok(*d),
            Some(Visit::Open) => return Err(self.cycle(unit, path)),
            None => {}
        }
        state.insert(unit.clone(), Visit::Open);
        let (calls, own) = self.calls(unit);
        let mut deepest = own;
        for call in calls {
            path.push((unit.clone(), call.text.clone()));
            let d = call.depth + 1 + self.depth(&call.to, state, path)?;
            path.pop();
            if d > MAX_DEPTH {
                return Err(self.at_call(
                    unit,
                    &call.text,
                    format!(
                        "{} nests more than {MAX_DEPTH} levels deep (blocks, loops, includes and macro calls)",
                        unit.show()
                    ),
                ));
            }
            deepest = deepest.max(d);
        }
        if own > MAX_DEPTH {
            let message = format!("{} nests more than {MAX_DEPTH} levels deep", unit.show());
            return Err(self.at_call(unit, "", message));
        }
        state.insert(unit.clone(), Visit::Done(deepest));
        Ok(deepest)
    }

    /// The error for a chain of calls that comes back to `unit`.
    fn cycle(&self, unit: &Unit, path: &[(Unit, String)]) -> Diagnostic {
        let start = path.iter().position(|(u, _)| u == unit).unwrap_or(0);
        let mut chain: Vec<String> = path[start..].iter().map(|(u, _)| u.show()).collect();
        chain.push(unit.show());
        let text = path.get(start).map_or("", |(_, t)| t.as_str());
        let message = if chain.len() == 2 {
            format!("{} renders itself without end", unit.show())
        } else {
            format!("{} renders itself without end", chain.join(" → "))
        };
        self.at_call(unit, text, message).with_hint(
            "a template may not include itself, nor a macro call itself, directly or through others",
        )
    }

    /// A diagnostic in `unit`'s file, at the first place `text` appears.
    fn at_call(&self, unit: &Unit, text: &str, message: String) -> Diagnostic {
        let d = Diagnostic::error(Kind::Template, file_of(unit.file()), message);
        let source = self.sources.get(unit.file()).map_or("", String::as_str);
        match find_word(source, text) {
            Some((line, column)) => d
                .in_source(source, line, Some(column))
                .underline(text.chars().count()),
            None => d,
        }
    }

    /// What `unit` renders, and how deep its own nodes nest.
    fn calls(&self, unit: &Unit) -> (Vec<Call>, usize) {
        let Ok(template) = self.tera.get_template(unit.file()) else {
            return (Vec::new(), 0);
        };
        let body = match unit {
            Unit::Template(_) => &template.ast,
            Unit::Macro(_, name) => match template.macros.get(name) {
                Some(m) => &m.body,
                None => return (Vec::new(), 0),
            },
        };
        let mut calls = Vec::new();
        if let (Unit::Template(_), Some(parent)) = (unit, &template.parent) {
            calls.push(Call {
                to: Unit::Template(parent.clone()),
                depth: 0,
                text: parent.clone(),
            });
        }
        let mut own = 0;
        walk_nested(body, 0, &mut |node, depth| {
            own = own.max(depth);
            if let Node::Include(_, names, _) = node {
                calls.extend(names.iter().map(|n| Call {
                    to: Unit::Template(n.clone()),
                    depth,
                    text: n.clone(),
                }));
            }
            for_exprs(node, &mut |expr| {
                macro_calls(expr, &mut |ns, name| {
                    let file = if ns == "self" {
                        Some(unit.file().to_owned())
                    } else {
                        template
                            .imported_macro_files
                            .iter()
                            .find(|(_, n)| n == ns)
                            .map(|(f, _)| f.clone())
                    };
                    if let Some(file) = file {
                        calls.push(Call {
                            to: Unit::Macro(file, name.to_owned()),
                            depth,
                            text: format!("{ns}::{name}"),
                        });
                    }
                })
            });
        });
        (calls, own)
    }
}

/// Calls `visit` on every node of `ast`, nested ones included (but not macro bodies).
fn walk(ast: &[Node], visit: &mut dyn FnMut(&Node)) {
    walk_nested(ast, 0, &mut |node, _| visit(node));
}

/// Calls `visit` on every node of `ast` with how deep it nests, macro bodies left out.
fn walk_nested(ast: &[Node], depth: usize, visit: &mut dyn FnMut(&Node, usize)) {
    for node in ast {
        visit(node, depth);
        let children: Vec<&[Node]> = match node {
            Node::Block(_, b, _) => vec![&b.body],
            Node::FilterSection(_, f, _) => vec![&f.body],
            Node::Forloop(_, f, _) => {
                let mut c = vec![f.body.as_slice()];
                c.extend(f.empty_body.as_deref());
                c
            }
            Node::If(i, _) => {
                let mut c: Vec<&[Node]> =
                    i.conditions.iter().map(|(_, _, b)| b.as_slice()).collect();
                c.extend(i.otherwise.as_ref().map(|(_, b)| b.as_slice()));
                c
            }
            _ => Vec::new(),
        };
        for child in children {
            walk_nested(child, depth + 1, visit);
        }
    }
}

/// The expressions a node evaluates itself (not those of nested nodes).
fn for_exprs(node: &Node, visit: &mut dyn FnMut(&Expr)) {
    match node {
        Node::VariableBlock(_, e) => visit(e),
        Node::Set(_, s) => visit(&s.value),
        Node::Forloop(_, f, _) => visit(&f.container),
        Node::If(i, _) => i.conditions.iter().for_each(|(_, e, _)| visit(e)),
        Node::FilterSection(_, f, _) => f.filter.args.values().for_each(visit),
        _ => {}
    }
}

/// Calls `found(namespace, name)` for every macro call in `expr`, however deep.
fn macro_calls(expr: &Expr, found: &mut dyn FnMut(&str, &str)) {
    for filter in &expr.filters {
        filter.args.values().for_each(|e| macro_calls(e, found));
    }
    value_macro_calls(&expr.val, found);
}

fn value_macro_calls(val: &ExprVal, found: &mut dyn FnMut(&str, &str)) {
    match val {
        ExprVal::MacroCall(m) => {
            found(&m.namespace, &m.name);
            m.args.values().for_each(|e| macro_calls(e, found));
        }
        ExprVal::FunctionCall(f) => f.args.values().for_each(|e| macro_calls(e, found)),
        ExprVal::Math(m) => [&m.lhs, &m.rhs].iter().for_each(|e| macro_calls(e, found)),
        ExprVal::Logic(l) => [&l.lhs, &l.rhs].iter().for_each(|e| macro_calls(e, found)),
        ExprVal::In(i) => [&i.lhs, &i.rhs].iter().for_each(|e| macro_calls(e, found)),
        ExprVal::Test(t) => t.args.iter().for_each(|e| macro_calls(e, found)),
        ExprVal::Array(items) => items.iter().for_each(|e| macro_calls(e, found)),
        ExprVal::StringConcat(c) => c.values.iter().for_each(|v| value_macro_calls(v, found)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nesting_is_measured_in_the_text() {
        let nested = |n: usize| format!("{}x{}", "{% if a %}".repeat(n), "{% endif %}".repeat(n));
        assert_eq!(too_deep(&nested(MAX_DEPTH)), None);
        assert_eq!(
            too_deep(&format!("a\n{}", nested(MAX_DEPTH + 1))),
            Some((2, 641))
        );
        let brackets = format!(
            "{{{{ {}1{} }}}}",
            "(".repeat(MAX_DEPTH + 1),
            ")".repeat(MAX_DEPTH + 1)
        );
        assert_eq!(too_deep(&brackets), Some((1, 1)));
        // Raw blocks and unclosed tags do not count.
        assert_eq!(too_deep("{% raw %}{% endraw %}{% endraw %}{% if"), None);
    }

    #[test]
    fn words_are_found_whole() {
        let source = "{{ page.titles }}\n  {{ page.title }}";
        assert_eq!(find_word(source, "page.title"), Some((2, 6)));
        assert_eq!(find_word(source, "title"), None);
        assert_eq!(find_word(source, ""), None);
    }

    proptest! {
        #[test]
        fn looking_at_any_text_never_panics(
            text in proptest::collection::vec(
                prop_oneof![
                    Just("{%"), Just("%}"), Just("{{"), Just("}}"), Just("{"), Just("if "),
                    Just("endif"), Just("("), Just("]"), Just("阿"), Just("\n"), Just("page.x"),
                ],
                0..40,
            ),
            word in "[a-z.阿]{0,4}",
        ) {
            let text = text.concat();
            let _ = too_deep(&text);
            let _ = find_word(&text, &word);
        }
    }
}
