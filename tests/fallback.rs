//! Translation fallback and outdated translations, through the real binary: a page written in
//! one language only is published in the other too (README "Pages in one language only"), and
//! `check` reports translations older than their counterpart in git.

mod common;
use common::{Run, Site};

/// A region written in Chinese only (with coordinates and a founding date, for the map and the
/// timeline) and an event written in English only, beside the small site's pages.
fn one_sided() -> Site {
    let site = Site::small();
    site.write(
        "content/regions/mie.zh.md",
        "---\ntitle: 三重县\nsummary: 日本的友好县。\ncountry: 日本\ncountry_code: JP\nestablished: 1986-11\ncoordinates: {lat: 34.73, lon: 136.51}\n---\n三重县位于日本本州中部。\n",
    );
    site.write(
        "content/events/expo.en.md",
        "---\ntitle: Henan Expo in Lublin\ndate: 2024-03\nkind: visit\nregions: [lublin, mie]\nsummary: An expo.\n---\nThe expo, with [Mie](@/regions/mie.md).\n",
    );
    site
}

fn built_one_sided() -> Site {
    let site = one_sided();
    site.build().assert_ok();
    site
}

/// How a fallback's title shows in a list: in its language, with a badge naming it.
fn badge(title: &str, locale: &str, name: &str) -> String {
    format!("<span lang=\"{locale}\">{title}</span> <span class=\"lang-badge\" lang=\"{locale}\">{name}</span>")
}

#[test]
fn a_chinese_only_page_is_published_in_english_with_a_notice_and_its_language_marked() {
    let site = built_one_sided();
    let page = site.public("en/regions/mie/index.html");
    assert!(page.contains("<html lang=\"en\""), "B's page: B's header");
    assert!(page.contains(
        "This page has not been translated into English yet; it is shown in Chinese. <a href=\"/zh/regions/mie/\" hreflang=\"zh-Hans\""
    ));
    assert!(page.contains("<h1 lang=\"zh-Hans\">三重县</h1>"));
    assert!(page.contains("<div class=\"article-body\" lang=\"zh-Hans\">"));
    assert!(page.contains("三重县位于日本本州中部。"));
    // B's navigation and UI strings.
    assert!(page.contains(">Partner regions</a>"));
    // Language-neutral fields as for a translation: the locator map needs only coordinates.
    assert!(page.contains("locator"));
    // The original's own page has no notice.
    assert!(!site
        .public("zh/regions/mie/index.html")
        .contains("lang-notice"));
}

#[test]
fn an_english_only_page_is_published_in_chinese_with_a_chinese_notice() {
    let site = built_one_sided();
    let page = site.public("zh/events/expo/index.html");
    assert!(page.contains("<html lang=\"zh-Hans\""));
    assert!(page.contains("本页尚未译成中文，以下为英文原文。 <a href=\"/en/events/expo/\""));
    assert!(page.contains("<h1 lang=\"en\">Henan Expo in Lublin</h1>"));
    // The regions it names, in Chinese: no badge on pages in the reader's language.
    assert!(page.contains("<a href=\"/zh/regions/mie/\">三重县</a>"));
    assert!(page.contains("<a href=\"/zh/regions/lublin/\">卢布林省</a>"));
}

#[test]
fn search_engines_see_the_original_only() {
    let site = built_one_sided();
    let fallback = site.public("en/regions/mie/index.html");
    assert!(
        fallback.contains("<link rel=\"canonical\" href=\"https://example.org/zh/regions/mie/\">")
    );
    assert!(fallback.contains("<meta name=\"robots\" content=\"noindex\">"));
    assert!(
        !fallback.contains("hreflang=\"zh-Hans\" href="),
        "no alternates"
    );
    let original = site.public("zh/regions/mie/index.html");
    assert!(
        original.contains("<link rel=\"canonical\" href=\"https://example.org/zh/regions/mie/\">")
    );
    assert!(!original.contains("noindex"));
    assert!(!original.contains("href=\"https://example.org/en/regions/mie/\""));
    assert!(!original.contains("og:locale:alternate"));
    // A translated page keeps its alternates.
    let attica = site.public("zh/regions/attica/index.html");
    assert!(attica.contains(
        "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/en/regions/attica/\">"
    ));
    let sitemap = site.public("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/zh/regions/mie/</loc>"));
    assert!(sitemap.contains("<loc>https://example.org/en/events/expo/</loc>"));
    assert!(!sitemap.contains("https://example.org/en/regions/mie/"));
    assert!(!sitemap.contains("https://example.org/zh/events/expo/"));
}

#[test]
fn the_switcher_on_an_original_leads_to_its_fallback() {
    let site = built_one_sided();
    let original = site.public("zh/regions/mie/index.html");
    let switcher = common::element(&original, "<nav class=\"lang-switch\"", "</nav>");
    assert!(
        switcher.contains("<a href=\"/en/regions/mie/\""),
        "{switcher}"
    );
    let fallback = site.public("en/regions/mie/index.html");
    let switcher = common::element(&fallback, "<nav class=\"lang-switch\"", "</nav>");
    assert!(
        switcher.contains("<a href=\"/zh/regions/mie/\""),
        "{switcher}"
    );
}

#[test]
fn lists_home_map_and_timeline_show_fallbacks_with_a_badge() {
    let site = built_one_sided();
    let mie = badge("三重县", "zh-Hans", "中文");
    for list in [
        "en/regions/index.html",
        "en/index.html",
        "en/map/index.html",
        "en/timeline/index.html",
        "en/events/expo/index.html",
    ] {
        let html = site.public(list);
        assert!(
            html.contains(&mie),
            "{list} lacks the fallback's title and badge"
        );
        assert!(html.contains("href=\"/en/regions/mie/\""), "{list}");
    }
    let regions = site.public("en/regions/index.html");
    assert!(regions.contains("<p class=\"card-summary\" lang=\"zh-Hans\">日本的友好县。</p>"));
    let map = site.public("en/map/index.html");
    assert!(
        map.contains("<a class=\"marker established\" lang=\"zh-Hans\" href=\"/en/regions/mie/\""),
        "a marker on the map, its label marked"
    );
    // Founded 1986-11: its 40th anniversary is the next one after the build date (2025-11-25).
    let timeline = site.public("en/timeline/index.html");
    let upcoming = common::element(&timeline, "<section class=\"upcoming\"", "</section>");
    assert!(upcoming.contains(&mie), "{upcoming}");
    let expo = badge("Henan Expo in Lublin", "en", "English");
    for list in [
        "zh/events/index.html",
        "zh/index.html",
        "zh/timeline/index.html",
    ] {
        assert!(site.public(list).contains(&expo), "{list}");
    }
}

#[test]
fn a_folder_intro_in_one_language_is_marked_in_the_other() {
    let site = one_sided();
    site.write(
        "content/regions/_index.zh.md",
        "---\ntitle: 友好省州一览\n---\n河南的朋友。\n",
    );
    site.build().assert_ok();
    let list = site.public("en/regions/index.html");
    assert!(list.contains("<h1 lang=\"zh-Hans\">友好省州一览</h1>"));
    assert!(list.contains("<div class=\"prose\" lang=\"zh-Hans\"><p>河南的朋友。</p>"));
    // The list itself is English: its cards are, but for the fallback's.
    assert!(list.contains(">Attica</span>"));
    assert!(!site
        .public("zh/regions/index.html")
        .contains("lang=\"zh-Hans\">"));
}

#[test]
fn feeds_and_search_include_fallbacks() {
    let site = built_one_sided();
    let feed = site.public("zh/atom.xml");
    assert!(feed.contains("<entry xml:lang=\"en\">\n    <title>Henan Expo in Lublin</title>"));
    assert!(feed.contains("https://example.org/zh/events/expo/"));
    assert!(!site.public("en/atom.xml").contains("xml:lang=\"zh-Hans\">"));
    // The search index's documents (`doc/*.json`, each a list of documents): the fallback is
    // one, with its title's language and a badge for the result (static/search.js).
    let docs: Vec<serde_json::Value> = std::fs::read_dir(site.path("public/zh/search/index/doc"))
        .unwrap()
        .flat_map(|e| {
            let text = std::fs::read_to_string(e.unwrap().path()).unwrap();
            let file: serde_json::Value = serde_json::from_str(&text).unwrap();
            file.as_array().unwrap().clone()
        })
        .collect();
    let expo = docs
        .iter()
        .find(|d| d["url"] == "/zh/events/expo/")
        .unwrap_or_else(|| panic!("no fallback in {docs:?}"));
    assert_eq!(expo["title"], "Henan Expo in Lublin");
    assert_eq!(expo["lang"], serde_json::json!(["en", "English"]));
    let attica = docs
        .iter()
        .find(|d| d["url"] == "/zh/regions/attica/")
        .unwrap();
    assert!(attica.get("lang").is_none());
}

#[test]
fn coverage_still_counts_fallbacks_as_missing() {
    let site = one_sided();
    let run = site.run(&["check"]);
    run.assert_ok()
        .stdout_has(&["regions: zh 3/3, en 2/3", "events: zh 1/2, en 2/2"]);
    run.stderr_has(&[
        "warning: content/regions/mie.zh.md: no `en` translation: `en` readers are shown this page, with a notice",
        "warning: content/events/expo.en.md: no `zh` translation",
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&site.run(&["check", "--format", "json"]).stdout).unwrap();
    let regions = &json["coverage"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "regions")
        .unwrap()["languages"][1];
    assert_eq!(regions["lang"], "en");
    assert_eq!(regions["missing"], serde_json::json!(["regions/mie"]));
}

#[test]
fn fallback_can_be_turned_off() {
    let site = one_sided();
    site.write(
        "site.toml",
        &format!("{}\n[translations]\nfallback = false\n", common::SITE_TOML),
    );
    site.build().assert_ok();
    assert!(!site.exists("en/regions/mie/index.html"));
    assert!(!site.exists("zh/events/expo/index.html"));
    assert!(!site.public("en/regions/index.html").contains("三重县"));
    assert!(!site
        .public("en/map/index.html")
        .contains("data-region=\"mie\""));
    let original = site.public("zh/regions/mie/index.html");
    let switcher = common::element(&original, "<nav class=\"lang-switch\"", "</nav>");
    assert!(switcher.contains("<a href=\"/en/\""), "{switcher}");
}

#[test]
fn a_misspelt_switch_is_an_error_naming_the_line() {
    let site = one_sided();
    site.write(
        "site.toml",
        &format!("{}\n[translations]\nfallbacks = false\n", common::SITE_TOML),
    );
    let line = common::SITE_TOML.lines().count() + 3;
    site.build()
        .assert_failed()
        .stderr_has(&[&format!("site.toml:{line}"), "fallbacks"]);
}

#[test]
fn drafts_never_fall_back() {
    let site = one_sided();
    site.write(
        "content/regions/puglia.zh.md",
        "---\ntitle: 普利亚大区\ndraft: true\ncoordinates: {lat: 41.1, lon: 16.9}\n---\n草稿。\n",
    );
    site.build().assert_ok();
    assert!(!site.exists("en/regions/puglia/index.html"));
    assert!(!site.exists("zh/regions/puglia/index.html"));
    // Shown with --drafts in its own language, but still not in the other.
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("zh/regions/puglia/index.html"));
    assert!(!site.exists("en/regions/puglia/index.html"));
    assert!(!site
        .public("en/map/index.html")
        .contains("data-region=\"puglia\""));
    assert!(site.exists("en/regions/mie/index.html"));
}

#[test]
fn a_translation_left_out_as_a_draft_is_replaced_by_the_fallback() {
    let site = one_sided();
    site.write(
        "content/regions/mie.en.md",
        "---\ntitle: Mie\ndraft: true\n---\nNot ready.\n",
    );
    site.build().assert_ok();
    assert!(site
        .public("en/regions/mie/index.html")
        .contains("<h1 lang=\"zh-Hans\">三重县</h1>"));
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site
        .public("en/regions/mie/index.html")
        .contains("<h1>Mie</h1>"));
}

// Outdated translations, with real git commits in the site folder.

/// The small site in a repository: everything committed on 2024-01-10.
fn committed() -> Site {
    common::committed(Site::small())
}

fn has_git() -> bool {
    common::has_git()
}

fn commit(site: &Site, date: &str, message: &str) {
    common::commit(site.root(), date, message);
}

fn outdated_warnings(run: &Run) -> Vec<&str> {
    run.stderr
        .lines()
        .filter(|l| l.contains("possibly outdated"))
        .collect()
}

#[test]
fn a_translation_older_than_its_counterpart_is_reported_with_both_dates() {
    if !has_git() {
        return;
    }
    let site = committed();
    let run = site.run(&["check"]);
    assert_eq!(outdated_warnings(&run), Vec::<&str>::new());
    site.write(
        "content/regions/attica.zh.md",
        "---\ntitle: 阿提卡大区\ncountry: 希腊\ncountry_code: GR\nestablished: 2023\ncoordinates: {lat: 37.98, lon: 23.73}\n---\n## 合作领域\n\n经贸、文化与旅游。\n",
    );
    commit(&site, "2024-03-02T09:00:00Z", "Tourism");
    let run = site.run(&["check"]);
    run.assert_ok();
    assert_eq!(
        outdated_warnings(&run),
        vec!["warning: content/regions/attica.en.md: possibly outdated: last changed 2024-01-10, but content/regions/attica.zh.md was changed 2024-03-02"]
    );
    run.stdout_has(&["regions: zh 2/2, en 2/2 (1 outdated)"]);
    let json: serde_json::Value =
        serde_json::from_str(&site.run(&["check", "--format", "json"]).stdout).unwrap();
    let found: Vec<&serde_json::Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "outdated-translation")
        .collect();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0]["file"], "content/regions/attica.en.md");
    assert_eq!(found[0]["severity"], "warning");
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("content/regions/attica.zh.md") && message.contains("2024-03-02"));
    let regions = json["coverage"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "regions")
        .unwrap();
    assert_eq!(
        regions["languages"][1]["outdated"],
        serde_json::json!(["regions/attica"])
    );
    // Bringing the translation up to date is a change that needs no translation itself.
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountry: Greece\n---\n## Cooperation\n\nTrade, culture and tourism.\n",
    );
    commit(
        &site,
        "2024-03-05T09:00:00Z",
        "Tourism, in English\n\nTranslation: none",
    );
    assert_eq!(outdated_warnings(&site.run(&["check"])), Vec::<&str>::new());
}

#[test]
fn a_change_marked_translation_none_needs_no_translation() {
    if !has_git() {
        return;
    }
    let site = committed();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\nAbout this website.\n",
    );
    commit(
        &site,
        "2024-02-01T09:00:00Z",
        "Wording\n\nTranslation: none",
    );
    assert_eq!(outdated_warnings(&site.run(&["check"])), Vec::<&str>::new());
    // The marked change counts as the file's last: a later change of the other version makes
    // this one outdated as of the marked change's date.
    site.write(
        "content/about.zh.md",
        "---\ntitle: 关于\n---\n关于本网站。\n",
    );
    commit(&site, "2024-02-03T09:00:00Z", "网站");
    assert_eq!(
        outdated_warnings(&site.run(&["check"])),
        vec!["warning: content/about.en.md: possibly outdated: last changed 2024-02-01, but content/about.zh.md was changed 2024-02-03"]
    );
    // Without the line, a change makes the other version outdated.
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\nAbout this website and its editors.\n",
    );
    commit(&site, "2024-02-04T09:00:00Z", "Editors");
    assert_eq!(
        outdated_warnings(&site.run(&["check"])),
        vec!["warning: content/about.zh.md: possibly outdated: last changed 2024-02-03, but content/about.en.md was changed 2024-02-04"]
    );
}

#[test]
fn the_history_s_order_decides_not_the_clocks() {
    if !has_git() {
        return;
    }
    let site = committed();
    // Committed after the first version, by a computer whose clock was a month behind.
    site.write(
        "content/about.zh.md",
        "---\ntitle: 关于\n---\n关于本网站。\n",
    );
    commit(&site, "2023-12-10T09:00:00Z", "网站");
    assert_eq!(
        outdated_warnings(&site.run(&["check"])),
        vec!["warning: content/about.en.md: possibly outdated: last changed 2024-01-10, but content/about.zh.md was changed 2023-12-10"]
    );
}

#[test]
fn without_git_history_nothing_is_reported_and_nothing_fails() {
    // Not a repository (a temporary folder).
    let site = Site::small();
    let run = site.run(&["check"]);
    run.assert_ok();
    assert_eq!(outdated_warnings(&run), Vec::<&str>::new());
    // A repository, but no `git` program to read it with.
    if !has_git() {
        return;
    }
    let site = committed();
    site.write("content/about.en.md", "---\ntitle: About\n---\nNew.\n");
    commit(&site, "2024-02-02T09:00:00Z", "New");
    let empty = tempfile::tempdir().unwrap();
    let run: Run = common::bin()
        .env("PATH", empty.path())
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .unwrap()
        .into();
    run.assert_ok();
    assert_eq!(outdated_warnings(&run), Vec::<&str>::new());
}

/// A fallback is listed on the country and tag pages of the reader's language, and a paired
/// tag it writes in its own language (`日本`) is the reader's tag (`/en/tags/japan/`, "Japan").
#[test]
fn a_fallback_is_on_the_readers_country_and_tag_pages_under_paired_tags() {
    let site = one_sided();
    site.write(
        "site.toml",
        &(std::fs::read_to_string(site.path("site.toml")).unwrap()
            + "\n[tags.japan]\nzh = \"日本\"\nen = \"Japan\"\n"),
    );
    let mie = std::fs::read_to_string(site.path("content/regions/mie.zh.md")).unwrap();
    site.write(
        "content/regions/mie.zh.md",
        &mie.replacen(
            "country_code: JP\n",
            "country_code: JP\ntags: [日本, 三重]\n",
            1,
        ),
    );
    site.build().assert_ok();
    let tag = site.public("en/tags/japan/index.html");
    assert!(tag.contains(&badge("三重县", "zh-Hans", "中文")), "{tag}");
    let page = site.public("en/regions/mie/index.html");
    assert!(
        page.contains("<a href=\"/en/tags/japan/\" rel=\"tag\">Japan</a>"),
        "{page}"
    );
    assert!(!site.exists("en/tags/日本/index.html"));
    let country = site.public("en/countries/jp/index.html");
    assert!(
        country.contains(&badge("三重县", "zh-Hans", "中文")),
        "{country}"
    );
}
