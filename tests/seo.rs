//! What search engines and social sites read, through the real build: JSON-LD (parsed as JSON),
//! Open Graph and Twitter tags, paginated lists with rel="prev"/"next", reading time and word
//! counts, and the sitemap and feeds validated against their schemas with xmllint.

mod common;
use common::{portal, Site};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// Every JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> Vec<Value> {
    html.split("<script type=\"application/ld+json\">")
        .skip(1)
        .map(|rest| {
            let json = rest.split("</script>").next().unwrap();
            serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {json}"))
        })
        .collect()
}

fn meta(html: &str, property: &str) -> Vec<String> {
    let attr = if property.starts_with("og:") {
        "property"
    } else {
        "name"
    };
    html.split(&format!("<meta {attr}=\"{property}\" content=\""))
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap().to_owned())
        .collect()
}

#[test]
fn json_ld_names_dates_coordinates_and_the_search_action() {
    let site = Site::small();
    site.write(
        "content/events/quotes.en.md",
        "---\ntitle: 'A \"quoted\" </script><script>alert(1)</script> title'\ndate: 2024-03-09\nkind: other\nregions: [lublin, attica]\n---\nText.\n",
    );
    site.build().assert_ok();
    let event = json_ld(&site.public("zh/events/uruguay-visit/index.html"));
    assert_eq!(event.len(), 1);
    let e = &event[0];
    assert_eq!(e["@context"], "https://schema.org");
    assert_eq!(e["@type"], "Event");
    assert_eq!(e["name"], "乌拉圭代表团访问河南");
    // The date at the precision given: a month.
    assert_eq!(e["startDate"], "2023-05");
    assert_eq!(e["url"], "https://example.org/zh/events/uruguay-visit/");
    assert_eq!(e["location"]["@type"], "Place");
    assert_eq!(e["location"]["name"], "阿提卡大区");
    assert_eq!(e["location"]["geo"]["latitude"], 37.98);
    assert_eq!(e["location"]["geo"]["longitude"], 23.73);

    let quoted_html = site.public("en/events/quotes/index.html");
    let quoted = json_ld(&quoted_html);
    assert_eq!(
        quoted[0]["name"],
        "A \"quoted\" </script><script>alert(1)</script> title"
    );
    assert_eq!(quoted[0]["startDate"], "2024-03-09");
    assert_eq!(quoted[0]["location"].as_array().unwrap().len(), 2);
    assert!(!quoted_html.contains("<script>alert(1)"));

    let region = json_ld(&site.public("en/regions/lublin/index.html"));
    let r = &region[0];
    assert_eq!(r["@type"], "Place");
    assert_eq!(r["name"], "Lublin");
    assert_eq!(r["geo"]["@type"], "GeoCoordinates");
    assert_eq!(r["geo"]["latitude"], 51.25);
    assert_eq!(r["geo"]["longitude"], 22.57);
    assert_eq!(r["address"]["addressCountry"], "PL");

    let home = json_ld(&site.public("zh/index.html"));
    let w = &home[0];
    assert_eq!(w["@type"], "WebSite");
    assert_eq!(w["url"], "https://example.org/zh/");
    assert_eq!(w["inLanguage"], "zh-Hans");
    assert_eq!(
        w["potentialAction"]["target"]["urlTemplate"],
        "https://example.org/zh/search/?q={search_term_string}"
    );
    assert_eq!(
        w["potentialAction"]["query-input"],
        "required name=search_term_string"
    );
    // Plain pages and lists carry none.
    assert!(json_ld(&site.public("en/about/index.html")).is_empty());
}

#[test]
fn open_graph_and_twitter_tags_with_locale_alternates() {
    let site = Site::small();
    site.write(
        "content/only-zh.zh.md",
        "---\ntitle: 只有中文\nsummary: 仅中文页面。\n---\n正文。\n",
    );
    site.build().assert_ok();
    let zh = site.public("zh/events/uruguay-visit/index.html");
    assert_eq!(meta(&zh, "og:title"), ["乌拉圭代表团访问河南"]);
    assert_eq!(meta(&zh, "og:description"), ["五月来访。"]);
    assert_eq!(meta(&zh, "description"), ["五月来访。"]);
    assert_eq!(meta(&zh, "og:type"), ["article"]);
    assert_eq!(
        meta(&zh, "og:url"),
        ["https://example.org/zh/events/uruguay-visit/"]
    );
    assert_eq!(
        meta(&zh, "og:image"),
        ["https://example.org/social-card.png"]
    );
    assert_eq!(meta(&zh, "og:locale"), ["zh_CN"]);
    assert_eq!(meta(&zh, "og:locale:alternate"), ["en_US"]);
    assert_eq!(meta(&zh, "twitter:card"), ["summary_large_image"]);
    assert_eq!(meta(&zh, "twitter:title"), ["乌拉圭代表团访问河南"]);
    assert!(site.exists("social-card.png"));
    let en_home = site.public("en/index.html");
    assert_eq!(meta(&en_home, "og:type"), ["website"]);
    assert_eq!(meta(&en_home, "og:locale"), ["en_US"]);
    assert_eq!(meta(&en_home, "og:locale:alternate"), ["zh_CN"]);
    // No alternate where the page has no other language.
    let only = site.public("zh/only-zh/index.html");
    assert!(meta(&only, "og:locale:alternate").is_empty());

    // site.toml's [extra] og_image replaces the card.
    site.write(
        "site.toml",
        &format!(
            "{}\n[extra]\nog_image = \"/img/card.png\"\n",
            common::SITE_TOML
        ),
    );
    site.write_bytes("static/img/card.png", b"png");
    site.build().assert_ok();
    let zh = site.public("zh/about/index.html");
    assert_eq!(meta(&zh, "og:image"), ["https://example.org/img/card.png"]);
}

#[test]
fn long_lists_paginate_with_rel_prev_and_next() {
    let site = Site::small();
    for n in 1..=4 {
        for (lang, title) in [("zh", "活动"), ("en", "Event")] {
            site.write(
                &format!("content/events/e{n}.{lang}.md"),
                &format!("---\ntitle: {title} {n}\ndate: 2020-0{n}\nkind: other\n---\nText.\n"),
            );
        }
    }
    site.write(
        "content/events/_index.en.md",
        "---\ntitle: Events\npaginate_by: 2\n---\n",
    );
    // Its own intro, or the Chinese list would show the English one, paginate_by included.
    site.write("content/events/_index.zh.md", "---\ntitle: 活动\n---\n");
    site.write(
        "site.toml",
        &format!("{}\n[extra]\npaginate_by = 4\n", common::SITE_TOML),
    );
    let run = site.build();
    run.assert_ok();
    assert!(!run.stderr.contains("paginate_by"), "{}", run.stderr);
    // 5 events: en by 2 (front matter) → 3 pages; zh by 4 (site.toml) → 2 pages.
    let p1 = site.public("en/events/index.html");
    let p2 = site.public("en/events/page/2/index.html");
    let p3 = site.public("en/events/page/3/index.html");
    assert!(!site.exists("en/events/page/4/index.html"));
    assert!(!site.exists("en/events/page/1/index.html"));
    assert!(p1.contains("<link rel=\"next\" href=\"/en/events/page/2/\">"));
    assert!(!p1.contains("rel=\"prev\""));
    assert!(p2.contains("<link rel=\"prev\" href=\"/en/events/\">"));
    assert!(p2.contains("<link rel=\"next\" href=\"/en/events/page/3/\">"));
    assert!(p3.contains("<link rel=\"prev\" href=\"/en/events/page/2/\">"));
    assert!(!p3.contains("rel=\"next\""));
    // Visible pager links, the current page marked.
    assert!(p2.contains("<a href=\"/en/events/\" rel=\"prev\">"));
    assert!(p2.contains("<span aria-current=\"page\">2</span>"));
    assert_eq!(p1.matches("class=\"card ").count(), 2);
    assert_eq!(p3.matches("class=\"card ").count(), 1);
    assert!(p2.contains("<link rel=\"canonical\" href=\"https://example.org/en/events/page/2/\">"));
    // Page 2 of zh exists, page 3 does not: the alternates say so.
    assert!(p2.contains("hreflang=\"zh-Hans\" href=\"https://example.org/zh/events/page/2/\""));
    assert!(!p3.contains("href=\"https://example.org/zh/events/page/3/\""));
    assert!(site.exists("zh/events/page/2/index.html"));
    assert!(!site.exists("zh/events/page/3/index.html"));
    // The sitemap lists the first page only (the others only repeat links to pages it lists).
    let sitemap = site.public("sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/en/events/</loc>"));
    assert!(!sitemap.contains("/page/2/"));
}

#[test]
fn a_long_list_links_its_ends_and_neighbours_not_every_page() {
    let site = Site::small();
    for n in 10..=21 {
        site.write(
            &format!("content/events/e{n}.en.md"),
            &format!("---\ntitle: Event {n}\ndate: 20{n}\nkind: other\n---\nText.\n"),
        );
    }
    site.write(
        "content/events/_index.en.md",
        "---\ntitle: Events\npaginate_by: 1\n---\n",
    );
    site.build().assert_ok();
    let pager = |path: &str| {
        common::element(&site.public(path), "<nav class=\"pager\"", "</nav>").to_owned()
    };
    // The text of each item of the pager's list, tags left out.
    let linked = |pager: &str| -> Vec<String> {
        let list = common::element(pager, "<ol>", "</ol>");
        list.split("</li>")
            .filter(|item| item.contains("<li"))
            .map(|item| {
                let mut text = String::new();
                for part in item.split('<') {
                    text.push_str(part.split_once('>').map_or("", |(_, after)| after));
                }
                text
            })
            .collect()
    };
    // The small site's event and 12 more, one a page: page 6 of 13 links the first, 4 to 8 and
    // the last, with "…" between.
    let middle = pager("en/events/page/6/index.html");
    assert_eq!(
        linked(&middle),
        ["1", "…", "4", "5", "6", "7", "8", "…", "13"],
        "{middle}"
    );
    assert!(
        middle.contains("<a href=\"/en/events/page/13/\">13</a>"),
        "{middle}"
    );
    assert!(
        middle.contains("<span aria-current=\"page\">6</span>"),
        "{middle}"
    );
    assert!(!middle.contains("/en/events/page/2/\""), "{middle}");
    assert!(middle.contains("<li class=\"gap\" aria-hidden=\"true\">…</li>"));
    // Near an end, a gap of one page is filled instead.
    let fourth = pager("en/events/page/4/index.html");
    assert_eq!(
        linked(&fourth),
        ["1", "2", "3", "4", "5", "6", "…", "13"],
        "{fourth}"
    );
}

#[test]
fn reading_time_and_word_count_are_shown() {
    let site = Site::small();
    site.write(
        "content/long.zh.md",
        &format!("---\ntitle: 长文\n---\n{}\n", "河南".repeat(450)),
    );
    site.write(
        "content/long.en.md",
        &format!("---\ntitle: Long\n---\n{}\n", "word ".repeat(250)),
    );
    site.build().assert_ok();
    let zh = site.public("zh/long/index.html");
    assert!(zh.contains("阅读约3分钟 · 900字"), "{zh}");
    let en = site.public("en/long/index.html");
    assert!(en.contains("2 min read · 250 words"), "{en}");
}

fn xmllint() -> bool {
    let ok = Command::new("xmllint")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        common::missing_tool("xmllint (Debian package libxml2-utils)");
    }
    ok
}

/// Validates `file` with xmllint against a schema in tests/schemas/; Err holds its complaint.
fn validate(kind: &str, schema: &str, file: &Path) -> Result<(), String> {
    let schema = common::repo().join("tests/schemas").join(schema);
    let out = Command::new("xmllint")
        .args(["--noout", kind])
        .arg(schema)
        .arg(file)
        .output()
        .expect("run xmllint");
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

#[test]
fn sitemap_and_feeds_validate_against_their_schemas() {
    if !xmllint() {
        return;
    }
    let site = portal();
    site.build().assert_ok();
    let public = site.path("public");
    validate("--schema", "sitemap-xhtml.xsd", &public.join("sitemap.xml")).unwrap();
    for lang in ["zh", "en"] {
        validate("--relaxng", "atom.rng", &public.join(lang).join("atom.xml")).unwrap();
    }
    // The validators do reject what the schemas forbid.
    let broken = site.path("broken.xml");
    let sitemap = site.public("sitemap.xml");
    std::fs::write(
        &broken,
        sitemap
            .replacen("<loc>", "<location>", 1)
            .replacen("</loc>", "</location>", 1),
    )
    .unwrap();
    assert!(validate("--schema", "sitemap-xhtml.xsd", &broken).is_err());
    std::fs::write(&broken, sitemap.replacen("hreflang=\"", "lang=\"", 1)).unwrap();
    assert!(validate("--schema", "sitemap-xhtml.xsd", &broken).is_err());
    let feed = site.public("en/atom.xml");
    std::fs::write(&broken, feed.replacen("<updated>", "<updated>last week", 1)).unwrap();
    assert!(validate("--relaxng", "atom.rng", &broken).is_err());
    std::fs::write(
        &broken,
        feed.replacen("<id>", "<ident>", 1)
            .replacen("</id>", "</ident>", 1),
    )
    .unwrap();
    assert!(validate("--relaxng", "atom.rng", &broken).is_err());
}
