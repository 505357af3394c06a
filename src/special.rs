//! Pages every language gets besides its content: the timeline and the map.

use crate::diagnostics::Diagnostic;
use crate::geo::World;
use crate::render::{Job, Output, Renderer};
use crate::{map, timeline};

pub fn render_all(r: &Renderer) -> Vec<Result<Output, Diagnostic>> {
    let site = r.site;
    let world = World::builtin();
    let mut out = vec![Ok(map::world_file(&world))];
    for lang in site.config.codes() {
        let render = |name: &str, template: &str, view: serde_json::Value| {
            let path = format!("/{lang}/{name}/");
            let job = Job {
                template,
                lang,
                path: &path,
                translations: r.translations(lang, |l| Some(format!("/{l}/{name}/"))),
                has_code: false,
                what: &format!("the {name} page"),
            };
            r.render(job, &view)
        };
        let view = serde_json::json!({ "timeline": timeline::build(site, lang) });
        out.push(render("timeline", "timeline.html", view));
        let view = serde_json::json!({ "map": map::build(site, &world, lang) });
        out.push(render("map", "map.html", view));
    }
    out
}
