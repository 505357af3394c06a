//! Pages every language gets besides its content: the timeline and the map.

use crate::diagnostics::Diagnostic;
use crate::geo::World;
use crate::render::{Output, Renderer};
use crate::{map, timeline};

pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    let site = r.site;
    let world = World::builtin();
    let mut out = vec![Ok(map::world_file(&world))];
    for lang in site.config.codes() {
        let page_at = |name: &str| {
            let path = format!("/{lang}/{name}/");
            let translations = r.translations(lang, |l| Some(format!("/{l}/{name}/")));
            (path, translations)
        };
        let (path, translations) = page_at("timeline");
        let view = serde_json::json!({ "timeline": timeline::build(site, lang) });
        out.push(r.render("timeline.html", lang, &path, translations, false, &view, "the timeline"));
        let (path, translations) = page_at("map");
        let view = serde_json::json!({ "map": map::build(site, &world, lang) });
        out.push(r.render("map.html", lang, &path, translations, false, &view, "the map"));
    }
    out
}
