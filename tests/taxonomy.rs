//! Country and tag pages through the real binary: paired tags share `/<lang>/tags/<id>/` and are
//! each other's alternates, unpaired ones keep their text (Chinese percent-encoded in links), a
//! country is named and listed in a language even where only one language has its region,
//! both are in the sitemap, and `check` suggests near misses and hints at tags used once.

mod common;
use common::{Site, SITE_TOML};

const TAGS: &str = "\n[tags.trade]\nzh = \"经贸\"\nen = \"Trade\"\n";

/// Two regions in both languages, an event naming one, tags paired and not, in both languages.
fn tagged() -> Site {
    let site = Site::new();
    site.write("site.toml", &format!("{SITE_TOML}{TAGS}"));
    site.write(
        "content/regions/attica.zh.md",
        "---\ntitle: 阿提卡大区\ncountry: 希腊\ncountry_code: GR\ncoordinates: {lat: 37.98, lon: 23.73}\ntags: [经贸, 文化]\n---\n阿提卡。\n",
    );
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ntags: [trade, Cultural exchange]\n---\nAttica.\n",
    );
    site.write(
        "content/regions/puglia.zh.md",
        "---\ntitle: 普利亚大区\ncountry_code: IT\ntags: [经贸]\n---\n普利亚。\n",
    );
    site.write(
        "content/regions/puglia.en.md",
        "---\ntitle: Puglia\ncountry: Italy\ntags: [Trade]\n---\nPuglia.\n",
    );
    site.write(
        "content/events/visit.zh.md",
        "---\ntitle: 代表团访问\ndate: 2024-05\nregions: [attica]\ntags: [经贸]\n---\n访问。\n",
    );
    site.write(
        "content/events/visit.en.md",
        "---\ntitle: A delegation visits\ntags: [Trade, Cultural exchange]\n---\nA visit.\n",
    );
    site
}

/// `<link rel="alternate" hreflang=…>` targets of a page.
fn alternates(html: &str) -> Vec<&str> {
    html.split("<link rel=\"alternate\" hreflang=\"")
        .skip(1)
        .map(|s| {
            let href = &s[s.find("href=\"").unwrap() + 6..];
            &href[..href.find('"').unwrap()]
        })
        .filter(|h| *h != "https://example.org/")
        .collect()
}

#[test]
fn a_paired_tag_has_one_id_in_every_language_and_its_label_in_each() {
    let site = tagged();
    site.build().assert_ok();
    let zh = site.public("zh/tags/trade/index.html");
    let en = site.public("en/tags/trade/index.html");
    assert!(zh.contains("<h1>标签：经贸</h1>"), "{zh}");
    assert!(en.contains("<h1>Tagged “Trade”</h1>"), "{en}");
    let both = [
        "https://example.org/zh/tags/trade/",
        "https://example.org/en/tags/trade/",
    ];
    assert_eq!(alternates(&zh), both);
    assert_eq!(alternates(&en), both);
    // Regions and events, the event first (newest events first, then regions by title).
    let event = en.find("/en/events/visit/").unwrap();
    let attica = en.find("/en/regions/attica/").unwrap();
    let puglia = en.find("/en/regions/puglia/").unwrap();
    assert!(event < attica && attica < puglia, "{en}");
    // Written as the id (`trade`) or the label (`Trade`), it links to the same page.
    let region = site.public("en/regions/attica/index.html");
    // Shown with its label in the page's language, however the page writes it.
    assert!(region.contains("<a href=\"/en/tags/trade/\" rel=\"tag\">Trade</a>"));
    let region = site.public("zh/regions/attica/index.html");
    assert!(region.contains("<a href=\"/zh/tags/trade/\" rel=\"tag\">经贸</a>"));
}

#[test]
fn an_unpaired_tag_keeps_its_text_and_its_switcher_goes_to_the_tag_list() {
    let site = tagged();
    site.build().assert_ok();
    // Chinese as written on disk, percent-encoded in links; never transliterated.
    let zh = site.public("zh/tags/文化/index.html");
    assert!(zh.contains("<h1>标签：文化</h1>"));
    let region = site.public("zh/regions/attica/index.html");
    assert!(region.contains("href=\"/zh/tags/%E6%96%87%E5%8C%96/\" rel=\"tag\">文化</a>"));
    assert!(
        zh.contains(
            "<link rel=\"canonical\" href=\"https://example.org/zh/tags/%E6%96%87%E5%8C%96/\">"
        ),
        "{zh}"
    );
    // ASCII lower case, spaces as `-`.
    let en = site.public("en/tags/cultural-exchange/index.html");
    assert!(en.contains("Tagged “Cultural exchange”"));
    // No alternate in the other language: the switcher goes to its tag list.
    assert_eq!(
        alternates(&zh),
        ["https://example.org/zh/tags/%E6%96%87%E5%8C%96/"]
    );
    let switch = common::element(&zh, "<nav class=\"lang-switch\"", "</nav>");
    assert!(switch.contains("href=\"/en/tags/\""), "{switch}");
    // The tag lists: most used first, with counts.
    let list = site.public("en/tags/index.html");
    let trade = list.find("/en/tags/trade/").unwrap();
    let culture = list.find("/en/tags/cultural-exchange/").unwrap();
    assert!(trade < culture, "{list}");
    assert!(
        list.contains("Trade <span class=\"count\">3</span>"),
        "{list}"
    );
}

#[test]
fn tag_lists_are_paginated_like_sections() {
    let site = tagged();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[extra]\npaginate_by = 2\n{TAGS}"),
    );
    site.build().assert_ok();
    let second = site.public("en/tags/trade/page/2/index.html");
    assert!(second.contains("/en/regions/puglia/"));
    assert!(second.contains("rel=\"prev\""));
    assert!(!site.exists("en/tags/cultural-exchange/page/2/index.html"));
    // The other language's second list page is its alternate.
    assert!(alternates(&second).contains(&"https://example.org/zh/tags/trade/page/2/"));
}

#[test]
fn a_country_is_named_and_listed_in_each_language_its_regions_are_in() {
    let site = tagged();
    // A region in Chinese only, with no `country` written anywhere.
    site.write(
        "content/regions/lublin.zh.md",
        "---\ntitle: 卢布林省\ncountry_code: PL\ncoordinates: {lat: 51.25, lon: 22.57}\n---\n卢布林。\n",
    );
    let run = site.build();
    run.assert_ok();
    let zh = site.public("zh/countries/pl/index.html");
    assert!(zh.contains("<h1>波兰</h1>"), "{zh}");
    assert!(zh.contains("href=\"/zh/regions/lublin/\""));
    assert!(zh.contains("<svg class=\"country-map\""));
    // In English, the region is a fallback (README "Pages in one language only"): listed with
    // its language marked, the country named from the table.
    let en = site.public("en/countries/pl/index.html");
    assert!(en.contains("<h1>Poland</h1>"), "{en}");
    assert!(
        en.contains("<span lang=\"zh-Hans\">卢布林省</span>"),
        "{en}"
    );
    // Named from the built-in table where pages do not say: Italy in Chinese.
    let it = site.public("zh/countries/it/index.html");
    assert!(it.contains("<h1>意大利</h1>"));
    // Both languages' pages of a country are alternates; its events are listed.
    let gr = site.public("en/countries/gr/index.html");
    assert_eq!(
        alternates(&gr),
        [
            "https://example.org/zh/countries/gr/",
            "https://example.org/en/countries/gr/"
        ]
    );
    assert!(gr.contains("<h1>Greece</h1>") && gr.contains("/en/events/visit/"));
    // The lists, by continent with the number of regions; Poland only in Chinese.
    let list = site.public("zh/countries/index.html");
    assert!(list.contains("<h2 id=\"c-europe\">欧洲</h2>"));
    assert!(list.contains(
        "<a href=\"/zh/countries/pl/\">波兰</a> <span class=\"meta\">1个友好省州</span>"
    ));
    assert!(site
        .public("en/countries/index.html")
        .contains("/en/countries/pl/"));
    // Region pages link to their country page; the navigation has the lists.
    let region = site.public("en/regions/attica/index.html");
    assert!(
        region.contains("<dd><a href=\"/en/countries/gr/\">Greece</a></dd>"),
        "{region}"
    );
    assert!(region.contains("<a href=\"/en/countries/\">Countries</a>"));
    assert!(site
        .public("zh/index.html")
        .contains("<a href=\"/zh/countries/\">国家</a>"));
    // The map's list by country leads there too.
    let map = site.public("en/map/index.html");
    assert!(
        map.contains("<h3><a href=\"/en/countries/gr/\">Greece</a></h3>"),
        "{map}"
    );

    // Without fallback pages, the country is in Chinese only: its switcher goes to the
    // English list of countries, which leaves it out.
    let toml = std::fs::read_to_string(site.path("site.toml")).unwrap();
    site.write(
        "site.toml",
        &(toml + "\n[translations]\nfallback = false\n"),
    );
    site.build().assert_ok();
    assert!(!site.exists("en/countries/pl/index.html"));
    let zh = site.public("zh/countries/pl/index.html");
    assert_eq!(alternates(&zh), ["https://example.org/zh/countries/pl/"]);
    let switch = common::element(&zh, "<nav class=\"lang-switch\"", "</nav>");
    assert!(switch.contains("href=\"/en/countries/\""), "{switch}");
    assert!(!site
        .public("en/countries/index.html")
        .contains("/en/countries/pl/"));
}

#[test]
fn a_country_name_can_be_overridden_in_site_toml() {
    let site = tagged();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[languages.en.strings]\ncountry_gr = \"Hellas\"\n"),
    );
    site.build().assert_ok();
    assert!(site
        .public("en/countries/gr/index.html")
        .contains("<h1>Hellas</h1>"));
    assert!(site
        .public("en/countries/index.html")
        .contains(">Hellas</a>"));
}

#[test]
fn the_sitemap_lists_country_and_tag_pages_with_their_alternates() {
    let site = tagged();
    site.build().assert_ok();
    let sitemap = site.public("sitemap.xml");
    for loc in [
        "https://example.org/zh/countries/",
        "https://example.org/en/countries/gr/",
        "https://example.org/en/tags/",
        "https://example.org/zh/tags/trade/",
        "https://example.org/zh/tags/%E6%96%87%E5%8C%96/",
        "https://example.org/en/tags/cultural-exchange/",
    ] {
        assert!(
            sitemap.contains(&format!("<loc>{loc}</loc>")),
            "{loc}\n{sitemap}"
        );
    }
    let entry = common::element(
        &sitemap,
        "<loc>https://example.org/en/tags/trade/</loc>",
        "</url>",
    );
    assert!(entry.contains("hreflang=\"zh-Hans\" href=\"https://example.org/zh/tags/trade/\""));
    let entry = common::element(
        &sitemap,
        "<loc>https://example.org/en/tags/cultural-exchange/</loc>",
        "</url>",
    );
    assert!(!entry.contains("hreflang"), "{entry}");
}

#[test]
fn check_suggests_the_paired_tag_for_a_near_miss_and_hints_at_tags_used_once() {
    let site = tagged();
    site.write(
        "content/events/visit.en.md",
        "---\ntitle: A delegation visits\ntags: [Trad, Cultural exchange]\n---\nA visit.\n",
    );
    let run = site.run(&["check"]);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/events/visit.en.md:3: tags: `Trad` is not a tag of site.toml's [tags]",
        "did you mean `trade`?",
        "hint: content/events/visit.en.md:3: tags: `Trad` is on this page only",
        "hint: content/regions/attica.zh.md:6: tags: `文化` is on this page only",
    ]);
    // A paired tag counts its pages across languages, a page and its translation once.
    assert!(
        !run.stderr.contains("`经贸` is on this page only"),
        "{}",
        run.stderr
    );
    assert!(
        !run.stderr.contains("`Cultural exchange` is on"),
        "{}",
        run.stderr
    );
    run.stdout_has(&["check: 0 errors, 1 warning and 2 hints"]);
    // `build` warns about the near miss, and leaves hints to `check`.
    let build = site.build();
    build.assert_ok().stderr_has(&["did you mean `trade`?"]);
    assert!(
        !build.stderr.contains("on this page only"),
        "{}",
        build.stderr
    );
    let json = site.run(&["check", "--format", "json"]).stdout;
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["hints"], 2);
    assert_eq!(json["warnings"], 1);
}

#[test]
fn a_mistake_in_tags_pairs_names_site_toml() {
    let site = tagged();
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[tags.trade]\nzh = \"经贸\"\nfr = \"Commerce\"\n"),
    );
    let run = site.build();
    run.assert_failed();
    // The line of `fr = …`: after the common lines, a blank one, the header and `zh = …`.
    let line = SITE_TOML.lines().count() + 4;
    run.stderr_has(&[&format!("error: site.toml:{line}: [tags.trade] fr = \"Commerce\": `fr` is not one of the [languages.*] tables")]);
    site.write(
        "site.toml",
        &format!("{SITE_TOML}\n[tags.\"Trade Fair\"]\nen = \"Trade fair\"\n"),
    );
    site.build().assert_failed().stderr_has(&[&format!(
        "site.toml:{}: [tags.Trade Fair]: expected an id of lowercase ASCII letters",
        SITE_TOML.lines().count() + 2
    )]);
}

#[test]
fn content_in_a_folder_of_the_built_in_pages_is_a_url_collision() {
    let site = tagged();
    site.write(
        "content/tags/trade.en.md",
        "---\ntitle: Trade\n---\nMine.\n",
    );
    let run = site.build();
    run.assert_failed();
    run.stderr_has(&[
        "error: content/tags/trade.en.md: publishes to /en/tags/trade/, but the build publishes its own pages under /en/tags/",
    ]);
    assert!(!site.exists("en/index.html"), "nothing is published");
}
