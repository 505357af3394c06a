//! The incremental engine equals a full build: random sequences of edits (bodies, titles,
//! dates, coordinates, the regions an event names, section intros, pages added, deleted,
//! renamed and translated, a template changed) applied to a small generated site, each
//! followed by `Incremental::apply` and compared byte for byte with a fresh full build, with
//! the files not edited taken from the engine's cache of parsed sources. The same edits, with
//! the build cache damaged now and then, applied through the binary's `build` give the site
//! and warnings a cold `build --no-cache` gives.

mod common;
#[path = "../benches/corpus/mod.rs"]
mod corpus;

use henan_stories::build;
use henan_stories::dates::PartialDate;
use henan_stories::incremental::Incremental;
use henan_stories::pipeline::Options;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const REGIONS: usize = 6;

#[derive(Debug, Clone)]
enum Edit {
    Body(usize),
    /// Replaces the body, so that words leave the search index.
    Rewrite(usize),
    Tags(usize),
    Title(usize),
    Summary(usize),
    EventDate(usize, u16),
    EventRegions(usize, usize),
    Coordinates(usize, i16, i16),
    SectionIntro(usize),
    AddRegion(bool),
    Translate(usize),
    DeleteEvent(usize),
    RenameEvent(usize),
    Template(u8),
    Touch(usize),
    /// Gives both translations of a region a heading `Anchor v<n>` (replacing the last one),
    /// so links to the other id break.
    Heading(usize, u8),
    /// Appends a link to a region's `Anchor v<n>` heading, broken while it has the other.
    LinkAnchor(usize, usize, u8),
    /// Appends a link to a page the site does not have.
    BrokenLink(usize),
    /// Writes a static file: new the first time, other bytes after.
    Static(u8),
    /// Appends thousands of new Chinese words to a page: the search index outgrows its shard
    /// scheme (more buckets), so every shard of the language is cut again.
    Grow(usize),
    /// The edit, then a second's wait before the engine sees it, so that it trusts the
    /// edited files' stamps (see `content::SourceCache`).
    Aged(Box<Edit>),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        3 => any::<usize>().prop_map(Edit::Body),
        2 => any::<usize>().prop_map(Edit::Rewrite),
        1 => any::<usize>().prop_map(Edit::Tags),
        2 => any::<usize>().prop_map(Edit::Title),
        1 => any::<usize>().prop_map(Edit::Summary),
        2 => (any::<usize>(), 1990u16..2030).prop_map(|(i, y)| Edit::EventDate(i, y)),
        1 => (any::<usize>(), 0..REGIONS).prop_map(|(i, r)| Edit::EventRegions(i, r)),
        2 => (any::<usize>(), -80i16..80, -170i16..170).prop_map(|(i, a, o)| Edit::Coordinates(i, a, o)),
        1 => any::<usize>().prop_map(Edit::SectionIntro),
        1 => any::<bool>().prop_map(Edit::AddRegion),
        1 => any::<usize>().prop_map(Edit::Translate),
        1 => any::<usize>().prop_map(Edit::DeleteEvent),
        1 => any::<usize>().prop_map(Edit::RenameEvent),
        1 => (0u8..3).prop_map(Edit::Template),
        1 => any::<usize>().prop_map(Edit::Touch),
        2 => (0..REGIONS, 0u8..2).prop_map(|(r, v)| Edit::Heading(r, v)),
        2 => (any::<usize>(), 0..REGIONS, 0u8..2).prop_map(|(i, r, v)| Edit::LinkAnchor(i, r, v)),
        1 => any::<usize>().prop_map(Edit::BrokenLink),
        1 => (0u8..2).prop_map(Edit::Static),
    ]
}

/// Content files matching `filter`, sorted, relative to the site root.
fn files(root: &Path, dir: &str, filter: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("content").join(dir))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            !name.starts_with("_index") && filter(&name)
        })
        .collect();
    out.sort();
    out
}

fn pick(list: &[PathBuf], i: usize) -> Option<PathBuf> {
    (!list.is_empty()).then(|| list[i % list.len()].clone())
}

/// Replaces the front matter line starting with `key:`, or adds it.
fn set_field(path: &Path, key: &str, value: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let end = lines.iter().skip(1).position(|l| l == "---").unwrap() + 1;
    let line = format!("{key}: {value}");
    match lines[..end]
        .iter()
        .position(|l| l.starts_with(&format!("{key}:")))
    {
        Some(i) => lines[i] = line,
        None => lines.insert(end, line),
    }
    std::fs::write(path, lines.join("\n") + "\n").unwrap();
}

/// Applies one edit to the site on disk; returns the paths it touched.
fn apply_edit(root: &Path, edit: &Edit, step: usize) -> Vec<PathBuf> {
    let all = |dir| files(root, dir, |_| true);
    let content = root.join("content");
    let touched = match edit {
        Edit::Body(i) => pick(&[all("regions"), all("events")].concat(), *i).map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{text}\nEdited in step {step}.\n")).unwrap();
            vec![p]
        }),
        Edit::Rewrite(i) => pick(&[all("regions"), all("events")].concat(), *i).map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let end = text[3..].find("\n---\n").unwrap() + 8;
            let body = format!("Rewritten in step {step}: only word{step} remains.\n");
            std::fs::write(&p, format!("{}\n{body}", &text[..end])).unwrap();
            vec![p]
        }),
        Edit::Tags(i) => pick(&all("regions"), *i).map(|p| {
            set_field(&p, "tags", &format!("[tag{step}, shared]"));
            vec![p]
        }),
        Edit::Title(i) => pick(&[all("regions"), all("events")].concat(), *i).map(|p| {
            set_field(&p, "title", &format!("\"Title {step}\""));
            vec![p]
        }),
        Edit::Summary(i) => pick(&all("regions"), *i).map(|p| {
            set_field(&p, "summary", &format!("\"Summary {step}\""));
            vec![p]
        }),
        Edit::EventDate(i, year) => pick(&all("events"), *i).map(|p| {
            set_field(
                &p,
                "date",
                &format!("\"{year}-0{}-1{}\"", step % 9 + 1, step % 10),
            );
            // Both translations carry the date: they must agree.
            let other = counterpart(&p);
            if other.exists() {
                set_field(
                    &other,
                    "date",
                    &format!("\"{year}-0{}-1{}\"", step % 9 + 1, step % 10),
                );
            }
            vec![p, other]
        }),
        Edit::EventRegions(i, r) => pick(&all("events"), *i).map(|p| {
            let value = format!("[{}]", corpus::region_key(*r));
            set_field(&p, "regions", &value);
            let other = counterpart(&p);
            if other.exists() {
                set_field(&other, "regions", &value);
            }
            vec![p, other]
        }),
        Edit::Coordinates(i, lat, lon) => pick(&all("regions"), *i).map(|p| {
            let value = format!("{{lat: {lat}.5, lon: {lon}.25}}");
            set_field(&p, "coordinates", &value);
            let other = counterpart(&p);
            if other.exists() {
                set_field(&other, "coordinates", &value);
            }
            vec![p, other]
        }),
        Edit::SectionIntro(i) => {
            let list = [
                "_index.en.md",
                "regions/_index.zh.md",
                "events/_index.en.md",
            ];
            let p = content.join(list[i % list.len()]);
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, format!("{text}\nIntro edited in step {step}.\n")).unwrap();
            Some(vec![p])
        }
        Edit::AddRegion(zh) => {
            let lang = if *zh { "zh" } else { "en" };
            let p = content.join(format!("regions/new-{step}.{lang}.md"));
            std::fs::write(&p, new_region(step, lang)).unwrap();
            Some(vec![p])
        }
        Edit::Translate(i) => {
            // An added region gets its missing language.
            let lonely: Vec<PathBuf> = files(root, "regions", |n| n.starts_with("new-"))
                .into_iter()
                .filter(|p| !counterpart(p).exists())
                .collect();
            pick(&lonely, *i).map(|p| {
                let other = counterpart(&p);
                let lang = if other.to_string_lossy().ends_with(".zh.md") {
                    "zh"
                } else {
                    "en"
                };
                let key = p.file_name().unwrap().to_string_lossy();
                let n: usize = key
                    .trim_start_matches("new-")
                    .split('.')
                    .next()
                    .unwrap()
                    .parse()
                    .unwrap();
                std::fs::write(&other, new_region(n, lang)).unwrap();
                vec![other]
            })
        }
        Edit::DeleteEvent(i) => pick(&all("events"), *i).map(|p| {
            std::fs::remove_file(&p).unwrap();
            vec![p]
        }),
        Edit::RenameEvent(i) => pick(&all("events"), *i).map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            let lang = if name.ends_with(".zh.md") { "zh" } else { "en" };
            let to = p.with_file_name(format!("renamed-{step}.{lang}.md"));
            std::fs::rename(&p, &to).unwrap();
            vec![p, to]
        }),
        Edit::Template(v) => {
            let builtin = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
            let name = ["region.html", "event.html", "section.html"][*v as usize];
            let text = std::fs::read_to_string(builtin.join(name)).unwrap();
            std::fs::create_dir_all(root.join("templates")).unwrap();
            let p = root.join("templates").join(name);
            std::fs::write(&p, format!("{text}\n<!-- variant {step} -->\n")).unwrap();
            Some(vec![p])
        }
        Edit::Touch(i) => pick(&all("regions"), *i).map(|p| {
            // Saved without a change: nothing may change.
            let text = std::fs::read(&p).unwrap();
            std::fs::write(&p, text).unwrap();
            vec![p]
        }),
        Edit::Heading(r, v) => {
            let key = corpus::region_key(*r);
            let touched: Vec<PathBuf> = ["zh", "en"]
                .iter()
                .map(|lang| content.join(format!("regions/{key}.{lang}.md")))
                .filter(|p| p.exists())
                .collect();
            for p in &touched {
                let text = std::fs::read_to_string(p).unwrap();
                let kept: Vec<&str> = text
                    .lines()
                    .filter(|l| !l.starts_with("## Anchor v"))
                    .collect();
                let text = format!("{}\n\n## Anchor v{v}\n\nText under it.\n", kept.join("\n"));
                std::fs::write(p, text).unwrap();
            }
            Some(touched)
        }
        Edit::LinkAnchor(i, r, v) => pick(&[all("regions"), all("events")].concat(), *i).map(|p| {
            let key = corpus::region_key(*r);
            let text = std::fs::read_to_string(&p).unwrap();
            let link = format!("See [there](@/regions/{key}.md#anchor-v{v}) in step {step}.");
            std::fs::write(&p, format!("{text}\n{link}\n")).unwrap();
            vec![p]
        }),
        Edit::BrokenLink(i) => pick(&[all("regions"), all("events")].concat(), *i).map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let link = format!("See [nowhere](/en/nowhere-{step}/).");
            std::fs::write(&p, format!("{text}\n{link}\n")).unwrap();
            vec![p]
        }),
        Edit::Static(v) => {
            let p = root.join(format!("static/extra-{v}.css"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, format!("/* step {step} */\n")).unwrap();
            Some(vec![p])
        }
        Edit::Grow(i) => pick(&all("regions"), *i).map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            // Characters of the CJK block in an order no text has: every bigram is new.
            let words: String = (0..4000u32)
                .map(|k| char::from_u32(0x4E00 + (k * 7919 + step as u32 * 31) % 20000).unwrap())
                .collect();
            std::fs::write(&p, format!("{text}\n{words}\n")).unwrap();
            vec![p]
        }),
        Edit::Aged(edit) => {
            let touched = apply_edit(root, edit, step);
            std::thread::sleep(std::time::Duration::from_millis(1100));
            Some(touched)
        }
    };
    touched.unwrap_or_default()
}

fn counterpart(p: &Path) -> PathBuf {
    let name = p.file_name().unwrap().to_string_lossy().into_owned();
    let other = if let Some(stem) = name.strip_suffix(".zh.md") {
        format!("{stem}.en.md")
    } else {
        format!("{}.zh.md", name.trim_end_matches(".en.md"))
    };
    p.with_file_name(other)
}

fn new_region(n: usize, lang: &str) -> String {
    format!(
        "---\ntitle: \"New region {n} ({lang})\"\ncountry_code: JP\nestablished: \"2001-0{}-11\"\ncoordinates: {{lat: 35.{n}, lon: 136.5}}\n---\n\nA new partner. See [another](@/regions/{}.md).\n\n## History\n\nText.\n",
        n % 9 + 1,
        corpus::region_key(n % REGIONS)
    )
}

type Snapshot = BTreeMap<String, Vec<u8>>;

fn snapshot(outputs: &[henan_stories::output::Output]) -> Snapshot {
    outputs
        .iter()
        .map(|o| (o.path.clone(), o.bytes.to_vec()))
        .collect()
}

fn engine_files(engine: &Incremental) -> Snapshot {
    engine
        .files()
        .iter()
        .map(|o| (o.path.clone(), o.bytes.to_vec()))
        .collect()
}

fn messages(d: &[henan_stories::diagnostics::Diagnostic]) -> Vec<String> {
    d.iter().map(|d| d.render(false)).collect()
}

/// A generated site in a temporary folder (kept while the first value lives), and the
/// options that build it.
fn generated_site() -> (tempfile::TempDir, PathBuf, Options) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    corpus::write_site(&root, REGIONS, 7).unwrap();
    // Lists of a few list pages each, so that an edit can change some of them and not others.
    let config = root.join("site.toml");
    let paged = std::fs::read_to_string(&config).unwrap() + "\n[extra]\npaginate_by = 2\n";
    std::fs::write(&config, paged).unwrap();
    let options = Options {
        build_date: PartialDate::ymd(2025, 11, 25),
        ..Options::new(&root)
    };
    (dir, root, options)
}

fn run_sequence(edits: &[Edit]) -> Result<(), TestCaseError> {
    let (_dir, root, options) = generated_site();
    // The engine trusts its cache of parsed sources only for files that changed more than a
    // second before it read them (see `content::SourceCache`): waiting makes every file not
    // edited by the sequence come from the cache, as under `serve`.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut engine = Incremental::new(&options).expect("the generated site builds");
    let mut served = engine_files(&engine);
    for (step, e) in edits.iter().enumerate() {
        let touched = apply_edit(&root, e, step);
        let full = build::build(&options);
        let result = engine.apply(&touched);
        match (full, result) {
            (Ok(full), Ok(delta)) => {
                let want = snapshot(&full.outputs);
                let got = engine_files(&engine);
                let differing: Vec<&String> = want
                    .keys()
                    .chain(got.keys())
                    .filter(|k| want.get(*k) != got.get(*k))
                    .collect();
                prop_assert!(
                    differing.is_empty(),
                    "step {step} {e:?}: outputs differ from a full build: {differing:?}"
                );
                prop_assert_eq!(messages(&full.diagnostics), messages(engine.diagnostics()));
                // The delta is exactly what a server must reload.
                for path in &delta.removed {
                    served.remove(path);
                }
                for path in &delta.changed {
                    served.insert(path.clone(), engine.get(path).unwrap().to_vec());
                }
                prop_assert!(served == got, "step {step} {e:?}: the delta misses changes");
            }
            (Err(full), Err(failed)) => {
                prop_assert_eq!(messages(&full.diagnostics), messages(&failed.diagnostics));
                // The last good build stays current.
                prop_assert!(engine_files(&engine) == served);
            }
            (Ok(_), Err(f)) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {e:?}: full build succeeded, incremental failed: {:?}",
                    messages(&f.diagnostics)
                )))
            }
            (Err(f), Ok(_)) => {
                return Err(TestCaseError::fail(format!(
                    "step {step} {e:?}: incremental succeeded, full build failed: {:?}",
                    messages(&f.diagnostics)
                )))
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn incremental_equals_full_build(edits in proptest::collection::vec(edit(), 1..8)) {
        run_sequence(&edits)?;
    }
}

/// Edits that keep the site's shape must not render everything again, and an edit to one
/// region's body changes that page and the search index only.
#[test]
fn a_body_edit_renders_only_what_reads_it() {
    let (_dir, root, options) = generated_site();
    let mut engine = Incremental::new(&options).unwrap();
    let page = root.join(format!("content/regions/{}.en.md", corpus::region_key(2)));
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\nOne more sentence.\n")).unwrap();
    let delta = engine.apply(std::slice::from_ref(&page)).unwrap();
    assert!(!delta.full);
    // The page, and the search index of its language (which holds its words); nothing else.
    let page_output = format!("en/regions/{}/index.html", corpus::region_key(2));
    assert!(delta.changed.contains(&page_output), "{delta:?}");
    assert!(
        delta
            .changed
            .iter()
            .all(|p| *p == page_output || p.starts_with("en/search/")),
        "{delta:?}"
    );
    // A saved editor swap file is no reason to rebuild.
    let swap = root.join("content/regions/.x.en.md.swp");
    assert!(engine.apply(&[swap]).unwrap().is_empty());
    // A new page changes the shape: everything is rendered again.
    let added = root.join("content/regions/added.en.md");
    std::fs::write(&added, new_region(1, "en")).unwrap();
    let delta = engine.apply(&[added]).unwrap();
    assert!(delta.full);
    assert!(delta
        .changed
        .contains(&"en/regions/added/index.html".to_owned()));
}

#[test]
fn a_tag_edit_makes_its_tag_page_and_drops_the_one_no_page_has_any_more() {
    let (_dir, root, options) = generated_site();
    let mut engine = Incremental::new(&options).unwrap();
    let page = root.join(format!("content/regions/{}.en.md", corpus::region_key(2)));
    let fresh = "en/tags/fresh-tag/index.html".to_owned();
    set_field(&page, "tags", "[Fresh tag]");
    let delta = engine.apply(std::slice::from_ref(&page)).unwrap();
    assert!(!delta.full);
    assert!(delta.changed.contains(&fresh), "{delta:?}");
    assert!(
        delta.changed.contains(&"sitemap.xml".to_owned()),
        "{delta:?}"
    );
    set_field(&page, "tags", "[Another tag]");
    let delta = engine.apply(std::slice::from_ref(&page)).unwrap();
    assert!(delta.removed.contains(&fresh), "{delta:?}");
    assert!(engine.get(&fresh).is_none());
    assert!(engine.get("en/tags/another-tag/index.html").is_some());
}

/// The checks an edit that keeps the shape must not skip, in an order random sequences rarely
/// hit: a heading another page links to renamed (and back), a broken link added, another page
/// edited while it stays broken, then rewritten away (a failed edit is undone in memory and
/// its file read again), a static file added then changed, an event's date (its feed) and
/// body changed, and a page grown until the search index is cut into more shards, then cut
/// back.
#[test]
fn same_shape_edits_keep_checks_and_feeds_whole() {
    let edits = [
        Edit::Heading(1, 0),
        Edit::LinkAnchor(0, 1, 0),
        Edit::Heading(1, 1),
        Edit::Heading(1, 0),
        Edit::Aged(Box::new(Edit::BrokenLink(4))),
        // A page of another region edited while the broken one stays broken, then the fix.
        Edit::Body(6),
        Edit::Rewrite(4),
        Edit::Body(6),
        Edit::Static(0),
        Edit::Static(0),
        Edit::EventDate(0, 2001),
        Edit::Grow(1),
        Edit::Rewrite(1),
        Edit::Body(REGIONS * 2 + 1),
    ];
    run_sequence(&edits).unwrap();
}

/// `engine.apply` after `changed` fails with the diagnostics a full build gives, which it
/// returns.
#[track_caller]
fn fails_as_a_full_build(
    engine: &mut Incremental,
    options: &Options,
    changed: &Path,
) -> Vec<henan_stories::diagnostics::Diagnostic> {
    let failed = engine.apply(&[changed.to_owned()]).unwrap_err();
    let full = build::build(options).err().expect("a full build fails too");
    assert_eq!(messages(&failed.diagnostics), messages(&full.diagnostics));
    failed.diagnostics
}

/// A name a build cannot read appearing in a folder whose listing the engine keeps (the
/// content's, `static/`) fails the edit as a full build does; once it is gone, the edit
/// after succeeds.
#[test]
fn a_file_name_that_is_not_utf8_appearing_fails_as_a_full_build_does() {
    use std::os::unix::ffi::OsStrExt;
    let (_dir, root, options) = generated_site();
    std::fs::create_dir_all(root.join("static")).unwrap();
    // Listings are kept only for folders that changed more than a second before.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut engine = Incremental::new(&options).unwrap();
    // The folders are stamped on the first edit: from the second on, their listings are kept.
    engine.apply(&[]).unwrap();
    for dir in ["content/regions", "static"] {
        let bad = root
            .join(dir)
            .join(std::ffi::OsStr::from_bytes(b"bad-\xff.en.md"));
        std::fs::write(&bad, "---\ntitle: Bad\n---\n").unwrap();
        let failed = fails_as_a_full_build(&mut engine, &options, &bad);
        assert!(
            failed
                .iter()
                .any(|d| d.file == dir && d.kind == henan_stories::diagnostics::Kind::FileName),
            "{failed:?}"
        );
        std::fs::remove_file(&bad).unwrap();
        engine.apply(&[bad]).unwrap();
    }
}

/// A static file added under `serve` where the site needs a folder fails like a full build
/// does, and the engine keeps serving the last good build.
#[test]
fn a_static_file_in_the_place_of_a_page_folder_is_never_served() {
    let (_dir, root, options) = generated_site();
    let mut engine = Incremental::new(&options).unwrap();
    let home = engine.get("en/index.html").unwrap().to_vec();
    let file = root.join("static/en");
    std::fs::create_dir_all(file.parent().unwrap()).unwrap();
    std::fs::write(&file, "not a site").unwrap();
    let failed = fails_as_a_full_build(&mut engine, &options, &file);
    assert!(
        failed.iter().any(|d| d.file == "static/en"
            && d.kind == henan_stories::diagnostics::Kind::UrlCollision
            && d.message.starts_with("publishes the file `en`, but ")),
        "{failed:?}"
    );
    assert_eq!(engine.get("en/index.html"), Some(&home[..]));
    assert!(engine.get("en").is_none());
}

/// An edit that keeps the shape but makes a new output where a static file is (the code
/// stylesheet, once a page has code) fails as a full build does.
#[test]
fn a_new_output_on_a_static_file_fails_as_a_full_build_does() {
    let (_dir, root, options) = generated_site();
    for dir in ["regions", "events"] {
        for path in files(&root, dir, |_| true) {
            let text = std::fs::read_to_string(&path).unwrap();
            let without_code = text.split("```").next().unwrap();
            std::fs::write(&path, without_code).unwrap();
        }
    }
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/syntax.css"), "/* mine */").unwrap();
    let mut engine = Incremental::new(&options).unwrap();
    let page = root.join(format!("content/regions/{}.en.md", corpus::region_key(2)));
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, format!("{text}\n```rust\nfn main() {{}}\n```\n")).unwrap();
    let failed = fails_as_a_full_build(&mut engine, &options, &page);
    let message = "publishes `syntax.css`, which the code stylesheet (`syntax.css`) also publishes";
    assert!(
        failed
            .iter()
            .any(|d| d.file == "static/syntax.css" && d.message == message),
        "{failed:?}"
    );
    assert_eq!(engine.get("syntax.css"), Some(&b"/* mine */"[..]));
}

/// A fallback page follows its original through edits under `serve` (drafts shown), and comes
/// and goes as the original stops and starts being a draft, as a full build has it.
#[test]
fn fallbacks_follow_their_original_and_come_and_go_with_drafts() {
    let (_dir, root, options) = generated_site();
    let options = Options {
        drafts: true,
        ..options
    };
    let original = root.join("content/regions/only-zh.zh.md");
    std::fs::write(&original, new_region(1, "zh")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let mut engine = Incremental::new(&options).unwrap();
    let fallback = "en/regions/only-zh/index.html";
    assert!(engine.get(fallback).is_some());
    let same_as_full = |engine: &Incremental, step: &str| {
        let full = snapshot(&build::build(&options).unwrap().outputs);
        let got = engine_files(engine);
        let differing: Vec<&String> = (full.keys().chain(got.keys()))
            .filter(|k| full.get(*k) != got.get(*k))
            .collect();
        assert!(
            differing.is_empty(),
            "{step}: differ from a full build: {differing:?}"
        );
    };
    let text = std::fs::read_to_string(&original).unwrap();
    std::fs::write(&original, format!("{text}\nOriginal edited.\n")).unwrap();
    let delta = engine.apply(std::slice::from_ref(&original)).unwrap();
    assert!(delta.changed.contains(&fallback.to_owned()), "{delta:?}");
    assert!(String::from_utf8_lossy(engine.get(fallback).unwrap()).contains("Original edited."));
    same_as_full(&engine, "body edited");
    set_field(&original, "draft", "true");
    engine.apply(std::slice::from_ref(&original)).unwrap();
    assert!(engine.get(fallback).is_none(), "a draft does not fall back");
    same_as_full(&engine, "made a draft");
    set_field(&original, "draft", "false");
    engine.apply(std::slice::from_ref(&original)).unwrap();
    assert!(engine.get(fallback).is_some());
    same_as_full(&engine, "published again");
}

/// An event left in one language (a fallback in the other), then a broken anchor link added
/// elsewhere: the engine checks the links of the same documents a full build does.
#[test]
fn a_fallback_page_does_not_hide_a_broken_link_from_the_engine() {
    run_sequence(&[
        Edit::DeleteEvent(2819903496631466035),
        Edit::LinkAnchor(270226187244707, 2, 1),
    ])
    .unwrap();
}

/// One step of a sequence of builds through the binary with the build cache.
#[derive(Debug, Clone)]
enum Step {
    Edit(Edit),
    /// No change: the build must come from the cache.
    Nothing,
    /// The cache file garbled (0), cut short (1), emptied (2) or deleted with its folder (3);
    /// the file of the engine it keeps garbled (4), cut short (5) or emptied (6).
    DamageCache(u8),
    /// A byte appended to one published file (the manifest left alone).
    DamageOutput(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => edit().prop_map(Step::Edit),
        3 => Just(Step::Nothing),
        1 => (0u8..7).prop_map(Step::DamageCache),
        1 => any::<usize>().prop_map(Step::DamageOutput),
    ]
}

fn damage(root: &Path, step: &Step) {
    let state = root.join(".cache/build/state");
    match step {
        Step::DamageCache(3) => {
            let _ = std::fs::remove_dir_all(root.join(".cache/build"));
        }
        Step::DamageCache(how) => {
            let file = match how {
                0..=2 => state,
                _ => root.join(".cache/build/engine"),
            };
            let bytes = std::fs::read(&file).unwrap_or_default();
            let damaged = match how % 4 {
                0 => bytes.iter().map(|b| b.wrapping_mul(31)).collect(),
                1 => bytes[..bytes.len() / 3].to_vec(),
                _ => Vec::new(),
            };
            let _ = std::fs::write(&file, damaged);
        }
        Step::DamageOutput(i) => {
            // Not the manifest: a damaged one makes a build refuse the folder, as it should
            // (it no longer tells which files there are the build's).
            let mut files = common::snapshot(&root.join("public"));
            files.retain(|(path, _)| path != henan_stories::layout::MANIFEST);
            let (path, bytes) = &files[i % files.len()];
            std::fs::write(root.join("public").join(path), [&bytes[..], b"!"].concat()).unwrap();
        }
        Step::Edit(_) | Step::Nothing => {}
    }
}

/// Runs `henan-stories build` on `root` with `args` (stamps are trusted at once: a build
/// always lies between two edits of a sequence, so no edit shares a clock tick with another).
fn run_build(root: &Path, args: &[&str]) -> common::Run {
    common::bin()
        .env("HENAN_STORIES_TEST_STAMP_MARGIN_MS", "0")
        .arg("build")
        .args(args)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap()
        .into()
}

/// Whether `edit` only changes pages' Markdown, keeping the site's shape, so that the engine
/// the last build kept makes it.
fn same_shape(edit: &Edit) -> bool {
    matches!(
        edit,
        Edit::Body(_) | Edit::Rewrite(_) | Edit::Title(_) | Edit::Summary(_)
    )
}

/// Random steps, each followed by a `build` with the cache and a cold `build --no-cache` of the
/// same sources into another folder: the published sites and the warnings are the same, a
/// build after no change comes from the cache, and one after a same-shape edit from the
/// engine the last build kept.
fn run_cached_sequence(steps: &[Step]) -> Result<(), TestCaseError> {
    let (dir, root, _) = generated_site();
    let cold = dir.path().join("cold");
    let cold_arg = cold.to_str().unwrap();
    let mut last_ok = false;
    // Whether the engine file is whole: a build after no change leaves it as it is.
    let mut engine_kept = false;
    for (n, step) in std::iter::once(&Step::Nothing).chain(steps).enumerate() {
        if matches!(step, Step::DamageCache(4..)) {
            engine_kept = false;
        }
        match step {
            Step::Edit(e) => drop(apply_edit(&root, e, n)),
            other => damage(&root, other),
        }
        let before = common::snapshot(&root.join("public"));
        let cached = run_build(&root, &["--verbose"]);
        let full = run_build(&root, &["--no-cache", "--output", cold_arg]);
        prop_assert_eq!(
            cached.ok(),
            full.ok(),
            "step {} {:?}: {}",
            n,
            step,
            cached.stderr
        );
        prop_assert_eq!(
            cached.stderr_without_notes(),
            full.stderr,
            "step {} {:?}",
            n,
            step
        );
        if let Step::Edit(e) = step {
            let engine = cached.stdout.contains("restore engine");
            if same_shape(e) && last_ok && engine_kept && cached.ok() {
                prop_assert!(engine, "step {} {:?}: {}", n, step, cached.stderr);
            }
        }
        let hit = cached
            .stdout
            .contains("Nothing changed since the last build");
        if n > 0 && matches!(step, Step::Nothing) && last_ok {
            prop_assert!(
                hit,
                "step {} {:?}: not from the cache: {}",
                n,
                step,
                cached.stdout
            );
        }
        // A failed build touches nothing published, not even an output damaged before it: the
        // next successful one puts that right.
        let expected = if cached.ok() {
            common::snapshot(&cold)
        } else {
            before
        };
        prop_assert!(
            common::snapshot(&root.join("public")) == expected,
            "step {} {:?}: the published site is not what it should be",
            n,
            step
        );
        last_ok = cached.ok();
        engine_kept |= last_ok && !hit;
    }
    Ok(())
}

/// The case the property test found: a broken anchor fails the build, an output is damaged,
/// and the next build fails too, touching nothing (the damage stays); once the heading exists,
/// the build with the cache repairs the output and equals a cold build.
#[test]
fn a_failed_build_leaves_a_damaged_output_for_the_next_good_one_to_repair() {
    run_cached_sequence(&[
        Step::Edit(Edit::LinkAnchor(0, 1, 0)),
        Step::DamageOutput(5),
        Step::Edit(Edit::Heading(1, 0)),
    ])
    .unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn builds_with_the_cache_equal_cold_builds(steps in proptest::collection::vec(step(), 1..7)) {
        run_cached_sequence(&steps)?;
    }
}

/// Writes `files` under `out`, as a build publishes them.
fn publish(files: &[henan_stories::output::Output], out: &Path) {
    for o in files {
        let path = out.join(&o.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &o.bytes).unwrap();
    }
}

/// The engine the build cache keeps has let the pages' search text go: an edit reads back what
/// it needs from the published index's document files and makes the index a full build makes.
/// A document file it cannot read back fails the edit (the build then builds everything),
/// rather than giving an index without that text.
#[test]
fn a_kept_engine_reads_the_search_text_back_from_the_published_index() {
    let (_dir, root, options) = generated_site();
    let out = root.join("public");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let engine = Incremental::new(&options).unwrap();
    publish(engine.files(), &out);
    let paths: Vec<String> = engine.files().iter().map(|o| o.path.clone()).collect();
    let restore = |kept| Incremental::restore(&options, kept, &out, paths.clone()).unwrap();
    let mut kept = engine.keep().unwrap();
    let page = root.join(format!("content/regions/{}.en.md", corpus::region_key(2)));
    let text = std::fs::read_to_string(&page).unwrap();
    let front = &text[..text.rfind("---").unwrap() + 4];
    // A body rewritten (its words leave the index), then a title (its translations' other
    // names change), each made by a restored engine.
    let edits = [
        format!("{front}Entirely new words: zygote quokka.\n"),
        front.replacen("title: \"", "title: \"Renamed ", 1)
            + "Entirely new words: zygote quokka.\n",
    ];
    for edit in &edits {
        std::fs::write(&page, edit).unwrap();
        let (engine, delta) = restore(kept)
            .apply_same_shape(std::slice::from_ref(&page))
            .unwrap()
            .unwrap();
        assert!(
            delta
                .changed
                .iter()
                .any(|p| p.contains("/search/index/doc/")),
            "{delta:?}"
        );
        let made: Vec<_> = (delta.changed.iter())
            .map(|p| engine.output(p).unwrap().clone())
            .collect();
        publish(&made, &out);
        let cold = Incremental::new(&options).unwrap();
        for o in cold.files() {
            let published = std::fs::read(out.join(&o.path)).unwrap();
            assert!(
                published == o.bytes.to_vec(),
                "{} differs from a cold build",
                o.path
            );
        }
        kept = engine.keep().unwrap();
    }
    // The document files damaged behind the engine's back.
    let docs = out.join("en/search/index/doc");
    for file in std::fs::read_dir(&docs).unwrap() {
        std::fs::write(file.unwrap().path(), "[not json").unwrap();
    }
    std::fs::write(&page, format!("{front}Another body.\n")).unwrap();
    let failed = match restore(kept).apply_same_shape(&[page]) {
        Err(failed) => failed,
        Ok(_) => panic!("an edit with its texts unreadable was made"),
    };
    assert!(
        (failed.diagnostics.iter()).any(|d| d.message == henan_stories::producers::UNREAD),
        "{:?}",
        messages(&failed.diagnostics)
    );
}
