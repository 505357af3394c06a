//! Pages every language gets besides its content: the timeline, the map and the search page.

use crate::diagnostics::Diagnostic;
use crate::geo::World;
use crate::render::{Job, Output, Renderer};
use crate::seo::Seo;
use crate::{map, timeline};

pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    let site = r.site;
    let world = World::builtin();
    let mut out = vec![r.emit(map::world_file(&world))];
    for lang in site.config.codes() {
        let language = site.config.language(lang).expect("configured");
        let string = |key: &'static str| language.strings.get(key).map_or(key, String::as_str);
        let render = |name: &'static str, description: &str, mut view: serde_json::Value| {
            let path = format!("/{lang}/{name}/");
            view["seo"] = serde_json::json!(Seo::listing(&site.config, string(name), description));
            let job = Job {
                template: &format!("{name}.html"),
                lang,
                path: &path,
                translations: r.translations(lang, |l| Some(format!("/{l}/{name}/"))),
                has_code: false,
                what: &format!("the {name} page"),
            };
            r.render(job, view)
        };
        let view = serde_json::json!({ "timeline": timeline::build(site, lang) });
        out.push(render("timeline", &language.description, view));
        let view = serde_json::json!({ "map": map::build(site, &world, lang) });
        out.push(render("map", string("map_caption"), view));
        let view = serde_json::json!({});
        out.push(render("search", string("search_placeholder"), view));
    }
    out
}
