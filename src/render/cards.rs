//! Cards in lists (`macros.html`'s `card`): a page's card is the same in every list of its
//! language that shows it (its section's, its country's, its tags', its regions'), so it is
//! rendered once per build rather than once per list; and a list's missing cards are rendered
//! together, in one render of `templates::CARDS`, since the set-up of a render costs about
//! twice what one card does. The card macro was a tenth of a build's instructions.

use crate::content::{Page, Site};
use crate::diagnostics::Diagnostic;
use crate::view::PageLink;
use std::sync::OnceLock;

/// Cards rendered so far, by index in `Site::pages`.
pub struct Cards {
    made: Vec<OnceLock<String>>,
    /// Whether `macros.html` has a `card(p, t)` macro: a site may replace the theme's lists
    /// and macros with its own, without one.
    enabled: bool,
}

/// Renders a batch of links with `templates::CARDS` in a language; the text it gives back
/// holds each card followed by NUL.
pub type Render<'r> = &'r dyn Fn(Vec<serde_json::Value>) -> Result<String, Diagnostic>;

impl Cards {
    pub fn new(site: &Site, enabled: bool) -> Cards {
        Cards {
            made: (0..site.pages.len()).map(|_| OnceLock::new()).collect(),
            enabled,
        }
    }

    /// Sets each link's `card`: the one made before for its page, else rendered now with the
    /// others missing. `pages` are the links' pages, where they are pages of the site in the
    /// list's language (a card is kept only for those).
    pub fn fill(
        &self,
        site: &Site,
        links: &mut [PageLink],
        pages: &[Option<&Page>],
        render: Render,
    ) -> Result<(), Diagnostic> {
        if !self.enabled {
            return Ok(());
        }
        let slots: Vec<Option<&OnceLock<String>>> = pages
            .iter()
            .map(|p| index_of(&site.pages, (*p)?).map(|i| &self.made[i]))
            .collect();
        let missing: Vec<usize> = (0..links.len())
            .filter(|&k| slots[k].is_none_or(|slot| slot.get().is_none()))
            .collect();
        let made = self.render(links, &missing, render)?;
        for (k, card) in missing.into_iter().zip(made) {
            if let Some(slot) = slots[k] {
                // Another list may have made it meanwhile: the same card.
                let _ = slot.set(card.clone());
            }
            links[k].card = Some(card);
        }
        for (link, slot) in links.iter_mut().zip(slots) {
            if link.card.is_none() {
                link.card = slot.and_then(OnceLock::get).cloned();
            }
        }
        Ok(())
    }

    /// The cards of `links[k]` for each `k` in `which`, in one render.
    fn render(
        &self,
        links: &[PageLink],
        which: &[usize],
        render: Render,
    ) -> Result<Vec<String>, Diagnostic> {
        if which.is_empty() {
            return Ok(Vec::new());
        }
        let values = |ks: &[usize]| -> Vec<serde_json::Value> {
            (ks.iter())
                .map(|&k| serde_json::to_value(&links[k]).expect("a link serializes"))
                .collect()
        };
        let html = render(values(which))?;
        let mut cards: Vec<String> = html.split('\0').map(str::to_owned).collect();
        // The last NUL ends the last card.
        if cards.pop().is_some_and(|rest| rest.is_empty()) && cards.len() == which.len() {
            return Ok(cards);
        }
        // A card of the site's own that prints NUL itself: one render per card, NUL left out
        // as from every output.
        which
            .iter()
            .map(|&k| Ok(render(values(&[k]))?.replace('\0', "")))
            .collect()
    }
}

/// The index of `item` in `items`, found from its address (lists hold their pages by
/// reference): `None` for anything else, such as a copy.
fn index_of<T>(items: &[T], item: &T) -> Option<usize> {
    let size = std::mem::size_of::<T>().max(1);
    let offset = (item as *const T as usize).checked_sub(items.as_ptr() as usize)?;
    let i = offset / size;
    (offset % size == 0)
        .then_some(i)
        .filter(|&i| items.get(i).is_some_and(|x| std::ptr::eq(x, item)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_item_is_found_by_its_address_and_a_copy_is_not() {
        let items = vec![String::from("a"), String::from("b"), String::from("c")];
        assert_eq!(index_of(&items, &items[2]), Some(2));
        assert_eq!(index_of(&items, &items[0]), Some(0));
        let copy = items[1].clone();
        assert_eq!(index_of(&items, &copy), None);
        let other = [String::from("b")];
        assert_eq!(index_of(&items, &other[0]), None);
    }
}
