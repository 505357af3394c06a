//! World map geometry for the map and locator pages: TopoJSON decoding, the
//! Equal Earth projection and compact SVG output, with no dependencies beyond
//! serde/serde_json so the site build stays self-contained.
//!
//! Data: `geo/countries-110m.json` is vendored unchanged from the npm package
//! `world-atlas` 2.0.2 (ISC licence, © 2013-2019 Michael Bostock), which is
//! built from Natural Earth 1:110m Admin 0 countries (public domain).
//! Three of its 177 features (N. Cyprus, Somaliland, Kosovo) carry no ISO id.

use serde::Deserialize;
use serde_json::Value;
use std::collections::HashMap;
use std::fmt::Write;

/// The vendored world-atlas `countries-110m.json`, embedded so the generator
/// needs no data files at run time.
pub const WORLD_TOPOJSON: &str = include_str!("geo/countries-110m.json");

/// A geographic position as (longitude, latitude) in degrees.
pub type LonLat = (f64, f64);

/// One country (or disputed area) of the world map.
#[derive(Debug, Clone, PartialEq)]
pub struct Country {
    /// ISO 3166-1 numeric code exactly as in the file (e.g. `"300"`); empty
    /// for the few world-atlas features without an id (Kosovo, N. Cyprus,
    /// Somaliland).
    pub id: String,
    /// Short English name from the file (e.g. `"Bosnia and Herz."`).
    pub name: String,
    /// Closed rings (first point == last point) of (lon, lat) in degrees,
    /// exterior rings and holes alike. Already cut at the antimeridian (and
    /// closed through the pole for Antarctica), so no edge spans more than
    /// 180° of longitude and the rings can be projected and drawn as-is.
    pub rings: Vec<Vec<LonLat>>,
}

/// All countries of a decoded TopoJSON world.
#[derive(Debug, Clone)]
pub struct World {
    countries: Vec<Country>,
}

#[derive(Deserialize)]
struct Topology {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    transform: Option<Transform>,
    arcs: Vec<Vec<Vec<f64>>>,
    objects: HashMap<String, Value>,
}

#[derive(Deserialize, Clone, Copy)]
struct Transform {
    scale: [f64; 2],
    translate: [f64; 2],
}

#[derive(Deserialize)]
struct Collection {
    geometries: Vec<Geometry>,
}

#[derive(Deserialize)]
struct Geometry {
    #[serde(rename = "type")]
    kind: Option<String>,
    #[serde(default)]
    id: Option<Value>,
    #[serde(default)]
    arcs: Option<Value>,
    #[serde(default)]
    properties: Option<serde_json::Map<String, Value>>,
}

impl World {
    /// Decodes a TopoJSON topology, taking the `countries` object (or, failing
    /// that, the first object) as a GeometryCollection of Polygon and
    /// MultiPolygon geometries; geometries of other or null type are skipped.
    pub fn parse(json: &str) -> Result<World, String> {
        let topo: Topology =
            serde_json::from_str(json).map_err(|e| format!("invalid TopoJSON: {e}"))?;
        if topo.kind != "Topology" {
            return Err(format!("expected type Topology, found {:?}", topo.kind));
        }
        let arcs = decode_arcs(&topo.arcs, topo.transform)?;
        let object = match topo.objects.get("countries") {
            Some(o) => o,
            None => {
                let mut keys: Vec<&String> = topo.objects.keys().collect();
                keys.sort();
                let first = keys.first().ok_or("topology has no objects")?;
                &topo.objects[*first]
            }
        };
        let collection = Collection::deserialize(object)
            .map_err(|e| format!("countries object is not a GeometryCollection: {e}"))?;
        let mut countries = Vec::with_capacity(collection.geometries.len());
        for geometry in collection.geometries {
            let polygons: Vec<Vec<Vec<i64>>> = match (geometry.kind.as_deref(), geometry.arcs) {
                (Some("Polygon"), Some(a)) => {
                    vec![serde_json::from_value(a).map_err(|e| format!("bad Polygon arcs: {e}"))?]
                }
                (Some("MultiPolygon"), Some(a)) => {
                    serde_json::from_value(a).map_err(|e| format!("bad MultiPolygon arcs: {e}"))?
                }
                _ => continue,
            };
            let id = match geometry.id {
                Some(Value::String(s)) => s,
                Some(Value::Number(n)) => match n.as_u64() {
                    Some(v) => format!("{v:03}"),
                    None => n.to_string(),
                },
                _ => String::new(),
            };
            let name = geometry
                .properties
                .as_ref()
                .and_then(|p| p.get("name"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            let mut rings = Vec::new();
            for polygon in &polygons {
                for ring in polygon {
                    rings.extend(cut_antimeridian(stitch(&arcs, ring)?));
                }
            }
            countries.push(Country { id, name, rings });
        }
        Ok(World { countries })
    }

    /// Parses the embedded world-atlas data. This takes a few milliseconds,
    /// so callers should build it once and share it.
    pub fn builtin() -> World {
        World::parse(WORLD_TOPOJSON).expect("embedded countries-110m.json is valid TopoJSON")
    }

    /// All countries in file order.
    pub fn countries(&self) -> &[Country] {
        &self.countries
    }

    /// Looks a country up by its numeric id (e.g. `"300"`); ids of the form
    /// `"56"` are accepted for `"056"` because numeric codes are often stored
    /// without padding.
    pub fn get(&self, numeric_id: &str) -> Option<&Country> {
        let padded = format!("{:0>3}", numeric_id.trim());
        self.countries
            .iter()
            .find(|c| !c.id.is_empty() && c.id == padded)
    }
}

/// Turns quantized, delta-encoded arcs into absolute (lon, lat) positions.
fn decode_arcs(
    raw: &[Vec<Vec<f64>>],
    transform: Option<Transform>,
) -> Result<Vec<Vec<LonLat>>, String> {
    raw.iter()
        .map(|arc| {
            let (mut x, mut y) = (0.0, 0.0);
            arc.iter()
                .map(|p| {
                    let (&px, &py) = match p.as_slice() {
                        [px, py, ..] => (px, py),
                        _ => return Err("arc position with fewer than 2 coordinates".to_string()),
                    };
                    Ok(match transform {
                        // Quantized topologies store deltas from the previous position.
                        Some(t) => {
                            x += px;
                            y += py;
                            (
                                x * t.scale[0] + t.translate[0],
                                y * t.scale[1] + t.translate[1],
                            )
                        }
                        None => (px, py),
                    })
                })
                .collect()
        })
        .collect()
}

/// Joins the arcs of one ring; index `!i` (i.e. negative) means arc `i`
/// reversed, and consecutive arcs share their joining point.
fn stitch(arcs: &[Vec<LonLat>], indices: &[i64]) -> Result<Vec<LonLat>, String> {
    let mut ring: Vec<LonLat> = Vec::new();
    for &index in indices {
        let (i, reversed) = if index >= 0 {
            (index, false)
        } else {
            (!index, true)
        };
        let arc = usize::try_from(i)
            .ok()
            .and_then(|i| arcs.get(i))
            .ok_or_else(|| format!("arc index {index} out of range"))?;
        ring.pop();
        if reversed {
            ring.extend(arc.iter().rev());
        } else {
            ring.extend(arc.iter());
        }
    }
    Ok(ring)
}

/// Splits a ring that jumps across ±180° into pieces inside [-180, 180]:
/// world-atlas 110m still has such edges (Fiji, Chukotka, Antarctica), which
/// would otherwise draw streaks across the whole map.
fn cut_antimeridian(ring: Vec<LonLat>) -> Vec<Vec<LonLat>> {
    if ring.len() < 2 || !ring.windows(2).any(|w| (w[1].0 - w[0].0).abs() > 180.0) {
        return vec![ring];
    }
    // Unwrap longitudes so the ring is continuous in an extended plane.
    let mut unwrapped = Vec::with_capacity(ring.len() + 40);
    let mut shift = 0.0;
    let mut prev = ring[0].0;
    for &(lon, lat) in &ring {
        let d = lon - prev;
        if d > 180.0 {
            shift -= 360.0;
        } else if d < -180.0 {
            shift += 360.0;
        }
        prev = lon;
        unwrapped.push((lon + shift, lat));
    }
    if shift != 0.0 {
        // The ring winds around a pole (Antarctica): close it along the pole,
        // in 10° steps so no projected edge is longer than the others.
        let pole = if ring.iter().map(|p| p.1).sum::<f64>() < 0.0 {
            -90.0
        } else {
            90.0
        };
        let start = unwrapped[0].0;
        let end = unwrapped[unwrapped.len() - 1].0;
        let n = ((end - start).abs() / 10.0).ceil().max(1.0);
        let mut k = 0.0;
        while k <= n {
            unwrapped.push((end + (start - end) * k / n, pole));
            k += 1.0;
        }
        unwrapped.push(unwrapped[0]);
    }
    unwrapped.pop(); // open polygon for clipping
    let (min, max) = unwrapped
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
            (lo.min(p.0), hi.max(p.0))
        });
    let mut pieces = Vec::new();
    for k in -2..=2 {
        let offset = f64::from(k) * 360.0;
        if max + offset <= -180.0 || min + offset >= 180.0 {
            continue;
        }
        let moved: Vec<LonLat> = unwrapped.iter().map(|&(x, y)| (x + offset, y)).collect();
        let mut piece = clip_half(&clip_half(&moved, -180.0, true), 180.0, false);
        piece.dedup();
        if piece.len() >= 3 && ring_area(&piece).abs() > 1e-9 {
            piece.push(piece[0]);
            pieces.push(piece);
        }
    }
    pieces
}

/// Sutherland–Hodgman clip of an open polygon against `lon >= edge`
/// (`keep_east`) or `lon <= edge`.
fn clip_half(poly: &[LonLat], edge: f64, keep_east: bool) -> Vec<LonLat> {
    let inside = |p: LonLat| if keep_east { p.0 >= edge } else { p.0 <= edge };
    let cross = |a: LonLat, b: LonLat| (edge, a.1 + (edge - a.0) / (b.0 - a.0) * (b.1 - a.1));
    let mut out = Vec::with_capacity(poly.len() + 4);
    let Some(&last) = poly.last() else {
        return out;
    };
    let mut prev = last;
    for &cur in poly {
        match (inside(prev), inside(cur)) {
            (true, true) => out.push(cur),
            (true, false) => out.push(cross(prev, cur)),
            (false, true) => {
                out.push(cross(prev, cur));
                out.push(cur);
            }
            (false, false) => {}
        }
        prev = cur;
    }
    out
}

/// Shoelace area in square degrees (sign = orientation).
fn ring_area(ring: &[LonLat]) -> f64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a.0 * b.1 - b.0 * a.1
        })
        .sum::<f64>()
        / 2.0
}

/// Maps an ISO 3166-1 alpha-2 code (any case) to its numeric code as used for
/// world-atlas ids, e.g. `"gr"` → `"300"`. Also accepts the EU aliases `EL`
/// (Greece) and `UK` (United Kingdom). Returns `None` for unknown codes,
/// including `XK` (Kosovo), whose world-atlas feature has no id.
pub fn alpha2_to_numeric(code: &str) -> Option<&'static str> {
    let upper = code.trim().to_ascii_uppercase();
    let key = match upper.as_str() {
        "EL" => "GR",
        "UK" => "GB",
        other => other,
    };
    ISO_3166_1
        .binary_search_by(|(alpha2, _)| (*alpha2).cmp(key))
        .ok()
        .map(|i| ISO_3166_1[i].1)
}

/// ISO 3166-1 alpha-2 → numeric for all 249 assigned countries, sorted by
/// alpha-2 for binary search (generated from Debian iso-codes 4.15.0).
#[rustfmt::skip]
const ISO_3166_1: [(&str, &str); 249] = [
    ("AD", "020"), ("AE", "784"), ("AF", "004"), ("AG", "028"), ("AI", "660"), ("AL", "008"),
    ("AM", "051"), ("AO", "024"), ("AQ", "010"), ("AR", "032"), ("AS", "016"), ("AT", "040"),
    ("AU", "036"), ("AW", "533"), ("AX", "248"), ("AZ", "031"), ("BA", "070"), ("BB", "052"),
    ("BD", "050"), ("BE", "056"), ("BF", "854"), ("BG", "100"), ("BH", "048"), ("BI", "108"),
    ("BJ", "204"), ("BL", "652"), ("BM", "060"), ("BN", "096"), ("BO", "068"), ("BQ", "535"),
    ("BR", "076"), ("BS", "044"), ("BT", "064"), ("BV", "074"), ("BW", "072"), ("BY", "112"),
    ("BZ", "084"), ("CA", "124"), ("CC", "166"), ("CD", "180"), ("CF", "140"), ("CG", "178"),
    ("CH", "756"), ("CI", "384"), ("CK", "184"), ("CL", "152"), ("CM", "120"), ("CN", "156"),
    ("CO", "170"), ("CR", "188"), ("CU", "192"), ("CV", "132"), ("CW", "531"), ("CX", "162"),
    ("CY", "196"), ("CZ", "203"), ("DE", "276"), ("DJ", "262"), ("DK", "208"), ("DM", "212"),
    ("DO", "214"), ("DZ", "012"), ("EC", "218"), ("EE", "233"), ("EG", "818"), ("EH", "732"),
    ("ER", "232"), ("ES", "724"), ("ET", "231"), ("FI", "246"), ("FJ", "242"), ("FK", "238"),
    ("FM", "583"), ("FO", "234"), ("FR", "250"), ("GA", "266"), ("GB", "826"), ("GD", "308"),
    ("GE", "268"), ("GF", "254"), ("GG", "831"), ("GH", "288"), ("GI", "292"), ("GL", "304"),
    ("GM", "270"), ("GN", "324"), ("GP", "312"), ("GQ", "226"), ("GR", "300"), ("GS", "239"),
    ("GT", "320"), ("GU", "316"), ("GW", "624"), ("GY", "328"), ("HK", "344"), ("HM", "334"),
    ("HN", "340"), ("HR", "191"), ("HT", "332"), ("HU", "348"), ("ID", "360"), ("IE", "372"),
    ("IL", "376"), ("IM", "833"), ("IN", "356"), ("IO", "086"), ("IQ", "368"), ("IR", "364"),
    ("IS", "352"), ("IT", "380"), ("JE", "832"), ("JM", "388"), ("JO", "400"), ("JP", "392"),
    ("KE", "404"), ("KG", "417"), ("KH", "116"), ("KI", "296"), ("KM", "174"), ("KN", "659"),
    ("KP", "408"), ("KR", "410"), ("KW", "414"), ("KY", "136"), ("KZ", "398"), ("LA", "418"),
    ("LB", "422"), ("LC", "662"), ("LI", "438"), ("LK", "144"), ("LR", "430"), ("LS", "426"),
    ("LT", "440"), ("LU", "442"), ("LV", "428"), ("LY", "434"), ("MA", "504"), ("MC", "492"),
    ("MD", "498"), ("ME", "499"), ("MF", "663"), ("MG", "450"), ("MH", "584"), ("MK", "807"),
    ("ML", "466"), ("MM", "104"), ("MN", "496"), ("MO", "446"), ("MP", "580"), ("MQ", "474"),
    ("MR", "478"), ("MS", "500"), ("MT", "470"), ("MU", "480"), ("MV", "462"), ("MW", "454"),
    ("MX", "484"), ("MY", "458"), ("MZ", "508"), ("NA", "516"), ("NC", "540"), ("NE", "562"),
    ("NF", "574"), ("NG", "566"), ("NI", "558"), ("NL", "528"), ("NO", "578"), ("NP", "524"),
    ("NR", "520"), ("NU", "570"), ("NZ", "554"), ("OM", "512"), ("PA", "591"), ("PE", "604"),
    ("PF", "258"), ("PG", "598"), ("PH", "608"), ("PK", "586"), ("PL", "616"), ("PM", "666"),
    ("PN", "612"), ("PR", "630"), ("PS", "275"), ("PT", "620"), ("PW", "585"), ("PY", "600"),
    ("QA", "634"), ("RE", "638"), ("RO", "642"), ("RS", "688"), ("RU", "643"), ("RW", "646"),
    ("SA", "682"), ("SB", "090"), ("SC", "690"), ("SD", "729"), ("SE", "752"), ("SG", "702"),
    ("SH", "654"), ("SI", "705"), ("SJ", "744"), ("SK", "703"), ("SL", "694"), ("SM", "674"),
    ("SN", "686"), ("SO", "706"), ("SR", "740"), ("SS", "728"), ("ST", "678"), ("SV", "222"),
    ("SX", "534"), ("SY", "760"), ("SZ", "748"), ("TC", "796"), ("TD", "148"), ("TF", "260"),
    ("TG", "768"), ("TH", "764"), ("TJ", "762"), ("TK", "772"), ("TL", "626"), ("TM", "795"),
    ("TN", "788"), ("TO", "776"), ("TR", "792"), ("TT", "780"), ("TV", "798"), ("TW", "158"),
    ("TZ", "834"), ("UA", "804"), ("UG", "800"), ("UM", "581"), ("US", "840"), ("UY", "858"),
    ("UZ", "860"), ("VA", "336"), ("VC", "670"), ("VE", "862"), ("VG", "092"), ("VI", "850"),
    ("VN", "704"), ("VU", "548"), ("WF", "876"), ("WS", "882"), ("YE", "887"), ("YT", "175"),
    ("ZA", "710"), ("ZM", "894"), ("ZW", "716"),
];

// Equal Earth constants (Šavrič, Patterson & Jenny 2018).
const A1: f64 = 1.340264;
const A2: f64 = -0.081106;
const A3: f64 = 0.000893;
const A4: f64 = 0.003796;
/// sqrt(3) / 2
const M: f64 = 0.866_025_403_784_438_6;

/// Equal Earth projection of a position in degrees, returning (x, y) in
/// units of the earth's radius with y pointing north, as in the paper.
/// Chosen because it is equal-area (fair country sizes) yet looks familiar.
pub fn equal_earth(lon_deg: f64, lat_deg: f64) -> (f64, f64) {
    let lambda = lon_deg.to_radians();
    let theta = (M * lat_deg.to_radians().sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lambda * theta.cos() / (M * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

/// Maps projected coordinates onto an SVG viewBox `0 0 width height`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// viewBox width.
    pub width: f64,
    /// viewBox height.
    pub height: f64,
    scale: f64,
    cx: f64,
    cy: f64,
}

impl Frame {
    /// A frame showing the whole globe with a 1% margin; the height follows
    /// from Equal Earth's ~2.05:1 aspect ratio (rounded up to whole units).
    pub fn world(width: f64) -> Frame {
        let margin = width * 0.01;
        let x_max = equal_earth(180.0, 0.0).0;
        let y_max = equal_earth(0.0, 90.0).1;
        let scale = (width - 2.0 * margin) / (2.0 * x_max);
        let height = (2.0 * y_max * scale + 2.0 * margin).ceil();
        Frame {
            width,
            height,
            scale,
            cx: width / 2.0,
            cy: height / 2.0,
        }
    }

    /// Projects (lon, lat) in degrees to SVG user units (y down).
    pub fn to_svg(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = equal_earth(lon, lat);
        (self.cx + x * self.scale, self.cy - y * self.scale)
    }

    /// SVG units per earth radius, e.g. to size markers consistently.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// The `viewBox` attribute value, `"0 0 width height"`.
    pub fn view_box(&self) -> String {
        format!("0 0 {} {}", self.width, self.height)
    }
}

/// Builds compact path data: coordinates are rounded to 0.1 unit first and
/// then written as relative `l` moves, so rounding errors never accumulate.
#[derive(Default)]
struct PathData {
    d: String,
    pen: Option<(i64, i64)>,
    in_line: bool,
}

impl PathData {
    fn tenths((x, y): (f64, f64)) -> (i64, i64) {
        ((x * 10.0).round() as i64, (y * 10.0).round() as i64)
    }

    /// Appends `n` tenths: `12`, `1.5`, `.5`, `-3`. Through itoa, not `write!`: the world map's
    /// outlines are ~100,000 numbers, and `fmt` made them 2 % of a small site's build.
    fn num(&mut self, n: i64) {
        // A minus sign separates numbers by itself; otherwise a space is needed.
        if n >= 0 && self.d.as_bytes().last().is_some_and(u8::is_ascii_digit) {
            self.d.push(' ');
        }
        if n < 0 {
            self.d.push('-');
        }
        let (int, frac) = (n.unsigned_abs() / 10, n.unsigned_abs() % 10);
        if int != 0 || frac == 0 {
            self.d.push_str(itoa::Buffer::new().format(int));
        }
        if frac != 0 {
            self.d.push('.');
            self.d.push(char::from(b'0' + frac as u8));
        }
    }

    fn move_to(&mut self, p: (f64, f64)) {
        let (x, y) = Self::tenths(p);
        self.d.push('M');
        self.num(x);
        self.num(y);
        self.pen = Some((x, y));
        self.in_line = false;
    }

    /// Returns false (and draws nothing) when the rounded point equals the pen.
    fn line_to(&mut self, p: (f64, f64)) -> bool {
        let (x, y) = Self::tenths(p);
        let Some((px, py)) = self.pen else {
            self.move_to(p);
            return true;
        };
        if (x, y) == (px, py) {
            return false;
        }
        if !self.in_line {
            self.d.push('l');
            self.in_line = true;
        }
        self.num(x - px);
        self.num(y - py);
        self.pen = Some((x, y));
        true
    }

    /// Appends a closed ring, or nothing if it collapses below a triangle
    /// after rounding (tiny islands at small map sizes).
    fn ring(&mut self, points: impl IntoIterator<Item = (f64, f64)>) {
        let mut pts: Vec<(i64, i64)> = points.into_iter().map(Self::tenths).collect();
        pts.dedup();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        if pts.len() < 3 {
            return;
        }
        let back = |(x, y): (i64, i64)| (x as f64 / 10.0, y as f64 / 10.0);
        self.move_to(back(pts[0]));
        for &p in &pts[1..] {
            self.line_to(back(p));
        }
        self.d.push('z');
        self.in_line = false;
    }
}

/// Minimal XML text escaping for country names.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// SVG markup with one `<path class="country" d="…"/>` per country, or
/// `<path class="country partner" d="…"><title>Name</title></path>` when its
/// numeric id is in `highlight` (tooltips only where they matter, to keep the
/// markup small). Countries that vanish at this size are omitted.
pub fn country_paths(world: &World, frame: &Frame, highlight: &[&str]) -> String {
    let mut out = String::new();
    for country in world.countries() {
        let mut path = PathData::default();
        for ring in &country.rings {
            path.ring(ring.iter().map(|&(lon, lat)| frame.to_svg(lon, lat)));
        }
        if path.d.is_empty() {
            continue;
        }
        let partner = !country.id.is_empty() && highlight.contains(&country.id.as_str());
        if partner {
            let _ = writeln!(
                out,
                "<path class=\"country partner\" d=\"{}\"><title>{}</title></path>",
                path.d,
                escape(&country.name)
            );
        } else {
            let _ = writeln!(out, "<path class=\"country\" d=\"{}\"/>", path.d);
        }
    }
    out
}

/// Path data for the outline of the Equal Earth globe (the ocean), traced
/// along the ±180° meridians; the pole lines are straight in this projection.
pub fn sphere_path(frame: &Frame) -> String {
    // Pole lines are sampled too, so no single edge spans half the map.
    let lats: Vec<f64> = (-45..=45).map(|i| f64::from(i) * 2.0).collect();
    let east = lats.iter().map(|&lat| (180.0, lat));
    let north = (-170..=170)
        .rev()
        .step_by(20)
        .map(|lon| (f64::from(lon), 90.0));
    let west = lats.iter().rev().map(|&lat| (-180.0, lat));
    let south = (-170..=170).step_by(20).map(|lon| (f64::from(lon), -90.0));
    let outline = east.chain(north).chain(west).chain(south);
    let mut path = PathData::default();
    path.ring(outline.map(|(lon, lat)| frame.to_svg(lon, lat)));
    path.d
}

/// Points along the great circle from `from` to `to` (both (lon, lat) in
/// degrees) by spherical linear interpolation: `steps` segments, so
/// `steps + 1` points (at least 2), with the endpoints returned exactly.
pub fn great_circle(from: LonLat, to: LonLat, steps: usize) -> Vec<LonLat> {
    let steps = steps.max(1);
    let a = unit_vector(from);
    let b = unit_vector(to);
    let dot = (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]).clamp(-1.0, 1.0);
    let cross = [
        a[1] * b[2] - a[2] * b[1],
        a[2] * b[0] - a[0] * b[2],
        a[0] * b[1] - a[1] * b[0],
    ];
    // atan2 stays accurate for tiny and near-antipodal angles, unlike acos.
    let omega = (cross[0] * cross[0] + cross[1] * cross[1] + cross[2] * cross[2])
        .sqrt()
        .atan2(dot);
    let sin_omega = omega.sin();
    if omega < 1e-9 {
        // Same point: avoid round-trip noise through unit vectors.
        let mut points = vec![from; steps];
        points.push(to);
        return points;
    }
    // For antipodes every great circle qualifies; pick one via a perpendicular.
    let perpendicular = {
        let axis = if a[2].abs() < 0.9 {
            [0.0, 0.0, 1.0]
        } else {
            [1.0, 0.0, 0.0]
        };
        let c = [
            a[1] * axis[2] - a[2] * axis[1],
            a[2] * axis[0] - a[0] * axis[2],
            a[0] * axis[1] - a[1] * axis[0],
        ];
        let n = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
        [c[0] / n, c[1] / n, c[2] / n]
    };
    let mut points = Vec::with_capacity(steps + 1);
    points.push(from);
    for i in 1..steps {
        let t = i as f64 / steps as f64;
        let (wa, wb, v2) = if sin_omega > 1e-9 {
            (
                ((1.0 - t) * omega).sin() / sin_omega,
                (t * omega).sin() / sin_omega,
                b,
            )
        } else {
            let angle = t * std::f64::consts::PI;
            (angle.cos(), angle.sin(), perpendicular)
        };
        let v = [
            wa * a[0] + wb * v2[0],
            wa * a[1] + wb * v2[1],
            wa * a[2] + wb * v2[2],
        ];
        points.push(to_lon_lat(v));
    }
    points.push(to);
    points
}

fn unit_vector((lon, lat): LonLat) -> [f64; 3] {
    let (lon, lat) = (lon.to_radians(), lat.to_radians());
    [lat.cos() * lon.cos(), lat.cos() * lon.sin(), lat.sin()]
}

fn to_lon_lat(v: [f64; 3]) -> LonLat {
    let n = (v[0] * v[0] + v[1] * v[1] + v[2] * v[2]).sqrt();
    (
        v[1].atan2(v[0]).to_degrees(),
        (v[2] / n).clamp(-1.0, 1.0).asin().to_degrees(),
    )
}

/// SVG path data for a polyline of (lon, lat) points (e.g. from
/// [`great_circle`]). Where consecutive points jump across the antimeridian
/// (|Δlon| > 180°) the line is run to the map edge and resumed with a new `M`
/// on the opposite edge, instead of streaking across the whole map.
pub fn arc_path(frame: &Frame, points: &[LonLat]) -> String {
    let mut path = PathData::default();
    let Some(&first) = points.first() else {
        return String::new();
    };
    path.move_to(frame.to_svg(first.0, first.1));
    for pair in points.windows(2) {
        let ((lon0, lat0), (lon1, lat1)) = (pair[0], pair[1]);
        let d = lon1 - lon0;
        if d.abs() > 180.0 {
            let edge = if lon0 > 0.0 { 180.0 } else { -180.0 };
            let unwrapped = lon1 + if d > 0.0 { -360.0 } else { 360.0 };
            let t = (edge - lon0) / (unwrapped - lon0);
            let lat = lat0 + t * (lat1 - lat0);
            path.line_to(frame.to_svg(edge, lat));
            path.move_to(frame.to_svg(-edge, lat));
        }
        path.line_to(frame.to_svg(lon1, lat1));
    }
    path.d
}

/// A standalone SVG document of the whole world (ocean outline plus all
/// countries as light land), to be written once as `map/world.svg` and used
/// as an `<image href>` background by the locator maps, so region pages do
/// not each inline ~100 kB of paths. Overlays must use a frame of the same
/// width (e.g. `Frame::world(frame.width)`) to line up.
pub fn world_svg(world: &World, frame: &Frame) -> String {
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{vb}\" width=\"{w}\" height=\"{h}\">\n\
         <style>@media (prefers-color-scheme: dark) {{ .sphere {{ fill: #1a2128; stroke: #30343b }} g {{ fill: #3a3f47; stroke: #22262c }} }}</style>\n\
         <path class=\"sphere\" d=\"{sphere}\" fill=\"#dcebf5\" stroke=\"#a9c2d6\" stroke-width=\".5\"/>\n\
         <g fill=\"#f3f0e8\" stroke=\"#c4bdaa\" stroke-width=\".3\" stroke-linejoin=\"round\" fill-rule=\"evenodd\">\n\
         {countries}</g>\n</svg>\n",
        vb = frame.view_box(),
        w = frame.width,
        h = frame.height,
        sphere = sphere_path(frame),
        countries = country_paths(world, frame, &[]),
    )
}

/// Continent of an ISO 3166-1 alpha-2 code, as a key: `europe`, `asia`, `africa`,
/// `north-america`, `south-america`, `oceania`, `antarctica`. Case-insensitive.
pub fn continent(alpha2: &str) -> Option<&'static str> {
    const EUROPE: &str = "AD AL AT AX BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK SM UA VA XK";
    const ASIA: &str = "AE AF AM AZ BD BH BN BT CN GE HK ID IL IN IQ IR JO JP KG KH KP KR KW KZ LA LB LK MM MN MO MV MY NP OM PH PK PS QA SA SG SY TH TJ TL TM TR TW UZ VN YE";
    const AFRICA: &str = "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW IO KE KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST SZ TD TG TN TZ UG YT ZA ZM ZW";
    const NORTH_AMERICA: &str = "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI";
    const SOUTH_AMERICA: &str = "AR BO BR CL CO EC FK GF GY PE PY SR UY VE";
    const OCEANIA: &str =
        "AS AU CK FJ FM GU KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU WF WS";
    const ANTARCTICA: &str = "AQ BV GS HM TF";
    let code = alpha2.to_ascii_uppercase();
    [
        ("europe", EUROPE),
        ("asia", ASIA),
        ("africa", AFRICA),
        ("north-america", NORTH_AMERICA),
        ("south-america", SOUTH_AMERICA),
        ("oceania", OCEANIA),
        ("antarctica", ANTARCTICA),
    ]
    .into_iter()
    .find(|(_, codes)| code.len() == 2 && codes.split(' ').any(|c| c == code))
    .map(|(name, _)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::OnceLock;

    const ZHENGZHOU: LonLat = (113.65, 34.76);
    const ATHENS: LonLat = (23.73, 37.98);
    const MONTEVIDEO: LonLat = (-56.19, -34.90);

    fn world() -> &'static World {
        static WORLD: OnceLock<World> = OnceLock::new();
        WORLD.get_or_init(World::builtin)
    }

    /// The paper's forward formulas, written out independently.
    fn reference(lon: f64, lat: f64) -> (f64, f64) {
        let (a1, a2, a3, a4) = (1.340264, -0.081106, 0.000893, 0.003796);
        let m = 3f64.sqrt() / 2.0;
        let lambda = lon * std::f64::consts::PI / 180.0;
        let phi = lat * std::f64::consts::PI / 180.0;
        let theta = (m * phi.sin()).asin();
        let y = a1 * theta + a2 * theta.powi(3) + a3 * theta.powi(7) + a4 * theta.powi(9);
        let dy =
            a1 + 3.0 * a2 * theta.powi(2) + 7.0 * a3 * theta.powi(6) + 9.0 * a4 * theta.powi(8);
        let x = 2.0 * 3f64.sqrt() * lambda * theta.cos() / (3.0 * dy);
        (x, y)
    }

    fn close(a: (f64, f64), b: (f64, f64), eps: f64) -> bool {
        (a.0 - b.0).abs() < eps && (a.1 - b.1).abs() < eps
    }

    #[test]
    fn equal_earth_matches_paper() {
        assert!((M - 3f64.sqrt() / 2.0).abs() < 1e-15);
        for (lon, lat, expected) in [
            (113.62, 34.75, (1.561_012_925_021, 0.680_784_411_566)),
            (23.73, 37.98, (0.320_162_040_096, 0.738_959_241_726)),
            (-56.19, -34.90, (-0.771_368_911_499, -0.683_515_643_597)),
            (180.0, 0.0, (2.706_629_983_696, 0.0)),
            (180.0, 90.0, (1.603_588_648_284, 1.317_362_759_157)),
        ] {
            let got = equal_earth(lon, lat);
            assert!(
                close(got, reference(lon, lat), 1e-12),
                "{lon},{lat}: {got:?}"
            );
            assert!(close(got, expected, 1e-9), "{lon},{lat}: {got:?}");
        }
        assert_eq!(equal_earth(0.0, 0.0), (0.0, 0.0));
        let (x, y) = equal_earth(47.5, 21.25);
        assert!(close(equal_earth(-47.5, 21.25), (-x, y), 1e-15));
        assert!(close(equal_earth(47.5, -21.25), (x, -y), 1e-15));
    }

    #[test]
    fn frame_fits_the_globe() {
        let f = Frame::world(960.0);
        assert!(close(f.to_svg(0.0, 0.0), (480.0, f.height / 2.0), 1e-9));
        let (left, _) = f.to_svg(-180.0, 0.0);
        let (right, _) = f.to_svg(180.0, 0.0);
        let (_, top) = f.to_svg(0.0, 90.0);
        let (_, bottom) = f.to_svg(0.0, -90.0);
        assert!(left > 0.0 && right < f.width && (left + right - 960.0).abs() < 1e-9);
        assert!(top > 0.0 && bottom < f.height && top < bottom);
        let aspect = f.width / f.height;
        assert!((2.0..2.1).contains(&aspect), "{aspect}");
        assert_eq!(f.view_box(), format!("0 0 960 {}", f.height));
    }

    #[test]
    fn world_parses() {
        let w = world();
        assert!(
            (170..=180).contains(&w.countries().len()),
            "{}",
            w.countries().len()
        );
        for (id, name) in [("300", "Greece"), ("858", "Uruguay"), ("156", "China")] {
            let c = w.get(id).unwrap_or_else(|| panic!("{id} missing"));
            assert_eq!(c.name, name);
            assert!(!c.rings.is_empty());
            assert!(c
                .rings
                .iter()
                .all(|r| r.len() >= 4 && r.first() == r.last()));
        }
        assert_eq!(w.get("56").map(|c| c.name.as_str()), Some("Belgium"));
        // Athens lies inside Greece's bounding box.
        let greece = w.get("300").unwrap();
        let pts = greece.rings.iter().flatten();
        let (lo, hi) = pts.fold(
            ((180.0f64, 90.0f64), (-180.0f64, -90.0f64)),
            |(lo, hi), p| {
                (
                    (lo.0.min(p.0), lo.1.min(p.1)),
                    (hi.0.max(p.0), hi.1.max(p.1)),
                )
            },
        );
        assert!(lo.0 < ATHENS.0 && ATHENS.0 < hi.0 && lo.1 < ATHENS.1 && ATHENS.1 < hi.1);
        // Every ring is within range and has no antimeridian-crossing edge.
        for c in w.countries() {
            for r in &c.rings {
                assert!(
                    r.iter().all(|p| p.0.abs() <= 180.0 && p.1.abs() <= 90.0),
                    "{}",
                    c.name
                );
                assert!(
                    r.windows(2).all(|s| (s[1].0 - s[0].0).abs() <= 180.0),
                    "{}",
                    c.name
                );
            }
        }
    }

    #[test]
    fn parse_decodes_topojson() {
        // Two arcs; the second ring uses arc 0 reversed (~0 == -1).
        let json = r#"{"type":"Topology",
            "transform":{"scale":[0.5,0.25],"translate":[-10,-20]},
            "arcs":[[[0,0],[2,0],[0,4]],[[2,4],[-2,-4]]],
            "objects":{"countries":{"type":"GeometryCollection","geometries":[
                {"type":"Polygon","id":"001","properties":{"name":"A"},"arcs":[[0,1]]},
                {"type":null,"properties":{"name":"skipped"}},
                {"type":"MultiPolygon","id":2,"properties":{"name":"B"},"arcs":[[[-1,-2]]]}
            ]}}}"#;
        let w = World::parse(json).unwrap();
        assert_eq!(w.countries().len(), 2);
        let a = &w.countries()[0];
        assert_eq!((a.id.as_str(), a.name.as_str()), ("001", "A"));
        assert_eq!(
            a.rings,
            vec![vec![
                (-10.0, -20.0),
                (-9.0, -20.0),
                (-9.0, -19.0),
                (-10.0, -20.0)
            ]]
        );
        let b = &w.countries()[1];
        assert_eq!(b.id, "002");
        assert_eq!(
            b.rings,
            vec![vec![
                (-9.0, -19.0),
                (-9.0, -20.0),
                (-10.0, -20.0),
                (-9.0, -19.0)
            ]]
        );
        assert!(World::parse("{}").is_err());
        assert!(World::parse(&json.replace("[0,1]", "[0,7]")).is_err());
    }

    #[test]
    fn alpha2_table() {
        for (a2, num) in [
            ("GR", "300"),
            ("UY", "858"),
            ("KH", "116"),
            ("BE", "056"),
            ("IT", "380"),
            ("PL", "616"),
            ("JP", "392"),
            ("KR", "410"),
            ("CN", "156"),
            ("RU", "643"),
        ] {
            assert_eq!(alpha2_to_numeric(a2), Some(num), "{a2}");
            assert_eq!(alpha2_to_numeric(&a2.to_lowercase()), Some(num), "{a2}");
        }
        assert_eq!(alpha2_to_numeric("EL"), Some("300"));
        assert_eq!(alpha2_to_numeric("uk"), Some("826"));
        assert_eq!(alpha2_to_numeric("XK"), None);
        assert_eq!(alpha2_to_numeric(""), None);
        assert_eq!(alpha2_to_numeric("GRC"), None);
        assert!(ISO_3166_1.windows(2).all(|w| w[0].0 < w[1].0));
        // Every id in the world file is reachable from some alpha-2 code.
        let numerics: Vec<&str> = ISO_3166_1.iter().map(|e| e.1).collect();
        for c in world().countries() {
            assert!(
                c.id.is_empty() || numerics.contains(&c.id.as_str()),
                "{} {}",
                c.id,
                c.name
            );
        }
        let unnamed = world()
            .countries()
            .iter()
            .filter(|c| c.id.is_empty())
            .count();
        assert_eq!(unnamed, 3);
    }

    #[test]
    fn great_circle_interpolates_on_the_sphere() {
        let pts = great_circle(ZHENGZHOU, ATHENS, 64);
        assert_eq!(pts.len(), 65);
        assert_eq!(pts[0], ZHENGZHOU);
        assert_eq!(pts[64], ATHENS);
        // Midpoint is equidistant from both ends, half the total distance.
        let dist = |p: LonLat, q: LonLat| {
            let (a, b) = (unit_vector(p), unit_vector(q));
            (a[0] * b[0] + a[1] * b[1] + a[2] * b[2])
                .clamp(-1.0, 1.0)
                .acos()
        };
        let mid = pts[32];
        let total = dist(ZHENGZHOU, ATHENS);
        assert!((dist(ZHENGZHOU, mid) - total / 2.0).abs() < 1e-9);
        assert!((dist(mid, ATHENS) - total / 2.0).abs() < 1e-9);
        // The great circle bows north of the straight lon/lat line.
        assert!(mid.1 > (ZHENGZHOU.1 + ATHENS.1) / 2.0);
        assert!(mid.0 > ATHENS.0 && mid.0 < ZHENGZHOU.0);
        assert_eq!(great_circle(ATHENS, ATHENS, 4), vec![ATHENS; 5]);
        let anti = great_circle((0.0, 0.0), (180.0, 0.0), 2);
        assert!((dist(anti[1], (0.0, 0.0)) - std::f64::consts::FRAC_PI_2).abs() < 1e-9);
        assert_eq!(great_circle(ATHENS, MONTEVIDEO, 0).len(), 2);
    }

    /// Absolute subpaths of a path `d` produced by this module (M, l, z only).
    fn subpaths(d: &str) -> Vec<Vec<(f64, f64)>> {
        let mut tokens = Vec::new();
        let mut num = String::new();
        for ch in d.chars() {
            let starts_new = ch.is_ascii_alphabetic()
                || ch == ' '
                || ch == '-'
                || (ch == '.' && num.contains('.'));
            if starts_new && !num.is_empty() {
                tokens.push(std::mem::take(&mut num));
            }
            if ch.is_ascii_alphabetic() {
                tokens.push(ch.to_string());
            } else if ch != ' ' {
                num.push(ch);
            }
        }
        if !num.is_empty() {
            tokens.push(num);
        }
        let (mut out, mut cmd, mut pen, mut pending) = (Vec::new(), 'M', (0.0, 0.0), Vec::new());
        for t in tokens {
            if let Ok(v) = t.parse::<f64>() {
                pending.push(v);
                if pending.len() == 2 {
                    match cmd {
                        'M' => {
                            pen = (pending[0], pending[1]);
                            out.push(vec![pen]);
                            cmd = 'L';
                        }
                        'L' => pen = (pending[0], pending[1]),
                        'l' => pen = (pen.0 + pending[0], pen.1 + pending[1]),
                        other => panic!("unexpected command {other}"),
                    }
                    if cmd != 'M'
                        && out.last().map(|s: &Vec<_>| s.last() != Some(&pen)) == Some(true)
                    {
                        out.last_mut().unwrap().push(pen);
                    }
                    pending.clear();
                }
            } else {
                cmd = t.chars().next().unwrap();
                if cmd == 'z' {
                    let start = out.last().unwrap()[0];
                    out.last_mut().unwrap().push(start);
                    pen = start;
                }
            }
        }
        out
    }

    fn max_dx(d: &str) -> f64 {
        subpaths(d)
            .iter()
            .flat_map(|s| s.windows(2).map(|w| (w[1].0 - w[0].0).abs()))
            .fold(0.0, f64::max)
    }

    #[test]
    fn arc_path_splits_at_antimeridian() {
        let frame = Frame::world(960.0);
        // Zhengzhou and Montevideo are near-antipodes; whatever way the
        // great circle goes, it must not streak across the map.
        let d = arc_path(&frame, &great_circle(ZHENGZHOU, MONTEVIDEO, 128));
        assert!(max_dx(&d) < frame.width / 2.0, "{d}");
        // Zhengzhou to Honolulu crosses the Pacific.
        let pts = great_circle(ZHENGZHOU, (-157.86, 21.31), 64);
        let lon_jumps = pts
            .windows(2)
            .filter(|w| (w[1].0 - w[0].0).abs() > 180.0)
            .count();
        assert_eq!(lon_jumps, 1);
        let d = arc_path(&frame, &pts);
        assert_eq!(d.matches('M').count(), 2, "{d}");
        let parts = subpaths(&d);
        assert_eq!(parts.len(), 2);
        assert!(max_dx(&d) < frame.width / 2.0);
        // The two pieces meet the opposite map edges.
        let last_of_first = parts[0].last().unwrap();
        let first_of_second = parts[1][0];
        assert!((last_of_first.0 - first_of_second.0).abs() > frame.width * 0.9);
        assert!((last_of_first.1 - first_of_second.1).abs() < 0.2);
        // A route that stays in one hemisphere is a single subpath.
        let d = arc_path(&frame, &great_circle(ZHENGZHOU, ATHENS, 32));
        assert_eq!(d.matches('M').count(), 1);
        assert!(d.starts_with('M') && !d.contains('z'));
        assert_eq!(arc_path(&frame, &[]), "");
        // The crossing latitude is interpolated: 170°E,0° → 170°W,10° meets
        // the edge at 5°N on both sides.
        let d = arc_path(&frame, &[(170.0, 0.0), (-170.0, 10.0)]);
        let parts = subpaths(&d);
        let (east, west) = (frame.to_svg(180.0, 5.0), frame.to_svg(-180.0, 5.0));
        assert!(close(*parts[0].last().unwrap(), east, 0.06), "{d}");
        assert!(close(parts[1][0], west, 0.06), "{d}");
    }

    #[test]
    fn country_paths_are_well_formed() {
        let frame = Frame::world(960.0);
        let svg = country_paths(world(), &frame, &["300", "858", "156"]);
        let paths = svg.matches("<path ").count();
        assert!(paths >= 170, "{paths}");
        assert_eq!(
            paths,
            svg.matches("/>").count() + svg.matches("</path>").count()
        );
        assert_eq!(svg.matches("<title>").count(), 3);
        assert_eq!(svg.matches("</title>").count(), 3);
        assert_eq!(svg.matches("class=\"country partner\"").count(), 3);
        assert!(svg.contains("<title>Greece</title>"));
        assert!(svg.contains("<title>Uruguay</title>"));
        for line in svg.lines() {
            let d = line
                .split("d=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            assert!(d.starts_with('M') && d.ends_with('z'), "{line}");
            let jump = max_dx(d);
            assert!(jump < frame.width / 2.0, "jump {jump} in {line}");
            for sub in subpaths(d) {
                assert!(sub.iter().all(|p| (-0.1..=frame.width + 0.1).contains(&p.0)
                    && (-0.1..=frame.height + 0.1).contains(&p.1)));
            }
        }
    }

    #[test]
    fn world_svg_is_a_document() {
        let frame = Frame::world(800.0);
        let doc = world_svg(world(), &frame);
        assert!(doc.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(doc.contains(&format!("viewBox=\"{}\"", frame.view_box())));
        assert!(doc.contains("class=\"sphere\""));
        assert!(doc.trim_end().ends_with("</svg>"));
        assert!(!doc.contains("<title>"));
        assert_eq!(doc.matches("<g").count(), doc.matches("</g>").count());
        assert!(max_dx(&sphere_path(&frame)) < frame.width / 2.0);
    }
}
