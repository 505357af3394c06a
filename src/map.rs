//! The world map page and the small locator maps on region pages, drawn at build time as SVG
//! from the vendored Natural Earth data (see `geo`), with no tiles, fonts or scripts from
//! elsewhere.

use crate::content::{Page, Site};
use crate::front_matter::{Coordinates, PageKind, Status};
use crate::geo::{self, Frame, World};
use crate::highlight::escape_html as esc;
use crate::view::{page_link, PageLink};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

/// Width of the world map's SVG coordinate system; `world.svg` uses the same frame, so locator
/// maps can place markers on it.
pub const WIDTH: f64 = 960.0;
/// The background image of locator maps, published at the site root.
pub const WORLD_SVG: &str = "world.svg";

#[derive(Serialize)]
pub struct CountryGroup<'a> {
    pub country: String,
    pub country_code: Option<&'a str>,
    pub regions: Vec<PageLink<'a>>,
}

#[derive(Serialize)]
pub struct MapView<'a> {
    /// The inline SVG, ready to insert.
    pub svg: String,
    pub groups: Vec<CountryGroup<'a>>,
    pub marker_count: usize,
}

/// The map of one language's regions.
pub fn build<'a>(site: &'a Site, world: &World, arcs: &Arcs, lang: &'a str) -> MapView<'a> {
    let frame = Frame::world(WIDTH);
    let regions: Vec<_> = site.pages_of(PageKind::Region, lang).collect();
    let mut ids: Vec<&str> = regions
        .iter()
        .filter_map(|r| r.front.neutral.country_code.as_deref())
        .filter_map(geo::alpha2_to_numeric)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let hub = &site.config.hub;
    let language = site.config.language(lang).expect("configured");
    let caption = language
        .strings
        .get("map_caption")
        .map_or("", String::as_str);
    let mut svg = format!(
        "<svg class=\"world-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{}\" aria-labelledby=\"map-title\">\n<title id=\"map-title\">{}</title>\n<path class=\"sphere\" d=\"{}\"/>\n<g class=\"countries\">\n{}</g>\n<g class=\"arcs\" aria-hidden=\"true\">\n",
        frame.view_box(),
        esc(caption),
        geo::sphere_path(&frame),
        geo::country_paths(world, &frame, &ids),
    );
    let with_coordinates: Vec<_> = regions
        .iter()
        .filter_map(|r| r.front.neutral.coordinates.map(|c| (r, c)))
        .collect();
    for (r, _) in &with_coordinates {
        svg.push_str(&arcs[r.key.as_str()]);
    }
    svg.push_str("</g>\n<g class=\"markers\">\n");
    for (r, c) in &with_coordinates {
        let (x, y) = frame.to_svg(c.lon, c.lat);
        let label = match &r.front.country {
            Some(country) => format!("{} ({country})", r.front.title),
            None => r.front.title.clone(),
        };
        // A fallback's label is in its own language.
        let lang = (crate::view::Written::of(site, r))
            .map(|w| format!(" lang=\"{}\"", esc(w.locale)))
            .unwrap_or_default();
        let _ = writeln!(
            svg,
            "<a class=\"marker {}\"{lang} href=\"{}\" aria-label=\"{}\" data-region=\"{}\"><title>{}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"5\"/></a>",
            status_class(r.front.neutral.status),
            esc(&site.config.url(&r.path)),
            esc(&label),
            esc(&r.key),
            esc(&label),
        );
    }
    let (hx, hy) = frame.to_svg(hub.lon, hub.lat);
    let _ = write!(
        svg,
        "</g>\n<g class=\"hub\"><title>{}</title><circle cx=\"{hx:.1}\" cy=\"{hy:.1}\" r=\"7\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text></g>\n</svg>",
        esc(&hub.name),
        // Left of the hub, inland: to its right lie Korea and Japan's markers.
        hx - 18.0,
        hy + 5.0,
        esc(language.strings.get("hub").map_or(&hub.name, |s| s)),
    );
    let mut groups: BTreeMap<String, CountryGroup> = BTreeMap::new();
    for r in &regions {
        // As the page writes it, else as its country page names it.
        let written = r.front.country.clone();
        let country = written.unwrap_or_else(|| match r.front.neutral.country_code.as_deref() {
            Some(code) => crate::countries::display_name(&language.strings, lang, code, None),
            None => "—".to_owned(),
        });
        groups
            .entry(country.clone())
            .or_insert_with(|| CountryGroup {
                country,
                country_code: r.front.neutral.country_code.as_deref(),
                regions: Vec::new(),
            })
            .regions
            .push(page_link(site, r));
    }
    MapView {
        svg,
        groups: groups.into_values().collect(),
        marker_count: with_coordinates.len(),
    }
}

/// The arc from the hub to each region that has coordinates, by region key. Coordinates and
/// status are the same in every language, so each arc is drawn once for the map pages and the
/// home pages' teasers of all languages.
pub type Arcs<'a> = HashMap<&'a str, String>;

/// Arcs an earlier build drew, by region key, with the coordinates and status each was drawn
/// for (the hub is the configuration's, the same for as long as they are kept): an edit draws
/// again only those of regions whose coordinates or status changed. Drawing every arc took
/// about 50 ms of each edit that shows the map or a home page.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptArcs(BTreeMap<String, (Coordinates, Option<Status>, String)>);

impl KeptArcs {
    /// `arcs`, drawn for `site`, to keep.
    pub fn of(site: &Site, arcs: &Arcs) -> KeptArcs {
        let drawn = regions_with_coordinates(site).filter_map(|(r, c)| {
            let arc = arcs.get(r.key.as_str())?;
            Some((r.key.clone(), (c, r.front.neutral.status, arc.clone())))
        });
        KeptArcs(drawn.collect())
    }
}

/// The arcs of `site`, those `kept` has for the same coordinates and status taken from it.
pub fn arcs<'a>(site: &'a Site, kept: Option<&KeptArcs>) -> Arcs<'a> {
    let frame = Frame::world(WIDTH);
    let mut arcs = Arcs::new();
    for (r, c) in regions_with_coordinates(site) {
        arcs.entry(r.key.as_str()).or_insert_with(|| {
            let status = r.front.neutral.status;
            match kept.and_then(|k| k.0.get(&r.key)) {
                Some((was, then, arc)) if (*was, *then) == (c, status) => arc.clone(),
                _ => arc(site, &frame, r, c),
            }
        });
    }
    arcs
}

fn regions_with_coordinates(site: &Site) -> impl Iterator<Item = (&Page, Coordinates)> {
    (site.pages.iter())
        .filter(|p| p.is_region())
        .filter_map(|r| Some((r, r.front.neutral.coordinates?)))
}

fn arc(site: &Site, frame: &Frame, r: &Page, c: Coordinates) -> String {
    let hub = &site.config.hub;
    let points = geo::great_circle((hub.lon, hub.lat), (c.lon, c.lat), 64);
    format!(
        "<path class=\"arc {}\" d=\"{}\"/>\n",
        status_class(r.front.neutral.status),
        geo::arc_path(frame, &points)
    )
}

pub fn teaser(site: &Site, arcs: &Arcs, lang: &str) -> String {
    let frame = Frame::world(WIDTH);
    let (_, top) = frame.to_svg(0.0, 72.0);
    let (_, bottom) = frame.to_svg(0.0, -48.0);
    let mut svg = format!(
        "<svg class=\"teaser-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 {top:.1} {} {:.1}\" aria-hidden=\"true\" focusable=\"false\"><image href=\"{}/{WORLD_SVG}\" width=\"{}\" height=\"{}\"/>\n",
        frame.width,
        bottom - top,
        esc(&site.config.base_path),
        frame.width,
        frame.height,
    );
    let placed: Vec<_> = site
        .pages_of(PageKind::Region, lang)
        .filter_map(|r| r.front.neutral.coordinates.map(|c| (r, c)))
        .collect();
    for (r, _) in &placed {
        svg.push_str(&arcs[r.key.as_str()]);
    }
    for (r, c) in &placed {
        let (x, y) = frame.to_svg(c.lon, c.lat);
        let class = status_class(r.front.neutral.status);
        let _ = write!(
            svg,
            "<circle class=\"dot {class}\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\"/>"
        );
    }
    let hub = &site.config.hub;
    let (hx, hy) = frame.to_svg(hub.lon, hub.lat);
    let _ = write!(
        svg,
        "<circle class=\"hub-dot\" cx=\"{hx:.1}\" cy=\"{hy:.1}\" r=\"9\"/></svg>"
    );
    svg
}

fn status_class(status: Option<Status>) -> &'static str {
    match status {
        Some(Status::Preparing) => "preparing",
        _ => "established",
    }
}

/// A small map centred on one position, drawn over the published `world.svg`.
pub fn locator(base_path: &str, lat: f64, lon: f64, label: &str) -> String {
    let frame = Frame::world(WIDTH);
    let (x, y) = frame.to_svg(lon, lat);
    let (w, h) = (160.0, 100.0);
    let left = (x - w / 2.0).clamp(0.0, frame.width - w);
    let top = (y - h / 2.0).clamp(0.0, frame.height - h);
    format!(
        "<svg class=\"locator\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{left:.1} {top:.1} {w} {h}\" role=\"img\" aria-label=\"{}\"><image href=\"{}/{WORLD_SVG}\" width=\"{}\" height=\"{}\"/><circle class=\"locator-ring\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"6\"/><circle class=\"locator-dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"2.5\"/></svg>",
        esc(label),
        esc(base_path),
        frame.width,
        frame.height,
    )
}

/// A map of one country's regions (`placed`, with their coordinates), drawn over the published
/// `world.svg` and zoomed to the box around them, each marker a link to its region; `None`
/// when no region has coordinates.
pub fn country(site: &Site, placed: &[(&Page, Coordinates)], label: &str) -> Option<String> {
    let frame = Frame::world(WIDTH);
    let points: Vec<(f64, f64)> = placed
        .iter()
        .map(|(_, c)| frame.to_svg(c.lon, c.lat))
        .collect();
    let (x0, x1, y0, y1) = points.iter().fold(
        (f64::MAX, f64::MIN, f64::MAX, f64::MIN),
        |(x0, x1, y0, y1), &(x, y)| (x0.min(x), x1.max(x), y0.min(y), y1.max(y)),
    );
    if points.is_empty() {
        return None;
    }
    // At least a small country's worth around the regions, in the locators' 8:5 shape.
    let w = ((x1 - x0) * 1.5)
        .max((y1 - y0) * 1.5 * 1.6)
        .max(80.0)
        .min(frame.width);
    let h = (w / 1.6).min(frame.height);
    let left = ((x0 + x1 - w) / 2.0).clamp(0.0, frame.width - w);
    let top = ((y0 + y1 - h) / 2.0).clamp(0.0, frame.height - h);
    let r = w / 50.0;
    let mut svg = format!(
        "<svg class=\"country-map\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{left:.1} {top:.1} {w:.1} {h:.1}\" aria-labelledby=\"country-map-title\"><title id=\"country-map-title\">{}</title><image href=\"{}/{WORLD_SVG}\" width=\"{}\" height=\"{}\"/>",
        esc(label),
        esc(&site.config.base_path),
        frame.width,
        frame.height,
    );
    for ((p, _), (x, y)) in placed.iter().zip(points) {
        let _ = write!(
            svg,
            "<a class=\"marker {}\" href=\"{}\" aria-label=\"{}\"><title>{}</title><circle cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"{r:.2}\"/></a>",
            status_class(p.front.neutral.status),
            esc(&site.config.url(&p.path)),
            esc(&p.front.title),
            esc(&p.front.title),
        );
    }
    svg.push_str("</svg>");
    Some(svg)
}

/// `world.svg`, the locator maps' background.
pub fn world_file(world: &World) -> crate::output::Output {
    crate::output::Output::new(WORLD_SVG, geo::world_svg(world, &Frame::world(WIDTH)))
}
