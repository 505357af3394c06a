//! Rendering: Markdown for every page, then a typed view of each page for its Tera template.
//! Views borrow from the site model; nothing here touches the disk.

use crate::config::{Config, Language};
use crate::content::{Page, Section, Site};
use crate::dates::PartialDate;
use crate::diagnostics::{Diagnostic, Kind};
use crate::front_matter::{Coordinates, PageKind};
use crate::highlight::Highlighter;
use crate::map::KeptArcs;
use crate::markdown::{self, Bodies, Heading, Rendered, Resolved};
use crate::output::{output_path, Output};
use crate::pagination::{self, Pager};
use crate::seo::Seo;
use crate::templates::error_chain;
use crate::templates::Templates;
use crate::view::{next_anniversary, page_link, Anniversary, Notice, PageLink, Written};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

mod cards;
mod header;

/// Renders every page's Markdown in parallel.
pub fn render_bodies(site: &Site, highlighter: &Highlighter) -> Bodies {
    render_bodies_reusing(site, highlighter, Vec::new(), Vec::new())
}

/// Like `render_bodies`, but takes `pages[i]` (or `sections[j]`) as it is where it is `Some`:
/// the incremental engine passes the bodies of pages whose source did not change.
pub fn render_bodies_reusing(
    site: &Site,
    highlighter: &Highlighter,
    mut pages: Vec<Option<Rendered>>,
    sections: Vec<Option<Rendered>>,
) -> Bodies {
    pages.resize_with(site.pages.len(), || None);
    Bodies {
        pages: site
            .pages
            .par_iter()
            .zip(pages)
            .map(|(p, old)| old.unwrap_or_else(|| render_body(site, highlighter, p, &p.source)))
            .collect(),
        sections: section_bodies(site, highlighter, sections),
    }
}

/// The Markdown of section intros, reusing `old[j]` where it is `Some`.
pub fn section_bodies(
    site: &Site,
    highlighter: &Highlighter,
    mut old: Vec<Option<Rendered>>,
) -> Vec<Option<Rendered>> {
    old.resize_with(site.sections.len(), || None);
    site.sections
        .par_iter()
        .zip(old)
        .map(|(s, old)| {
            old.or_else(|| {
                s.index
                    .as_ref()
                    .map(|p| render_body(site, highlighter, p, &p.source))
            })
        })
        .collect()
}

/// The HTML of `body`, the Markdown of `p`: rendered again when it was let go (see
/// `with_html`).
pub fn html_of<'b>(
    site: &Site,
    highlighter: &Highlighter,
    p: &Page,
    body: &'b Rendered,
) -> std::borrow::Cow<'b, str> {
    match with_html(site, highlighter, p, body) {
        std::borrow::Cow::Borrowed(body) => std::borrow::Cow::Borrowed(&body.html),
        std::borrow::Cow::Owned(body) => std::borrow::Cow::Owned(body.html),
    }
}

/// `body` of `p`, or, when its HTML was let go, its Markdown rendered again from the source
/// (which has not changed: an edited page's body is rendered anew).
pub fn with_html<'b>(
    site: &Site,
    highlighter: &Highlighter,
    p: &Page,
    body: &'b Rendered,
) -> std::borrow::Cow<'b, Rendered> {
    match body.html_dropped {
        true => {
            let source = p.source_text(&site.root);
            std::borrow::Cow::Owned(render_body(site, highlighter, p, &source))
        }
        false => std::borrow::Cow::Borrowed(body),
    }
}

/// One page's Markdown (`source`: the page's, which the model may no longer hold), with its
/// links resolved against the site.
pub fn render_body(site: &Site, highlighter: &Highlighter, p: &Page, source: &str) -> Rendered {
    let resolve = |id: &str, lang: Option<&str>, from: &str| resolve_link(site, id, lang, from);
    let media = crate::media::PageMedia {
        root: Some(&site.root),
        bundle: p.bundle(),
        has_cover: p.front.extra.contains_key("image"),
        limits: site.config.markdown.image_limits(),
    };
    let mut r = markdown::render(&markdown::Context {
        file: &p.file,
        source,
        body_start: p.body_start,
        lang: &p.lang,
        dir: &p.dir,
        path: &p.path,
        base_path: &site.config.base_path,
        resolve: &resolve,
        drafts: &site.drafts,
        highlighter,
        raw_html: site.config.markdown.raw_html,
        media: &media,
    });
    let base_path = &site.config.base_path;
    r.cover = p.cover.as_ref().and_then(|cover| {
        let at = (p.file.as_str(), p.front.line_of("image"));
        crate::media::cover(
            &media,
            cover,
            at,
            base_path,
            &mut r.media,
            &mut r.diagnostics,
        )
    });
    if p.is_fallback() {
        // Its original's, reported there.
        r.diagnostics = Vec::new();
    }
    // Rendered HTML and text grow by doubling; trimmed, the bodies of a 15,000-page site take
    // ~60 MB less for the rest of the build.
    r.html.shrink_to_fit();
    r.text.shrink_to_fit();
    r.links.shrink_to_fit();
    r
}

/// A content id (`regions/attica`, `regions/_index`, `_index`) in the wanted language, else in
/// another language (flagged so the linking page gets a warning).
fn resolve_link(site: &Site, id: &str, lang: Option<&str>, from: &str) -> Option<Resolved> {
    let want = lang.unwrap_or(from);
    if let Some(dir) = id.strip_suffix("_index") {
        let dir = dir.trim_end_matches('/');
        let found = site.section(dir, want).map(|s| (s, None)).or_else(|| {
            site.config
                .codes()
                .find_map(|l| site.section(dir, l).map(|s| (s, Some(l.to_owned()))))
        })?;
        return Some(Resolved {
            path: found.0.path.clone(),
            fallback_lang: found.1,
        });
    }
    if let Some(p) = site.page(id, want) {
        return Some(Resolved {
            path: p.path.clone(),
            fallback_lang: None,
        });
    }
    let other = site.translations(id).next()?;
    Some(Resolved {
        path: other.path.clone(),
        fallback_lang: Some(other.lang.clone()),
    })
}

/// The part of every template's context that is the same for all pages of one language:
/// serialized once per language in `Renderer::new` and cloned per page, rather than
/// serialized again for each of thousands of pages (the UI strings alone are ~100 entries).
#[derive(Serialize)]
struct Shared<'a> {
    config: ConfigView<'a>,
    lang: &'a Language,
    /// The UI strings of `lang`, for short template expressions: `{{ t.home }}`.
    t: &'a BTreeMap<String, String>,
    /// The base path to put before site paths: `{{ base }}/style.css`.
    base: &'a str,
    nav: &'a [NavItem],
    build_date: PartialDate,
}

/// What each page adds to `Shared`.
#[derive(Serialize)]
struct PerPage<'a> {
    /// The current page's site path and absolute URL.
    path: &'a str,
    permalink: String,
    /// The permalink search engines should index instead: a fallback's original's.
    canonical: String,
    /// A fallback page: search engines index its original only.
    noindex: bool,
    translations: Vec<TranslationView<'a>>,
    has_code: bool,
}

#[derive(Serialize)]
struct ConfigView<'a> {
    base_url: &'a str,
    default_language: &'a str,
    languages: &'a [Language],
    hub: &'a crate::config::Hub,
    extra: &'a toml::Table,
}

/// One language version of the current page, for `hreflang` links and the switcher.
#[derive(Serialize)]
pub struct TranslationView<'a> {
    pub code: &'a str,
    pub locale: &'a str,
    pub og_locale: &'a str,
    pub name: &'a str,
    pub url: String,
    pub permalink: String,
    /// False where this language has no version of the page: the link goes to its home.
    pub exists: bool,
    /// The version in this language is another language's page standing in (not a
    /// translation: no hreflang names it).
    pub fallback: bool,
    pub current: bool,
}

#[derive(Serialize, Clone)]
pub struct NavItem {
    pub key: String,
    pub label: String,
    pub url: String,
    pub path: String,
}

#[derive(Serialize)]
struct PageView<'a> {
    #[serde(flatten)]
    link: PageLink<'a>,
    lang: &'a str,
    id: &'a str,
    slug: &'a str,
    file: &'a str,
    description: String,
    permalink: String,
    content: &'a str,
    toc: &'a [Heading],
    tags: &'a [String],
    weight: Option<i64>,
    draft: bool,
    extra: &'a BTreeMap<String, serde_json::Value>,
    word_count: usize,
    reading_time: usize,
    coordinates: Option<Coordinates>,
    /// Events: the regions concerned. Regions: their events.
    regions: Vec<PageLink<'a>>,
    events: Vec<PageLink<'a>>,
    next_anniversary: Option<Anniversary>,
    /// Regions with coordinates: a small inline SVG map of their position.
    locator: Option<String>,
    /// The page's tags, each linking to its tag page.
    tag_links: Vec<crate::taxonomy::Link>,
    /// A region's country page.
    country_page: Option<crate::taxonomy::Link>,
    /// The cover photo (front matter `image:`) as a `<picture>`.
    cover: Option<&'a str>,
    /// A fallback's notice, in the reader's language, linking to the original.
    notice: Option<Notice<'a>>,
    /// For a fallback: the language its title and text are in.
    written_in: Option<Written<'a>>,
}

#[derive(Serialize)]
struct SectionView<'a> {
    title: String,
    description: String,
    dir: &'a str,
    content: &'a str,
    toc: &'a [Heading],
    pages: Vec<PageLink<'a>>,
    subsections: Vec<PageLink<'a>>,
    /// The intro's unknown front matter keys (the home page's `figures`, `tagline`).
    extra: &'a BTreeMap<String, serde_json::Value>,
    /// For an intro taken from another language (a fallback): that language.
    written_in: Option<Written<'a>>,
}

static NO_EXTRA: BTreeMap<String, serde_json::Value> = BTreeMap::new();

/// One page to render: which template, where, in which language, and what to blame on failure.
pub struct Job<'a, 'b> {
    pub template: &'b str,
    pub lang: &'b str,
    /// Site path of the page.
    pub path: &'b str,
    pub translations: Vec<TranslationView<'a>>,
    /// Whether the page needs the code stylesheet.
    pub has_code: bool,
    /// The source file (or a description) named in error messages.
    pub what: &'b str,
}

/// How a special page (timeline, map), whose context holds a whole language, is rendered.
#[derive(Clone, Copy)]
pub enum Spread {
    /// On the thread that renders it, its context freed there: a full build renders the
    /// pages beside it, and the timeline's years and entries made side by side with them took
    /// a 15,000-page build's peak memory from ~280 to ~305 MB.
    One,
    /// On every core, its context freed on every core too: it is what an edit of a title
    /// waits for last (freeing the timeline's context alone took ~50 ms).
    All,
}

impl Spread {
    fn drop(self, own: serde_json::Map<String, serde_json::Value>) {
        if let Spread::All = self {
            drop_wide(serde_json::Value::Object(own), 3);
        }
    }

    /// `f` of each item of `items` that gives one, in order; side by side for `All`.
    pub fn filter_map<T: Sync, U: Send>(
        self,
        items: &[T],
        f: impl Fn(&T) -> Option<U> + Sync + Send,
    ) -> Vec<U> {
        match self {
            Spread::One => items.iter().filter_map(f).collect(),
            Spread::All => items.par_iter().filter_map(f).collect(),
        }
    }
}

/// Frees `value` on every core: the items of its arrays and objects side by side, `depth`
/// levels down.
fn drop_wide(value: serde_json::Value, depth: usize) {
    use serde_json::Value;
    let items: Vec<Value> = match value {
        Value::Array(items) if depth > 0 => items,
        Value::Object(fields) if depth > 0 => fields.into_iter().map(|(_, v)| v).collect(),
        _ => return,
    };
    items.into_par_iter().for_each(|v| drop_wide(v, depth - 1));
}

/// Everything a render needs, shared by all pages of one build.
pub struct Renderer<'a> {
    pub site: &'a Site,
    pub tera: &'a Templates,
    /// `Shared`, serialized, by language code.
    shared: HashMap<&'a str, tera::Context>,
    /// Contexts holding `Shared` of a language, free for the next page: each page adds its own
    /// keys to one and removes them after rendering, so the shared part is copied once per
    /// thread rather than once per page.
    pool: HashMap<&'a str, std::sync::Mutex<Vec<tera::Context>>>,
    /// Published events concerning each region, newest first, by (language, region key):
    /// computed once so that region pages do not each scan every event.
    events: HashMap<(&'a str, &'a str), Vec<&'a Page>>,
    /// The original of each fallback page, by the fallback's site path.
    originals: HashMap<&'a str, &'a Page>,
    /// Each language's menu, and the site header (`templates/header.html`) rendered once per
    /// language and current menu entry.
    navs: HashMap<&'a str, Vec<NavItem>>,
    headers: header::Headers,
    cards: cards::Cards,
    /// Whether `macros.html` has a `timeline_year(y, t)` macro (see `timeline_years`).
    years: bool,
    /// Whether the timeline page reads only its years' `year` and `html` (the built-in
    /// templates do), so that a year's entries can go once its HTML is made.
    years_only: bool,
    /// Whether the timeline page's templates and `macros.html` are the theme's, so that its
    /// links need carry only what the theme reads (`timeline::Fields`).
    theme_timeline: bool,
    /// The map's arcs, drawn the first time a map needs them, and those an earlier render
    /// kept.
    arcs: std::sync::OnceLock<crate::map::Arcs<'a>>,
    kept_arcs: Option<&'a KeptArcs>,
    /// Where each rendered output goes (see `output::Sink`).
    sink: crate::output::Sink<'a>,
}

/// The templates that render the timeline page's context.
const TIMELINE_PAGE: [&str; 3] = ["timeline.html", "base.html", "meta.html"];

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, tera: &'a Templates) -> Self {
        let config = &site.config;
        let navs: HashMap<&str, Vec<NavItem>> = config
            .codes()
            .map(|code| (code, nav_items(site, code)))
            .collect();
        let shared = config
            .languages
            .iter()
            .map(|language| {
                let nav = &navs[language.code.as_str()];
                let shared = Shared {
                    config: ConfigView {
                        base_url: &config.base_url,
                        default_language: &config.default_language,
                        languages: &config.languages,
                        hub: &config.hub,
                        extra: &config.extra,
                    },
                    lang: language,
                    t: &language.strings,
                    base: &config.base_path,
                    nav,
                    build_date: site.build_date,
                };
                let context = tera::Context::from_serialize(&shared)
                    .expect("the shared context serializes: plain strings and numbers");
                (language.code.as_str(), context)
            })
            .collect();
        let pool = config
            .codes()
            .map(|code| (code, std::sync::Mutex::new(Vec::new())))
            .collect();
        let years_only = TIMELINE_PAGE.iter().all(|name| tera.is_builtin(name));
        Renderer {
            site,
            tera,
            shared,
            pool,
            events: events_by_region(site),
            originals: originals(site),
            navs,
            headers: header::Headers::default(),
            cards: cards::Cards::new(site, tera.has_macro("macros.html", "card", &["p", "t"])),
            years: tera.has_macro("macros.html", "timeline_year", &["y", "t"]),
            years_only,
            theme_timeline: years_only && tera.is_builtin("macros.html"),
            arcs: std::sync::OnceLock::new(),
            kept_arcs: None,
            sink: &Ok,
        }
    }

    pub fn theme_timeline(&self) -> bool {
        self.theme_timeline
    }

    pub fn arcs(&self) -> &crate::map::Arcs<'a> {
        (self.arcs).get_or_init(|| crate::map::arcs(self.site, self.kept_arcs))
    }

    /// Takes the arcs `kept` has for regions whose coordinates and status are the same.
    pub fn with_arcs(self, kept: &'a KeptArcs) -> Self {
        Renderer {
            kept_arcs: Some(kept),
            ..self
        }
    }

    /// The arcs this renderer drew, to keep; `None` when it drew none.
    pub fn into_arcs(self) -> Option<KeptArcs> {
        let site = self.site;
        (self.arcs.into_inner()).map(|arcs| KeptArcs::of(site, &arcs))
    }

    /// Hands an output made without a template to the sink, like every rendered page.
    pub fn emit(&self, output: Output) -> Result<Output, Diagnostic> {
        (self.sink)(output)
    }

    /// Hands every rendered output to `sink` as soon as it is rendered.
    pub fn with_sink(self, sink: crate::output::Sink<'a>) -> Self {
        Renderer { sink, ..self }
    }

    /// The configuration, borrowed for the whole build so views can hold on to it.
    fn config(&self) -> &'a Config {
        &self.site.config
    }

    /// Renders `job.template` with the shared context of its language, the page's own fields,
    /// and `extra` (a JSON object whose entries become top-level template variables).
    pub fn render(&self, job: Job, extra: serde_json::Value) -> Result<Output, Diagnostic> {
        self.render_spread(job, extra, Spread::One)
    }

    /// `render` of a special page, with `extra` freed as `spread` says.
    pub fn render_spread(
        &self,
        job: Job,
        extra: serde_json::Value,
        spread: Spread,
    ) -> Result<Output, Diagnostic> {
        let Job {
            template,
            lang,
            path,
            translations,
            has_code,
            what,
        } = job;
        let fail = |e: &dyn std::error::Error| failure(template, what, e);
        let original = self.originals.get(path);
        let per_page = PerPage {
            path,
            permalink: self.config().permalink(path),
            canonical: self.config().permalink(original.map_or(path, |o| &o.path)),
            noindex: original.is_some(),
            translations,
            has_code,
        };
        // The page's own keys in one JSON object; `extra` is moved in, not serialized again
        // (that would copy every page body a second time).
        let mut own = match serde_json::to_value(&per_page).map_err(|e| fail(&e))? {
            serde_json::Value::Object(map) => map,
            _ => unreachable!("a struct serializes to an object"),
        };
        match extra {
            serde_json::Value::Object(map) => own.extend(map),
            other => {
                tera::Context::from_value(other).map_err(|e| fail(&e))?;
            }
        }
        let header = self.headers.get(
            self.tera,
            &self.shared[lang],
            (lang, &self.navs[lang]),
            path,
            what,
        )?;
        own.insert("header".to_owned(), serde_json::Value::String(header));
        let (html, own) = self.render_in(lang, template, own, what);
        spread.drop(own);
        (self.sink)(Output::new(
            output_path(path),
            crate::text::without_nul(html?),
        ))
    }

    /// Renders `template` with the shared context of `lang` and the keys of `own`, and gives
    /// `own` back (a caller may keep parts of it, or free it where it likes).
    fn render_in(
        &self,
        lang: &str,
        template: &str,
        own: serde_json::Map<String, serde_json::Value>,
        what: &str,
    ) -> (
        Result<Vec<u8>, Diagnostic>,
        serde_json::Map<String, serde_json::Value>,
    ) {
        let keys: Vec<String> = own.keys().cloned().collect();
        let own = match tera::Context::from_value(serde_json::Value::Object(own)) {
            Ok(own) => own,
            Err(e) => return (Err(failure(template, what, &e)), Default::default()),
        };
        let pool = self.pool.get(lang).expect("page languages are configured");
        let mut context = pool
            .lock()
            .expect("no panics while held")
            .pop()
            .unwrap_or_else(|| self.shared[lang].clone());
        // A page key that shadows a shared one would be lost on removal: such a context is
        // not returned to the pool.
        let reusable = !keys.iter().any(|k| self.shared[lang].contains_key(k));
        context.extend(own);
        let html = self.tera.render_bytes(template, &context, what);
        let own = (keys.into_iter())
            .filter_map(|k| context.remove(&k).map(|v| (k, v)))
            .collect();
        if reusable {
            pool.lock().expect("no panics while held").push(context);
        }
        (html, own)
    }

    /// Language versions of a page id (or of a section, with `dir`), each language's home where
    /// a version is missing.
    pub fn translations(
        &self,
        lang: &str,
        find: impl Fn(&str) -> Option<String>,
    ) -> Vec<TranslationView<'a>> {
        self.config()
            .languages
            .iter()
            .map(|l| {
                let found = find(&l.code);
                let exists = found.is_some();
                let path = found.unwrap_or_else(|| format!("/{}/", l.code));
                TranslationView {
                    code: &l.code,
                    locale: &l.locale,
                    og_locale: &l.og_locale,
                    name: &l.name,
                    url: self.config().url(&path),
                    permalink: self.config().permalink(&path),
                    exists,
                    fallback: self.originals.contains_key(path.as_str()),
                    current: l.code == lang,
                }
            })
            .collect()
    }

    pub fn link(&self, p: &'a Page) -> PageLink<'a> {
        page_link(self.site, p)
    }

    /// Links to `pages` for a list in `lang`, each with its `card`; a card that fails to
    /// render is the list's failure (`what`).
    pub fn cards(
        &self,
        lang: &str,
        pages: impl IntoIterator<Item = &'a Page>,
        what: &str,
    ) -> Result<Vec<PageLink<'a>>, Diagnostic> {
        let pages: Vec<&Page> = pages.into_iter().collect();
        let mut links: Vec<PageLink> = pages.iter().map(|p| self.link(p)).collect();
        // A card is kept for other lists only in its page's language.
        let kept: Vec<Option<&Page>> = (pages.iter())
            .map(|p| (p.lang == lang).then_some(*p))
            .collect();
        let render = |cards: Vec<serde_json::Value>| {
            let own = serde_json::Map::from_iter([("cards".to_owned(), cards.into())]);
            let html = self
                .render_in(lang, crate::templates::CARDS.0, own, what)
                .0?;
            // Tera writes only text: nothing is lost.
            Ok(String::from_utf8_lossy(&html).into_owned())
        };
        self.cards.fill(self.site, &mut links, &kept, &render)?;
        Ok(links)
    }

    /// Sets each year's `html` in `timeline` (`timeline::build`'s context) to what
    /// `macros.html`'s `timeline_year` makes of it (when the macro is there), the years side
    /// by side for `Spread::All`; with the built-in page templates, the year's `entries` go.
    pub fn timeline_years(
        &self,
        lang: &str,
        timeline: &mut serde_json::Value,
        what: &str,
        spread: Spread,
    ) -> Result<(), Diagnostic> {
        let Some(serde_json::Value::Array(years)) = timeline.get_mut("years") else {
            return Ok(());
        };
        if !self.years {
            return Ok(());
        }
        let year_html = |year: &mut serde_json::Value| {
            let own = serde_json::Map::from_iter([("y".to_owned(), std::mem::take(year))]);
            let (html, mut own) = self.render_in(lang, crate::templates::YEAR.0, own, what);
            *year = own.remove("y").unwrap_or_default();
            // Tera writes only text: nothing is lost.
            let html = String::from_utf8_lossy(&html?).into_owned();
            year["html"] = html.into();
            // The entries are most of the context: freed here, side by side, instead of held
            // through the page's render.
            if let Some(fields) = year.as_object_mut().filter(|_| self.years_only) {
                fields.remove("entries");
            }
            Ok(())
        };
        match spread {
            Spread::One => years.iter_mut().try_for_each(year_html),
            Spread::All => years.par_iter_mut().try_for_each(year_html),
        }
    }

    /// All content pages, in parallel, from their rendered Markdown.
    pub fn pages(&self, bodies: &[Rendered]) -> Vec<Result<Output, Diagnostic>> {
        self.site
            .pages
            .par_iter()
            .zip(bodies)
            .map(|(p, body)| self.page(p, body))
            .collect()
    }

    /// All content pages, in parallel, each rendered from its Markdown (`sources`, aligned with
    /// the pages) to its output in one step and its source then let go, so that neither the
    /// sources nor the site's HTML are ever held in memory whole: of each body only what later
    /// stages read is kept (the search text, links, headings, summary), and its HTML only where
    /// `keep_html` says so of its index.
    pub fn pages_from_markdown(
        &self,
        sources: Vec<std::sync::Arc<str>>,
        highlighter: &Highlighter,
        keep_html: impl Fn(usize) -> bool + Sync,
    ) -> (Vec<Rendered>, Vec<Result<Output, Diagnostic>>) {
        self.site
            .pages
            .par_iter()
            .enumerate()
            .zip(sources)
            .map(|((i, p), source)| {
                let mut body = render_body(self.site, highlighter, p, &source);
                drop(source);
                let output = self.page(p, &body);
                if !keep_html(i) {
                    body.let_html_go();
                }
                (body, output)
            })
            .unzip()
    }

    pub(crate) fn page(&self, p: &'a Page, body: &Rendered) -> Result<Output, Diagnostic> {
        let site = self.site;
        let link = self.link(p);
        let regions: Vec<PageLink> = site.regions_of(p).map(|r| self.link(r)).collect();
        let events: Vec<PageLink> = if p.is_region() {
            let events = self.events.get(&(p.lang.as_str(), p.key.as_str()));
            self.cards(&p.lang, events.into_iter().flatten().copied(), &p.file)?
        } else {
            Vec::new()
        };
        let description = p
            .front
            .summary
            .clone()
            .unwrap_or_else(|| truncate(&body.first_paragraph, 160));
        let seo = Seo::page(site, p, &description);
        let view = PageView {
            link,
            lang: &p.lang,
            id: &p.id,
            slug: &p.slug,
            file: &p.file,
            description,
            permalink: site.config.permalink(&p.path),
            content: &body.html,
            toc: &body.toc,
            tags: &p.front.tags,
            weight: p.front.weight,
            draft: p.front.draft,
            extra: &p.front.extra,
            word_count: body.words,
            reading_time: body.reading_minutes(),
            coordinates: p.front.neutral.coordinates,
            regions,
            events,
            next_anniversary: next_anniversary(p, site.build_date, &p.lang),
            notice: (self.originals.get(p.path.as_str()))
                .and_then(|original| Notice::fallback(site, p, original)),
            written_in: Written::of(site, p),
            locator: p
                .front
                .neutral
                .coordinates
                .filter(|_| p.is_region())
                .map(|c| crate::map::locator(&site.config.base_path, c.lat, c.lon, &p.front.title)),
            tag_links: crate::taxonomy::tag_links(&site.config, p),
            country_page: crate::taxonomy::country_link(&site.config, p),
            cover: body.cover.as_deref(),
        };
        let template = match p.kind {
            PageKind::Region => "region.html",
            PageKind::Event => "event.html",
            PageKind::Page => "page.html",
        };
        let template = p
            .front
            .extra
            .get("template")
            .and_then(|t| t.as_str())
            .unwrap_or(template);
        let translations =
            self.translations(&p.lang, |l| site.page(&p.id, l).map(|t| t.path.clone()));
        let job = Job {
            template,
            lang: &p.lang,
            path: &p.path,
            translations,
            has_code: body.has_code,
            what: &p.file,
        };
        self.render(job, serde_json::json!({ "page": view, "seo": seo }))
    }

    /// Home and section list pages, in parallel.
    pub fn sections(&self, bodies: &[Option<Rendered>]) -> Vec<Result<Output, Diagnostic>> {
        self.site
            .sections
            .par_iter()
            .zip(bodies)
            .flat_map_iter(|(s, body)| self.section(s, body.as_ref(), &|_| true))
            .collect()
    }

    /// A section's list, one output per list page: those whose numbers (from 1) `numbers`
    /// passes.
    pub(crate) fn section(
        &self,
        s: &'a Section,
        body: Option<&Rendered>,
        numbers: &(dyn Fn(usize) -> bool + Sync),
    ) -> Vec<Result<Output, Diagnostic>> {
        let site = self.site;
        let language = site.config.language(&s.lang).expect("configured");
        let index = s.index.as_ref();
        let title = s.title(language);
        let description = index
            .and_then(|i| i.front.summary.clone())
            .unwrap_or_else(|| language.description.clone());
        let seo = if s.dir.is_empty() {
            Seo::home(&site.config, language, &description)
        } else {
            Seo::listing(&site.config, &title, &description)
        };
        let per_page = pagination::per_page(&site.config, s);
        // The home page shows its own selection, not a paged list.
        let total = if s.dir.is_empty() {
            1
        } else {
            pagination::page_count(s.pages.len(), per_page)
        };
        let what = index.map_or_else(|| format!("content/{}", s.dir), |i| i.file.clone());
        let template = if s.dir.is_empty() {
            "index.html"
        } else {
            "section.html"
        };
        // A list of thousands of pages has hundreds of list pages: in parallel too.
        (1..=total)
            .into_par_iter()
            .filter(|&number| numbers(number))
            .map(|number| {
                let view = SectionView {
                    title: title.to_string(),
                    description: description.clone(),
                    dir: &s.dir,
                    content: body.map_or("", |b| b.html.as_str()),
                    toc: body.map_or(&[], |b| b.toc.as_slice()),
                    pages: self.cards(
                        &s.lang,
                        (s.pages[(number - 1) * per_page..].iter())
                            .take(per_page)
                            .map(|&i| &site.pages[i]),
                        &what,
                    )?,
                    subsections: s
                        .subsections
                        .iter()
                        .filter_map(|d| site.section(d, &s.lang))
                        .map(|sub| self.section_link(sub))
                        .collect(),
                    extra: index.map_or(&NO_EXTRA, |i| &i.front.extra),
                    written_in: index.and_then(|i| Written::of(site, i)),
                };
                let path = pagination::page_path(&s.path, number);
                // Other languages' list page of the same number, where their list is that long.
                let translations = self.translations(&s.lang, |l| {
                    site.section(&s.dir, l)
                        .filter(|t| {
                            let n = pagination::per_page(&site.config, t);
                            pagination::page_count(t.pages.len(), n) >= number
                        })
                        .map(|t| pagination::page_path(&t.path, number))
                });
                let mut extra = serde_json::json!({
                    "section": view,
                    "seo": seo,
                    "pager": Pager::new(&site.config, &s.path, number, total),
                });
                // Moved in, not through `json!`, which would serialize its lists again. The home
                // page is a list of one page, so this runs once.
                extra["home"] = if s.dir.is_empty() {
                    self.home(&s.lang, &what)?
                } else {
                    serde_json::Value::Null
                };
                let job = Job {
                    template,
                    lang: &s.lang,
                    path: &path,
                    translations,
                    has_code: body.is_some_and(|b| b.has_code),
                    what: &what,
                };
                self.render(job, extra)
            })
            .collect()
    }

    fn section_link(&self, s: &'a Section) -> PageLink<'a> {
        let language = self.site.config.language(&s.lang).expect("configured");
        PageLink {
            title: s.title(language),
            summary: s.index.as_ref().and_then(|i| i.front.summary.as_deref()),
            url: self.site.config.url(&s.path),
            path: &s.path,
            key: &s.dir,
            kind: PageKind::Page,
            date: None,
            date_display: None,
            event_kind: None,
            country: None,
            country_code: None,
            established: None,
            established_display: None,
            status: "established",
            cover: None,
            written_in: s.index.as_ref().and_then(|i| Written::of(self.site, i)),
            card: None,
        }
    }

    /// What the home page shows beyond its intro: figures, latest events, regions. Its regions
    /// are serialized once, then cloned and moved into place: `json!` serializes what it is
    /// given again, which with thousands of regions a language made each list cost three times.
    fn home(&self, lang: &'a str, what: &str) -> Result<serde_json::Value, Diagnostic> {
        let site = self.site;
        let mut events: Vec<&Page> = site.pages_of(PageKind::Event, lang).collect();
        events.sort_by_key(|e| std::cmp::Reverse(e.front.neutral.date));
        let regions: Vec<PageLink> = site
            .section(crate::content::REGIONS, lang)
            .map(|s| s.pages.iter().map(|&i| self.link(&site.pages[i])).collect())
            .unwrap_or_default();
        let countries: std::collections::BTreeSet<&str> =
            regions.iter().filter_map(|r| r.country_code).collect();
        let strings = &site.config.language(lang).expect("configured").strings;
        let values: Vec<serde_json::Value> = regions.iter().map(|r| serde_json::json!(r)).collect();
        let mut by_continent: BTreeMap<&str, Vec<serde_json::Value>> = BTreeMap::new();
        for (r, value) in regions.iter().zip(&values) {
            let key = r
                .country_code
                .and_then(crate::geo::continent)
                .unwrap_or("other-continent");
            by_continent.entry(key).or_default().push(value.clone());
        }
        let regions_by_continent: Vec<serde_json::Value> = by_continent
            .into_iter()
            .map(|(key, list)| {
                object([
                    ("key", key.into()),
                    ("name", strings.get(key).map(String::as_str).into()),
                    ("regions", list.into()),
                ])
            })
            .collect();
        let latest = self.cards(lang, events.iter().take(4).copied(), what)?;
        Ok(object([
            ("latest_events", serde_json::json!(latest)),
            (
                "map_teaser",
                crate::map::teaser(site, self.arcs(), lang).into(),
            ),
            ("regions_by_continent", regions_by_continent.into()),
            ("region_count", regions.len().into()),
            ("country_count", countries.len().into()),
            ("event_count", events.len().into()),
            ("regions", values.into()),
        ]))
    }

    /// The root `/index.html` (language chooser) and `/404.html`, in the default language.
    pub fn root_pages(&self) -> Vec<Result<Output, Diagnostic>> {
        let lang = self.config().default_language.as_str();
        let job = |template, path, what| Job {
            template,
            lang,
            path,
            translations: self.translations(lang, |l| Some(format!("/{l}/"))),
            has_code: false,
            what,
        };
        let none = serde_json::json!({});
        vec![
            self.render(job("root.html", "/", "the root page"), none.clone()),
            self.render(job("404.html", "/404.html", "the 404 page"), none),
        ]
    }
}

/// A render's failure, blamed on `what` (a source file, or a description).
fn failure(template: &str, what: &str, e: &dyn std::error::Error) -> Diagnostic {
    Diagnostic::error(
        Kind::Template,
        what,
        format!("rendering with template `{template}`: {}", error_chain(e)),
    )
}

/// A JSON object of values already made, moved in (`json!` would serialize them again).
fn object<const N: usize>(entries: [(&str, serde_json::Value); N]) -> serde_json::Value {
    let map = entries.into_iter().map(|(k, v)| (k.to_owned(), v));
    serde_json::Value::Object(map.collect())
}

/// The original of each fallback page, by the fallback's site path.
fn originals(site: &Site) -> HashMap<&str, &Page> {
    (site.pages.iter())
        .filter_map(|p| {
            let original = site.page(&p.id, p.fallback_from.as_deref()?)?;
            Some((p.path.as_str(), original))
        })
        .collect()
}

/// Published events that concern each region, newest first, by (language, region key).
fn events_by_region(site: &Site) -> HashMap<(&str, &str), Vec<&Page>> {
    let mut map: HashMap<(&str, &str), Vec<&Page>> = HashMap::new();
    for e in site.pages.iter().filter(|p| p.is_event()) {
        for key in e.front.neutral.regions.iter().flatten() {
            let list = map.entry((e.lang.as_str(), key.as_str())).or_default();
            // An event naming a region twice is listed once, as a scan of events would.
            if !list.last().is_some_and(|last| std::ptr::eq(*last, e)) {
                list.push(e);
            }
        }
    }
    for list in map.values_mut() {
        // Stable, so events of one date keep site order, as before.
        list.sort_by_key(|e| std::cmp::Reverse(e.front.neutral.date));
    }
    map
}

fn nav_items(site: &Site, lang: &str) -> Vec<NavItem> {
    let language = site.config.language(lang).expect("configured");
    let label = |k: &str| {
        language
            .strings
            .get(k)
            .cloned()
            .unwrap_or_else(|| k.to_owned())
    };
    let mut items = vec![("home", format!("/{lang}/"))];
    for dir in [crate::content::REGIONS, crate::content::EVENTS] {
        if site.section(dir, lang).is_some() {
            items.push((dir, format!("/{lang}/{dir}/")));
        }
    }
    let countries = crate::layout::COUNTRIES_DIR;
    items.push((countries, format!("/{lang}/{countries}/")));
    // Search has its box in the header rather than a menu entry.
    for special in crate::layout::SPECIAL_PAGES
        .iter()
        .filter(|&&s| s != "search")
    {
        items.push((*special, format!("/{lang}/{special}/")));
    }
    if let Some(about) = site.page("about", lang) {
        items.push(("about", about.path.clone()));
    }
    items
        .into_iter()
        .map(|(key, path)| NavItem {
            key: key.to_owned(),
            label: label(key),
            url: site.config.url(&path),
            path,
        })
        .collect()
}

fn truncate(text: &str, max_chars: usize) -> String {
    if text.chars().count() <= max_chars {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max_chars - 1).collect();
    format!("{}…", cut.trim_end())
}
