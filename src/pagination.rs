//! Long section lists split into pages: page 1 at the section's path, page n at
//! `<section path>page/<n>/`. The size comes from the section's `_index` front matter
//! (`paginate_by: 20`), else site.toml's `[extra] paginate_by`, else [`DEFAULT_PER_PAGE`].

use crate::config::Config;
use crate::content::Section;
use serde::Serialize;

pub const DEFAULT_PER_PAGE: usize = 50;

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
            pages: (1..=total)
                .map(|n| PagerLink {
                    number: n,
                    url: url(n),
                    current: n == number,
                })
                .collect(),
        })
    }
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
}
