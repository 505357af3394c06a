//! `new` through the real binary: both languages written from an archetype the parser accepts,
//! never overwriting, bad names refused, the site's own archetypes preferred.

mod common;
use common::Site;

fn read(site: &Site, rel: &str) -> String {
    std::fs::read_to_string(site.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn new_region_writes_every_language_as_a_draft_and_the_site_still_builds() {
    let site = Site::small();
    let run = site.run(&["new", "region", "wallonia"]);
    run.assert_ok();
    run.stdout_has(&[
        "created content/regions/wallonia.zh.md",
        "created content/regions/wallonia.en.md",
    ]);
    for lang in ["zh", "en"] {
        let text = read(&site, &format!("content/regions/wallonia.{lang}.md"));
        assert!(text.starts_with("---\n"), "{text}");
        assert!(text.contains("title: \"Wallonia\""), "{text}");
        assert!(text.contains("draft: true"));
        for field in [
            "summary",
            "country",
            "country_code",
            "established",
            "status",
            "coordinates",
            "tags",
            "weight",
            "slug",
        ] {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{field}:")))
                .unwrap_or_else(|| panic!("no `{field}` in\n{text}"));
            assert!(line.contains(" # "), "`{field}` is explained: {line}");
        }
    }
    let run = site.build();
    run.assert_ok();
    assert!(
        !site.exists("en/regions/wallonia/index.html"),
        "drafts stay unpublished"
    );
    site.run(&["check"]).assert_ok();
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site
        .public("zh/regions/wallonia/index.html")
        .contains("Wallonia"));
}

#[test]
fn filled_in_and_published_it_builds() {
    let site = Site::small();
    site.run(&["new", "region", "wallonia"]).assert_ok();
    let zh = read(&site, "content/regions/wallonia.zh.md")
        .replace("draft: true", "draft: false")
        .replace("established:   ", "established: 1988")
        .replace("country_code:  ", "country_code: BE");
    site.write("content/regions/wallonia.zh.md", &zh);
    let en = read(&site, "content/regions/wallonia.en.md").replace("draft: true", "draft: false");
    site.write("content/regions/wallonia.en.md", &en);
    site.build().assert_ok();
    let en = site.public("en/regions/wallonia/index.html");
    assert!(
        en.contains("<time datetime=\"1988\">1988</time>"),
        "inherited from zh:\n{en}"
    );
}

#[test]
fn new_event_is_dated_today_and_builds() {
    let site = Site::small();
    site.run(&["new", "event", "wallonia-visit"]).assert_ok();
    let text = read(&site, "content/events/wallonia-visit.en.md");
    assert!(
        text.contains("date: 2025-11-25"),
        "SOURCE_DATE_EPOCH is today:\n{text}"
    );
    assert!(text.contains("title: \"Wallonia Visit\""));
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("en/events/wallonia-visit/index.html"));
}

#[test]
fn new_page_may_nest() {
    let site = Site::small();
    site.run(&["new", "page", "stories/2023/spring"])
        .assert_ok();
    assert!(site.path("content/stories/2023/spring.zh.md").is_file());
    assert!(site.path("content/stories/2023/spring.en.md").is_file());
    site.build().assert_ok();
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("en/stories/2023/spring/index.html"));
}

#[test]
fn new_page_starts_a_section_intro_even_for_regions_and_events() {
    let site = Site::small();
    site.run(&["new", "page", "events/_index"]).assert_ok();
    assert!(site.path("content/events/_index.zh.md").is_file());
    assert!(read(&site, "content/events/_index.en.md").contains("title: \"Events\""));
    site.build().assert_ok();
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("en/events/index.html"));
}

#[test]
fn refuses_to_overwrite_and_writes_nothing() {
    let site = Site::small();
    site.write("content/regions/mie.en.md", "---\ntitle: Mie\n---\nMine.\n");
    let run = site.run(&["new", "region", "mie"]);
    run.assert_failed();
    run.stderr_has(&[
        "error: content/regions/mie.en.md: this file already exists; nothing was written",
    ]);
    assert_eq!(
        read(&site, "content/regions/mie.en.md"),
        "---\ntitle: Mie\n---\nMine.\n"
    );
    assert!(
        !site.path("content/regions/mie.zh.md").exists(),
        "all or nothing"
    );
    // The default language's file without suffix is the same page.
    site.write("content/notes.md", "---\ntitle: 笔记\n---\n");
    let run = site.run(&["new", "page", "notes"]);
    run.assert_failed();
    run.stderr_has(&["content/notes.md: this file already exists"]);
    assert!(!site.path("content/notes.en.md").exists());
}

#[test]
fn a_language_suffix_starts_one_translation() {
    let site = Site::small();
    site.write("content/regions/mie.zh.md", "---\ntitle: 三重县\n---\n");
    let run = site.run(&["new", "region", "mie.en"]);
    run.assert_ok();
    assert!(site.path("content/regions/mie.en.md").is_file());
    let run = site.run(&["new", "region", "mie.fr"]);
    run.assert_failed();
    run.stderr_has(&["`.fr` is not a language configured in site.toml", "zh, en"]);
}

#[test]
fn bad_names_are_refused_with_a_hint() {
    let site = Site::small();
    for (kind, name, expected) in [
        ("region", "Wal lonia", "`Wal lonia` is not a valid key\n"),
        (
            "region",
            "be/wallonia",
            "a region key is one name, without `/`",
        ),
        (
            "page",
            "../outside",
            "`../outside` is not a valid path: `..` is not a valid key",
        ),
        (
            "page",
            "regions/wallonia",
            "start a region with `henan-stories new region <key>`",
        ),
    ] {
        let run = site.run(&["new", kind, name]);
        run.assert_failed();
        assert!(run.stderr.contains(expected), "{name}: {}", run.stderr);
    }
    assert!(!site.path("outside.zh.md").exists());
    assert!(!site.path("content/regions/wallonia.zh.md").exists());
}

#[test]
fn site_archetypes_override_the_builtin_ones() {
    let site = Site::small();
    site.write(
        "archetypes/page.md",
        "---\ntitle: \"{{ title }} ({{ lang }})\"\ndraft: true\n---\nWrite here.\n",
    );
    site.write(
        "archetypes/page.en.md",
        "---\ntitle: \"{{ title }}\"\ndraft: true\n---\nEnglish text for {{ key }}.\n",
    );
    site.run(&["new", "page", "history"]).assert_ok();
    assert_eq!(
        read(&site, "content/history.zh.md"),
        "---\ntitle: \"History (zh)\"\ndraft: true\n---\nWrite here.\n"
    );
    assert!(read(&site, "content/history.en.md").contains("English text for history."));
}

#[test]
fn an_archetype_that_does_not_parse_writes_nothing() {
    let site = Site::small();
    site.write(
        "archetypes/event.md",
        "---\ntitle: \"{{ title }}\"\ndate: someday\n---\n",
    );
    let run = site.run(&["new", "event", "party"]);
    run.assert_failed();
    run.stderr_has(&[
        "archetypes/event.md produces front matter that does not parse",
        "someday",
    ]);
    assert!(!site.path("content/events/party.zh.md").exists());
}
