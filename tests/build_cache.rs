//! The build cache (`.cache/build/`) through the real binary: a build after no change says so
//! without rendering, and whatever happens to the sources, the options, the published files or
//! the cache itself, a build gives the same site as a cold one (`--no-cache`).

mod common;

use common::{bin, snapshot, Run, Site};
use std::path::Path;
use std::time::Duration;

const STATE: &str = ".cache/build/state";
const UP_TO_DATE: &str = "Nothing changed since the last build";

/// Waits until the files just written are old enough for their stamps to be trusted.
fn settle() {
    std::thread::sleep(Duration::from_millis(1100));
}

/// The small site with a warning (a page without its translation), settled.
fn site() -> Site {
    let site = Site::small();
    site.write(
        "content/regions/mie.en.md",
        "---\ntitle: Mie\ncountry: Japan\ncountry_code: JP\n---\nMie.\n",
    );
    settle();
    site
}

/// Builds `site` cold into `out`.
fn cold_build(site: &Site, out: &Path) -> Run {
    bin()
        .args(["build", "--no-cache", "--output"])
        .arg(out)
        .arg("--root")
        .arg(site.root())
        .output()
        .unwrap()
        .into()
}

/// Builds `site` cold into a folder beside it and returns that folder's files.
fn cold(site: &Site) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cold");
    cold_build(site, &out).assert_ok();
    snapshot(&out)
}

#[track_caller]
fn assert_same_as_cold(site: &Site) {
    let published = snapshot(&site.path("public"));
    assert!(
        published == cold(site),
        "the published site differs from a cold build"
    );
}

fn set_modified(path: &Path, time: std::time::SystemTime) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(time).unwrap();
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

#[test]
fn a_build_after_no_change_renders_nothing_and_says_what_the_last_one_said() {
    let site = site();
    let first = site.build();
    first.assert_ok().stderr_has(&["mie"]);
    assert!(!first.stdout.contains(UP_TO_DATE), "{}", first.stdout);
    assert!(site.path(STATE).is_file());
    let published = snapshot(&site.path("public"));
    let again = site.run(&["build", "-v"]);
    again
        .assert_ok()
        .stdout_has(&[UP_TO_DATE, " 0 written, ", "cache check"]);
    // The same warnings and counts, from the cache.
    assert_eq!(again.stderr, first.stderr);
    let counts = |run: &Run| {
        run.stdout
            .lines()
            .next()
            .unwrap()
            .split(" in ")
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(counts(&again), counts(&first));
    let search = |run: &Run| run.stdout.lines().nth(1).unwrap().to_owned();
    assert_eq!(search(&again), search(&first));
    assert!(snapshot(&site.path("public")) == published);
}

#[test]
fn an_edit_an_added_file_or_a_changed_output_builds_again() {
    let site = site();
    site.build().assert_ok();
    // Same length, written at once: only the change time and contents differ.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\n---\nLubliN.\n",
    );
    site.build().assert_ok();
    assert!(site
        .public("en/regions/lublin/index.html")
        .contains("LubliN."));
    settle();
    site.build().assert_ok();
    site.write("static/extra.css", "p {}\n");
    let run = site.run(&["build", "-v"]);
    run.assert_ok()
        .stderr_has(&["note: building everything: a source"]);
    assert!(site.exists("extra.css"));
    settle();
    site.build().assert_ok();
    std::fs::write(site.path("public/en/about/index.html"), "defaced").unwrap();
    site.run(&["build", "-v"])
        .assert_ok()
        .stderr_has(&["en/about/index.html in the output folder changed"]);
    assert_same_as_cold(&site);
}

#[test]
fn an_edit_right_after_a_build_is_not_missed_even_with_the_same_size_and_time() {
    let site = site();
    let about = "content/about.en.md";
    // Edited, built at once (the stamp is too new to trust), edited again with the same size
    // and modification time, built: the second edit is published. Then the same once the
    // stamps are trusted: built after a settled edit, then edited again.
    site.write(about, "---\ntitle: About\n---\nFirst edit here.\n");
    let modified = std::fs::metadata(site.path(about))
        .unwrap()
        .modified()
        .unwrap();
    site.build().assert_ok();
    for (text, settled) in [("Second edit now.", false), ("Third edit now.", true)] {
        if settled {
            settle();
            site.build().assert_ok();
        }
        site.write(about, &format!("---\ntitle: About\n---\n{text}\n"));
        set_modified(&site.path(about), modified);
        site.build().assert_ok();
        assert!(site.public("en/about/index.html").contains(text));
    }
    assert_same_as_cold(&site);
}

#[test]
fn a_damaged_or_missing_cache_gives_a_cold_build() {
    let site = site();
    site.build().assert_ok();
    let good = read(&site.path(STATE));
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let mut other_version = good.clone();
    other_version[0] ^= 0x01;
    let damaged: [(&str, Vec<u8>); 5] = [
        ("garbage", b"not a cache at all".repeat(100)),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("a flipped byte", flipped),
        ("another version", other_version),
    ];
    // A page edited without a build in between: a cache taken at its word would leave the
    // published site stale.
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\nEdited behind the cache.\n",
    );
    settle();
    for (what, bytes) in damaged {
        std::fs::write(site.path(STATE), &bytes).unwrap();
        let run = site.run(&["build", "-v"]);
        run.assert_ok().stderr_has(&["note: building everything"]);
        assert!(!run.stdout.contains(UP_TO_DATE), "{what}: {}", run.stdout);
        assert_same_as_cold(&site);
        // The cache is written again, whole.
        site.run(&["build"]).assert_ok().stdout_has(&[UP_TO_DATE]);
    }
    std::fs::remove_dir_all(site.path(".cache/build")).unwrap();
    let run = site.build();
    assert!(!run.assert_ok().stdout.contains(UP_TO_DATE));
    assert!(site.path(STATE).is_file());
    assert!(site
        .public("en/about/index.html")
        .contains("Edited behind the cache."));
}

#[test]
fn no_cache_neither_reads_nor_writes_the_cache() {
    let site = site();
    site.build().assert_ok();
    let state = read(&site.path(STATE));
    std::fs::write(site.path("public/en/about/index.html"), "defaced").unwrap();
    // `--no-cache` builds everything (here putting the page back), leaving the cache alone.
    let run = site.run(&["build", "--no-cache"]);
    assert!(!run.assert_ok().stdout.contains(UP_TO_DATE));
    assert!(site
        .public("en/about/index.html")
        .contains("About this site."));
    assert_eq!(read(&site.path(STATE)), state);
    std::fs::remove_dir_all(site.path(".cache/build")).unwrap();
    site.run(&["build", "--no-cache"]).assert_ok();
    assert!(!site.path(".cache/build").exists());
}

#[test]
fn other_options_or_another_date_build_again() {
    let site = site();
    site.build().assert_ok();
    site.run(&["build", "--base-url", "https://preview.example.org/"])
        .assert_ok();
    assert!(site
        .public("sitemap.xml")
        .contains("https://preview.example.org/"));
    let run: Run = bin()
        .env("SOURCE_DATE_EPOCH", "1800000000")
        .args([
            "build",
            "-v",
            "--base-url",
            "https://preview.example.org/",
            "--root",
        ])
        .arg(site.root())
        .output()
        .unwrap()
        .into();
    run.assert_ok()
        .stderr_has(&["the options, the date or the binary changed"]);
    site.build().assert_ok();
    assert!(site.public("sitemap.xml").contains("https://example.org/"));
    assert_same_as_cold(&site);
}

#[test]
fn a_failed_build_leaves_the_published_site_and_the_cache_as_they_were() {
    let site = site();
    site.build().assert_ok();
    let (published, state) = (snapshot(&site.path("public")), read(&site.path(STATE)));
    let good = std::fs::read_to_string(site.path("content/about.en.md")).unwrap();
    site.write(
        "content/about.en.md",
        "---\ntitle: [unclosed\n---\nBroken.\n",
    );
    settle();
    site.build().assert_failed();
    site.build().assert_failed();
    assert!(snapshot(&site.path("public")) == published);
    assert_eq!(read(&site.path(STATE)), state);
    // Put back as it was: built again (the file's stamp changed), the same site.
    site.write("content/about.en.md", &good);
    let run = site.build();
    assert!(!run.assert_ok().stdout.contains(UP_TO_DATE));
    assert!(snapshot(&site.path("public")) == published);
}

#[test]
fn what_an_interrupted_publish_left_is_put_in_order_even_when_nothing_changed() {
    let site = site();
    site.build().assert_ok();
    // A publish killed while staging leaves its staging folder beside the output folder.
    let staging = site.path(".public.staging");
    std::fs::create_dir(&staging).unwrap();
    std::fs::write(staging.join("half.html"), "half").unwrap();
    let run = site.run(&["build", "-v"]);
    run.assert_ok().stderr_has(&["was interrupted"]);
    assert!(!staging.exists());
    site.build().assert_ok().stdout_has(&[UP_TO_DATE]);
}

#[test]
fn a_mark_left_by_an_interrupted_in_place_publish_gives_a_full_build_that_removes_it() {
    let site = site();
    site.build().assert_ok();
    // Stopped after writing a page's temporary file, before renaming it.
    let marker = site.path(".cache/build/publishing");
    std::fs::write(&marker, "publishing in place\n").unwrap();
    let temporary = site.path("public/en/about/.index.html.henan-stories-new");
    std::fs::write(&temporary, "half").unwrap();
    let run = site.run(&["build", "-v"]);
    run.assert_ok()
        .stderr_has(&["publishing in place was interrupted"]);
    assert!(!run.stdout.contains(UP_TO_DATE), "{}", run.stdout);
    assert!(!marker.exists() && !temporary.exists());
    assert_same_as_cold(&site);
    site.build().assert_ok().stdout_has(&[UP_TO_DATE]);
}

#[test]
fn another_or_a_rebuilt_binary_builds_again() {
    let site = site();
    site.build().assert_ok();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("henan-stories");
    std::fs::copy(env!("CARGO_BIN_EXE_henan-stories"), &copy).unwrap();
    let build_with = |binary: &Path| -> Run {
        let mut command = std::process::Command::new(binary);
        command
            .env("NO_COLOR", "1")
            .env("SOURCE_DATE_EPOCH", "1764028800");
        command.args(["build", "-v", "--root"]).arg(site.root());
        command.output().unwrap().into()
    };
    let changed = "the options, the date or the binary changed";
    build_with(&copy).assert_ok().stderr_has(&[changed]);
    build_with(&copy).assert_ok().stdout_has(&[UP_TO_DATE]);
    // The same binary file, rebuilt: another modification time.
    set_modified(
        &copy,
        std::time::SystemTime::now() - Duration::from_secs(60),
    );
    build_with(&copy).assert_ok().stderr_has(&[changed]);
}

#[test]
fn a_link_whose_target_appears_or_changes_builds_again() {
    let site = site();
    std::fs::create_dir_all(site.path("static")).unwrap();
    // To a folder of the site that is no source: only the link says the file is there.
    std::os::unix::fs::symlink("../assets/later.css", site.path("static/linked.css")).unwrap();
    settle();
    site.build()
        .assert_ok()
        .stderr_has(&["broken symbolic link"]);
    site.build()
        .assert_ok()
        .stdout_has(&[UP_TO_DATE])
        .stderr_has(&["broken symbolic link"]);
    // Its target appears: the sources list the same names, but the link now leads to a file.
    site.write("assets/later.css", "p {}\n");
    settle();
    let run = site.build();
    assert!(!run.assert_ok().stdout.contains(UP_TO_DATE));
    assert_eq!(site.public("linked.css"), "p {}\n");
    // The target edited: the link's stamp is its target's.
    site.write("assets/later.css", "a {}\n");
    settle();
    site.build().assert_ok();
    assert_eq!(site.public("linked.css"), "a {}\n");
    assert_same_as_cold(&site);
}

/// What `build -v` says of a build the kept engine made.
const BY_ENGINE: &str = "restore engine";

#[test]
fn a_page_edit_is_made_by_the_engine_the_last_build_kept_and_equals_a_cold_build() {
    let site = site();
    site.build().assert_ok();
    assert!(site.path(".cache/build/engine").is_file());
    // A body edit: the page and the search index change, nothing else is rendered.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\n---\nLublin, edited.\n",
    );
    let run = site.run(&["build", "-v"]);
    run.assert_ok().stdout_has(&[BY_ENGINE, "publish in place"]);
    assert!(
        !run.stderr.contains("building everything"),
        "{}",
        run.stderr
    );
    assert!(site
        .public("en/regions/lublin/index.html")
        .contains("Lublin, edited."));
    assert_same_as_cold(&site);
    // A title: the lists, cards and timeline that show it are made again; the warning about
    // Mie's missing translation is said again.
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica Region\ncountry: Greece\n---\n## Cooperation\n\nTrade and culture.\n",
    );
    let run = site.run(&["build", "-v"]);
    run.assert_ok()
        .stdout_has(&[BY_ENGINE])
        .stderr_has(&["mie"]);
    assert!(site
        .public("en/regions/index.html")
        .contains("Attica Region"));
    assert_same_as_cold(&site);
    // Engine after engine; the edit was too recent to trust its stamp, so the next build
    // makes it again (changing nothing), and the one after comes from the cache.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\n---\nLublin, edited twice.\n",
    );
    site.run(&["build", "-v"])
        .assert_ok()
        .stdout_has(&[BY_ENGINE]);
    settle();
    (site.run(&["build", "-v"]).assert_ok()).stdout_has(&[BY_ENGINE, " 0 written, "]);
    site.build().assert_ok().stdout_has(&[UP_TO_DATE]);
    assert_same_as_cold(&site);
}

#[test]
fn an_edit_the_engine_cannot_make_or_that_fails_is_left_to_a_full_build() {
    let site = site();
    site.build().assert_ok();
    // A slug moves the page: the site's shape changed.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\nslug: lublin-province\n---\nLublin.\n",
    );
    let run = site.run(&["build", "-v"]);
    run.assert_ok()
        .stderr_has(&["note: building everything: the edit changed more than pages' text"]);
    assert!(site.exists("en/regions/lublin-province/index.html"));
    assert!(!site.exists("en/regions/lublin/index.html"));
    assert_same_as_cold(&site);
    // A broken link fails the build as a full build reports it, and publishes nothing.
    let published = snapshot(&site.path("public"));
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountry: Greece\n---\n## Cooperation\n\nSee [nowhere](@/regions/nowhere.md).\n",
    );
    let failed = site.run(&["build", "-v"]);
    failed.assert_failed().stderr_has(&[
        "note: building everything: the edit has errors",
        "content/regions/attica.en.md",
        "nowhere",
    ]);
    assert!(snapshot(&site.path("public")) == published);
    // Fixed: the engine of the last good build makes it.
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountry: Greece\n---\n## Cooperation\n\nSee [Lublin](@/regions/lublin.md).\n",
    );
    site.run(&["build", "-v"])
        .assert_ok()
        .stdout_has(&[BY_ENGINE]);
    assert_same_as_cold(&site);
}

#[test]
fn a_damaged_or_stale_engine_file_gives_a_full_build() {
    let site = site();
    site.build().assert_ok();
    let engine = site.path(".cache/build/engine");
    let good = read(&engine);
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    // Whole, but an earlier build's: the state the next build finds names another one.
    site.write("static/extra.css", "p {}\n");
    // Settled, or the last step's build may come within a second of it and build everything.
    settle();
    site.build().assert_ok();
    let damaged: [(&str, Vec<u8>); 5] = [
        ("garbage", b"not an engine at all".repeat(100)),
        ("truncated", good[..good.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("a flipped byte", flipped),
        ("an earlier build's", good.clone()),
    ];
    // A page edited: a full build, which equals a cold one.
    let edit_builds_everything = |what: &str| {
        site.write(
            "content/regions/lublin.en.md",
            &format!("---\ntitle: Lublin\ncountry: Poland\n---\nLublin, {what}.\n"),
        );
        let run = site.run(&["build", "-v"]);
        run.assert_ok().stderr_has(&["note: building everything"]);
        assert!(!run.stdout.contains(BY_ENGINE), "{what}: {}", run.stdout);
        assert_same_as_cold(&site);
    };
    for (what, bytes) in damaged {
        std::fs::write(&engine, &bytes).unwrap();
        edit_builds_everything(what);
    }
    // The engine file names its parts, each a file: one damaged, then one missing.
    let part = largest_part(&site);
    let mut bytes = read(&part);
    bytes[0] ^= 0x20;
    std::fs::write(&part, bytes).unwrap();
    edit_builds_everything("a part damaged");
    std::fs::remove_file(largest_part(&site)).unwrap();
    edit_builds_everything("a part missing");
    // The full build wrote every part again: the next edit is the engine's.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\n---\nLublin, whole again.\n",
    );
    site.run(&["build", "-v"])
        .assert_ok()
        .stdout_has(&[BY_ENGINE]);
    assert_same_as_cold(&site);
}

/// The largest part of the engine in the build cache.
fn largest_part(site: &Site) -> std::path::PathBuf {
    let dir = std::fs::read_dir(site.path(".cache/build")).unwrap();
    let parts = dir.flatten().filter(|e| {
        let name = e.file_name().to_string_lossy().into_owned();
        name.starts_with("engine-")
    });
    let largest = parts.max_by_key(|e| e.metadata().unwrap().len()).unwrap();
    largest.path()
}

#[test]
fn the_engine_quotes_an_unedited_translation_as_a_full_build_does() {
    let site = site();
    // A warning on the English page, found when its group of translations is checked.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Greece\n---\nLublin.\n",
    );
    settle();
    site.build()
        .assert_ok()
        .stderr_has(&["is not the country of country_code PL"]);
    // Its Chinese translation edited: the group is checked again, the English page unread.
    site.write(
        "content/regions/lublin.zh.md",
        "---\ntitle: 卢布林省\ncountry: 波兰\ncountry_code: PL\nestablished: 2008\ncoordinates: {lat: 51.25, lon: 22.57}\n---\n卢布林，改过。\n",
    );
    let cached = site.run(&["build", "-v"]);
    cached.assert_ok().stdout_has(&[BY_ENGINE]);
    let dir = tempfile::tempdir().unwrap();
    let cold = cold_build(&site, &dir.path().join("cold"));
    assert_eq!(cached.stderr_without_notes(), cold.stderr_without_notes());
    assert!(cold.stderr.contains("country: Greece"), "{}", cold.stderr);
}

/// An event in English only, dated `date`, with `body`.
fn write_signing(site: &Site, date: &str, body: &str) {
    site.write(
        "content/events/signing.en.md",
        &format!("---\ntitle: Signing\ndate: {date}\nregions: [attica]\n---\n{body}\n"),
    );
}

#[test]
fn an_event_edit_made_by_the_engine_updates_every_feed_that_quotes_it() {
    // An event in English only: the Chinese feed quotes it as a fallback. The other event's
    // entries are taken from the feeds as published while it is left alone.
    let site = site();
    let write = |body: &str| write_signing(&site, "2019-05-02", body);
    write("First text of the signing.");
    settle();
    site.build().assert_ok();
    let other = "content/events/uruguay-visit.en.md";
    for (body, edit_other) in [("Second text.", false), ("Third text.", true)] {
        write(body);
        if edit_other {
            let text = std::fs::read_to_string(site.path(other)).unwrap();
            site.write(other, &format!("{text}\nOne more line.\n"));
        }
        site.run(&["build", "-v"])
            .assert_ok()
            .stdout_has(&[BY_ENGINE]);
        for feed in ["en/atom.xml", "zh/atom.xml"] {
            let xml = site.public(feed);
            assert!(xml.contains(body), "{feed} lacks {body:?}:\n{xml}");
            assert!(!xml.contains("First text"), "{feed} is stale:\n{xml}");
        }
        assert_same_as_cold(&site);
    }
    assert!(site.public("en/atom.xml").contains("One more line."));
}

#[test]
fn an_event_edit_that_brings_an_event_into_a_limited_feed_equals_a_cold_build() {
    // One entry a feed: the older event is in no feed, and its HTML in no published file.
    let site = site();
    site.write(
        "site.toml",
        &common::SITE_TOML.replacen("\n", "\nfeed_limit = 1\n", 1),
    );
    let write = |date: &str| write_signing(&site, date, "Signing text.");
    write("2019-05-02");
    settle();
    site.build().assert_ok();
    assert!(!site.public("en/atom.xml").contains("Signing text."));
    // Newer than every other event: the feed quotes it now.
    write("2024-05-02");
    site.run(&["build", "-v"])
        .assert_ok()
        .stdout_has(&[BY_ENGINE]);
    let feed = site.public("en/atom.xml");
    assert!(feed.contains("Signing text."), "{feed}");
    assert_eq!(feed.matches("<entry").count(), 1, "{feed}");
    assert_same_as_cold(&site);
}

#[test]
fn an_edit_of_many_pages_at_once_is_left_to_a_full_build() {
    let site = site();
    let key = |i: usize| format!("content/regions/r{i:03}.en.md");
    let page = |i: usize, text: &str| format!("---\ntitle: R{i}\ncountry: Land\n---\n{text}\n");
    for i in 0..70 {
        site.write(&key(i), &page(i, "First."));
    }
    settle();
    site.build().assert_ok();
    // More than 64 pages' files (and more than a tenth of them): a full build, which
    // streams them, instead of the engine, which holds them until it publishes.
    for i in 0..70 {
        site.write(&key(i), &page(i, "Second."));
    }
    let run = site.run(&["build", "-v"]);
    run.assert_ok()
        .stderr_has(&["note: building everything: 70 of the "]);
    assert!(site
        .public("en/regions/r069/index.html")
        .contains("Second."));
    assert_same_as_cold(&site);
    // A few of them: the engine.
    settle();
    site.build().assert_ok();
    for i in 0..3 {
        site.write(&key(i), &page(i, "Third."));
    }
    site.run(&["build", "-v"])
        .assert_ok()
        .stdout_has(&[BY_ENGINE]);
    assert!(site.public("en/regions/r002/index.html").contains("Third."));
    assert_same_as_cold(&site);
}
