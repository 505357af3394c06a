//! The site header (`templates/header.html`): the same on every page of a language under the
//! same menu entry, so rendered once per language and entry rather than once per page — the
//! menu's loop and tests were the costliest part of every page's template.

use super::NavItem;
use crate::diagnostics::Diagnostic;
use crate::templates::Templates;
use std::collections::HashMap;
use std::sync::Mutex;

pub const TEMPLATE: &str = "header.html";

/// Headers rendered so far, by language and the keys of the current menu entries.
#[derive(Default)]
pub struct Headers {
    made: Mutex<HashMap<(String, Vec<String>), String>>,
}

impl Headers {
    /// The header of a page at `path` in the language whose shared context is `shared`; a
    /// template error is the page's (`what`), and is not kept, so each page meeting it reports it.
    pub fn get(
        &self,
        tera: &Templates,
        shared: &tera::Context,
        (lang, nav): (&str, &[NavItem]),
        path: &str,
        what: &str,
    ) -> Result<String, Diagnostic> {
        let current = current(nav, path);
        let key = (lang.to_owned(), current);
        let mut made = self.made.lock().expect("no panics while held");
        if let Some(html) = made.get(&key) {
            return Ok(html.clone());
        }
        let mut context = shared.clone();
        context.insert("current", &key.1);
        let html = tera.render(TEMPLATE, &context, what)?.trim().to_owned();
        made.insert(key, html.clone());
        Ok(html)
    }
}

/// The menu entries a page at `path` is under: the entry itself, or (but for home) an entry
/// whose folder holds it.
fn current(nav: &[NavItem], path: &str) -> Vec<String> {
    nav.iter()
        .filter(|item| item.path == path || (item.key != "home" && path.starts_with(&item.path)))
        .map(|item| item.key.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str, path: &str) -> NavItem {
        NavItem {
            key: key.into(),
            label: key.into(),
            url: path.into(),
            path: path.into(),
        }
    }

    #[test]
    fn a_page_is_under_its_folder_entry_and_home_only_at_home() {
        let nav = [item("home", "/en/"), item("regions", "/en/regions/")];
        assert_eq!(current(&nav, "/en/"), ["home"]);
        assert_eq!(current(&nav, "/en/regions/attica/"), ["regions"]);
        assert_eq!(current(&nav, "/en/regions/"), ["regions"]);
        assert!(current(&nav, "/en/about/").is_empty());
    }
}
