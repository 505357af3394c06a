//! `build` through the real binary: the portal's contract (URLs, languages, feeds, links),
//! determinism, writing only what changed, and every kind of bad input.

mod common;
use common::{portal, snapshot, Site};

#[test]
fn small_site_publishes_both_languages_with_alternates() {
    let site = Site::small();
    site.build().assert_ok();
    for lang in ["zh", "en"] {
        for page in [
            "",
            "regions/",
            "regions/attica/",
            "events/",
            "events/uruguay-visit/",
            "about/",
            "timeline/",
            "map/",
        ] {
            assert!(
                site.exists(&format!("{lang}/{page}index.html")),
                "{lang}/{page}"
            );
        }
    }
    let zh = site.public("zh/regions/attica/index.html");
    assert!(zh.contains("<html lang=\"zh-Hans\""));
    assert!(zh.contains("<title>阿提卡大区 · 河南故事</title>"));
    assert!(zh.contains("<link rel=\"canonical\" href=\"https://example.org/zh/regions/attica/\">"));
    assert!(zh.contains(
        "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/en/regions/attica/\">"
    ));
    assert!(zh.contains("<link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"https://example.org/zh/regions/attica/\">"));
    assert!(zh.contains("hreflang=\"x-default\" href=\"https://example.org/\""));
    // The visible switcher goes to the counterpart, labelled in its own language.
    assert!(zh.contains("<a href=\"/en/regions/attica/\" hreflang=\"en\" lang=\"en\" rel=\"alternate\">English</a>"), "{zh}");
    let en = site.public("en/regions/attica/index.html");
    assert!(en.contains("<a href=\"/zh/regions/attica/\" hreflang=\"zh-Hans\" lang=\"zh-Hans\" rel=\"alternate\">中文</a>"));
    // Inherited language-neutral fields: the en file gives no date or coordinates.
    assert!(en.contains("<time datetime=\"2023\">2023</time>"));
    assert!(en.contains("class=\"locator\""));
    // Chinese heading ids, and a content link to one resolved in the page's language.
    assert!(zh.contains("<h2 id=\"合作领域\">"));
    let event = site.public("zh/events/uruguay-visit/index.html");
    // pulldown-cmark percent-encodes the fragment; browsers decode it to match the id.
    assert!(
        event.contains("href=\"/zh/regions/attica/#%E5%90%88%E4%BD%9C%E9%A2%86%E5%9F%9F\""),
        "{event}"
    );
    let event_en = site.public("en/events/uruguay-visit/index.html");
    assert!(event_en.contains("href=\"/en/regions/attica/#cooperation\""));
    assert!(event_en.contains("<time datetime=\"2023-05\">May 2023</time>"));
    assert!(event.contains("<time datetime=\"2023-05\">2023年5月</time>"));
}

#[test]
fn root_sitemap_feeds_404_and_robots() {
    let site = Site::small();
    site.build().assert_ok();
    let root = site.public("index.html");
    assert!(
        root.contains("href=\"/zh/\"") && root.contains("href=\"/en/\""),
        "plain links with JS off"
    );
    assert!(root.contains("navigator.languages"));
    let sitemap = site.public("sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(sitemap.contains("<loc>https://example.org/en/regions/attica/</loc>"));
    assert!(sitemap.contains("<xhtml:link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"https://example.org/zh/regions/attica/\"/>"));
    let atom = site.public("en/atom.xml");
    assert!(atom.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    assert!(atom.contains("<title>Uruguay delegation visits Henan</title>"));
    assert!(atom.contains("<updated>2023-05-01T00:00:00Z</updated>"));
    assert!(site.public("404.html").contains("/zh/"));
    assert!(site
        .public("robots.txt")
        .contains("Sitemap: https://example.org/sitemap.xml"));
    assert!(site.exists("style.css") && site.exists("site.js"));
}

#[test]
fn feeds_hold_the_newest_events_up_to_feed_limit() {
    let site = Site::small();
    let event = |n: usize| {
        site.write(
            &format!("content/events/e{n}.en.md"),
            &format!("---\ntitle: Event {n}\ndate: 19{n:02}-01-01\nkind: other\n---\nText {n}.\n"),
        )
    };
    // 60 events besides the small site's, the newest 1959: 50 in the feed by default.
    (0..60).for_each(event);
    site.build().assert_ok();
    let feed = site.public("en/atom.xml");
    assert_eq!(feed.matches("<entry").count(), 50);
    assert!(feed.contains("<title>Uruguay delegation visits Henan</title>"));
    assert!(feed.contains("<title>Event 59</title>") && feed.contains("<title>Event 11</title>"));
    assert!(!feed.contains("<title>Event 10</title>"), "{feed}");
    // feed_limit in site.toml sets how many.
    let toml =
        |limit: &str| common::SITE_TOML.replacen("\n", &format!("\nfeed_limit = {limit}\n"), 1);
    site.write("site.toml", &toml("2"));
    site.build().assert_ok();
    let feed = site.public("en/atom.xml");
    let titles: Vec<&str> = feed
        .split("<entry>\n    <title>")
        .skip(1)
        .map(|e| &e[..e.find('<').unwrap()])
        .collect();
    assert_eq!(titles, ["Uruguay delegation visits Henan", "Event 59"]);
    // A limit that is not a whole number above zero is an error at its line.
    site.write("site.toml", &toml("0"));
    site.build().assert_failed().stderr_has(&[
        "site.toml:2",
        "feed_limit = 0",
        "expected a whole number of feed entries",
    ]);
}

#[test]
fn base_url_with_a_path_prefixes_every_internal_link() {
    let site = Site::small();
    site.run(&["build", "--base-url", "https://example.org/henan/"])
        .assert_ok();
    let page = site.public("en/events/uruguay-visit/index.html");
    assert!(page.contains("href=\"/henan/style.css\""));
    assert!(page.contains("href=\"/henan/en/regions/attica/#cooperation\""));
    assert!(page.contains("href=\"https://example.org/henan/en/events/uruguay-visit/\""));
    for (file, text) in snapshot(&site.path("public")) {
        let text = String::from_utf8_lossy(&text);
        for bad in [
            "href=\"/en/",
            "href=\"/zh/",
            "src=\"/site.js",
            "href=\"/style.css",
        ] {
            assert!(!text.contains(bad), "{file} has an unprefixed link {bad}");
        }
    }
    assert!(site
        .public("sitemap.xml")
        .contains("https://example.org/henan/zh/"));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::small();
    site.write(
        "content/events/secret.en.md",
        "---\ntitle: Secret\ndate: 2024\ndraft: true\n---\nx\n",
    );
    site.build().assert_ok();
    assert!(!site.exists("en/events/secret/index.html"));
    assert!(!site.public("en/events/index.html").contains("Secret"));
    assert!(!site.public("sitemap.xml").contains("secret"));
    site.run(&["build", "--drafts"]).assert_ok();
    assert!(site.exists("en/events/secret/index.html"));
}

#[test]
fn hidden_static_files_are_published_editor_files_are_not() {
    let site = Site::small();
    site.write_bytes("static/.nojekyll", b"");
    site.write_bytes(
        "static/.well-known/security.txt",
        b"Contact: mailto:a@b.org\n",
    );
    site.write_bytes("static/.style.css.swp", b"swap");
    site.write_bytes("static/img/a.png~", b"backup");
    site.write_bytes("static/.DS_Store", b"clutter");
    site.build().assert_ok();
    assert!(site.exists(".nojekyll"));
    assert!(site.exists(".well-known/security.txt"));
    for skipped in [".style.css.swp", "img/a.png~", ".DS_Store"] {
        assert!(!site.exists(skipped), "{skipped}");
    }
}

#[test]
fn summary_line_and_stages_with_verbose() {
    let site = Site::small();
    let run = site.run(&["build"]);
    run.assert_ok();
    let summary = run.stdout.lines().next().unwrap_or_default();
    for part in [
        "Built ",
        " pages (zh ",
        ", en ",
        " written, ",
        " unchanged, ",
        " removed, ",
    ] {
        assert!(summary.contains(part), "{part:?} in {summary}");
    }
    assert!(!run.stdout.contains("peak memory"), "{}", run.stdout);
    let run = site.run(&["build", "--verbose"]);
    run.assert_ok();
    for stage in [
        "load",
        "markdown and templates",
        "feeds and checks",
        "publish",
    ] {
        let line = run
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(stage))
            .unwrap_or_else(|| panic!("no {stage} line in {}", run.stdout));
        assert!(line.contains(" ms"), "{line}");
        if cfg!(target_os = "linux") {
            assert!(line.contains(", peak memory "), "{line}");
        }
    }
}

#[test]
fn same_input_gives_identical_output_and_rebuild_writes_nothing() {
    let site = Site::small();
    site.build().assert_ok();
    let first = snapshot(&site.path("public"));
    let mtime = std::fs::metadata(site.path("public/en/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    let run = site.build();
    run.assert_ok();
    assert!(run.stdout.contains(" 0 written"), "{}", run.stdout);
    assert_eq!(first, snapshot(&site.path("public")));
    let again = std::fs::metadata(site.path("public/en/index.html"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(mtime, again);
    // A second site folder with the same input builds the same bytes.
    let other = Site::small();
    other.build().assert_ok();
    assert_eq!(first, snapshot(&other.path("public")));
}

#[test]
fn changed_and_deleted_pages_are_written_and_removed() {
    let site = Site::small();
    site.build().assert_ok();
    site.write(
        "content/about.en.md",
        "---\ntitle: About us\n---\nNew text.\n",
    );
    site.remove("content/regions/lublin.en.md");
    site.remove("content/regions/lublin.zh.md");
    let run = site.build();
    run.assert_ok();
    assert!(site.public("en/about/index.html").contains("New text."));
    assert!(!site.exists("en/regions/lublin/index.html"));
    assert!(!run.stdout.contains(" 0 removed"), "{}", run.stdout);
}

#[test]
fn missing_counterpart_links_to_the_other_home_with_a_warning() {
    let site = Site::small();
    // Without fallback pages (see tests/fallback.rs) the other language has no such page.
    site.write(
        "site.toml",
        &format!("{}\n[translations]\nfallback = false\n", common::SITE_TOML),
    );
    site.write(
        "content/stories/first.en.md",
        "---\ntitle: First story\n---\nHello.\n",
    );
    let run = site.build();
    run.assert_ok();
    assert!(
        run.stderr
            .contains("warning: content/stories/first.en.md: no `zh` translation"),
        "{}",
        run.stderr
    );
    let page = site.public("en/stories/first/index.html");
    assert!(
        page.contains("<a href=\"/zh/\" hreflang=\"zh-Hans\" lang=\"zh-Hans\" rel=\"alternate\"")
    );
    assert!(!page.contains("hreflang=\"zh-Hans\" href=\"https://example.org/zh/stories/first/\""));
}

#[test]
fn bom_crlf_and_default_language_files() {
    let site = Site::small();
    site.write_bytes(
        "content/notes.md",
        "\u{feff}---\r\ntitle: 笔记\r\n---\r\n正文\r\n".as_bytes(),
    );
    // Blanks after either `---` are invisible in an editor, so they do not matter.
    site.write("content/blanks.md", "--- \ntitle: 空白\n---\t\n内容\n");
    site.build().assert_ok();
    assert!(site.public("zh/notes/index.html").contains("正文"));
    assert!(site.public("zh/blanks/index.html").contains("内容"));
}

#[test]
fn nested_folders_and_slugs_shape_the_url() {
    let site = Site::small();
    site.write(
        "content/stories/2023/spring.en.md",
        "---\ntitle: Spring\nslug: spring-festival\n---\nx\n",
    );
    site.build().assert_ok();
    assert!(site.exists("en/stories/2023/spring-festival/index.html"));
    assert!(site.exists("en/stories/2023/index.html"));
    assert!(site.exists("en/stories/index.html"));
}

#[test]
fn front_matter_text_is_escaped_everywhere() {
    let site = Site::small();
    site.write(
        "content/events/xss.en.md",
        "---\ntitle: \"<script>alert(1)</script> & co\"\nsummary: \"a <b>bold</b> claim\"\ndate: 2024-01-02\n---\nx\n",
    );
    site.build().assert_ok();
    for file in [
        "en/events/xss/index.html",
        "en/events/index.html",
        "en/atom.xml",
        "en/timeline/index.html",
    ] {
        let text = site.public(file);
        assert!(!text.contains("<script>alert"), "{file}");
        assert!(
            text.contains("&lt;script&gt;alert(1)&lt;&#x2F;script&gt; &amp; co")
                || text.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
            "{file}"
        );
    }
}

#[test]
fn site_templates_override_the_builtin_theme() {
    let site = Site::small();
    site.write(
        "templates/event.html",
        "<p>custom {{ page.title }} in {{ lang.code }}</p>\n",
    );
    site.build().assert_ok();
    assert_eq!(
        site.public("en/events/uruguay-visit/index.html"),
        "<p>custom Uruguay delegation visits Henan in en</p>\n"
    );
    assert!(
        site.public("en/regions/attica/index.html")
            .contains("<html"),
        "other templates stay built-in"
    );
}

#[test]
fn every_list_shows_the_card_of_the_sites_own_card_macro() {
    let site = Site::small();
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Poland\ntags: [trade]\n---\nLublin.\n",
    );
    site.write(
        "content/events/uruguay-visit.en.md",
        "---\ntitle: Uruguay delegation visits Henan\nsummary: A visit in May.\ntags: [trade]\n---\nSee [Attica](@/regions/attica.md#cooperation).\n",
    );
    site.write(
        "templates/macros.html",
        &common::theme_macros_with(
            "card(p, t)",
            "<li class=\"mine\">{{ p.title }} ({{ t.regions }})</li>",
        ),
    );
    site.build().assert_ok();
    let card = |title: &str, regions: &str| format!("<li class=\"mine\">{title} ({regions})</li>");
    let (attica, lublin) = (
        card("Attica", "Partner regions"),
        card("Lublin", "Partner regions"),
    );
    let visit = card("Uruguay delegation visits Henan", "Partner regions");
    for (page, cards) in [
        ("en/regions/index.html", vec![&attica, &lublin]),
        ("en/events/index.html", vec![&visit]),
        ("en/index.html", vec![&visit]),
        ("en/regions/attica/index.html", vec![&visit]),
        ("en/countries/gr/index.html", vec![&attica, &visit]),
        ("en/countries/pl/index.html", vec![&lublin]),
        ("en/tags/trade/index.html", vec![&lublin, &visit]),
    ] {
        let html = site.public(page);
        for card in cards {
            assert!(html.contains(card.as_str()), "{page} lacks {card}:\n{html}");
        }
        assert!(
            !html.contains("class=\"card "),
            "{page} has a theme card:\n{html}"
        );
    }
    // The same page's card in the other language, with that language's words.
    let zh = site.public("zh/regions/index.html");
    assert!(zh.contains(&card("阿提卡大区", "友好省州")), "{zh}");
}

#[test]
fn a_site_without_a_card_macro_builds_with_lists_of_its_own() {
    let site = Site::small();
    let macros = common::theme_macros_with("card(p, t)", "");
    let macros = macros.replace("{% macro card(p, t) %}{% endmacro card %}", "");
    assert!(!macros.contains("macro card"));
    site.write("templates/macros.html", &macros);
    for list in ["section", "index", "region", "country", "tag"] {
        site.write(
            &format!("templates/{list}.html"),
            "{% extends \"base.html\" %}{% block main %}<p>mine</p>{% endblock main %}",
        );
    }
    site.build().assert_ok();
    assert!(site.public("en/regions/index.html").contains("<p>mine</p>"));
}

/// The built-in templates read `lang_code`, which the built-in `base.html` sets once for speed:
/// a site's own `base.html`, which knows nothing of it, still serves them.
#[test]
fn a_sites_own_base_html_serves_the_built_in_pages() {
    let site = Site::small();
    site.write(
        "templates/base.html",
        "{% import \"macros.html\" as m %}<!DOCTYPE html><html lang=\"{{ lang.locale }}\">\
         <head><title>{% block title %}{% endblock title %}</title></head>\
         <body class=\"mine\">{% block main %}{% endblock main %}</body></html>",
    );
    site.build().assert_ok();
    let region = site.public("en/regions/attica/index.html");
    assert!(region.contains("<body class=\"mine\">"), "{region}");
    assert!(
        region.contains("href=\"/en/regions/\">Partner regions</a>"),
        "{region}"
    );
    let event = site.public("zh/events/index.html");
    assert!(event.contains("<body class=\"mine\">"), "{event}");
}

#[test]
fn a_mistake_in_the_card_macro_is_reported_at_its_line_once() {
    let macros = common::theme_macros_with("card(p, t)", "<li>{{ p.no_such_field }}</li>");
    let line = macros
        .lines()
        .position(|l| l.contains("no_such_field"))
        .unwrap()
        + 1;
    let (_, run) = broken(&[("templates/macros.html", &macros)]);
    let error = format!(
        "error: templates/macros.html:{line}: Variable `p.no_such_field` not found in context \
         (rendering "
    );
    assert!(run.stderr.contains(&error), "{}", run.stderr);
    assert!(
        run.stderr.contains("with `cards of macros.html` and "),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("no_such_field` not found").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn the_header_marks_the_menu_entry_a_page_is_under_and_a_site_may_replace_it() {
    let site = Site::small();
    site.build().assert_ok();
    let menu = |path: &str| {
        let html = site.public(path);
        common::element(&html, "<nav id=\"site-nav\"", "</nav>").to_owned()
    };
    let current = |html: &str| -> Vec<String> {
        html.split("<li>")
            .filter(|li| li.contains("aria-current=\"page\""))
            .map(|li| li.split('"').nth(1).unwrap_or_default().to_owned())
            .collect()
    };
    // The header is rendered once per language and entry: each page still gets its own.
    assert_eq!(current(&menu("en/index.html")), ["/en/"]);
    assert_eq!(current(&menu("en/regions/index.html")), ["/en/regions/"]);
    assert_eq!(
        current(&menu("en/regions/attica/index.html")),
        ["/en/regions/"]
    );
    assert_eq!(current(&menu("zh/events/index.html")), ["/zh/events/"]);
    assert_eq!(current(&menu("en/about/index.html")), ["/en/about/"]);

    site.write(
        "templates/header.html",
        "<p class=\"mine\">{{ lang.title }}{% for item in nav %}{% if item.key in current %} [{{ item.key }}]{% endif %}{% endfor %}</p>\n",
    );
    site.build().assert_ok();
    let page = site.public("zh/regions/attica/index.html");
    assert!(
        page.contains("<p class=\"mine\">河南故事 [regions]</p>"),
        "{page}"
    );
    assert!(!page.contains("id=\"site-nav\""));

    // A header is the same on many pages, so it sees no page's variables: a mistake, once.
    site.write("templates/header.html", "<p>{{ page.title }}</p>\n");
    let run = site.build();
    run.assert_failed();
    assert!(
        run.stderr
            .contains("error: templates/header.html:1: Variable `page.title` not found"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.stderr.matches("`page.title` not found").count(),
        1,
        "{}",
        run.stderr
    );
}

#[test]
fn code_is_highlighted_with_a_generated_stylesheet_only_when_needed() {
    let site = Site::small();
    site.build().assert_ok();
    assert!(!site.exists("syntax.css"));
    site.write(
        "content/code.en.md",
        "---\ntitle: Code\n---\n```rust\nfn main() {}\n```\n",
    );
    site.build().assert_ok();
    assert!(site.exists("syntax.css"));
    let page = site.public("en/code/index.html");
    assert!(page.contains("class=\"hl-") && page.contains("syntax.css"));
    assert!(!site.public("en/about/index.html").contains("syntax.css"));
}

#[test]
fn the_real_portal_builds_without_warnings() {
    let site = portal();
    let run = site.build();
    run.assert_ok();
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let home = site.public("en/index.html");
    assert!(home.contains("Henan Stories"));
    for region in [
        "attica",
        "montevideo",
        "siem-reap",
        "wallonia",
        "puglia",
        "lublin",
        "mie",
        "gyeongsangbuk-do",
    ] {
        assert!(
            site.exists(&format!("zh/regions/{region}/index.html")),
            "{region}"
        );
        assert!(
            site.exists(&format!("en/regions/{region}/index.html")),
            "{region}"
        );
    }
}

// ---- Bad input: clear errors, every file at once, nothing published ----

/// Builds a good site, breaks it with `files`, and checks the failure leaves public/ as it was.
fn broken(files: &[(&str, &str)]) -> (Site, common::Run) {
    let site = Site::small();
    site.build().assert_ok();
    let before = snapshot(&site.path("public"));
    for (rel, text) in files {
        site.write(rel, text);
    }
    let run = site.build();
    run.assert_failed();
    assert_eq!(
        before,
        snapshot(&site.path("public")),
        "a failed build must not touch public/"
    );
    assert!(
        run.stderr.contains("nothing was published"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    (site, run)
}

#[test]
fn bad_date_names_file_line_expected_and_found() {
    let (_, run) = broken(&[(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountry: Greece\nestablished: spring 2023\n---\nx\n",
    )]);
    assert!(run.stderr.contains(
        "content/regions/attica.en.md:4: established: expected a date like 2023-01-15, 2023-01 or 2023, found \"spring 2023\""
    ), "{}", run.stderr);
    assert!(run.stderr.contains("4 | established: spring 2023"));
}

#[test]
fn every_broken_file_is_reported_in_one_run() {
    let (_, run) = broken(&[
        (
            "content/regions/a.en.md",
            "---\ntitle: A\ncoordinates: {lat: 91, lon: 0}\n---\n",
        ),
        (
            "content/regions/b.en.md",
            "---\ntitle: B\nstatus: maybe\n---\n",
        ),
        (
            "content/events/c.en.md",
            "---\ntitle: C\ndate: 2023-02-30\nkind: party\n---\n",
        ),
        ("content/d.en.md", "---\nsummary: no title\n---\n"),
        ("content/e.en.md", "---\ntitle: [unclosed\n---\n"),
        ("content/f.en.md", "no front matter\n"),
        ("content/g.en.md", "---\ntitle: G\n"),
        ("content/regions/attica.fr.md", "---\ntitle: Attique\n---\n"),
    ]);
    let err = &run.stderr;
    for expected in [
        "content/regions/a.en.md:3: coordinates: expected coordinates like {lat: 37.98, lon: 23.73}",
        "content/regions/b.en.md:3: status: expected `established` or `preparing`, found \"maybe\"",
        "content/events/c.en.md:3: date: expected a date like 2023-01-15, 2023-01 or 2023, found \"2023-02-30\"",
        "content/events/c.en.md:4: kind: expected one of anniversary, visit, signing, publication, other, found \"party\"",
        "content/d.en.md:1: missing `title`",
        "content/e.en.md:",
        "invalid YAML",
        "content/f.en.md:1: expected front matter",
        "content/g.en.md:1: the front matter is not closed",
        "content/regions/attica.fr.md: language suffix `.fr` names a language that is not configured",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }
    assert!(err.contains("9 errors"), "{err}");
}

#[test]
fn an_empty_title_is_one_error_at_its_line() {
    let (_, run) = broken(&[("content/empty.en.md", "---\nsummary: s\ntitle:\n---\n")]);
    assert!(
        run.stderr
            .contains("content/empty.en.md:3: title: `title` is empty"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("1 error and"), "{}", run.stderr);
}

#[test]
fn unknown_region_gets_a_did_you_mean() {
    let (_, run) = broken(&[(
        "content/events/lublin-15.en.md",
        "---\ntitle: Lublin 15\ndate: 2023\nregions: [lubin]\n---\n",
    )]);
    assert!(
        run.stderr.contains(
            "content/events/lublin-15.en.md:4: regions: no region `lubin` in content/regions/"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("did you mean `lublin`?"));
}

#[test]
fn translations_that_disagree_name_both_files() {
    let (_, run) = broken(&[(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\nestablished: 2009\n---\n",
    )]);
    assert!(
        run.stderr.contains("content/regions/lublin.en.md:3"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/regions/lublin.zh.md"));
    assert!(run.stderr.contains("2009") && run.stderr.contains("2008"));
}

#[test]
fn event_without_any_date_is_an_error() {
    let (_, run) = broken(&[(
        "content/events/undated.en.md",
        "---\ntitle: Undated\nkind: visit\n---\n",
    )]);
    assert!(
        run.stderr
            .contains("content/events/undated.en.md:1: missing `date`"),
        "{}",
        run.stderr
    );
}

#[test]
fn broken_content_link_and_anchor_are_errors() {
    let (_, run) = broken(&[(
        "content/about.en.md",
        "---\ntitle: About\n---\nSee [x](@/regions/nowhere.md) and\n[y](@/regions/attica.md#no-such-heading).\n",
    )]);
    assert!(
        run.stderr.contains(
            "content/about.en.md:4: link to `@/regions/nowhere.md`: no such content file"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("content/about.en.md:5: link to `@/regions/attica.md#no-such-heading`: no heading with id `no-such-heading`"), "{}", run.stderr);
}

#[test]
fn a_link_to_a_draft_says_it_is_a_draft() {
    let (site, run) = broken(&[
        (
            "content/plans.en.md",
            "---\ntitle: Plans\ndraft: true\n---\nSoon.\n",
        ),
        (
            "content/about.en.md",
            "---\ntitle: About\n---\nSee [our plans](@/plans.md).\n",
        ),
    ]);
    assert!(
        run.stderr.contains(
            "content/about.en.md:4: link to `@/plans.md`: that page is a draft (`draft: true`), left out of this build"
        ),
        "{}",
        run.stderr
    );
    site.run(&["build", "--drafts"]).assert_ok();
}

#[test]
fn template_errors_name_the_template_line_and_a_page_once() {
    // The mistake is in page.html, which event.html and region.html extend: one error, there.
    let page = std::fs::read_to_string(common::repo().join("templates/page.html")).unwrap();
    let line = page.lines().position(|l| l.contains("<h1")).unwrap() + 1;
    let broken_page = page.replace(
        ">{{ page.title }}</h1>",
        ">{{ page.title }}{{ page.no_such_field }}</h1>",
    );
    let (_, run) = broken(&[("templates/page.html", &broken_page)]);
    let headline = format!(
        "error: templates/page.html:{line}: Variable `page.no_such_field` not found in context \
         (rendering content/about.en.md with `page.html` and 7 more pages)"
    );
    assert!(run.stderr.contains(&headline), "{}", run.stderr);
    assert_eq!(
        run.stderr.matches("no_such_field` not found").count(),
        1,
        "{}",
        run.stderr
    );
    let quoted = broken_page.lines().nth(line - 1).unwrap();
    assert!(
        run.stderr.contains(&format!("{line} | {quoted}\n")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&"^".repeat("page.no_such_field".len())),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("event.html"), "{}", run.stderr);

    // Every syntax error, each at its line and column.
    let (_, run) = broken(&[
        ("templates/page.html", "<p>\n{% if %}\n"),
        ("templates/extra.html", "{% for x in %}"),
    ]);
    for headline in [
        "error: templates/page.html:2: invalid template syntax: expected a value that can be negated",
        "error: templates/extra.html:1: invalid template syntax:",
    ] {
        assert!(run.stderr.contains(headline), "{}", run.stderr);
    }
    assert!(
        run.stderr.contains("2 | {% if %}\n  |       ^"),
        "{}",
        run.stderr
    );
}

#[test]
fn missing_templates_and_filters_are_located_where_they_are_named() {
    let cases = [
        (
            "<p>\n{% include \"nope.html\" %}",
            "error: templates/page.html:2: Template '[nope.html]' not found (rendering content/about.en.md with `page.html` and 7 more pages)",
        ),
        (
            "<p>\n{{ page.title | nofilter }}",
            "error: templates/page.html:2: Filter 'nofilter' not found",
        ),
        (
            "{% extends \"nope.html\" %}",
            "error: templates/page.html:1: the templates do not compile: Template 'page.html' is inheriting from 'nope.html'",
        ),
    ];
    for (template, headline) in cases {
        let (_, run) = broken(&[("templates/page.html", template)]);
        assert!(run.stderr.contains(headline), "{}", run.stderr);
        assert!(run.stderr.contains("1 error and"), "{}", run.stderr);
    }
}

#[test]
fn templates_that_render_themselves_are_errors_not_crashes() {
    let cases: [(&str, &str, &str); 4] = [
        (
            "templates/page.html",
            "<p>{% include \"page.html\" %}</p>",
            "error: templates/page.html:1: `page.html` renders itself without end",
        ),
        (
            "templates/tree.html",
            "{% macro tree(n) %}{{ self::tree(n=n) }}{% endmacro tree %}",
            "error: templates/tree.html:1: macro `tree` (tree.html) renders itself without end",
        ),
        (
            "templates/a.html",
            "{% import \"b.html\" as b %}{% macro a() %}{{ b::b() }}{% endmacro a %}",
            "macro `a` (a.html) → macro `b` (b.html) → macro `a` (a.html) renders itself without end",
        ),
        (
            "templates/page.html",
            &format!("{}x{}", "{% if true %}".repeat(5000), "{% endif %}".repeat(5000)),
            "error: templates/page.html:1: tags or brackets nest more than 64 levels deep",
        ),
    ];
    for (file, text, message) in cases {
        let mut files = vec![(file, text)];
        if file == "templates/a.html" {
            files.push((
                "templates/b.html",
                "{% import \"a.html\" as a %}{% macro b() %}{{ a::a() }}{% endmacro b %}",
            ));
        }
        let (_, run) = broken(&files);
        assert!(run.stderr.contains(message), "{}", run.stderr);
    }
}

/// A chain of `n` macros, each calling the next from inside a loop.
fn macro_chain(n: usize) -> String {
    let mut text: String = (0..n)
        .map(|i| {
            format!(
                "{{% macro m{i}() %}}{{% for x in [1] %}}{{{{ self::m{}() }}}}{{% endfor %}}{{% endmacro m{i} %}}\n",
                i + 1
            )
        })
        .collect();
    text.push_str(&format!("{{% macro m{n}() %}}end{{% endmacro m{n} %}}\n"));
    text
}

#[test]
fn deep_but_finite_nesting_renders_or_is_refused_before_rendering() {
    let page = "{% extends \"base.html\" %}{% import \"chain.html\" as c %}\
                {% block main %}{{ c::m0() }}{% endblock main %}";
    let site = Site::small();
    site.write("templates/page.html", page);
    site.write("templates/chain.html", &macro_chain(20));
    site.build().assert_ok();
    assert!(site.public("en/about/index.html").contains("end"));
    // Deeper than the limit: refused, however deep (200 levels would overflow the stack).
    for n in [40, 200] {
        site.write("templates/chain.html", &macro_chain(n));
        let run = site.build();
        run.assert_failed();
        assert!(
            run.stderr.contains("nests more than 64 levels deep"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn url_collisions_are_errors() {
    let (_, run) = broken(&[(
        "content/regions/other.en.md",
        "---\ntitle: Other\nslug: attica\n---\n",
    )]);
    assert!(
        run.stderr.contains("publishes to /en/regions/attica/"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_static_file_in_the_place_of_a_page_folder_is_an_error_naming_both() {
    // `public/en` would become a file and the English site would be gone.
    let (site, run) = broken(&[("static/en", "not a site")]);
    run.stderr_has(&[
        "error: static/en: publishes the file `en`, but ",
        "inside a folder of that name (and ",
        "more outputs under `en/`)",
    ]);
    assert_eq!(
        run.stderr.matches("error: static/en:").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(site.public("en/index.html").contains("Henan Stories"));
    // A static file below a page's file: page and static file would take turns.
    let (_, run) = broken(&[("static/zh/about/index.html/x", "x")]);
    run.stderr_has(&[
        "error: static/zh/about/index.html/x: publishes `zh/about/index.html/x`, inside \
         `zh/about/index.html`, which content/about.zh.md publishes as a file",
    ]);
    // The same path as a built-in output.
    let (_, run) = broken(&[("static/en/atom.xml", "<feed/>")]);
    run.stderr_has(&[
        "error: static/en/atom.xml: publishes `en/atom.xml`, which the Atom feed of `en` \
         (`en/atom.xml`) also publishes",
    ]);
    let (_, run) = broken(&[("static/en/about/index.html", "<p>mine</p>")]);
    run.stderr_has(&[
        "error: static/en/about/index.html: publishes `en/about/index.html`, which \
         content/about.en.md also publishes",
    ]);
    // The manifest that marks the output folder as the build's own is reserved too.
    let (_, run) = broken(&[("static/.henan-stories.manifest", "mine")]);
    run.stderr_has(&[
        "error: static/.henan-stories.manifest: publishes `.henan-stories.manifest`, which \
         the manifest of what a build published (`.henan-stories.manifest`) also publishes",
    ]);
}

/// Symbolic links are followed while they stay inside the site folder; the others are named
/// in a warning and nothing is read through them.
#[test]
fn symlinks_inside_the_site_are_followed_the_others_reported() {
    use std::os::unix::fs::symlink;
    let site = Site::small();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.txt"), "secret").unwrap();
    std::fs::write(outside.path().join("page.html"), "stolen {{ page.title }}").unwrap();
    site.write_bytes("shared/photos/photo.jpg", b"\xff\xd8 photo");
    site.write(
        "shared/about.en.md",
        "---\ntitle: About\n---\n[Photo](/img/photo.jpg) [logo](/logo.png)\n",
    );
    site.remove("content/about.en.md");
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::fs::create_dir_all(site.path("templates")).unwrap();
    let links = [
        ("../shared/photos", "static/img"),
        ("../shared/photos/photo.jpg", "static/logo.png"),
        ("../shared/about.en.md", "content/about.en.md"),
        ("nowhere", "static/broken.txt"),
        (".", "static/loop"),
    ];
    for (target, link) in links {
        symlink(target, site.path(link)).unwrap();
    }
    symlink(
        outside.path().join("secret.txt"),
        site.path("static/secret.txt"),
    )
    .unwrap();
    symlink(outside.path(), site.path("static/elsewhere")).unwrap();
    symlink(
        outside.path().join("page.html"),
        site.path("templates/page.html"),
    )
    .unwrap();
    let run = site.build();
    run.assert_ok().stderr_has(&[
        "warning: static/secret.txt: a symbolic link to ",
        "secret.txt, outside the site folder: skipped",
        "warning: static/elsewhere: a symbolic link to ",
        "warning: templates/page.html: a symbolic link to ",
        "warning: static/broken.txt: a broken symbolic link (to nowhere): skipped",
        "warning: static/loop: a symbolic link to `static`, a folder that holds it: skipped",
    ]);
    assert!(!run.stderr.contains("photo.jpg"), "{}", run.stderr);
    let read = |rel: &str| std::fs::read(site.path("public").join(rel)).unwrap();
    assert_eq!(read("img/photo.jpg"), b"\xff\xd8 photo");
    assert_eq!(read("logo.png"), b"\xff\xd8 photo");
    assert!(site
        .public("en/about/index.html")
        .contains("/img/photo.jpg"));
    for rel in ["secret.txt", "elsewhere", "broken.txt", "loop"] {
        assert!(!site.exists(rel), "{rel} published");
    }
    assert!(!site.public("en/about/index.html").contains("stolen"));
}

/// A link into the output folder (inside the site, so otherwise followed) would publish the
/// site into itself, one level deeper on each build: it is skipped with a warning.
#[test]
fn a_link_to_the_output_folder_is_not_published_into_it() {
    let site = Site::small();
    site.build().assert_ok();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink("../public", site.path("static/pub")).unwrap();
    let run = site.build();
    run.assert_ok().stderr_has(&[
        "warning: static/pub: a symbolic link to ",
        "a folder this tool publishes to: skipped",
    ]);
    assert!(
        !site.exists("pub"),
        "the output folder was published into itself"
    );
}

/// A name that is not UTF-8 cannot be published or linked to as it is: an error naming the
/// folder, and nothing published.
#[test]
fn file_names_that_are_not_utf8_are_errors() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::small();
    site.build().assert_ok();
    let before = snapshot(&site.path("public"));
    let name = |folder: &str, bytes: &[u8]| {
        let path = site.path(folder);
        std::fs::create_dir_all(&path).unwrap();
        path.join(std::ffi::OsStr::from_bytes(bytes))
    };
    std::fs::write(name("content", b"caf\xe9.en.md"), "---\ntitle: Cafe\n---\n").unwrap();
    std::fs::write(name("static/img", b"caf\xe9.png"), "png").unwrap();
    std::fs::create_dir(name("static", b"d\xe9j\xe0")).unwrap();
    std::fs::write(name("static", b"d\xe9j\xe0").join("x.css"), "x").unwrap();
    let run = site.build();
    run.assert_failed().stderr_has(&[
        "error: content: the file name `caf\u{FFFD}.en.md` is not UTF-8",
        "error: static/img: the file name `caf\u{FFFD}.png` is not UTF-8",
        "error: static: the folder name `d\u{FFFD}j\u{FFFD}` is not UTF-8",
        "hint: rename the file: file names must be UTF-8",
        "nothing was published",
    ]);
    assert!(!run.stderr.contains("No such file"), "{}", run.stderr);
    assert_eq!(before, snapshot(&site.path("public")));
}

#[test]
fn missing_config_and_content_are_explained() {
    let empty = tempfile::tempdir().unwrap();
    let run: common::Run = common::bin()
        .args(["build", "--root"])
        .arg(empty.path())
        .output()
        .unwrap()
        .into();
    run.assert_failed();
    assert!(run.stderr.contains("site.toml"), "{}", run.stderr);
    let site = Site::new();
    let run = site.build();
    run.assert_failed();
    assert!(
        run.stderr.contains("no `content/` folder"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_unusable_setting_in_site_toml_is_reported_at_its_line_in_one_run() {
    let toml = common::SITE_TOML
        .replace("default_language = \"zh\"", "default_language = \"fr\"")
        .replace("lon = 113.62", "lon = 313.62")
        .replace("[hub]", "[extra]\npaginate_by = 0\n\n[hub]");
    let (_, run) = broken(&[("site.toml", &toml)]);
    for expected in [
        "error: site.toml:2: default_language = \"fr\" is not one of the [languages.*] tables",
        "error: site.toml:13: [extra] paginate_by = 0: expected a whole number",
        "error: site.toml:18: [hub] lat = 34.75, lon = 313.62: expected decimal degrees",
        "3 errors",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", run.stderr);
    }
}

#[test]
fn hub_outside_the_globe_is_an_error() {
    let toml = common::SITE_TOML.replace("lat = 34.75", "lat = 347.5");
    let (_, run) = broken(&[("site.toml", &toml)]);
    assert!(
        run.stderr
            .contains("site.toml:14: [hub] lat = 347.5, lon = 113.62: expected decimal degrees"),
        "{}",
        run.stderr
    );
}

#[test]
fn garbage_bytes_never_panic() {
    let site = Site::small();
    site.write_bytes(
        "content/bin.en.md",
        &[0xff, 0xfe, 0x00, 0x2d, 0x2d, 0x2d, 0x0a],
    );
    site.write_bytes("content/weird.en.md", b"---\n: : :\n- [\n---\n");
    let run = site.build();
    run.assert_failed();
    assert!(
        run.stderr.contains("content/bin.en.md:1: expected UTF-8"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("panicked"));
}

#[test]
fn refuses_to_publish_over_its_own_sources() {
    let site = Site::small();
    let run = site.run(&["build", "--output", site.root().to_str().unwrap()]);
    run.assert_failed();
    assert!(site.path("content/about.en.md").exists());
}

#[test]
fn refuses_to_empty_a_folder_that_is_not_an_earlier_build() {
    let site = Site::small();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("thesis.txt"), "years of work").unwrap();
    let run = site.run(&["build", "--output", elsewhere.path().to_str().unwrap()]);
    run.assert_failed();
    assert!(
        run.stderr.contains("holds no .henan-stories.manifest"),
        "{}",
        run.stderr
    );
    assert!(elsewhere.path().join("thesis.txt").exists());
    assert!(!elsewhere.path().join("sitemap.xml").exists());
}

#[test]
fn files_in_the_output_the_build_did_not_write_are_left_alone() {
    let site = Site::small();
    site.build().assert_ok();
    // A pages branch checked out in public/ keeps its .git; .nojekyll stays too.
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    site.write("public/.nojekyll", "");
    site.write("public/notes.html", "mine");
    site.build().assert_ok();
    assert!(site.path("public/.git/HEAD").exists());
    assert!(site.path("public/.nojekyll").exists());
    assert!(site.path("public/notes.html").exists());
}

/// Heading ids are made unique in linear time: 20,000 identical headings used to take 16 s
/// (release) to number, each one rescanning `-1`, `-2`, … from the start.
#[test]
fn many_identical_headings_build_quickly_with_unique_ids() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        &format!("---\ntitle: About\n---\n{}", "## Same\n\n".repeat(20_000)),
    );
    let started = std::time::Instant::now();
    site.build().assert_ok();
    let took = started.elapsed();
    let html = site.public("en/about/index.html");
    assert_eq!(html.matches("<h2 id=\"").count(), 20_000);
    assert!(html.contains("<h2 id=\"same\">") && html.contains("<h2 id=\"same-19999\">"));
    assert!(took < std::time::Duration::from_secs(20), "took {took:?}");
}

/// Control characters that XML 1.0 forbids (vertical tab, form feed, NUL, …) in an event's title
/// or body made `atom.xml` ill-formed and put NULs in the HTML, while `check` passed.
#[test]
fn control_characters_never_reach_feeds_or_pages_and_check_warns() {
    let site = Site::small();
    // In the front matter as YAML escapes; in the body as the characters themselves.
    site.write(
        "content/events/uruguay-visit.en.md",
        "---\ntitle: \"Uruguay\\vdelegation \\0visits\"\nsummary: \"A visit\\f in May.\"\n---\nSee\u{b} [Attica](@/regions/attica.md#cooperation)\u{c} now\u{0}.\n\n## Pro\u{1}gramme\n",
    );
    site.build().assert_ok();
    let forbidden = |c: char| c < ' ' && !matches!(c, '\t' | '\n' | '\r');
    for page in [
        "en/events/uruguay-visit/index.html",
        "en/index.html",
        "en/events/index.html",
    ] {
        let html = site.public(page);
        assert!(!html.contains(forbidden), "{page} has control characters");
    }
    let html = site.public("en/events/uruguay-visit/index.html");
    assert!(html.contains("id=\"programme\""), "{html}");
    // `site.toml` may write them as escapes: the feeds stay well-formed.
    let toml = common::SITE_TOML.replace(
        "title = \"Henan Stories\"",
        "title = \"Henan\\u000BStories\\u0000\"",
    );
    site.write("site.toml", &toml);
    site.build().assert_ok();
    let about = site.public("en/about/index.html");
    assert!(
        about.contains("Henan\u{b}Stories") && !about.contains('\0'),
        "{about}"
    );
    for feed in ["en/atom.xml", "zh/atom.xml", "sitemap.xml"] {
        let xml = site.public(feed);
        roxmltree::Document::parse(&xml)
            .unwrap_or_else(|e| panic!("{feed} is not well-formed XML: {e}\n{xml}"));
    }
    let atom = site.public("en/atom.xml");
    assert!(
        atom.contains("<title>Uruguay delegation visits</title>"),
        "{atom}"
    );
    assert!(
        atom.contains("<summary>A visit  in May.</summary>"),
        "{atom}"
    );

    let run = site.run(&["check", "--format", "json"]);
    run.assert_ok();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut found: Vec<(String, u64)> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "control-character")
        .map(|d| {
            (
                d["file"].as_str().unwrap().to_owned(),
                d["line"].as_u64().unwrap(),
            )
        })
        .collect();
    found.sort();
    let file = "content/events/uruguay-visit.en.md".to_owned();
    assert_eq!(
        found,
        [
            (file.clone(), 2),
            (file.clone(), 3),
            (file.clone(), 5),
            (file, 7)
        ]
    );
}

/// Runs the binary on `site` with stdout (or, with `stderr`, stderr) closed before it writes,
/// as `| head -1` leaves it; returns the exit code.
fn with_closed_pipe(site: &Site, args: &[&str], stderr: bool) -> Option<i32> {
    use std::process::Stdio;
    let mut command = common::bin();
    command.args(args).arg("--root").arg(site.root());
    command.stdin(Stdio::null());
    if stderr {
        command.stdout(Stdio::null()).stderr(Stdio::piped());
    } else {
        command.stdout(Stdio::piped()).stderr(Stdio::null());
    }
    let mut child = command.spawn().unwrap();
    // Closing our end now: whatever the command writes later meets a broken pipe.
    drop(child.stdout.take());
    drop(child.stderr.take());
    child.wait().unwrap().code()
}

#[test]
fn a_reader_that_stops_early_is_not_a_crash() {
    let site = Site::small();
    for args in [&["build"][..], &["check"], &["check", "--format", "json"]] {
        assert_eq!(with_closed_pipe(&site, args, false), Some(0), "{args:?}");
    }
    assert_eq!(
        with_closed_pipe(&site, &["new", "page", "history"], false),
        Some(0)
    );
    // Errors to a closed stderr: the build still fails as a failure, not as a panic (101).
    site.write("content/bad.en.md", "no front matter\n");
    assert_eq!(with_closed_pipe(&site, &["build"], true), Some(1));
    assert_eq!(with_closed_pipe(&site, &["check"], true), Some(1));
}

#[test]
fn front_matter_mistakes_are_reported_once_at_their_line() {
    let (_, run) = broken(&[("content/about.en.md", "---\ntitle: [a, b]\n---\nx\n")]);
    assert!(
        run.stderr
            .contains("error: content/about.en.md:2: title: expected text, found [\"a\",\"b\"]"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("missing `title`"), "{}", run.stderr);
    assert!(run.stderr.contains("1 error and"), "{}", run.stderr);

    let (_, run) = broken(&[("content/about.en.md", "---\ntitle: A\n1: x\n---\nx\n")]);
    assert!(
        run.stderr
            .contains("error: content/about.en.md:3: expected text keys, found `1`"),
        "{}",
        run.stderr
    );

    let (_, run) = broken(&[(
        "content/about.en.md",
        "---\ntitle: A\nweight: 99999999999999999999\n---\nx\n",
    )]);
    assert!(
        run.stderr.contains(
            "error: content/about.en.md:3: invalid YAML in front matter: weight: the number \
             99999999999999999999 is too large"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("u128"), "{}", run.stderr);
}

#[test]
fn an_invalid_paginate_by_is_an_error() {
    for value in ["0", "-3", "ten", "2.5"] {
        let (_, run) = broken(&[(
            "content/events/_index.en.md",
            &format!("---\ntitle: Events\npaginate_by: {value}\n---\n"),
        )]);
        let expected = "error: content/events/_index.en.md:3: paginate_by: expected a whole \
                        number of entries per list page, 1 or more, like 20";
        assert!(run.stderr.contains(expected), "{value}: {}", run.stderr);
    }
    let toml = common::SITE_TOML.replace("[hub]", "[extra]\npaginate_by = 0\n\n[hub]");
    let (_, run) = broken(&[("site.toml", &toml)]);
    assert!(
        run.stderr
            .contains("error: site.toml:13: [extra] paginate_by = 0: expected a whole number"),
        "{}",
        run.stderr
    );
    // A dotted key at the top names its own line too.
    let (_, run) = broken(&[(
        "site.toml",
        &format!("extra.paginate_by = 0\n{}", common::SITE_TOML),
    )]);
    assert!(
        run.stderr
            .contains("error: site.toml:1: [extra] paginate_by = 0"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_folder_that_is_not_a_site_gets_no_output_folder() {
    let empty = tempfile::tempdir().unwrap();
    let typo = empty.path().join("typo");
    let run: common::Run = common::bin()
        .args(["build", "--root"])
        .arg(&typo)
        .output()
        .unwrap()
        .into();
    run.assert_failed();
    assert!(run.stderr.contains("site.toml"), "{}", run.stderr);
    assert!(!typo.exists(), "build created {}", typo.display());
}

#[test]
fn a_malformed_source_date_epoch_is_refused() {
    let site = Site::small();
    for value in ["yesterday", "1764028800.5", "-1", "99999999999999999"] {
        for command in ["build", "check"] {
            let run: common::Run = common::bin()
                .env("SOURCE_DATE_EPOCH", value)
                .args([command, "--root"])
                .arg(site.root())
                .output()
                .unwrap()
                .into();
            run.assert_failed();
            let expected = format!(
                "error: SOURCE_DATE_EPOCH=\"{value}\": expected the build time in whole seconds"
            );
            assert!(run.stderr.contains(&expected), "{}", run.stderr);
        }
    }
    assert!(!site.exists(""), "nothing is published");
}
