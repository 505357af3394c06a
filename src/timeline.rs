//! The timeline: published events and "relation established" entries in chronological order,
//! grouped by year, plus every established region's next round anniversary.

use crate::content::{Page, Site};
use crate::dates::PartialDate;
use crate::front_matter::{PageKind, Status};
use crate::view::{anniversary_view, page_link};
use rustc_hash::FxHashMap;
use serde_json::{json, Value};

/// An entry before it is placed in its year: what it sorts by, and its context.
struct Entry<'a> {
    date: PartialDate,
    /// An event kind, or `established` for a region's signing date.
    kind: &'static str,
    page: &'a Page,
    /// `date`, `date_display`, `kind`, `page` and `regions` (links as `view::PageLink`
    /// serializes them) and `region_keys` (space-separated, for the in-page filter).
    value: Value,
}

/// Each region's link (`view::PageLink`) serialized once, then cloned: a region shows up to
/// four times (its entry, as that entry's region, among the anniversaries and in the filter)
/// besides in each event that names it, and serializing those links was 4 % of a 15,000-file
/// build; cloning a made `Value` costs less. An event's link is used once.
struct Links<'a> {
    site: &'a Site,
    made: FxHashMap<&'a str, Value>,
}

impl<'a> Links<'a> {
    /// `p`'s link, kept for the next use.
    fn of(&mut self, p: &'a Page) -> Value {
        let site = self.site;
        (self.made.entry(&p.path))
            .or_insert_with(|| link(site, p))
            .clone()
    }

    /// `p`'s link, for its last use.
    fn last(&mut self, p: &'a Page) -> Value {
        (self.made.remove(p.path.as_str())).unwrap_or_else(|| link(self.site, p))
    }
}

fn link(site: &Site, p: &Page) -> Value {
    serde_json::to_value(page_link(site, p)).expect("plain data")
}

/// The timeline's context: `years` (each `year` with its `entries`), `upcoming` (a `region`
/// with the fields of its next anniversary), `kinds` and `regions` that occur, for the
/// filter controls.
pub fn build(site: &Site, lang: &str) -> Value {
    let mut links = Links {
        site,
        made: FxHashMap::default(),
    };
    let mut entries: Vec<Entry> = Vec::new();
    for p in site.pages_of(PageKind::Event, lang) {
        let Some(date) = p.front.neutral.date else {
            continue;
        };
        let keys = p.front.neutral.regions.as_deref().unwrap_or_default();
        let regions: Vec<Value> = site.regions_of(p).map(|r| links.of(r)).collect();
        let kind = p.front.neutral.kind.map_or("other", |k| k.name());
        let page = links.last(p);
        entries.push(entry(date, lang, kind, page, p, regions, keys.join(" ")));
    }
    let mut regions: Vec<(&str, Value)> = Vec::new();
    let mut upcoming: Vec<(PartialDate, &str, Value)> = Vec::new();
    for r in site.pages_of(PageKind::Region, lang) {
        let n = &r.front.neutral;
        let Some(date) = n.established else { continue };
        let (page, own) = (links.of(r), vec![links.of(r)]);
        entries.push(entry(
            date,
            lang,
            "established",
            page,
            r,
            own,
            r.key.clone(),
        ));
        if n.status != Some(Status::Preparing) {
            let (years, when) = date.next_round_anniversary(site.build_date, 5);
            let mut value =
                serde_json::to_value(anniversary_view(years, when, lang)).expect("plain data");
            value["region"] = links.of(r);
            upcoming.push((when, &r.front.title, value));
        }
        regions.push((&r.front.title, links.last(r)));
    }
    entries.sort_by(|a, b| {
        (a.date, a.kind, &a.page.front.title, &a.page.path).cmp(&(
            b.date,
            b.kind,
            &b.page.front.title,
            &b.page.path,
        ))
    });
    upcoming.sort_by(|a, b| (a.0.first_day(), a.1).cmp(&(b.0.first_day(), b.1)));
    let mut kinds: Vec<&'static str> = entries.iter().map(|e| e.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    regions.sort_by(|a, b| a.0.cmp(b.0));
    object([
        ("years", Value::Array(years(entries))),
        ("upcoming", upcoming.into_iter().map(|u| u.2).collect()),
        ("kinds", json!(kinds)),
        ("regions", regions.into_iter().map(|r| r.1).collect()),
    ])
}

/// An entry for `page` (whose link is `link`) on `date`, naming `regions`.
fn entry<'a>(
    date: PartialDate,
    lang: &str,
    kind: &'static str,
    link: Value,
    page: &'a Page,
    regions: Vec<Value>,
    region_keys: String,
) -> Entry<'a> {
    let value = object([
        ("date", json!(date)),
        ("date_display", date.display(lang).into()),
        ("kind", kind.into()),
        ("page", link),
        ("regions", Value::Array(regions)),
        ("region_keys", region_keys.into()),
    ]);
    Entry {
        date,
        kind,
        page,
        value,
    }
}

/// Sorted entries grouped by year, each year as `{year, entries}`.
fn years(entries: Vec<Entry>) -> Vec<Value> {
    let mut years: Vec<(i32, Vec<Value>)> = Vec::new();
    for e in entries {
        match years.last_mut() {
            Some((year, values)) if *year == e.date.year => values.push(e.value),
            _ => years.push((e.date.year, vec![e.value])),
        }
    }
    (years.into_iter())
        .map(|(year, entries)| object([("year", year.into()), ("entries", Value::Array(entries))]))
        .collect()
}

/// An object of made values (`json!` would serialize each of them again).
fn object<const N: usize>(fields: [(&str, Value); N]) -> Value {
    Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}
