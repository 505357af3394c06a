//! The rebuild engine for `serve`: holds the last successful build in memory and, after files
//! changed, brings it up to date and says which outputs changed or disappeared.
//!
//! Correctness comes first: after `apply` the outputs and diagnostics are exactly what a full
//! build of the current sources gives (`tests/incremental.rs` checks this byte for byte on
//! random edit sequences). Every source's size and change times are compared with the last
//! build whatever the watcher said (the folders are listed again only when their own times
//! changed), and only files that changed are read and parsed again (`content::SourceCache`).
//! When those files keep the site's shape, the site model is patched in place: only their
//! groups of translations are filled in and checked again (`content::patch`); otherwise it
//! is loaded again whole and compared. When an edit keeps the site's shape —
//! the same pages at the same paths, the same configuration and templates — Markdown is
//! rendered again only for files whose source changed, and templates only for the edited
//! pages and, where front matter changed (cards and lists show titles, summaries, dates and
//! places, never bodies), for the outputs that show it (each producer in
//! `producers::PRODUCERS` makes again what an `Edit` concerns of it):
//! - pages that show it as a card: the regions an event names (old and new list), the events
//!   that name a region;
//! - the lists that hold it, the home page of its language (for regions and events), the
//!   lists whose subsection intros changed;
//! - the timeline and map of the languages where a region or event changed (the search page
//!   and the world map file show no content);
//! - the search index: only the changed documents are tokenized again, and only the files
//!   holding a token whose score changed are made again (`search::Live`);
//! - the feed of a language when one of its events changed; the code stylesheet when pages
//!   with code come or go; static files (read again, as they are cheap). The sitemap and
//!   robots.txt depend only on the shape and are kept;
//! - links are checked again only in the documents rendered again and in those linking to a
//!   heading of a page whose headings changed (a successful build has no broken links, so the
//!   others still have none).
//!
//! Outputs are updated in place once every check has passed. A failed edit leaves the last
//! build current: the patched pages are put back and the edit's files are read again next
//! time, so that saving the fix is as quick as any edit.
//!
//! Translations, navigation and every link in Markdown depend only on the site's shape, so any
//! other edit (a page added, removed, renamed or translated, a slug, a draft flag, a template,
//! `site.toml`) renders everything again, still in memory.
//!
//! `build` uses the engine too: a build keeps it (`Kept`, in the build cache) and the next one,
//! when only pages' Markdown changed, `restore`s it and applies the edit with
//! `apply_same_shape`, which leaves an edit that needs everything rendered to a full build.
//! The kept engine has not all its outputs' bytes nor the pages' HTML and search text: what an
//! edit reads of them comes back from the published files (the search index's shards and the
//! feeds when restored; the document files holding a changed document, by `search::Live::
//! update`), or is made again (a page's HTML).

use crate::check::{self, ExternalRef};
use crate::content::{self, KeptSite, Page, Patch, Section, Site, SourceCache};
use crate::diagnostics::{self, Diagnostic};
use crate::feeds;
use crate::files::{self, KeptListings};
use crate::highlight::Highlighter;
use crate::map::KeptArcs;
use crate::markdown::{Bodies, Rendered};
use crate::output::{self, Output, Sinks};
use crate::pipeline::{self, Built, Failed, Loaded, Options, Stopwatch};
use crate::producers::{self, Changed, Claim, Edit, Model, Producer, Work, PRODUCERS};
use crate::render::{self, Renderer};
use crate::search::{self, DocRef};
use crate::templates::{self, Templates};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// What one `apply` changed, for the server to reload.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Delta {
    /// Output paths (relative, like `en/regions/attica/index.html`) with new bytes, sorted.
    pub changed: Vec<String>,
    /// Output paths no longer produced, sorted.
    pub removed: Vec<String>,
    /// Whether the edit changed the site's shape, so that everything was rendered again.
    pub full: bool,
}

impl Delta {
    pub fn is_empty(&self) -> bool {
        self.changed.is_empty() && self.removed.is_empty()
    }
}

/// The last successful build, kept up to date by `apply`.
pub struct Incremental {
    options: Options,
    /// The last build, its `outputs` moved to `files`.
    built: Built,
    /// The built files, sorted by path. Whoever serves them gets clones of the `Bytes`, which
    /// share them: the site is in memory once.
    files: Vec<Output>,
    /// What `partial` reuses; `None` after an `apply` that failed half-way, which makes the
    /// next one render everything.
    memo: Option<Memo>,
    /// Content files as last parsed, so that an edit reads and parses only what changed.
    sources: SourceCache,
    /// The other files of the source folders as last listed: an edit lists again only
    /// folders whose times changed.
    listings: files::Listings,
    /// Names and bytes of the site's own templates: a change renders everything again.
    templates: Vec<(String, Vec<u8>)>,
    /// Syntax definitions load once, when a page has code.
    highlighter: Highlighter,
    /// Set by the preview: an edit does not wait for new photos to be encoded.
    background: Option<crate::media::Background>,
    /// Where `files` are published, for an engine that has not all their bytes (`restore`).
    published: Option<PathBuf>,
}

/// What a build keeps (in the build cache) for the next one to `restore` its engine from:
/// the site model without its sources, the Markdown without its HTML, the content files as
/// read, the search index's sizes, the map's arcs and, from an engine that made an edit, its
/// listings of the source folders.
pub struct Kept {
    site: KeptSite,
    bodies: Bodies,
    sources: SourceCache,
    index: search::Live,
    arcs: KeptArcs,
    listings: KeptListings,
}

/// The part of `Kept` besides the site, the content files and the pages' Markdown.
type Rest = (Vec<Option<Rendered>>, search::Live, KeptArcs, KeptListings);

/// Pages' Markdown per part of `Kept::encode`: parts enough to keep both cores busy.
const BODIES_PER_PART: usize = 1024;

impl Kept {
    /// Hands `part` the parts `decode` reads back, each bincode, as they are made: the site
    /// model, the content files as read, the rest (`Rest`), then the pages' Markdown, so many
    /// pages a part, a few encoded side by side at a time (not all at once: memory). A part
    /// an edit left alone keeps its bytes, and the parts are decoded side by side.
    pub fn encode(
        &self,
        part: &mut dyn FnMut(Vec<u8>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        use rayon::prelude::*;
        part(bincode::serialize(&self.site)?)?;
        part(bincode::serialize(&self.sources)?)?;
        let rest = (
            &self.bodies.sections,
            &self.index,
            &self.arcs,
            &self.listings,
        );
        part(bincode::serialize(&rest)?)?;
        let chunks: Vec<&[Rendered]> = self.bodies.pages.chunks(BODIES_PER_PART).collect();
        for window in chunks.chunks(2 * rayon::current_num_threads()) {
            let encoded = (window.par_iter())
                .map(bincode::serialize)
                .collect::<bincode::Result<Vec<Vec<u8>>>>()?;
            encoded.into_iter().try_for_each(&mut *part)?;
        }
        Ok(())
    }

    /// What `encode` made, decoded side by side; an error for any other parts.
    pub fn decode(parts: &[&[u8]]) -> anyhow::Result<Kept> {
        use rayon::prelude::*;
        let [site, sources, rest, pages @ ..] = parts else {
            anyhow::bail!("{} parts, fewer than the model's", parts.len());
        };
        let ((site, (sources, rest)), pages) = rayon::join(
            || {
                rayon::join(
                    || bincode::deserialize::<KeptSite>(site),
                    || {
                        rayon::join(
                            || bincode::deserialize::<SourceCache>(sources),
                            || bincode::deserialize::<Rest>(rest),
                        )
                    },
                )
            },
            || {
                (pages.par_iter())
                    .map(|part| bincode::deserialize::<Vec<Rendered>>(part))
                    .collect::<bincode::Result<Vec<Vec<Rendered>>>>()
            },
        );
        let (sections, index, arcs, listings) = rest?;
        Ok(Kept {
            site: site?,
            bodies: Bodies {
                pages: pages?.into_iter().flatten().collect(),
                sections,
            },
            sources: sources?,
            index,
            arcs,
            listings,
        })
    }

    /// What to keep of a build. Of the pages' Markdown, the HTML is let go (pages made again
    /// render theirs again): it would take more time to keep than to make again; and so is the
    /// search text, which the published index holds (an edit reads back what it needs).
    pub fn new(
        site: Site,
        mut bodies: Bodies,
        sources: SourceCache,
        index: search::Live,
        arcs: KeptArcs,
    ) -> Kept {
        for body in &mut bodies.pages {
            body.let_html_go();
            body.let_text_go();
        }
        Kept {
            site: site.keep(),
            bodies,
            sources,
            index,
            arcs,
            listings: KeptListings::default(),
        }
    }
}

/// What a successful build leaves for the next same-shape edit.
struct Memo {
    /// Markdown of `built.site`, aligned with its pages and sections.
    bodies: Bodies,
    /// The compiled templates, the same as long as the site's template files are.
    tera: Templates,
    /// The search index's shard sizes.
    index: search::Live,
    /// The map's arcs as last drawn.
    arcs: KeptArcs,
    /// Warnings about pages without a translation: they change only with the shape.
    missing_translations: Vec<Diagnostic>,
    /// Output paths of the static files: a file added or removed renders everything again
    /// (it may shadow a page).
    statics: BTreeSet<String>,
    /// What `Producer::Media` made, for what an edit that drops an image removes.
    media: BTreeSet<String>,
    /// The files of page folders published as they are: the same while `media_sources` is.
    bundle_files: std::collections::BTreeMap<String, PathBuf>,
    /// The files of bundles and the photos of `static/` as they were: a change renders
    /// everything again (pages show their dimensions).
    media_sources: crate::media::Sources,
}

impl Memo {
    fn new(
        site: &Site,
        index: search::Live,
        Rendering { bodies, tera, arcs }: Rendering,
        (statics, media_sources): (BTreeSet<String>, crate::media::Sources),
    ) -> Memo {
        Memo {
            tera,
            index,
            arcs,
            missing_translations: check::missing_translations(site),
            media: crate::producers::media_paths(site, &bodies),
            bundle_files: crate::producers::bundle_files(&site.root, site),
            media_sources,
            bodies,
            statics,
        }
    }
}

impl Incremental {
    /// Builds the site in memory.
    pub fn new(options: &Options) -> Result<Self, Failed> {
        let mut sources = SourceCache::default();
        let loaded = pipeline::load(options, Some(&mut sources))?;
        let mut listings = files::Listings::default();
        listings.refresh(&options.root);
        let templates = template_sources(&listings);
        let statics = static_files(&listings).0;
        let highlighter = Highlighter::default();
        let (mut built, rendering) = full(options, loaded, &highlighter, None)?;
        let files = take_files(&mut built);
        sources.hollow(&built.site);
        let inputs = (statics, crate::media::sources(&listings));
        Ok(Incremental {
            options: options.clone(),
            memo: Some(Memo::new(
                &built.site,
                search::Live::measure(&built.site, &rendering.bodies, &files),
                rendering,
                inputs,
            )),
            built,
            files,
            sources,
            listings,
            templates,
            highlighter,
            background: None,
            published: None,
        })
    }

    /// From now on, photos an edit adds are encoded in the background, their originals
    /// standing in for their sizes until then; `done` is called with each photo's source when
    /// its sizes are ready (the preview then applies it as a change).
    pub fn encode_in_background(&mut self, done: crate::media::Background) {
        self.background = Some(done);
    }

    /// The current build: the site model, warnings, timings of the last `apply`. Its
    /// `outputs` are empty: the files are in `files`.
    pub fn built(&self) -> &Built {
        &self.built
    }

    /// The built files, sorted by path.
    pub fn files(&self) -> &[Output] {
        &self.files
    }

    /// One output's bytes, by path relative to the output folder.
    pub fn get(&self, path: &str) -> Option<&[u8]> {
        output::find(&self.files, path)
    }

    /// One output, by path relative to the output folder; a clone shares its bytes.
    pub fn output(&self, path: &str) -> Option<&Output> {
        let i = self.files.binary_search_by(|f| f.path.as_str().cmp(path));
        i.ok().map(|i| &self.files[i])
    }

    /// Warnings of the current build.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        &self.built.diagnostics
    }

    /// Brings the build up to date after `changed` files (created, edited, removed; for a
    /// rename pass both names) changed on disk. Paths that cannot affect the site (editor
    /// swap files, anything outside content/, templates/, static/ and site.toml) are ignored,
    /// and when nothing else changed nothing is done. Whatever the list says, the sources are
    /// compared with the last build, so a missed or spurious event cannot make the result
    /// wrong. On failure the previous build stays current, so the server keeps serving it.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Result<Delta, Failed> {
        let delta = self.update(changed, true)?;
        Ok(delta.expect("an update that may render everything always updates"))
    }

    /// `apply` for an edit that keeps the site's shape and its configuration, templates and
    /// static files; `None` when the edit would need everything rendered again, which the
    /// caller does its own way (`build` stages a full build, to keep its memory low).
    pub fn apply_same_shape(
        mut self,
        changed: &[PathBuf],
    ) -> Result<Option<(Incremental, Delta)>, Failed> {
        Ok(self.update(changed, false)?.map(|delta| (self, delta)))
    }

    /// The engine of the build `kept` was kept from, whose outputs are published in `out` at
    /// `paths` (sorted); `None` when its configuration or templates do not load or a published
    /// file of the search index cannot be read. Its configuration, templates and static files
    /// are read again: the caller knows them unchanged since.
    /// Of the published files, only those an edit patches are read (`read_on_edit`: the search
    /// index's and the feeds); the others' bytes are left empty, so every output an edit makes
    /// again counts as changed.
    pub fn restore(options: &Options, kept: Kept, out: &Path, paths: Vec<String>) -> Option<Self> {
        let config = pipeline::config(options).ok()?;
        // Listed again only where folders' times changed since the engine was kept. Side by
        // side with compiling the templates and reading back what an edit reads: listing
        // waits on the file system, the others on the CPU.
        let mut listings = files::Listings::from_kept(kept.listings);
        let (tera, (files, ())) = rayon::join(
            || templates::load(&options.root),
            || {
                rayon::join(
                    || published(out, paths, read_on_edit),
                    || listings.refresh(&options.root),
                )
            },
        );
        let (tera, files) = (tera.ok()?, files?);
        let site = Site::from_kept(kept.site, config, &options.root, options.build_date);
        let inputs = (static_files(&listings).0, crate::media::sources(&listings));
        let rendering = Rendering {
            bodies: kept.bodies,
            tera,
            arcs: kept.arcs,
        };
        let memo = Memo::new(&site, kept.index, rendering, inputs);
        Some(Incremental {
            options: options.clone(),
            memo: Some(memo),
            built: Built {
                site,
                outputs: Vec::new(),
                diagnostics: Vec::new(),
                external_links: Vec::new(),
                timings: Vec::new(),
            },
            files,
            sources: kept.sources,
            templates: template_sources(&listings),
            listings,
            highlighter: Highlighter::default(),
            background: None,
            published: Some(out.to_path_buf()),
        })
    }

    /// What the next `build` needs to `restore` this engine; `None` after an edit that failed
    /// half-way.
    pub fn keep(self) -> Option<Kept> {
        let memo = self.memo?;
        let kept = Kept::new(
            self.built.site,
            memo.bodies,
            self.sources,
            memo.index,
            memo.arcs,
        );
        Some(Kept {
            listings: self.listings.keep(),
            ..kept
        })
    }

    fn update(&mut self, changed: &[PathBuf], render_all: bool) -> Result<Option<Delta>, Failed> {
        if !changed.is_empty() && changed.iter().all(|p| !self.is_input(p)) {
            return Ok(Some(Delta::default()));
        }
        let mut clock = Stopwatch::start();
        let root = &self.options.root;
        // The kept listings of `static/` and `templates/`, not each listed again.
        self.listings.refresh(root);
        let templates = template_sources(&self.listings);
        let (statics, static_error) = static_files(&self.listings);
        let config = pipeline::config(&self.options)?;
        let media_sources = crate::media::sources(&self.listings);
        // What `partial` needs besides the same pages: the same configuration, templates and
        // static file names, and the memo of a last build that succeeded.
        let memo = self.memo.take().filter(|m| {
            templates == self.templates
                && static_error.is_none()
                && m.statics == statics
                && m.media_sources == media_sources
                && config == self.built.site.config
        });
        self.templates = templates;
        let delta = match memo {
            Some(memo) => {
                // Only files that changed are read; the site is patched in place when the
                // edit keeps its shape, else loaded again whole and compared.
                let patched = content::patch(
                    root,
                    &mut self.built.site,
                    &self.options.load(),
                    &mut self.sources,
                );
                let in_place = patched.is_some();
                let (patch, tera) = match patched {
                    Some(mut patch) => {
                        // As `pipeline::load` reports them: the links and names listings leave out.
                        patch
                            .diagnostics
                            .extend(self.sources.skipped().iter().cloned());
                        patch
                            .diagnostics
                            .extend(self.listings.problems_outside_content());
                        (patch, memo.tera)
                    }
                    None => {
                        self.sources.refill(&self.built.site);
                        let loaded = pipeline::load(&self.options, Some(&mut self.sources))?;
                        if same_shape(&loaded.site, &self.built.site) {
                            let tera = loaded.tera;
                            let patch =
                                swap_in(&mut self.built.site, loaded.site, loaded.diagnostics);
                            (patch, tera)
                        } else if render_all {
                            clock.lap("load");
                            return self.full(loaded, (statics, media_sources), clock).map(Some);
                        } else {
                            // Not put back: this engine is dropped.
                            return Ok(None);
                        }
                    }
                };
                clock.lap("load");
                let mut memo = Memo { tera, ..memo };
                match self.partial(patch, &mut memo, &mut clock) {
                    Ok(delta) => {
                        self.sources.hollow(&self.built.site);
                        self.memo = Some(memo);
                        delta
                    }
                    Err(failed) => {
                        if in_place {
                            // The site and memo are as before the edit, whose files are read
                            // again next time: the fix of a broken edit is fast too.
                            self.sources.forget_read();
                            self.memo = Some(memo);
                        }
                        return Err(failed);
                    }
                }
            }
            None if render_all => {
                self.sources.refill(&self.built.site);
                let loaded = pipeline::load(&self.options, Some(&mut self.sources))?;
                clock.lap("load");
                return self.full(loaded, (statics, media_sources), clock).map(Some);
            }
            None => return Ok(None),
        };
        self.built.timings = clock.laps;
        Ok(Some(delta))
    }

    /// Renders everything from `loaded` and diffs it with the last build.
    fn full(
        &mut self,
        loaded: Loaded,
        inputs: (BTreeSet<String>, crate::media::Sources),
        mut clock: Stopwatch,
    ) -> Result<Delta, Failed> {
        let background = self.background.as_ref();
        let (mut built, rendering) = full(&self.options, loaded, &self.highlighter, background)?;
        let files = take_files(&mut built);
        let mut delta = diff(&self.files, &files);
        delta.full = true;
        let index = search::Live::measure(&built.site, &rendering.bodies, &files);
        self.memo = Some(Memo::new(&built.site, index, rendering, inputs));
        self.built = built;
        self.files = files;
        self.sources.hollow(&self.built.site);
        clock.lap("everything");
        self.built.timings = clock.laps;
        Ok(delta)
    }

    /// Whether a changed path can affect the build.
    fn is_input(&self, path: &Path) -> bool {
        let root = &self.options.root;
        let rel = path
            .strip_prefix(root)
            .or_else(|_| path.strip_prefix(root.canonicalize().unwrap_or_default()))
            .unwrap_or(path);
        files::source(rel).is_some()
    }

    /// Renders again only what reads a changed page (see the module comment); the site's
    /// shape is known to be unchanged, so pages and sections line up with the last build's.
    fn partial(
        &mut self,
        patch: Patch,
        memo: &mut Memo,
        clock: &mut Stopwatch,
    ) -> Result<Delta, Failed> {
        let result = self.render_patched(&patch, memo, clock);
        if result.is_err() {
            // The last good build stays current.
            patch.undo(&mut self.built.site);
        }
        result
    }

    /// The outputs of the patched site that differ, put in place, and `memo` brought up to
    /// date; on failure nothing has changed.
    fn render_patched(
        &mut self,
        patch: &Patch,
        memo: &mut Memo,
        clock: &mut Stopwatch,
    ) -> Result<Delta, Failed> {
        let site = &self.built.site;
        let changes = Changes::new(patch, site);
        let (bodies, old) = rebody(site, &self.highlighter, &changes, &mut memo.bodies);
        let mut diagnostics = patch.diagnostics.clone();
        diagnostics.extend(pipeline::body_diagnostics(&bodies));
        clock.lap("markdown");
        let (remade, bodies) = self.remake(patch, memo, &changes, &old, bodies, &mut diagnostics);
        clock.lap("templates and search index");
        let external_links = self.check(memo, &changes, &old, &bodies, &remade, &mut diagnostics);
        clock.lap("feeds and checks");
        diagnostics::sort(&mut diagnostics);
        if diagnostics.iter().any(Diagnostic::is_error) {
            memo.bodies = old.put_back(bodies);
            return Err(Failed {
                diagnostics,
                external_links: external_links.unwrap_or_default(),
                site: None,
            });
        }
        // Every check passed: the outputs change in place.
        let fresh = remade.made.into_iter().flat_map(|(_, outputs)| outputs);
        let delta = replace_outputs(&mut self.files, fresh.collect(), remade.removed);
        self.built.diagnostics = diagnostics;
        if let Some(links) = external_links {
            self.built.external_links = links;
        }
        memo.bodies = bodies;
        memo.index = remade.index;
        memo.media = remade.media;
        if let Some(arcs) = remade.arcs {
            memo.arcs = arcs;
        }
        Ok(delta)
    }

    /// What every producer makes again after the edit, from the patched site's `bodies`
    /// (given back); failures go to `diags`.
    fn remake(
        &self,
        patch: &Patch,
        memo: &Memo,
        changes: &Changes,
        old: &OldBodies,
        bodies: Bodies,
        diags: &mut Vec<Diagnostic>,
    ) -> (Remade, Bodies) {
        let site = &self.built.site;
        let mut work = Work {
            bodies,
            sources: None,
        };
        let renderer = Renderer::new(site, &memo.tera).with_arcs(&memo.arcs);
        let model = Model {
            root: &self.options.root,
            renderer: &renderer,
            highlighter: &self.highlighter,
            sinks: Sinks {
                output: &Ok,
                file: &pipeline::read_static,
            },
            background: self.background.as_ref(),
        };
        let changed = changes.changed(patch);
        let before = old.before(patch);
        let mut edit = Edit::new(site, &changed, before, memo.index.clone(), &self.files);
        edit.media = memo.media.clone();
        edit.published = self.published.as_deref();
        edit.bundle_files = memo.bundle_files.clone();
        // The special pages beside the others: a title edit waits for its language's timeline
        // (every region and event), which keeps one core busy on its own.
        let specials = edit.specials.clone();
        let (special, others) = rayon::join(
            || producers::specials_update(&model, &specials),
            || {
                let others = PRODUCERS.iter().filter(|&&p| p != Producer::Specials);
                let updates = others.map(|&p| p.update(&model, &mut work, &mut edit));
                updates.collect::<Vec<_>>()
            },
        );
        // Back in `PRODUCERS`' order.
        let (mut special, mut others) = (Some(special), others.into_iter());
        let mut made = Vec::with_capacity(PRODUCERS.len());
        let mut removed = Vec::new();
        let mut failed = Vec::new();
        for producer in PRODUCERS {
            let update = match producer {
                Producer::Specials => special.take(),
                _ => others.next(),
            };
            let update = update.expect("one update per producer");
            made.push((producer, pipeline::successes(update.made, &mut failed)));
            removed.extend(update.removed);
        }
        diags.extend(templates::merge_render_errors(failed));
        let remade = Remade {
            made,
            removed,
            index: edit.index,
            media: edit.media,
            arcs: renderer.into_arcs(),
        };
        (remade, work.bodies)
    }

    /// The whole-site checks an edit can change the result of (see `Relink`); diagnostics go
    /// to `diags`. Returns the links to other sites when they may have changed.
    fn check(
        &self,
        memo: &Memo,
        changes: &Changes,
        old: &OldBodies,
        bodies: &Bodies,
        remade: &Remade,
        diags: &mut Vec<Diagnostic>,
    ) -> Option<Vec<ExternalRef>> {
        let (root, site) = (&self.options.root, &self.built.site);
        diags.extend(producers::collisions(
            &self.options.root,
            site,
            &claims(&memo.statics, &remade.made),
        ));
        let relink = Relink {
            root,
            site,
            bodies,
            files: &self.files,
        };
        let added = added(&self.files, &remade.made);
        diags.extend(relink.check(changes, old, &added, &remade.removed));
        diags.extend(memo.missing_translations.iter().cloned());
        diags.extend(crate::tags::near_misses(root, &site.config, &site.pages));
        (old.externals_changed(bodies)).then(|| check::external_links(root, site, bodies))
    }
}

/// What the producers made again after an edit.
struct Remade {
    /// By producer.
    made: Vec<(Producer, Vec<Output>)>,
    /// Outputs no longer made.
    removed: Vec<String>,
    /// The search index's shard sizes after the edit.
    index: search::Live,
    /// What `Producer::Media` makes after the edit.
    media: BTreeSet<String>,
    /// The map's arcs, when the edit drew them.
    arcs: Option<KeptArcs>,
}

/// The Markdown of the patched site: that of unchanged sources reused from `memo` (link
/// targets depend only on the shape), the rest rendered again. The old bodies of changed
/// sources are returned for what is compared with them.
fn rebody(
    site: &Site,
    highlighter: &Highlighter,
    changes: &Changes,
    memo: &mut Bodies,
) -> (Bodies, OldBodies) {
    let mut pages: Vec<Option<Rendered>> = std::mem::take(&mut memo.pages)
        .into_iter()
        .map(Some)
        .collect();
    let mut sections = std::mem::take(&mut memo.sections);
    let old = OldBodies {
        pages: changes
            .pages
            .iter()
            .map(|&i| (i, pages[i].take().expect("one body per page")))
            .collect(),
        intros: changes
            .intros
            .iter()
            .map(|&j| (j, sections[j].take()))
            .collect(),
    };
    let bodies = render::render_bodies_reusing(site, highlighter, pages, sections);
    (bodies, old)
}

/// The bodies of the sources an edit changed, as they were.
struct OldBodies {
    /// (index in `Site::pages`, its body).
    pages: Vec<(usize, Rendered)>,
    /// (index in `Site::sections`, its intro's body).
    intros: Vec<(usize, Option<Rendered>)>,
}

impl OldBodies {
    /// The changed documents as they were, for the search index.
    fn before<'a>(&'a self, patch: &'a Patch) -> Vec<search::Before<'a>> {
        let pages = self.pages.iter().map(|(i, body)| search::Before {
            doc: DocRef::Page(*i),
            page: patch.page(*i).expect("a changed page was patched"),
            body,
        });
        let intros = self.intros.iter().filter_map(|(j, body)| {
            Some(search::Before {
                doc: DocRef::Intro(*j),
                page: patch.intro(*j)?,
                body: body.as_ref()?,
            })
        });
        pages.chain(intros).collect()
    }

    /// Whether the changed documents link to other sites, before or after the edit.
    fn externals_changed(&self, bodies: &Bodies) -> bool {
        let pages = self.pages.iter().map(|(i, b)| (b, Some(&bodies.pages[*i])));
        let intros = self
            .intros
            .iter()
            .filter_map(|(j, b)| Some((b.as_ref()?, bodies.sections[*j].as_ref())));
        pages
            .chain(intros)
            .any(|(a, b)| !a.external.is_empty() || b.is_some_and(|b| !b.external.is_empty()))
    }

    /// `bodies` with these put back: the Markdown of the last good build.
    fn put_back(self, mut bodies: Bodies) -> Bodies {
        for (i, body) in self.pages {
            bodies.pages[i] = body;
        }
        for (j, body) in self.intros {
            bodies.sections[j] = body;
        }
        bodies
    }
}

/// What the edit's outputs claim, with the static files (their names did not change, so the
/// other outputs, which the last build checked, do not collide with them).
fn claims<'m>(
    statics: &'m BTreeSet<String>,
    made: &'m [(Producer, Vec<Output>)],
) -> Vec<Claim<'m>> {
    let statics = statics.iter().map(|path| Claim {
        path,
        by: Producer::StaticFiles,
    });
    let generated = made
        .iter()
        .filter(|(by, _)| *by != Producer::StaticFiles)
        .flat_map(|(by, outputs)| {
            outputs.iter().map(|o| Claim {
                path: &o.path,
                by: *by,
            })
        });
    statics.chain(generated).collect()
}

/// The outputs `made` that `files` do not have yet, with who made them.
fn added<'m>(files: &[Output], made: &'m [(Producer, Vec<Output>)]) -> Vec<Claim<'m>> {
    made.iter()
        .flat_map(|(by, outputs)| {
            outputs.iter().map(|o| Claim {
                path: &o.path,
                by: *by,
            })
        })
        .filter(|c| output::find(files, c.path).is_none())
        .collect()
}

/// Links checked again after an edit that kept the shape: a successful build has none
/// broken, so only documents whose links or whose targets' headings may have changed are
/// checked again, and all of them when outputs came or went.
struct Relink<'a> {
    root: &'a Path,
    site: &'a Site,
    bodies: &'a Bodies,
    /// The outputs before the edit.
    files: &'a [Output],
}

impl Relink<'_> {
    fn check(
        &self,
        changes: &Changes,
        old: &OldBodies,
        added: &[Claim],
        removed: &[String],
    ) -> Vec<Diagnostic> {
        let (site, bodies) = (self.site, self.bodies);
        let added_set: HashSet<&str> = added.iter().map(|c| c.path).collect();
        let removed_set: HashSet<&str> = removed.iter().map(String::as_str).collect();
        let produces = |path: &str| {
            added_set.contains(path)
                || (output::find(self.files, path).is_some() && !removed_set.contains(path))
        };
        let document = |path: &str| {
            check::documents(site, bodies)
                .find(|(p, _)| p.path == path)
                .map(|(_, b)| b)
        };
        let targets = check::Targets {
            root: self.root,
            produces: &produces,
            document: &document,
        };
        let recheck = changes.recheck(site, bodies, &old.pages, &old.intros);
        let every = !added.is_empty() || !removed.is_empty();
        let mut out = Vec::new();
        for (k, (page, body)) in check::documents(site, bodies).enumerate() {
            if every || recheck.contains(&k) {
                out.extend(check::document_links(site, page, body, &targets));
            }
        }
        out
    }
}

/// `fresh` outputs put in place of those at their paths (or added), `removed` taken out;
/// `outputs` stays sorted. Says which paths got other bytes and which went.
fn replace_outputs(files: &mut Vec<Output>, fresh: Vec<Output>, removed: Vec<String>) -> Delta {
    let mut delta = Delta::default();
    for o in fresh {
        match files.binary_search_by(|x| x.path.cmp(&o.path)) {
            Ok(i) if files[i].bytes == o.bytes => {}
            Ok(i) => {
                delta.changed.push(o.path.clone());
                files[i] = o;
            }
            Err(i) => {
                delta.changed.push(o.path.clone());
                files.insert(i, o);
            }
        }
    }
    for path in removed {
        if let Ok(i) = files.binary_search_by(|x| x.path.cmp(&path)) {
            files.remove(i);
            delta.removed.push(path);
        }
    }
    delta.changed.sort();
    delta.changed.dedup();
    delta.removed.sort();
    delta
}

/// Whether an edit reads the published file `path` (relative to the output folder): the search
/// index's shards and lists, the feeds.
fn read_on_edit(path: &str) -> bool {
    search::read_on_edit(path) || feeds::read_on_edit(path)
}

/// The outputs published in `out` at `paths` (sorted), with their bytes where `read` says
/// (`read_on_edit` for an engine), read back; `None` when one cannot be read.
pub fn published(out: &Path, paths: Vec<String>, read: fn(&str) -> bool) -> Option<Vec<Output>> {
    use rayon::prelude::*;
    paths
        .into_par_iter()
        .map(|path| match read(&path) {
            true => std::fs::read(out.join(&path))
                .ok()
                .map(|bytes| Output::new(path, bytes)),
            false => Some(Output::new(path, Vec::new())),
        })
        .collect()
}

/// The outputs of `built`, moved out.
fn take_files(built: &mut Built) -> Vec<Output> {
    std::mem::take(&mut built.outputs)
}

/// What an edit that kept the shape changed, page by page.
struct Changes {
    /// Pages whose source changed (their Markdown is rendered again).
    pages: Vec<usize>,
    /// Pages whose source is the same but whose front matter changed through inheritance
    /// from a translation.
    front_only: Vec<usize>,
    /// Whether each page's front matter (after inheritance) changed: cards and lists read
    /// titles, summaries, dates and places, never the body.
    front: Vec<bool>,
    /// Sections whose index file's source changed.
    intros: Vec<usize>,
    /// Whether each section's index file changed (source or front matter).
    index: Vec<bool>,
}

impl Changes {
    fn new(patch: &Patch, site: &Site) -> Changes {
        let mut pages = Vec::new();
        let mut front_only = Vec::new();
        let mut front = vec![false; site.pages.len()];
        for (i, old) in &patch.pages {
            let new = &site.pages[*i];
            front[*i] = old.front != new.front;
            if old.source != new.source {
                pages.push(*i);
            } else if front[*i] {
                front_only.push(*i);
            }
        }
        let mut intros = Vec::new();
        let mut index = vec![false; site.sections.len()];
        for (j, old) in &patch.intros {
            let new = site.sections[*j]
                .index
                .as_ref()
                .expect("patched intros exist");
            if old.source != new.source {
                intros.push(*j);
            }
            index[*j] = old.source != new.source || old.front != new.front;
        }
        Changes {
            pages,
            front_only,
            front,
            intros,
            index,
        }
    }

    /// The edit as the producers ask about it.
    fn changed<'a>(&'a self, patch: &'a Patch) -> Changed<'a> {
        Changed {
            patch,
            sources: &self.pages,
            front_only: &self.front_only,
            front: &self.front,
            index: &self.index,
        }
    }

    /// Positions (in `check::documents` order) of the documents whose links must be checked
    /// again: those rendered again, and those linking to a heading of a page whose headings
    /// changed.
    fn recheck(
        &self,
        site: &Site,
        bodies: &Bodies,
        old_pages: &[(usize, Rendered)],
        old_intros: &[(usize, Option<Rendered>)],
    ) -> HashSet<usize> {
        let pages = site.pages.len();
        // Positions of intros among documents: after the pages, in section order.
        let intro_at: HashMap<usize, usize> = site
            .sections
            .iter()
            .zip(&bodies.sections)
            .enumerate()
            .filter(|(_, (s, b))| s.index.is_some() && b.is_some())
            .enumerate()
            .map(|(k, (j, _))| (j, pages + k))
            .collect();
        let mut out: HashSet<usize> = self.pages.iter().copied().collect();
        out.extend(self.intros.iter().filter_map(|j| intro_at.get(j)));
        let toc_changed: HashSet<&str> = old_pages
            .iter()
            .map(|(i, b)| {
                (
                    site.pages[*i].path.as_str(),
                    Some(b),
                    Some(&bodies.pages[*i]),
                )
            })
            .chain(old_intros.iter().map(|(j, b)| {
                (
                    site.sections[*j].path.as_str(),
                    b.as_ref(),
                    bodies.sections[*j].as_ref(),
                )
            }))
            .filter(|(_, a, b)| a.map(|r| &r.toc) != b.map(|r| &r.toc))
            .map(|(path, _, _)| path)
            .collect();
        if !toc_changed.is_empty() {
            for (k, (page, body)) in check::documents(site, bodies).enumerate() {
                let links_there = body.links.iter().any(|l| {
                    let target = if l.path.is_empty() {
                        &page.path
                    } else {
                        &l.path
                    };
                    l.anchor.is_some() && toc_changed.contains(target.as_str())
                });
                if links_there {
                    out.insert(k);
                }
            }
        }
        out
    }
}

/// What a full render leaves for `Memo`.
struct Rendering {
    bodies: Bodies,
    tera: Templates,
    arcs: KeptArcs,
}

/// Renders everything from `loaded`; returns also what `Memo` keeps of the rendering.
fn full(
    options: &Options,
    loaded: Loaded,
    highlighter: &Highlighter,
    background: Option<&crate::media::Background>,
) -> Result<(Built, Rendering), Failed> {
    let Loaded {
        site,
        tera,
        mut diagnostics,
    } = loaded;
    let mut work = Work {
        bodies: render::render_bodies(&site, highlighter),
        sources: None,
    };
    // Kept for as long as the server runs (`Output::new` trims them as each is made).
    let keep = |o: Output| Ok(o);
    let renderer = Renderer::new(&site, &tera).with_sink(&keep);
    let model = Model {
        root: &options.root,
        renderer: &renderer,
        highlighter,
        sinks: Sinks {
            output: &keep,
            file: &pipeline::read_static,
        },
        background,
    };
    let made = pipeline::produce(&model, &mut work, &mut diagnostics, &mut Stopwatch::start());
    let arcs = renderer.into_arcs().unwrap_or_default();
    let built = pipeline::finish(options, site, &work.bodies, made, diagnostics)?;
    let rendering = Rendering {
        bodies: work.bodies,
        tera,
        arcs,
    };
    Ok((built, rendering))
}

/// `new` (with the same shape as `site`) put in place of `site`, with what differs kept as
/// it was, as `content::patch` would have patched it.
fn swap_in(site: &mut Site, new: Site, diagnostics: Vec<Diagnostic>) -> Patch {
    let old = std::mem::replace(site, new);
    let mut patch = Patch {
        pages: Vec::new(),
        intros: Vec::new(),
        lists: Vec::new(),
        diagnostics,
    };
    for (i, page) in old.pages.into_iter().enumerate() {
        let now = &site.pages[i];
        if page.source != now.source || page.front != now.front {
            patch.pages.push((i, page));
        }
    }
    for (j, section) in old.sections.into_iter().enumerate() {
        let now = &site.sections[j];
        if section.pages != now.pages {
            patch.lists.push((j, section.pages));
        }
        if let (Some(page), Some(now)) = (section.index, &now.index) {
            if page.source != now.source || page.front != now.front {
                patch.intros.push((j, page));
            }
        }
    }
    patch
}

/// Whether an edit kept what `partial` needs: every page and section, where it is published
/// and what it is, and the folders' structure.
fn same_shape(a: &Site, b: &Site) -> bool {
    fn page(p: &Page) -> (&str, &str, &str, &str) {
        (&p.file, &p.lang, &p.path, &p.id)
    }
    fn section(s: &Section) -> (&str, &str, &str, Option<&str>, &[String]) {
        let index = s.index.as_ref().map(|i| i.file.as_str());
        (&s.lang, &s.dir, &s.path, index, &s.subsections)
    }
    a.pages.len() == b.pages.len()
        && a.sections.len() == b.sections.len()
        && a.pages.iter().map(page).eq(b.pages.iter().map(page))
        && a.sections
            .iter()
            .map(section)
            .eq(b.sections.iter().map(section))
}

/// The output paths of the static files, and the error listing them if any.
fn static_files(listings: &files::Listings) -> (BTreeSet<String>, Option<String>) {
    match listings.statics_and_templates().0.listed() {
        Ok(site) => {
            let all = templates::with_builtin_statics(site.iter().cloned());
            (all.into_iter().map(|(p, _)| p).collect(), None)
        }
        Err(e) => (BTreeSet::new(), Some(format!("{e:#}"))),
    }
}

/// The site's own templates, by name, for noticing that one changed.
fn template_sources(listings: &files::Listings) -> Vec<(String, Vec<u8>)> {
    let listed = listings
        .statics_and_templates()
        .1
        .listed()
        .unwrap_or_default();
    let mut out: Vec<(String, Vec<u8>)> = (listed.iter())
        .map(|(name, path)| {
            let bytes = std::fs::read(path).unwrap_or_default();
            (name.clone(), bytes)
        })
        .collect();
    out.sort();
    out
}

/// Outputs whose bytes differ or that exist only in `old`; both lists sorted by path.
pub fn diff(old: &[Output], new: &[Output]) -> Delta {
    let mut delta = Delta::default();
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) if a.path == b.path => {
                if a.bytes != b.bytes {
                    delta.changed.push(b.path.clone());
                }
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a.path < b.path => {
                delta.removed.push(a.path.clone());
                i += 1;
            }
            (Some(a), None) => {
                delta.removed.push(a.path.clone());
                i += 1;
            }
            (_, Some(b)) => {
                delta.changed.push(b.path.clone());
                j += 1;
            }
            (None, None) => unreachable!("loop condition"),
        }
    }
    delta
}

#[cfg(test)]
mod tests {
    use super::*;

    fn out(path: &str, text: &str) -> Output {
        Output::new(path, text)
    }

    #[test]
    fn diff_lists_changed_added_and_removed_outputs() {
        let old = [out("a", "1"), out("b", "2"), out("d", "4")];
        let new = [out("a", "1"), out("b", "3"), out("c", "new")];
        let d = diff(&old, &new);
        assert_eq!(d.changed, ["b", "c"]);
        assert_eq!(d.removed, ["d"]);
    }
}
