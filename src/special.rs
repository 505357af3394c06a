//! Pages every language gets besides its content: the timeline, the map and the search page.

use crate::diagnostics::Diagnostic;
use crate::geo::World;
use crate::layout::SPECIAL_PAGES;
use crate::output::Output;
use crate::render::{Job, Renderer, Spread};
use crate::seo::Seo;
use crate::{map, timeline};
use rayon::prelude::*;
use std::collections::BTreeSet;

/// The shared world map file and every language's special pages, one after another: the
/// timeline's and the map's contexts each hold the whole site of a language, so this is the
/// costliest part of a build's memory before the pages (a build renders them alongside the
/// pages and lists).
pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    let world = World::builtin();
    let mut out = vec![r.emit(map::world_file(&world))];
    // One after another: each holds a context of every region or event, and two at once
    // (with the first pages beside them) lifted a 15,000-page build's peak memory from about
    // 260 to 325 MB. Pages and the other producers keep the other core busy meanwhile.
    let codes = r.site.config.codes();
    let pages = codes.flat_map(|lang| SPECIAL_PAGES.iter().map(move |name| (lang, *name)));
    out.extend(pages.map(|(lang, name)| render(r, &world, lang, name, Spread::One)));
    out
}

/// The special pages an edit changes: the timeline of each language where a region or an
/// event changed, the map of each where a region did. The world map file comes from the
/// built-in map alone, and the search page shows no content (its index is made by `search`).
pub fn showing_content<'l>(
    regions_or_events: impl Iterator<Item = &'l str>,
    regions: impl Iterator<Item = &'l str>,
) -> BTreeSet<(&'l str, &'static str)> {
    let timelines = regions_or_events.map(|lang| (lang, TIMELINE));
    timelines.chain(regions.map(|lang| (lang, MAP))).collect()
}

/// The special `pages` (language and name) after an edit (see `showing_content`), side by
/// side and each on every core (`Spread::All`): they are what an edit of a title waits for,
/// and the preview holds the site in memory anyway.
pub fn render_showing_content(
    r: &Renderer,
    pages: &BTreeSet<(&str, &'static str)>,
) -> Vec<Result<Output, Diagnostic>> {
    // Most edits show in none: the built-in map is not parsed for them.
    if pages.is_empty() {
        return Vec::new();
    }
    let world = World::builtin();
    (pages.par_iter())
        .map(|&(lang, name)| render(r, &world, lang, name, Spread::All))
        .collect()
}

const TIMELINE: &str = "timeline";
const MAP: &str = "map";

/// One special page, `/<lang>/<name>/`, rendered as `spread` says.
fn render(
    r: &Renderer,
    world: &World,
    lang: &str,
    name: &'static str,
    spread: Spread,
) -> Result<Output, Diagnostic> {
    let site = r.site;
    let language = site.config.language(lang).expect("configured");
    let string = |key: &'static str| language.strings.get(key).map_or(key, String::as_str);
    let mut view = serde_json::Map::new();
    let description = match name {
        TIMELINE => {
            // Made as a `Value` already: `json!` would serialize it all again.
            let fields = if r.theme_timeline() {
                timeline::Fields::Theme
            } else {
                timeline::Fields::All
            };
            let mut timeline = timeline::build(site, lang, fields, spread);
            r.timeline_years(lang, &mut timeline, "the timeline page", spread)?;
            view.insert(name.to_owned(), timeline);
            language.description.as_str()
        }
        MAP => {
            let map = map::build(site, world, r.arcs(), lang);
            view.insert(name.to_owned(), serde_json::json!(map));
            string("map_caption")
        }
        _ => string("search_placeholder"),
    };
    let seo = Seo::listing(&site.config, string(name), description);
    view.insert("seo".to_owned(), serde_json::json!(seo));
    let path = format!("/{lang}/{name}/");
    let job = Job {
        template: &format!("{name}.html"),
        lang,
        path: &path,
        translations: r.translations(lang, |l| Some(format!("/{l}/{name}/"))),
        has_code: false,
        what: &format!("the {name} page"),
    };
    r.render_spread(job, serde_json::Value::Object(view), spread)
}
