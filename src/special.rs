//! Pages every language gets besides its content: the timeline, the map and the search page.

use crate::diagnostics::Diagnostic;
use crate::geo::World;
use crate::layout::SPECIAL_PAGES;
use crate::output::Output;
use crate::render::{Job, Renderer};
use crate::seo::Seo;
use crate::{map, timeline};

/// The shared world map file and every language's special pages, one after another: the
/// timeline's and the map's contexts each hold the whole site of a language, so this is the
/// costliest part of a build's memory before the pages (a build renders them alongside the
/// pages and lists).
pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    let world = World::builtin();
    let jobs: Vec<(&str, &'static str)> = r
        .site
        .config
        .codes()
        .flat_map(|lang| SPECIAL_PAGES.iter().map(move |name| (lang, *name)))
        .collect();
    let mut out = vec![r.emit(map::world_file(&world))];
    // One after another: each holds a context of every region or event, and two at once
    // (with the first pages beside them) lifted a 15,000-page build's peak memory from about
    // 260 to 325 MB. Pages and the other producers keep the other core busy meanwhile.
    let pages: Vec<_> = jobs
        .iter()
        .map(|&(lang, name)| render(r, &world, lang, name))
        .collect();
    out.extend(pages);
    out
}

/// One special page, `/<lang>/<name>/`.
fn render(
    r: &Renderer,
    world: &World,
    lang: &str,
    name: &'static str,
) -> Result<Output, Diagnostic> {
    let site = r.site;
    let language = site.config.language(lang).expect("configured");
    let string = |key: &'static str| language.strings.get(key).map_or(key, String::as_str);
    let (description, mut view) = match name {
        "timeline" => (
            language.description.as_str(),
            serde_json::json!({ "timeline": timeline::build(site, lang) }),
        ),
        "map" => (
            string("map_caption"),
            serde_json::json!({ "map": map::build(site, world, r.arcs(), lang) }),
        ),
        _ => (string("search_placeholder"), serde_json::json!({})),
    };
    view["seo"] = serde_json::json!(Seo::listing(&site.config, string(name), description));
    let path = format!("/{lang}/{name}/");
    let job = Job {
        template: &format!("{name}.html"),
        lang,
        path: &path,
        translations: r.translations(lang, |l| Some(format!("/{l}/{name}/"))),
        has_code: false,
        what: &format!("the {name} page"),
    };
    r.render(job, view)
}
