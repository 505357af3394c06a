//! Country names in each built-in language, by ISO 3166-1 alpha-2 code: so that a country is
//! named even where no page in a language gives its `country` field, and so that `check` can
//! tell when a page's `country` disagrees with its `country_code`.

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;

/// The name to show for the country with `code` in the language `lang`: its UI string
/// `country_<code>` among `strings` (`country_tw = "Taiwan"`), else the table's, else what a
/// region page of the country writes (`written`), else the code.
pub fn display_name(
    strings: &BTreeMap<String, String>,
    lang: &str,
    code: &str,
    written: Option<&str>,
) -> String {
    let key = format!("country_{}", code.to_ascii_lowercase());
    strings
        .get(&key)
        .map(String::as_str)
        .or_else(|| name(code, lang))
        .or(written)
        .unwrap_or(code)
        .to_owned()
}

/// `CODE \t English names \t Chinese names`, names separated by `|`, the first the one shown.
const TABLE: &str = include_str!("geo/country-names.tsv");

/// The table's columns after the code, by language.
const LANGUAGES: [&str; 2] = ["en", "zh"];

/// The names of the country with `code` (upper case) in the language `lang` (`zh-hans` uses
/// `zh`'s), the one to show first; `None` for unknown codes and languages.
pub fn names(code: &str, lang: &str) -> Option<impl Iterator<Item = &'static str>> {
    let base = lang.split('-').next().unwrap_or(lang);
    let column = LANGUAGES.iter().position(|l| *l == base)?;
    let cell = rows().get(code)?.get(column)?;
    Some(cell.split('|'))
}

/// The table's cells after the code, by code: indexed once, as names are looked up for every
/// page of a country (and for every search document).
fn rows() -> &'static HashMap<&'static str, Vec<&'static str>> {
    static ROWS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();
    ROWS.get_or_init(|| {
        TABLE
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut cells = l.split('\t');
                Some((cells.next()?, cells.collect()))
            })
            .collect()
    })
}

/// The name to show for the country with `code` in `lang`.
pub fn name(code: &str, lang: &str) -> Option<&'static str> {
    names(code, lang)?.next()
}

/// Whether `written` (a page's `country`) names the country with `code`, in any language of
/// the table (a Chinese page may give `country: Greece`); `None` when the code or nothing in
/// the table is known, so that nothing is claimed about it.
pub fn agrees(code: &str, written: &str) -> Option<bool> {
    let written = written.trim();
    let mut known = false;
    for lang in LANGUAGES {
        for name in names(code, lang)? {
            known = true;
            if name.eq_ignore_ascii_case(written) {
                return Some(true);
            }
        }
    }
    known.then_some(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_in_both_languages() {
        assert_eq!(name("GR", "en"), Some("Greece"));
        assert_eq!(name("GR", "zh"), Some("希腊"));
        assert_eq!(name("GR", "zh-hans"), Some("希腊"));
        assert_eq!(name("RU", "en"), Some("Russia"));
        assert_eq!(name("KR", "en"), Some("South Korea"));
        assert_eq!(name("XX", "en"), None);
        assert_eq!(name("GR", "fr"), None);
    }

    #[test]
    fn a_country_agrees_with_its_code_by_any_of_its_names() {
        assert_eq!(agrees("GR", "Greece"), Some(true));
        assert_eq!(agrees("GR", "希腊"), Some(true));
        assert_eq!(agrees("KR", "Republic of Korea"), Some(true));
        assert_eq!(agrees("PL", "poland"), Some(true));
        assert_eq!(agrees("PT", "Poland"), Some(false));
        assert_eq!(agrees("XX", "Poland"), None);
    }

    #[test]
    fn every_row_has_a_code_and_both_languages() {
        let rows: Vec<&str> = TABLE.lines().filter(|l| !l.starts_with('#')).collect();
        assert_eq!(rows.len(), 250);
        for row in rows {
            let cells: Vec<&str> = row.split('\t').collect();
            assert_eq!(cells.len(), 3, "{row}");
            assert!(cells[0].len() == 2 && cells[0].bytes().all(|b| b.is_ascii_uppercase()));
            assert!(!cells[1].is_empty() && !cells[2].is_empty(), "{row}");
        }
    }
}
