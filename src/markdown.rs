//! Markdown to HTML: CommonMark with tables, footnotes, strikethrough and task lists; heading ids
//! that work for Chinese; highlighted code; links to content files resolved to page URLs.
//!
//! Rendering returns a [`Rendered`] struct (HTML, table of contents, counts, the links it saw) so
//! later stages check links without parsing HTML again.

use crate::diagnostics::{Diagnostic, Kind};
use crate::highlight::Highlighter;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub title: String,
}

/// A link to something inside the site, kept for checks after every page is rendered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LocalLink {
    /// Site path without base path or fragment (`/en/regions/attica/`); empty for `#anchor`.
    pub path: String,
    pub anchor: Option<String>,
    /// The link as written, for messages.
    pub written: String,
    pub at: Span,
    /// Whether it was written as a content file (`@/x.md`, `../x.md`) rather than a URL.
    pub content_link: bool,
}

/// A link to another site (`http://`, `https://`), kept for `check --external`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExternalLink {
    pub url: String,
    pub at: Span,
}

/// Where a link is written in its page's source, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset in the whole normalized source, to quote the line around it.
    pub offset: usize,
    /// 1-based line and column (in characters).
    pub line: usize,
    pub column: usize,
    /// Characters the link takes in the source, to underline it.
    pub len: usize,
}

trait Pointing {
    /// The diagnostic quoting the source line at `at`, with the span underlined.
    fn pointing(self, cx: &Context, at: Span) -> Self;
}

impl Pointing for Diagnostic {
    fn pointing(self, cx: &Context, at: Span) -> Self {
        self.quoting(cx.source, at.offset, at.line, at.column)
            .underline(at.len)
    }
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Rendered {
    pub html: String,
    /// Whether `html` was let go once the page was made (the full build keeps only the
    /// events'): a page made again renders its Markdown again (`render::with_html`).
    pub html_dropped: bool,
    pub toc: Vec<Heading>,
    pub has_code: bool,
    /// Words of Latin-script text plus CJK characters: how much there is to read.
    pub words: usize,
    pub cjk_chars: usize,
    /// First paragraph as plain text, for a summary when the front matter gives none.
    pub first_paragraph: String,
    /// The body as plain text (code blocks left out), one line per block: for the search index.
    pub text: String,
    /// Whether `text` was let go (the engine the build cache keeps): the published search
    /// index's document files hold it, and an edit reads it back from there
    /// (`search::Live::update`).
    pub text_dropped: bool,
    pub links: Vec<LocalLink>,
    pub external: Vec<ExternalLink>,
    pub diagnostics: Vec<Diagnostic>,
    /// The bundle files and images it uses, for `Producer::Media` to publish.
    pub media: Vec<crate::media::Use>,
    /// The page's cover (front matter `image:`), as HTML.
    pub cover: Option<String>,
}

impl Rendered {
    /// Lets the HTML go, keeping what else the page's Markdown gave (see `html_dropped`).
    pub fn let_html_go(&mut self) {
        self.html = String::new();
        self.html_dropped = true;
    }

    /// Lets the search text go (see `text_dropped`).
    pub fn let_text_go(&mut self) {
        self.text = String::new();
        self.text_dropped = true;
    }

    /// Minutes to read: ~400 Chinese characters or ~200 English words a minute, rounded up
    /// once for the whole (mixed) text; at least 1.
    pub fn reading_minutes(&self) -> usize {
        let latin = self.words - self.cjk_chars;
        (self.cjk_chars + 2 * latin).div_ceil(400).max(1)
    }
}

/// Where a content link points: the translation's site path, and whether it fell back to another
/// language because the linking page's language has none.
pub struct Resolved {
    pub path: String,
    pub fallback_lang: Option<String>,
}

/// (content id, explicit language, linking page's language) → where the link goes.
pub type Resolver<'a> = dyn Fn(&str, Option<&str>, &str) -> Option<Resolved> + Sync + 'a;

/// Markdown of every page and section intro, rendered once and shared by all views.
#[derive(Serialize, Deserialize)]
pub struct Bodies {
    pub pages: Vec<Rendered>,
    /// Keyed like `Site::sections`.
    pub sections: Vec<Option<Rendered>>,
}

/// Everything rendering needs to know about the page and the site.
pub struct Context<'a> {
    pub file: &'a str,
    /// The whole normalized source and the byte offset of the body in it, for line numbers.
    pub source: &'a str,
    pub body_start: usize,
    pub lang: &'a str,
    /// The page's folder under `content/`, for relative links to content files.
    pub dir: &'a str,
    /// The page's site path (`/en/regions/attica/`), for relative URLs.
    pub path: &'a str,
    pub base_path: &'a str,
    /// Resolves a content id (`regions/attica`, `_index` for the home, `regions/_index`) with an
    /// optional explicit language to a page path.
    pub resolve: &'a Resolver<'a>,
    /// Ids of draft pages left out of the build (see `Site::drafts`).
    pub drafts: &'a HashSet<String>,
    pub highlighter: &'a Highlighter,
    /// Whether raw HTML passes through (`[markdown] raw_html`); else it is shown as text.
    pub raw_html: bool,
    /// The page's bundle and where the site's files are, for images and links to files.
    pub media: &'a crate::media::PageMedia<'a>,
}

pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
}

pub fn render(cx: &Context) -> Rendered {
    let body = &cx.source[cx.body_start..];
    let mut out = Rendered::default();
    let mut events: Vec<Event> = Vec::new();
    let mut ids = Ids::default();
    let mut heading: Option<(usize, HeadingLevel, Option<String>)> = None;
    let mut code: Option<(String, String)> = None;
    let mut in_first_paragraph = None;
    let mut cursor = Cursor::new(cx);
    let mut task_label_open = false;
    let mut images = Images::default();
    for (event, range) in Parser::new_ext(body, options()).into_offset_iter() {
        let event = if cx.raw_html {
            if let Event::Html(html) | Event::InlineHtml(html) = &event {
                if let Some(what) = risky_html(html) {
                    let at = cursor.span(range.clone());
                    let message = format!("raw HTML with {what}: it runs in the browser of everyone who opens the page");
                    out.diagnostics.push(raw_html_warning(cx, at, message));
                }
            }
            event
        } else {
            as_text(event)
        };
        // A task item's label ends with the item's text, before a nested list.
        if task_label_open
            && matches!(
                event,
                Event::End(TagEnd::Paragraph | TagEnd::Item) | Event::Start(Tag::List(_))
            )
        {
            events.push(Event::Html("</label>".into()));
            task_label_open = false;
        }
        match event {
            // A checkbox without a label has no accessible name: wrap it with the item's text.
            Event::TaskListMarker(done) => {
                let checked = if done { " checked" } else { "" };
                events.push(Event::Html(
                    format!("<label class=\"task\"><input type=\"checkbox\" disabled{checked}> ")
                        .into(),
                ));
                task_label_open = true;
            }
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((events.len(), level, id.map(|i| i.to_string())));
                events.push(Event::Text(CowStr::Borrowed("")));
            }
            Event::End(TagEnd::Heading(level)) => {
                out.text.push('\n');
                if let Some((start, _, given)) = heading.take() {
                    let inner: Vec<Event> = events.drain(start + 1..).collect();
                    let title = plain_text(&inner);
                    let id = ids.unique(given.unwrap_or_else(|| slugify(&title)));
                    let mut html = String::new();
                    pulldown_cmark::html::push_html(&mut html, inner.into_iter());
                    let n = heading_number(level);
                    events[start] = Event::Html(
                        format!("<h{n} id=\"{id}\">{html}<a class=\"anchor\" href=\"#{id}\" aria-hidden=\"true\" tabindex=\"-1\">#</a></h{n}>\n").into(),
                    );
                    out.toc.push(Heading {
                        level: n,
                        id,
                        title,
                    });
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split([' ', ',', '{']).next().unwrap_or("").to_owned()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(text) if code.is_some() => {
                if let Some((_, buf)) = code.as_mut() {
                    buf.push_str(&text);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((lang, text)) = code.take() {
                    out.has_code = true;
                    events.push(Event::Html(cx.highlighter.highlight(&text, &lang).into()));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if images.open.is_none() => {
                let span = cursor.span(range);
                let found = cx.media.image_file(&dest_url);
                let open = OpenImage {
                    start: events.len(),
                    dest: dest_url.to_string(),
                    title: title.to_string(),
                    span,
                    found,
                };
                if open.found.is_some() {
                    events.push(Event::Text(CowStr::Borrowed("")));
                } else {
                    let tag = Tag::Image {
                        link_type,
                        dest_url: link_url(cx, &dest_url, span, &mut out).into(),
                        title,
                        id,
                    };
                    events.push(Event::Start(tag));
                }
                images.open = Some(open);
            }
            Event::End(TagEnd::Image) if images.open.is_some() => {
                let open = images.open.take().expect("checked");
                let alt = plain_text(&events[open.start + 1..]);
                check_alt(cx, &open, &alt, &mut out);
                if open.found.is_some() {
                    let start = open.start;
                    events.truncate(start + 1);
                    events[start] = Event::Html(images.show(cx, open, &alt, &mut out).into());
                } else {
                    images.shown += 1;
                    events.push(Event::End(TagEnd::Image));
                }
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                let span = cursor.span(range);
                let tag = with_dest(tag, |dest| link_url(cx, dest, span, &mut out));
                events.push(Event::Start(tag));
            }
            // Footnote ids share the page's id space with headings (`[^source]` under
            // `## Source`): give them their own prefix.
            Event::FootnoteReference(name) => {
                events.push(Event::FootnoteReference(format!("fn-{name}").into()));
            }
            Event::Start(Tag::FootnoteDefinition(name)) => {
                events.push(Event::Start(Tag::FootnoteDefinition(
                    format!("fn-{name}").into(),
                )));
            }
            Event::Start(Tag::Paragraph) => {
                if in_first_paragraph.is_none() && out.first_paragraph.is_empty() {
                    in_first_paragraph = Some(events.len());
                }
                images.paragraph = events.len();
                events.push(Event::Start(Tag::Paragraph));
            }
            Event::End(TagEnd::Paragraph) => {
                out.text.push('\n');
                if let Some(start) = in_first_paragraph.take() {
                    out.first_paragraph = plain_text(&events[start..]);
                }
                // A figure alone in its paragraph stands for it (a `<p>` cannot hold one).
                if images.lone_figure(&events) {
                    events.remove(images.paragraph);
                } else {
                    events.push(Event::End(TagEnd::Paragraph));
                }
            }
            other => {
                match &other {
                    Event::Text(t) | Event::Code(t) => {
                        count_words(t, &mut out);
                        out.text.push_str(t);
                    }
                    Event::SoftBreak | Event::HardBreak => out.text.push(' '),
                    Event::End(TagEnd::Item | TagEnd::TableCell) => out.text.push(' '),
                    _ => {}
                }
                events.push(other);
            }
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

/// Line and column of byte offsets in a page's body, counted on from the previous offset when
/// it is on the same line: a long paragraph full of links is not recounted from its start for
/// each one.
struct Cursor<'a> {
    body: &'a str,
    body_start: usize,
    /// Lines before the body (the front matter).
    lines_before: usize,
    line_starts: Vec<usize>,
    /// The last offset placed, with its line and column.
    last: (usize, usize, usize),
}

impl<'a> Cursor<'a> {
    fn new(cx: &Context<'a>) -> Self {
        let body = &cx.source[cx.body_start..];
        Cursor {
            body,
            body_start: cx.body_start,
            // memchr's search is vectorized; `str::matches` looks for each line's end anew.
            lines_before: memchr::memchr_iter(b'\n', &cx.source.as_bytes()[..cx.body_start])
                .count(),
            line_starts: std::iter::once(0)
                .chain(memchr::memchr_iter(b'\n', body.as_bytes()).map(|i| i + 1))
                .collect(),
            last: (0, 1, 1),
        }
    }

    fn span(&mut self, range: std::ops::Range<usize>) -> Span {
        let offset = range.start;
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let (last_offset, last_line, last_column) = self.last;
        let column = if line == last_line && offset >= last_offset {
            last_column + self.body[last_offset..offset].chars().count()
        } else {
            self.body[self.line_starts[line - 1]..offset]
                .chars()
                .count()
                + 1
        };
        self.last = (offset, line, column);
        Span {
            offset: self.body_start + offset,
            line: line + self.lines_before,
            column,
            len: self.body[range].chars().count(),
        }
    }
}

/// Rewrites a link destination: content files to page URLs, rooted site paths to the base path.
fn link_url(cx: &Context, dest: &str, at: Span, out: &mut Rendered) -> String {
    if dest.starts_with("http://") || dest.starts_with("https://") {
        out.external.push(ExternalLink {
            url: dest.to_owned(),
            at,
        });
        return dest.to_owned();
    }
    if is_javascript(dest) {
        if !cx.raw_html {
            return "#".to_owned();
        }
        let message =
            format!("link to `{dest}`: it runs a script in the browser of everyone who follows it");
        out.diagnostics.push(raw_html_warning(cx, at, message));
        return dest.to_owned();
    }
    if dest.is_empty() || dest.starts_with("//") || dest.starts_with('?') || has_scheme(dest) {
        return dest.to_owned();
    }
    if let Some(file) = cx.media.bundle_file(dest) {
        return bundle_link(cx, dest, file, at, out);
    }
    let (target, anchor) = match dest.split_once('#') {
        Some((t, a)) => (t, Some(a.to_owned())),
        None => (dest, None),
    };
    let fragment = anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default();
    let mut link = LocalLink {
        path: String::new(),
        anchor: anchor.clone(),
        written: dest.to_owned(),
        at,
        content_link: false,
    };
    if target.is_empty() {
        out.links.push(link);
        return dest.to_owned();
    }
    let content_path = if let Some(rooted) = target.strip_prefix("@/") {
        Some(rooted.to_owned())
    } else if target.ends_with(".md") && !target.starts_with('/') {
        Some(join_relative(cx.dir, target))
    } else {
        None
    };
    let Some(content_path) = content_path else {
        if target.starts_with('/') {
            link.path = target.to_owned();
            out.links.push(link);
            return format!("{}{}", cx.base_path, dest);
        }
        // A relative URL: the browser resolves it against the page's own URL, and so do we.
        link.path = format!("/{}", join_relative(cx.path, target));
        if target.ends_with('/') && !link.path.ends_with('/') {
            link.path.push('/');
        }
        out.links.push(link);
        return dest.to_owned();
    };
    link.content_link = true;
    let (id, lang) = content_id(&content_path);
    match (cx.resolve)(&id, lang.as_deref(), cx.lang) {
        Some(resolved) => {
            if let Some(other) = &resolved.fallback_lang {
                out.diagnostics.push(
                    Diagnostic::warning(
                        Kind::MissingTranslation,
                        cx.file,
                        format!("link to `{target}`: it has no `{}` version, so the link goes to the `{other}` page", cx.lang),
                    )
                    .pointing(cx, at),
                );
            }
            link.path = resolved.path.clone();
            out.links.push(link);
            format!("{}{}{}", cx.base_path, resolved.path, fragment)
        }
        None => {
            let (message, hint) = if cx.drafts.contains(&id) {
                (
                    format!("link to `{target}`: that page is a draft (`draft: true`), left out of this build"),
                    "publish it with `draft: false`, or build with --drafts to preview both",
                )
            } else {
                (
                    format!("link to `{target}`: no such content file"),
                    "content links name a file under content/ without the language suffix, like @/regions/attica.md",
                )
            };
            out.diagnostics.push(
                Diagnostic::error(Kind::BrokenLink, cx.file, message)
                    .pointing(cx, at)
                    .with_hint(hint),
            );
            dest.to_owned()
        }
    }
}

/// A link to a file of the page's bundle: to where it is published, for every language.
fn bundle_link(
    cx: &Context,
    dest: &str,
    file: crate::media::Resource,
    at: Span,
    out: &mut Rendered,
) -> String {
    let path = format!("/{}", file.out);
    let anchor = dest.split_once('#').map(|(_, a)| a.to_owned());
    let fragment = anchor.as_ref().map(|a| format!("#{a}")).unwrap_or_default();
    out.links.push(LocalLink {
        path: path.clone(),
        anchor,
        written: dest.to_owned(),
        at,
        content_link: false,
    });
    out.media.push(crate::media::Use::File(file));
    format!("{}{path}{fragment}", cx.base_path)
}

/// An image being read: from its start tag to its end, the alt text between them.
struct OpenImage {
    /// Index in the events of its start.
    start: usize,
    dest: String,
    title: String,
    span: Span,
    /// The site's file it shows, when it is one (see `PageMedia::image_file`).
    found: Option<Result<crate::media::Resource, String>>,
}

/// The images of a page so far.
#[derive(Default)]
struct Images {
    open: Option<OpenImage>,
    shown: usize,
    /// Index in the events of the last paragraph's start.
    paragraph: usize,
}

impl Images {
    /// Whether the paragraph being closed holds a figure and nothing else.
    fn lone_figure(&self, events: &[Event]) -> bool {
        events.len() == self.paragraph + 2
            && matches!(&events[self.paragraph + 1], Event::Html(h) if h.starts_with("<figure>"))
    }

    /// The HTML of an image that is a file of the site: a `<picture>`, or an `<img>` for a
    /// file published as it is; empty, with an error, when the file is missing or unreadable.
    fn show(&mut self, cx: &Context, open: OpenImage, alt: &str, out: &mut Rendered) -> String {
        let how = crate::media::Written {
            alt,
            title: &open.title,
            first: self.shown == 0 && !cx.media.has_cover,
            base_path: cx.base_path,
        };
        let at = open.span;
        let shown = match open.found {
            Some(Ok(resource)) => cx.media.show(resource, &how),
            Some(Err(message)) => Err(message),
            None => unreachable!("only files of the site are shown here"),
        };
        let error =
            |message: String| Diagnostic::error(Kind::Image, cx.file, message).pointing(cx, at);
        let (shown, warnings) = match shown {
            Ok(shown) => shown,
            Err(why) => {
                let message = match why.starts_with("image `") {
                    true => why,
                    false => format!("image `{}`: {why}", open.dest),
                };
                out.diagnostics.push(error(message).with_hint(
                    "images name a file in the page's folder (`photo.jpg`) or under static/ (`/img/photo.jpg`)",
                ));
                return String::new();
            }
        };
        for message in warnings {
            let warning = Diagnostic::warning(Kind::ImageSize, cx.file, message).pointing(cx, at);
            out.diagnostics.push(warning);
        }
        self.shown += 1;
        match shown {
            crate::media::Shown::Picture { html, mut image } => {
                (image.file, image.line, image.column) = (cx.file.to_owned(), at.line, at.column);
                out.media.push(crate::media::Use::Image(image));
                html
            }
            crate::media::Shown::Plain { url, width, height } => {
                crate::media::plain(&url, width.as_deref(), height.as_deref(), &how)
            }
        }
    }
}

/// An image without alt text says nothing to those who cannot see it: a warning, in the
/// page's language.
fn check_alt(cx: &Context, open: &OpenImage, alt: &str, out: &mut Rendered) {
    if !alt.is_empty() {
        return;
    }
    let at = open.span;
    out.diagnostics.push(
        Diagnostic::warning(
            Kind::ImageAlt,
            cx.file,
            format!("image `{}` has no alt text", open.dest),
        )
        .pointing(cx, at)
        .with_hint(format!(
            "say what it shows between the brackets, in this page's language (`{}`): ![…]({})",
            cx.lang, open.dest
        )),
    );
}

/// Raw HTML shown as text, for `raw_html = false`: an HTML block becomes a paragraph.
fn as_text(event: Event) -> Event {
    match event {
        Event::Html(html) | Event::InlineHtml(html) => Event::Text(html),
        Event::Start(Tag::HtmlBlock) => Event::Start(Tag::Paragraph),
        Event::End(TagEnd::HtmlBlock) => Event::End(TagEnd::Paragraph),
        other => other,
    }
}

/// What in a piece of raw HTML runs a script: a `<script>` element, an inline event handler
/// (`onerror=`) or a `javascript:` URL.
fn risky_html(html: &str) -> Option<&'static str> {
    let lower = html.to_ascii_lowercase();
    if lower.contains("<script") {
        Some("a `<script>` element")
    } else if has_event_handler(&lower) {
        Some("an inline event handler (`on…=`)")
    } else if lower.contains("javascript:") {
        Some("a `javascript:` URL")
    } else {
        None
    }
}

/// An attribute like ` onerror=` or `/onload =` in lower-case HTML.
fn has_event_handler(lower: &str) -> bool {
    lower.match_indices("on").any(|(i, _)| {
        let before = lower[..i].chars().next_back();
        let rest = &lower[i + 2..];
        let name = rest.len()
            - rest
                .trim_start_matches(|c: char| c.is_ascii_lowercase())
                .len();
        before.is_some_and(|c| c.is_whitespace() || matches!(c, '/' | '"' | '\''))
            && name > 0
            && rest[name..].trim_start().starts_with('=')
    })
}

/// `javascript:` however it is cased or padded (browsers ignore leading blanks and controls).
fn is_javascript(dest: &str) -> bool {
    let dest = dest.trim_start_matches(|c: char| c <= ' ');
    dest.get(..11)
        .is_some_and(|s| s.eq_ignore_ascii_case("javascript:"))
}

fn raw_html_warning(cx: &Context, at: Span, message: String) -> Diagnostic {
    Diagnostic::warning(Kind::RawHtml, cx.file, message)
    .pointing(cx, at)
    .with_hint("fine if it is meant; `raw_html = false` under `[markdown]` in site.toml shows raw HTML as text and drops `javascript:` links")
}

/// `mailto:`, `tel:`, `data:`, `javascript:` and the like: nothing the site publishes.
fn has_scheme(dest: &str) -> bool {
    let scheme = dest.split(':').next().unwrap_or("");
    dest.contains(':')
        && !scheme.is_empty()
        && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
}

/// `regions/attica.en.md` → (`regions/attica`, Some(`en`)); `about.md` → (`about`, None).
/// A suffix shaped like a language code names one (whether configured is the resolver's
/// question: a link to `attica.fr.md` is broken, not a page called `attica.fr`).
fn content_id(path: &str) -> (String, Option<String>) {
    let stem = path.trim_start_matches('/').trim_end_matches(".md");
    match stem.rsplit_once('.') {
        Some((id, lang)) if crate::config::is_language_code(lang) => {
            (id.to_owned(), Some(lang.to_owned()))
        }
        _ => (stem.to_owned(), None),
    }
}

/// A link or image tag with its destination rewritten by `f`.
fn with_dest<'e>(tag: Tag<'e>, f: impl FnOnce(&str) -> String) -> Tag<'e> {
    match tag {
        Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Link {
            link_type,
            dest_url: f(&dest_url).into(),
            title,
            id,
        },
        Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        } => Tag::Image {
            link_type,
            dest_url: f(&dest_url).into(),
            title,
            id,
        },
        other => other,
    }
}

/// Joins a relative link to the linking file's folder, resolving `.` and `..`.
fn join_relative(dir: &str, target: &str) -> String {
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

fn heading_number(level: HeadingLevel) -> u8 {
    level as u8
}

fn plain_text(events: &[Event]) -> String {
    let mut s = String::new();
    for e in events {
        match e {
            Event::Text(t) | Event::Code(t) => s.push_str(t),
            Event::SoftBreak | Event::HardBreak => s.push(' '),
            _ => {}
        }
    }
    s.trim().to_owned()
}

/// Heading id: Unicode letters and digits kept (so `合作领域` stays readable), ASCII lowercased,
/// spaces and dashes become one `-`, other punctuation is dropped.
pub fn slugify(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            id.extend(c.to_lowercase());
        } else if (c.is_whitespace() || c == '-' || c == '_')
            && !id.ends_with('-')
            && !id.is_empty()
        {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-').to_owned();
    if id.is_empty() {
        "section".into()
    } else {
        id
    }
}

/// The ids given on one page so far, and for each base id the next suffix to try: a page of
/// many identical headings takes linear time, not a rescan from `-1` for each.
#[derive(Default)]
struct Ids {
    used: HashSet<String>,
    next: HashMap<String, usize>,
}

impl Ids {
    /// `base`, else the first free `base-N`; an id written by hand (`{#a-1}`) is never reused.
    fn unique(&mut self, base: String) -> String {
        if self.used.insert(base.clone()) {
            return base;
        }
        let n = self.next.entry(base.clone()).or_insert(1);
        loop {
            let id = format!("{base}-{n}");
            *n += 1;
            if self.used.insert(id.clone()) {
                return id;
            }
        }
    }
}

pub fn is_cjk(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}'
        | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{2FA1F}')
}

/// Counts CJK characters one by one and other text by words.
fn count_words(text: &str, out: &mut Rendered) {
    let (mut words, mut cjk_chars) = (0, 0);
    let mut in_word = false;
    for c in text.chars() {
        // Most text is ASCII: no CJK range to test, and a simpler letter test.
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                words += usize::from(!in_word);
                in_word = true;
            } else if c != '\'' {
                in_word = false;
            }
        } else if is_cjk(c) {
            cjk_chars += 1;
            words += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            words += usize::from(!in_word);
            in_word = true;
        } else if c != '’' {
            in_word = false;
        }
    }
    out.words += words;
    out.cjk_chars += cjk_chars;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_str(body: &str) -> Rendered {
        render_with(body, true)
    }

    fn render_with(body: &str, raw_html: bool) -> Rendered {
        let source = format!("---\ntitle: T\n---\n{body}");
        let resolve = |id: &str, lang: Option<&str>, from: &str| -> Option<Resolved> {
            match id {
                "regions/attica" => Some(Resolved {
                    path: format!("/{}/regions/attica/", lang.unwrap_or(from)),
                    fallback_lang: None,
                }),
                "regions/lublin" => Some(Resolved {
                    path: "/zh/regions/lublin/".into(),
                    fallback_lang: Some("zh".into()),
                }),
                _ => None,
            }
        };
        let h = Highlighter::default();
        let cx = Context {
            file: "content/events/x.en.md",
            source: &source,
            body_start: 16,
            lang: "en",
            dir: "events",
            path: "/en/events/x/",
            base_path: "/henan",
            resolve: &resolve,
            drafts: &HashSet::new(),
            highlighter: &h,
            raw_html,
            media: &crate::media::PageMedia::none(),
        };
        render(&cx)
    }

    #[test]
    fn chinese_heading_ids_and_duplicates() {
        let r = render_str("## 合作领域\n\n## Areas of Cooperation!\n\n## 合作领域\n");
        let ids: Vec<_> = r.toc.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(ids, ["合作领域", "areas-of-cooperation", "合作领域-1"]);
        assert!(r
            .html
            .contains("<h2 id=\"合作领域\">合作领域<a class=\"anchor\""));
    }

    #[test]
    fn generated_ids_never_take_one_written_by_hand() {
        let ids = |body: &str| -> Vec<String> {
            render_str(body).toc.into_iter().map(|h| h.id).collect()
        };
        assert_eq!(
            ids("## A\n\n## A {#a-1}\n\n## A\n\n## A\n"),
            ["a", "a-1", "a-2", "a-3"]
        );
        assert_eq!(
            ids("## A\n\n## A\n\n## A {#a-1}\n\n## A-1\n"),
            ["a", "a-1", "a-1-1", "a-1-2"]
        );
        // The same headings give the same ids on every build.
        let many = "## Same\n\n".repeat(50);
        let first = ids(&many);
        assert_eq!(first, ids(&many));
        let unique: HashSet<&String> = first.iter().collect();
        assert_eq!(unique.len(), 50);
        assert_eq!(first[49], "same-49");
    }

    #[test]
    fn raw_html_passes_with_warnings_or_is_shown_as_text() {
        let body = "<script>alert(1)</script>\n\nA <img src=x onerror=\"alert(2)\"> and [x](JavaScript:alert(3)) and <b>bold</b>.\n\n<a href=\"javascript:alert(4)\">y</a>\n";
        let r = render_with(body, true);
        assert!(r.html.contains("<script>alert(1)</script>"), "{}", r.html);
        assert!(r.html.contains("<b>bold</b>"));
        let found: Vec<(Option<usize>, &str)> = r
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(found.len(), 4, "{found:?}");
        assert!(found[0].1.contains("`<script>`") && found[0].0 == Some(4));
        assert!(found[1].1.contains("event handler") && found[1].0 == Some(6));
        assert!(found[2].1.contains("JavaScript:alert(3)") && found[2].0 == Some(6));
        assert!(found[3].1.contains("`javascript:` URL") && found[3].0 == Some(8));
        assert!(r
            .diagnostics
            .iter()
            .all(|d| d.kind == crate::diagnostics::Kind::RawHtml && !d.is_error()));

        let safe = render_with(body, false);
        assert!(safe.diagnostics.is_empty());
        assert!(
            safe.html
                .contains("<p>&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{}",
            safe.html
        );
        assert!(
            safe.html.contains("&lt;b&gt;bold&lt;/b&gt;"),
            "{}",
            safe.html
        );
        assert!(safe.html.contains("<a href=\"#\">x</a>"), "{}", safe.html);
        assert!(!safe.html.contains("<script") && !safe.html.contains("<img"));
        assert!(!safe
            .html
            .to_ascii_lowercase()
            .contains("<a href=\"javascript"));
        assert!(!has_event_handler("<p>going on soon = later</p>"));
    }

    #[test]
    fn resolves_content_links_in_page_language() {
        let r = render_str("See [A](@/regions/attica.md#history), [B](../regions/attica.md) and [Z](@/regions/attica.zh.md).\n");
        assert!(
            r.html
                .contains("href=\"/henan/en/regions/attica/#history\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("href=\"/henan/en/regions/attica/\""));
        assert!(r.html.contains("href=\"/henan/zh/regions/attica/\""));
        assert!(r.diagnostics.is_empty());
        assert_eq!(r.links[0].anchor.as_deref(), Some("history"));
    }

    #[test]
    fn broken_and_fallback_links_are_reported_with_line() {
        let r = render_str("Intro\n\nSee [x](@/regions/nowhere.md) and [L](@/regions/lublin.md)\n");
        assert_eq!(r.diagnostics.len(), 2);
        let broken = &r.diagnostics[0];
        assert_eq!((broken.line, broken.column), (Some(6), Some(5)));
        assert!(broken.is_error());
        assert!(!r.diagnostics[1].is_error());
    }

    #[test]
    fn extensions_and_code() {
        let r = render_str("| a |\n|---|\n| b |\n\n~~x~~ [^1]\n\n- [x] done\n\n[^1]: note\n\n```rust\nfn x() {}\n```\n");
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>x</del>"));
        assert!(r.html.contains(
            "<li><label class=\"task\"><input type=\"checkbox\" disabled checked> done</label></li>"
        ));
        assert!(r.html.contains("footnote"));
        assert!(r.has_code && r.html.contains("hl-"));
    }

    #[test]
    fn task_items_label_their_checkbox_up_to_a_nested_list() {
        let r = render_str(
            "- [ ] open [link](https://example.org/)\n  - nested\n\n- [x] loose\n\n  more\n",
        );
        assert!(
            r.html.contains("<label class=\"task\"><input type=\"checkbox\" disabled> open <a href=\"https://example.org/\">link</a></label>"),
            "{}",
            r.html
        );
        let r = render_str("- [x] loose\n\n  more\n");
        assert!(
            r.html.contains("<p><label class=\"task\"><input type=\"checkbox\" disabled checked> loose</label></p>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn footnote_ids_never_collide_with_heading_ids() {
        let r = render_str("## Source\n\nFrom a report.[^source]\n\n[^source]: Henan Daily.\n");
        assert!(r.html.contains("<h2 id=\"source\">"), "{}", r.html);
        assert!(r.html.contains("id=\"fn-source\""), "{}", r.html);
        assert!(r.html.contains("href=\"#fn-source\""), "{}", r.html);
    }

    #[test]
    fn counts_chinese_by_character() {
        let r = render_str("河南省与阿提卡 are friends.\n");
        assert_eq!(r.cjk_chars, 7);
        assert_eq!(r.words, 9);
        assert_eq!(r.first_paragraph, "河南省与阿提卡 are friends.");
        assert_eq!(r.reading_minutes(), 1);
    }

    #[test]
    fn apostrophes_keep_a_word_whole_and_letters_beyond_ascii_are_letters() {
        let r = render_str("Don't stop: rock’n’roll, café au lait 2024, 河南x.\n");
        assert_eq!((r.words, r.cjk_chars), (10, 2));
    }

    #[test]
    fn reading_time_counts_characters_for_chinese_and_words_for_english() {
        let zh = render_str(&"河南".repeat(400));
        assert_eq!((zh.cjk_chars, zh.words), (800, 800));
        assert_eq!(zh.reading_minutes(), 2);
        let en = render_str(&"word ".repeat(401));
        assert_eq!((en.cjk_chars, en.words), (0, 401));
        assert_eq!(en.reading_minutes(), 3);
        let code = render_str("One two.\n\n```rust\nlet not_counted = 1;\n```\n");
        assert_eq!(code.words, 2);
    }

    #[test]
    fn plain_text_keeps_blocks_apart_and_leaves_code_out() {
        let r = render_str(
            "## 合作\n\nTrade *and* `culture`\nhere.\n\n- one\n- two\n\n```\nhidden\n```\n",
        );
        assert_eq!(r.text, "合作\nTrade and culture here.\none two ");
    }
}
