//! Long section lists split into pages: page 1 at the section's path, page n at
//! `<section path>page/<n>/`. The size comes from the section's `_index` front matter
//! (`paginate_by: 20`), else site.toml's `[extra] paginate_by`, else [`DEFAULT_PER_PAGE`].

use crate::config::Config;
use crate::content::Section;
use serde::Serialize;

pub const DEFAULT_PER_PAGE: usize = 50;

/// List pages linked either side of the current one; the first and last are always linked.
/// Linking every page from every page would make a list's output grow with the square of its
/// length: a thousand list pages of a thousand links each at 50,000 entries.
const WINDOW: usize = 2;

/// Entries per list page for a section.
pub fn per_page(config: &Config, section: &Section) -> usize {
    let from_index = section
        .index
        .as_ref()
        .and_then(|i| i.front.extra.get("paginate_by"))
        .and_then(serde_json::Value::as_u64);
    from_index
        .filter(|&n| n > 0)
        .map_or_else(|| site_per_page(config), |n| n as usize)
}

/// Entries per list page where no intro says: site.toml's `[extra] paginate_by`, else
/// [`DEFAULT_PER_PAGE`] (the lists of built-in pages, such as a tag's).
pub fn site_per_page(config: &Config) -> usize {
    config
        .extra
        .get("paginate_by")
        .and_then(toml::Value::as_integer)
        .and_then(|n| usize::try_from(n).ok())
        .filter(|&n| n > 0)
        .unwrap_or(DEFAULT_PER_PAGE)
}

/// How many list pages `items` entries need (at least one, even when empty).
pub fn page_count(items: usize, per_page: usize) -> usize {
    items.div_ceil(per_page).max(1)
}

/// Site path of list page `n` (1-based) of a section at `path`.
pub fn page_path(path: &str, n: usize) -> String {
    if n <= 1 {
        path.to_owned()
    } else {
        format!("{path}page/{n}/")
    }
}

/// One list page's place in the sequence, for the pager and `rel="prev"/"next"`.
#[derive(Debug, Serialize)]
pub struct Pager {
    pub number: usize,
    pub total: usize,
    /// Root-relative URLs (with the base path).
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PagerLink>,
}

#[derive(Debug, Serialize)]
pub struct PagerLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
    /// Pages are left out between this link and the one before: the theme shows "…".
    pub gap_before: bool,
}

impl Pager {
    /// The pager of page `number` of `total`, or None when the list fits on one page.
    pub fn new(config: &Config, path: &str, number: usize, total: usize) -> Option<Pager> {
        if total <= 1 {
            return None;
        }
        let url = |n: usize| config.url(&page_path(path, n));
        Some(Pager {
            number,
            total,
            prev: (number > 1).then(|| url(number - 1)),
            next: (number < total).then(|| url(number + 1)),
            pages: linked(number, total)
                .scan(0, |before, n| {
                    let gap_before = n > *before + 1;
                    *before = n;
                    Some(PagerLink {
                        number: n,
                        url: url(n),
                        current: n == number,
                        gap_before,
                    })
                })
                .collect(),
        })
    }
}

/// The page numbers the pager of page `number` of `total` links, in order: the first, the
/// last, and [`WINDOW`] either side of `number`. A gap of one page is filled rather than shown
/// as "…", which would take as much room as the number.
fn linked(number: usize, total: usize) -> impl Iterator<Item = usize> {
    let mut low = number.saturating_sub(WINDOW).max(1);
    let mut high = (number + WINDOW).min(total);
    if low <= 3 {
        low = 1;
    }
    if high + 2 >= total {
        high = total;
    }
    let first = (low > 1).then_some(1);
    let last = (high < total).then_some(total);
    first.into_iter().chain(low..=high).chain(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_paths() {
        assert_eq!(page_count(0, 50), 1);
        assert_eq!(page_count(50, 50), 1);
        assert_eq!(page_count(51, 50), 2);
        assert_eq!(page_path("/en/events/", 1), "/en/events/");
        assert_eq!(page_path("/en/events/", 3), "/en/events/page/3/");
    }

    #[test]
    fn pager_links_neighbours() {
        let c = Config::parse("base_url = \"https://x.org/h/\"\n").unwrap();
        assert!(Pager::new(&c, "/en/events/", 1, 1).is_none());
        let p = Pager::new(&c, "/en/events/", 2, 3).unwrap();
        assert_eq!(p.prev.as_deref(), Some("/h/en/events/"));
        assert_eq!(p.next.as_deref(), Some("/h/en/events/page/3/"));
        assert!(p.pages[1].current);
    }

    fn shown(number: usize, total: usize) -> Vec<(usize, bool)> {
        let c = Config::parse("base_url = \"https://x.org/\"\n").unwrap();
        let p = Pager::new(&c, "/en/events/", number, total).unwrap();
        p.pages.iter().map(|l| (l.number, l.gap_before)).collect()
    }

    #[test]
    fn long_pagers_link_the_ends_and_the_neighbourhood() {
        let numbers = |v: Vec<(usize, bool)>| v.into_iter().map(|(n, _)| n).collect::<Vec<_>>();
        assert_eq!(numbers(shown(1, 5)), [1, 2, 3, 4, 5]);
        assert_eq!(numbers(shown(1, 7)), [1, 2, 3, 7]);
        assert_eq!(numbers(shown(1, 1000)), [1, 2, 3, 1000]);
        assert_eq!(numbers(shown(4, 1000)), [1, 2, 3, 4, 5, 6, 1000]);
        assert_eq!(
            numbers(shown(500, 1000)),
            [1, 498, 499, 500, 501, 502, 1000]
        );
        assert_eq!(
            numbers(shown(997, 1000)),
            [1, 995, 996, 997, 998, 999, 1000]
        );
        assert_eq!(numbers(shown(1000, 1000)), [1, 998, 999, 1000]);
        // "…" only where pages are left out.
        let gaps = shown(500, 1000).into_iter().filter(|&(_, gap)| gap);
        assert_eq!(gaps.map(|(n, _)| n).collect::<Vec<_>>(), [498, 1000]);
        assert!(shown(4, 7).iter().all(|&(_, gap)| !gap));
    }
}
