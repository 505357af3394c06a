//! The timeline: published events and "relation established" entries in chronological order,
//! grouped by year, plus every established region's next round anniversary.

use crate::content::Site;
use crate::dates::PartialDate;
use crate::front_matter::{PageKind, Status};
use crate::view::{anniversary_view, page_link, Anniversary, PageLink};
use serde::Serialize;

#[derive(Serialize)]
pub struct Entry<'a> {
    pub date: PartialDate,
    pub date_display: String,
    /// An event kind, or `established` for a region's signing date.
    pub kind: &'static str,
    pub page: PageLink<'a>,
    pub regions: Vec<PageLink<'a>>,
    /// Region keys, space-separated, for the in-page filter.
    pub region_keys: String,
}

#[derive(Serialize)]
pub struct Year<'a> {
    pub year: i32,
    pub entries: Vec<Entry<'a>>,
}

#[derive(Serialize)]
pub struct Upcoming<'a> {
    pub region: PageLink<'a>,
    #[serde(flatten)]
    pub anniversary: Anniversary,
}

#[derive(Serialize)]
pub struct Timeline<'a> {
    pub years: Vec<Year<'a>>,
    pub upcoming: Vec<Upcoming<'a>>,
    /// Kinds and regions that occur, for the filter controls.
    pub kinds: Vec<&'static str>,
    pub regions: Vec<PageLink<'a>>,
}

pub fn build<'a>(site: &'a Site, lang: &'a str) -> Timeline<'a> {
    let region = |key: &str| site.page(&format!("{}/{key}", crate::content::REGIONS), lang);
    let mut entries: Vec<Entry> = Vec::new();
    for p in site.pages_of(PageKind::Event, lang) {
        let Some(date) = p.front.neutral.date else {
            continue;
        };
        let keys = p.front.neutral.regions.clone().unwrap_or_default();
        entries.push(Entry {
            date,
            date_display: date.display(lang),
            kind: p.front.neutral.kind.map_or("other", |k| k.name()),
            page: page_link(site, p),
            regions: keys
                .iter()
                .filter_map(|k| region(k))
                .map(|r| page_link(site, r))
                .collect(),
            region_keys: keys.join(" "),
        });
    }
    let mut regions: Vec<PageLink> = Vec::new();
    let mut upcoming = Vec::new();
    for r in site.pages_of(PageKind::Region, lang) {
        regions.push(page_link(site, r));
        let n = &r.front.neutral;
        let Some(date) = n.established else { continue };
        entries.push(Entry {
            date,
            date_display: date.display(lang),
            kind: "established",
            page: page_link(site, r),
            regions: vec![page_link(site, r)],
            region_keys: r.key.clone(),
        });
        if n.status != Some(Status::Preparing) {
            let (years, when) = date.next_round_anniversary(site.build_date, 5);
            upcoming.push(Upcoming {
                region: page_link(site, r),
                anniversary: anniversary_view(years, when, lang),
            });
        }
    }
    entries.sort_by(|a, b| {
        (a.date, a.kind, &a.page.title, a.page.path).cmp(&(
            b.date,
            b.kind,
            &b.page.title,
            b.page.path,
        ))
    });
    upcoming.sort_by(|a, b| {
        (a.anniversary.date.first_day(), &a.region.title)
            .cmp(&(b.anniversary.date.first_day(), &b.region.title))
    });
    let mut kinds: Vec<&'static str> = entries.iter().map(|e| e.kind).collect();
    kinds.sort_unstable();
    kinds.dedup();
    regions.sort_by(|a, b| a.title.cmp(&b.title));
    let mut years: Vec<Year> = Vec::new();
    for e in entries {
        match years.last_mut() {
            Some(y) if y.year == e.date.year => y.entries.push(e),
            _ => years.push(Year {
                year: e.date.year,
                entries: vec![e],
            }),
        }
    }
    Timeline {
        years,
        upcoming,
        kinds,
        regions,
    }
}
