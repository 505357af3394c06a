//! The timeline: published events and "relation established" entries in chronological order,
//! grouped by year, plus every established region's next round anniversary.

use crate::content::{Page, Site};
use crate::dates::PartialDate;
use crate::front_matter::{PageKind, Status};
use crate::render::Spread;
use crate::view::{anniversary_view, page_link, PageLink, Written};
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

/// Which fields the timeline's links carry.
#[derive(Clone, Copy)]
pub enum Fields {
    /// All of `view::PageLink`'s: a site's own templates may read any of them.
    All,
    /// Only what the theme's templates read (see `ThemeLink`): a region shows in five places,
    /// and its whole link in each was a third of the memory of an edit that renders the
    /// timeline.
    Theme,
}

/// What the theme's timeline reads of a page it links to (`macros.html`'s `title` and
/// `timeline_year`, `timeline.html`'s anniversaries and filter); an entry's own page adds its
/// `summary` and `cover` (`Links::page`). Field for field as `view::PageLink` gives them.
#[derive(serde::Serialize)]
struct ThemeLink<'a> {
    title: std::borrow::Cow<'a, str>,
    url: String,
    key: &'a str,
    written_in: Option<Written<'a>>,
}

/// Each region's link serialized once, then cloned: a region shows up to four times (its
/// entry, as that entry's region, among the anniversaries and in the filter) besides in each
/// event that names it, and serializing those links was 4 % of a 15,000-file build; cloning a
/// made `Value` costs less. An event's link is used once.
struct Links<'a> {
    site: &'a Site,
    fields: Fields,
    made: FxHashMap<&'a str, Value>,
}

impl<'a> Links<'a> {
    /// The links of `regions`.
    fn of_regions(site: &'a Site, regions: &[&'a Page], fields: Fields, spread: Spread) -> Self {
        let mut links = Links {
            site,
            fields,
            made: FxHashMap::default(),
        };
        let made = spread.filter_map(regions, |r| Some((r.path.as_str(), links.link(r))));
        links.made = made.into_iter().collect();
        links
    }

    /// `p`'s link: a copy of the one made for it, or made now.
    fn of(&self, p: &Page) -> Value {
        (self.made.get(p.path.as_str()).cloned()).unwrap_or_else(|| self.link(p))
    }

    /// The link of an entry's own page.
    fn page(&self, p: &Page) -> Value {
        match self.fields {
            Fields::All => self.of(p),
            Fields::Theme => theme_link(page_link(self.site, p), true),
        }
    }

    fn link(&self, p: &Page) -> Value {
        let link = page_link(self.site, p);
        match self.fields {
            Fields::All => serde_json::to_value(link).expect("plain data"),
            Fields::Theme => theme_link(link, false),
        }
    }
}

/// `link` with the fields the theme reads (`ThemeLink`), and for an entry's `own` page its
/// `summary` and `cover`.
fn theme_link(link: PageLink, own: bool) -> Value {
    let theme = ThemeLink {
        title: link.title,
        url: link.url,
        key: link.key,
        written_in: link.written_in,
    };
    let mut value = serde_json::to_value(theme).expect("plain data");
    if own {
        value["summary"] = link.summary.into();
        value["cover"] = link.cover.into();
    }
    value
}

/// What the timeline takes from one established region: its entry, its next round
/// anniversary (unless the relation is still being prepared) and its place in the filter.
struct FromRegion<'a> {
    entry: Entry<'a>,
    upcoming: Option<(PartialDate, Value)>,
    filter: Value,
}

/// The timeline's context: `years` (each `year` with its `entries`), `upcoming` (a `region`
/// with the fields of its next anniversary), `kinds` and `regions` that occur, for the
/// filter controls; its links with `fields`, made side by side for `Spread::All`.
pub fn build(site: &Site, lang: &str, fields: Fields, spread: Spread) -> Value {
    let regions: Vec<&Page> = site.pages_of(PageKind::Region, lang).collect();
    let events: Vec<&Page> = site.pages_of(PageKind::Event, lang).collect();
    let links = Links::of_regions(site, &regions, fields, spread);
    let mut entries = spread.filter_map(&events, |p| of_event(&links, lang, p));
    let from_regions = spread.filter_map(&regions, |r| of_region(&links, lang, r));
    let mut upcoming = Vec::new();
    let mut filter = Vec::new();
    for made in from_regions {
        let title = &made.entry.page.front.title;
        if let Some((when, value)) = made.upcoming {
            upcoming.push((when, title, value));
        }
        filter.push((title, made.filter));
        entries.push(made.entry);
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
    filter.sort_by(|a, b| a.0.cmp(b.0));
    object([
        ("years", Value::Array(years(entries))),
        ("upcoming", upcoming.into_iter().map(|u| u.2).collect()),
        ("kinds", json!(kinds)),
        ("regions", filter.into_iter().map(|r| r.1).collect()),
    ])
}

/// The entry of a dated event `p`.
fn of_event<'a>(links: &Links, lang: &str, p: &'a Page) -> Option<Entry<'a>> {
    let date = p.front.neutral.date?;
    let keys = p.front.neutral.regions.as_deref().unwrap_or_default();
    let regions: Vec<Value> = links.site.regions_of(p).map(|r| links.of(r)).collect();
    let kind = p.front.neutral.kind.map_or("other", |k| k.name());
    Some(entry(
        date,
        lang,
        kind,
        links.page(p),
        p,
        regions,
        keys.join(" "),
    ))
}

/// What the timeline shows of region `r`, when its relation has a date.
fn of_region<'a>(links: &Links, lang: &str, r: &'a Page) -> Option<FromRegion<'a>> {
    let n = &r.front.neutral;
    let date = n.established?;
    // Looked up once, copied into the entry and the anniversary, moved into the filter.
    let link = links.of(r);
    let entry = entry(
        date,
        lang,
        "established",
        links.page(r),
        r,
        vec![link.clone()],
        r.key.clone(),
    );
    let upcoming = (n.status != Some(Status::Preparing)).then(|| {
        let (years, when) = date.next_round_anniversary(links.site.build_date, 5);
        let mut value =
            serde_json::to_value(anniversary_view(years, when, lang)).expect("plain data");
        value["region"] = link.clone();
        (when, value)
    });
    Some(FromRegion {
        entry,
        upcoming,
        filter: link,
    })
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
