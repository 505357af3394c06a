//! Each page's cover (front matter `image:`), resolved once when the site is loaded: the
//! page's header, its cards in every list and its social card read it from the model instead
//! of each finding and measuring the file again.

use super::Page;
use crate::media::{Bundle, Cover};
use rayon::prelude::*;
use std::path::Path;

impl Page {
    /// The bundle the page is, when its file is `index.<lang>.md` in a folder of its own.
    pub fn bundle(&self) -> Option<Bundle> {
        crate::media::bundle(&self.file, &self.key, &self.dir, &self.slug)
    }
}

/// Resolves the cover of each of `pages` (with their slugs), in parallel: reading a photo's
/// header and colour is a file read each.
pub(super) fn resolve(root: &Path, pages: &mut [Page]) {
    pages.par_iter_mut().for_each(|p| p.cover = of(root, p));
}

fn of(root: &Path, p: &Page) -> Option<Cover> {
    let value = p.front.extra.get("image")?.as_str()?;
    Cover::resolve(root, p.bundle(), value)
}
