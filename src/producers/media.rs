//! `Producer::Media`: the files of page bundles and the derived images the rendered pages use,
//! each published once whatever the number of languages and pages that use it.

use crate::content::Site;
use crate::diagnostics::{Diagnostic, Kind};
use crate::files;
use crate::markdown::Bodies;
use crate::media::images::{self, Job, CACHE_DIR};
use crate::media::{fallback_ext, is_raster, Background, ImageUse, Use};
use crate::output::Sinks;
use crate::producers::Made;
use rayon::prelude::*;
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::{Path, PathBuf};

/// What the site publishes of its bundles and images: files as they are (output path →
/// source) and the images to make (by source, with the first use, for messages).
struct Plan<'b> {
    files: BTreeMap<String, PathBuf>,
    jobs: BTreeMap<&'b str, (Job, &'b ImageUse)>,
}

impl<'b> Plan<'b> {
    fn new(root: &Path, site: &Site, bodies: &'b Bodies) -> Plan<'b> {
        Plan::with(bundle_files(root, site), root, bodies)
    }

    /// The plan with the site's `bundle_files` as given.
    fn with(files: BTreeMap<String, PathBuf>, root: &Path, bodies: &'b Bodies) -> Plan<'b> {
        let mut plan = Plan {
            files,
            jobs: BTreeMap::new(),
        };
        let uses = bodies
            .pages
            .iter()
            .chain(bodies.sections.iter().flatten())
            .flat_map(|b| &b.media);
        for u in uses {
            plan.add(root, u);
        }
        plan
    }

    fn add(&mut self, root: &Path, u: &'b Use) {
        match u {
            Use::File(r) => {
                self.files.insert(r.out.clone(), root.join(&r.source));
            }
            Use::Image(image) => {
                let (job, _) = self.jobs.entry(&image.resource.source).or_insert_with(|| {
                    let job = Job {
                        source: root.join(&image.resource.source),
                        out: image.resource.out.clone(),
                        widths: image.widths.clone(),
                        fallback: image.fallback,
                        fallback_ext: fallback_ext(&image.resource.source),
                        card: false,
                    };
                    (job, image)
                });
                job.card |= image.card;
            }
        }
    }
}

/// The output paths `publish` makes, without making them: what an edit that drops an image
/// removes.
pub fn paths(site: &Site, bodies: &Bodies) -> BTreeSet<String> {
    Plan::new(&site.root, site, bodies).paths()
}

impl Plan<'_> {
    fn paths(&self) -> BTreeSet<String> {
        let derived = self.jobs.values().flat_map(|(job, _)| images::outputs(job));
        let mut out: BTreeSet<String> = derived.collect();
        out.extend(self.files.keys().cloned());
        out
    }
}

/// `publish`, and the output paths it makes (`paths`), from one plan, with the site's
/// `bundle_files` as given (finding them reads every page and lists every page folder).
pub fn republish(
    root: &Path,
    bundle_files: BTreeMap<String, PathBuf>,
    bodies: &Bodies,
    sinks: Sinks,
    background: Option<&Background>,
) -> (Made, BTreeSet<String>) {
    let plan = Plan::with(bundle_files, root, bodies);
    let paths = plan.paths();
    (carry_out(plan, root, sinks, background), paths)
}

/// Every output of the site's bundles and images, and the cache pruned of what is no longer
/// used. With `background` (the preview), photos not in the cache are encoded in the
/// background, their originals standing in until then.
pub fn publish(
    root: &Path,
    site: &Site,
    bodies: &Bodies,
    sinks: Sinks,
    background: Option<&Background>,
) -> Made {
    carry_out(Plan::new(root, site, bodies), root, sinks, background)
}

/// What `plan` publishes, made.
fn carry_out(plan: Plan, root: &Path, sinks: Sinks, background: Option<&Background>) -> Made {
    let Plan { mut files, jobs } = plan;
    let cache = root.join(CACHE_DIR);
    let processed: Vec<Result<Vec<images::Derived>, Diagnostic>> = jobs
        .into_par_iter()
        .map(|(_, (job, image))| {
            let made = match background {
                Some(done) => images::process_later(&cache, job, done.clone()),
                None => images::process(&cache, &job).map(|p| p.files),
            };
            made.map_err(|why| broken(image, &why))
        })
        .collect();
    let mut made = Made::new();
    let mut used = HashSet::new();
    for p in processed {
        match p {
            Ok(derived) => {
                for d in derived {
                    used.extend(d.cached.file_name().map(ToOwned::to_owned));
                    files.insert(d.out, d.cached);
                }
            }
            Err(d) => made.push(Err(d)),
        }
    }
    // Files being encoded in the background are not among those used yet.
    if made.is_empty() && background.is_none() {
        images::prune(&cache, &used);
    }
    made.extend(
        files
            .into_par_iter()
            .map(|(out, source)| (sinks.file)(out, &source))
            .collect::<Made>(),
    );
    made
}

/// The files of every bundle that are published whatever the text says: all but its pages
/// and its photos (those are published in the sizes the text shows them in, and as they are
/// only when linked to).
pub fn bundle_files(root: &Path, site: &Site) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let mut seen = HashSet::new();
    for b in site.pages.iter().filter_map(crate::content::Page::bundle) {
        if !seen.insert(b.folder.clone()) {
            continue;
        }
        // A folder that cannot be listed is reported by loading the content.
        for (rel, path) in files::list_files(root, &b.folder).unwrap_or_default() {
            if !rel.ends_with(".md") && !is_raster(&rel) {
                out.insert(format!("{}{rel}", b.out), path);
            }
        }
    }
    out
}

/// An image that cannot be made into its sizes: an error at the page and line that shows it.
fn broken(image: &ImageUse, why: &str) -> Diagnostic {
    Diagnostic::error(
        Kind::Image,
        &image.file,
        format!("image `{}`: {why}", image.resource.source),
    )
    .at(image.line, Some(image.column))
    .with_hint("replace the file with a JPEG, PNG, WebP or GIF that opens in an image viewer")
}
