//! The timeline and map pages (issue 3), built through the real binary.

mod common;
use common::Site;
use henan_stories::geo::Frame;

/// 2026-11-25T00:00:00Z: the build date the anniversary arithmetic counts from.
const TODAY: &str = "1795564800";

fn build_at(site: &Site, epoch: &str) {
    let run: common::Run = common::bin()
        .env("SOURCE_DATE_EPOCH", epoch)
        .args(["build", "--root"])
        .arg(site.root())
        .output()
        .unwrap()
        .into();
    run.assert_ok();
}

fn region(site: &Site, key: &str, extra: &str) {
    site.write(
        &format!("content/regions/{key}.en.md"),
        &format!("---\ntitle: Region {key}\ncountry: Land {key}\n{extra}\n---\nText.\n"),
    );
    site.write(
        &format!("content/regions/{key}.zh.md"),
        &format!("---\ntitle: 地区{key}\n---\n正文。\n"),
    );
}

fn event(site: &Site, key: &str, date: &str, extra: &str) {
    site.write(
        &format!("content/events/{key}.en.md"),
        &format!("---\ntitle: Event {key}\ndate: \"{date}\"\nkind: visit\n{extra}\n---\nText.\n"),
    );
    site.write(
        &format!("content/events/{key}.zh.md"),
        &format!("---\ntitle: 活动{key}\n---\n正文。\n"),
    );
}

/// Positions of `needles` in `haystack`, each of which must occur.
fn order(haystack: &str, needles: &[&str]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| haystack.find(n).unwrap_or_else(|| panic!("{n} not found")))
        .collect()
}

fn fixture() -> Site {
    let site = Site::new();
    region(
        &site,
        "leap",
        "country_code: GR\nestablished: 2004-02-29\ncoordinates: {lat: 37.98, lon: 23.73}",
    );
    region(
        &site,
        "old",
        "country_code: BE\nestablished: 1988\ncoordinates: {lat: 50.47, lon: 4.87}",
    );
    region(
        &site,
        "month",
        "country_code: PL\nestablished: 2008-12\ncoordinates: {lat: 51.25, lon: 22.57}",
    );
    region(
        &site,
        "nocoords",
        "country_code: JP\nestablished: 2016-11-30",
    );
    region(
        &site,
        "prep",
        "country_code: KH\nstatus: preparing\ncoordinates: {lat: 13.36, lon: 103.86}",
    );
    event(&site, "day", "2023-05-12", "regions: [leap]");
    event(&site, "year", "2023", "regions: [old, month]");
    event(&site, "month-ev", "2023-05", "");
    event(&site, "early", "2022", "");
    event(&site, "hidden", "2023-01", "draft: true");
    site
}

#[test]
fn timeline_is_chronological_with_mixed_precisions_and_no_drafts() {
    let site = fixture();
    build_at(&site, TODAY);
    let html = site.public("en/timeline/index.html");
    let pos = order(
        &html,
        &[
            "<time datetime=\"1988\">1988</time>",
            "<time datetime=\"2004-02-29\">29 February 2004</time>",
            "<time datetime=\"2008-12\">December 2008</time>",
            "<time datetime=\"2022\">2022</time>",
            "<time datetime=\"2023\">2023</time>",
            "<time datetime=\"2023-05\">May 2023</time>",
            "<time datetime=\"2023-05-12\">12 May 2023</time>",
        ],
    );
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{pos:?}");
    assert!(!html.contains("Event hidden"), "drafts stay out");
    // Grouped by year with an index to jump to.
    assert!(html.contains("<a href=\"#y2023\">2023</a>") && html.contains("id=\"y2023\""));
    // Chinese dates in the Chinese timeline.
    let zh = site.public("zh/timeline/index.html");
    assert!(zh.contains("<time datetime=\"2023-05\">2023年5月</time>"));
    // Entries carry their kind and region keys for the in-page filter.
    assert!(html.contains("data-kind=\"visit\" data-regions=\"old month\""));
    assert!(html.contains("data-kind=\"established\" data-regions=\"leap\""));
}

#[test]
fn upcoming_anniversaries_count_from_the_build_date() {
    let site = fixture();
    build_at(&site, TODAY);
    let en = site.public("en/timeline/index.html");
    let upcoming = &en[en.find("class=\"upcoming-list\"").unwrap()..en.find("</ol>").unwrap()];
    // Soonest first: 2016-11-30 → 10th on 2026-11-30; 1988 → 40th in 2028; 2008-12 → 20th in
    // 2028-12; 2004-02-29 → 25th on 28 February 2029 (not a leap year).
    let pos = order(
        upcoming,
        &[
            "<time datetime=\"2026-11-30\">30 November 2026</time> <span class=\"anniversary\">10th anniversary</span>",
            "<time datetime=\"2028\">2028</time> <span class=\"anniversary\">40th anniversary</span>",
            "<time datetime=\"2028-12\">December 2028</time> <span class=\"anniversary\">20th anniversary</span>",
            "<time datetime=\"2029-02-28\">28 February 2029</time> <span class=\"anniversary\">25th anniversary</span>",
        ],
    );
    assert!(pos.windows(2).all(|w| w[0] < w[1]), "{upcoming}");
    assert!(
        !upcoming.contains("Region prep"),
        "a relation being prepared has no anniversary"
    );
    let zh = site.public("zh/timeline/index.html");
    assert!(zh.contains("<span class=\"anniversary\">结好40周年</span>"));
    // Region pages show their own next anniversary and their events.
    let leap = site.public("en/regions/leap/index.html");
    assert!(
        leap.contains("25th anniversary · <time datetime=\"2029-02-28\">"),
        "{leap}"
    );
    assert!(leap.contains("Event day"));
    // A year later the count moves on; on the day itself the anniversary is still upcoming.
    build_at(&site, "1796083200"); // 2026-12-01
    let en = site.public("en/timeline/index.html");
    assert!(en.contains("<time datetime=\"2031-11-30\">30 November 2031</time> <span class=\"anniversary\">15th anniversary</span>"));
    build_at(&site, "1795996800"); // 2026-11-30
    assert!(site
        .public("en/timeline/index.html")
        .contains("<time datetime=\"2026-11-30\">"));
}

#[test]
fn map_has_one_marker_per_region_with_coordinates_and_valid_svg() {
    let site = fixture();
    // Coordinates given only in the Chinese translation are inherited by the English page.
    site.write(
        "content/regions/inherit.zh.md",
        "---\ntitle: 继承\ncountry_code: UY\ncoordinates: {lat: -34.90, lon: -56.19}\n---\n正文。\n",
    );
    site.write(
        "content/regions/inherit.en.md",
        "---\ntitle: Region inherit\n---\nText.\n",
    );
    build_at(&site, TODAY);
    let html = site.public("en/map/index.html");
    let svg = common::element(&html, "<svg class=\"world-map\"", "</svg>");
    let doc = roxmltree::Document::parse(svg).expect("the map is well-formed XML");
    let markers: Vec<_> = doc
        .descendants()
        .filter(|n| {
            n.has_tag_name("a") && n.attribute("class").is_some_and(|c| c.contains("marker"))
        })
        .collect();
    let mut keys: Vec<&str> = markers
        .iter()
        .map(|m| m.attribute("data-region").unwrap())
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["inherit", "leap", "month", "old", "prep"],
        "none for `nocoords`"
    );
    for m in &markers {
        let href = m.attribute("href").unwrap();
        assert!(
            site.exists(&format!("{}index.html", href.trim_start_matches('/'))),
            "{href}"
        );
        assert!(m.attribute("aria-label").unwrap().starts_with("Region "));
    }
    let prep = markers
        .iter()
        .find(|m| m.attribute("data-region") == Some("prep"))
        .unwrap();
    assert!(prep.attribute("class").unwrap().contains("preparing"));
    // Markers sit where the Equal Earth projection puts them.
    let frame = Frame::world(960.0);
    let (x, y) = frame.to_svg(23.73, 37.98);
    let leap = markers
        .iter()
        .find(|m| m.attribute("data-region") == Some("leap"))
        .unwrap();
    let circle = leap.children().find(|n| n.has_tag_name("circle")).unwrap();
    let cx: f64 = circle.attribute("cx").unwrap().parse().unwrap();
    let cy: f64 = circle.attribute("cy").unwrap().parse().unwrap();
    assert!(
        (cx - x).abs() < 0.06 && (cy - y).abs() < 0.06,
        "({cx},{cy}) vs ({x},{y})"
    );
    // The hub, one arc per marker, partner countries shaded.
    assert!(svg.contains("class=\"hub\""));
    assert_eq!(svg.matches("class=\"arc ").count(), 5);
    assert!(svg.matches("country partner").count() >= 5);
    // The accessible list below, grouped by country, each leading to its country page.
    assert!(html.contains("<h3><a href=\"/en/countries/gr/\">Land leap</a></h3>"));
    assert!(html.contains("<h3><a href=\"/en/countries/jp/\">Land nocoords</a></h3>"));
    // Where no page writes `country`, the group is named like the country page.
    let zh = site.public("zh/map/index.html");
    assert!(
        zh.contains("<h3><a href=\"/zh/countries/gr/\">希腊</a></h3>"),
        "{zh}"
    );
}

#[test]
fn every_timeline_link_resolves() {
    let site = fixture();
    build_at(&site, TODAY);
    for lang in ["en", "zh"] {
        let html = site.public(&format!("{lang}/timeline/index.html"));
        let links = common::local_links(&html);
        assert!(links.len() > 10);
        for href in links {
            let file = if href.ends_with('/') {
                format!("{href}index.html")
            } else {
                href.to_owned()
            };
            assert!(site.exists(file.trim_start_matches('/')), "{lang}: {href}");
        }
    }
}

#[test]
fn region_pages_have_a_locator_map() {
    let site = fixture();
    build_at(&site, TODAY);
    let page = site.public("en/regions/old/index.html");
    let locator = common::element(&page, "<svg class=\"locator\"", "</svg>");
    roxmltree::Document::parse(locator).expect("well-formed");
    assert!(locator.contains("href=\"/world.svg\""));
    assert!(site.exists("world.svg"));
    roxmltree::Document::parse(&site.public("world.svg")).expect("world.svg is well-formed");
    assert!(!site
        .public("en/regions/nocoords/index.html")
        .contains("class=\"locator\""));
}

#[test]
fn a_site_renders_the_years_with_its_own_macro_or_reads_their_entries_in_its_own_page() {
    let site = fixture();
    // The theme's page prints each year as `macros.html`'s `timeline_year` makes it: a site's
    // own macro sees the year's entries.
    site.write(
        "templates/macros.html",
        &common::theme_macros_with(
            "timeline_year(y, t)",
            "<section class=\"own-year\">{{ y.year }}: {{ y.entries | length }}</section>",
        ),
    );
    build_at(&site, TODAY);
    let html = site.public("en/timeline/index.html");
    assert!(
        html.contains("<section class=\"own-year\">2023: 4</section>"),
        "{html}"
    );
    assert!(html.contains("<section class=\"own-year\">1988: 1</section>"));
    // A timeline page of the site's own still finds every year's entries (the built-in one
    // reads only each year's `year` and `html`, and the entries are let go once it is made).
    site.write(
        "templates/timeline.html",
        "{% extends \"base.html\" %}{% block main %}{% for y in timeline.years %}\
         {% for e in y.entries %}<p class=\"own\">{{ y.year }} {{ e.page.title }}</p>{% endfor %}\
         {% endfor %}{% endblock main %}",
    );
    build_at(&site, TODAY);
    let html = site.public("en/timeline/index.html");
    for entry in ["1988 Region old", "2023 Event day", "2022 Event early"] {
        assert!(
            html.contains(&format!("<p class=\"own\">{entry}</p>")),
            "{entry}: {html}"
        );
    }
}

#[test]
fn a_site_whose_own_templates_render_the_timeline_reads_every_field_of_its_links() {
    // The theme's templates read a few fields of each link, and with them the timeline carries
    // only those; a site's own `macros.html` or timeline page may read any of them.
    let site = fixture();
    site.write(
        "templates/macros.html",
        &common::theme_macros_with(
            "timeline_year(y, t)",
            "{% for e in y.entries %}<p class=\"own\">{{ e.page.title }} {{ e.page.kind }} \
             {{ e.page.country_code }}:{% for r in e.regions %} {{ r.country_code }} \
             {{ r.established_display }}{% endfor %}</p>{% endfor %}",
        ),
    );
    build_at(&site, TODAY);
    let html = site.public("en/timeline/index.html");
    for entry in [
        "Region old region BE: BE 1988",
        "Event year event : BE 1988 PL December 2008",
    ] {
        assert!(
            html.contains(&format!("<p class=\"own\">{entry}</p>")),
            "{entry}: {html}"
        );
    }
    site.write(
        "templates/macros.html",
        &common::theme_macros_with("timeline_year(y, t)", "{{ y.year }}"),
    );
    site.write(
        "templates/timeline.html",
        "{% extends \"base.html\" %}{% block main %}\
         {% for u in timeline.upcoming %}<p class=\"up\">{{ u.region.key }} {{ u.region.country_code }} {{ u.region.status }}</p>{% endfor %}\
         {% for r in timeline.regions %}<p class=\"filter\">{{ r.key }} {{ r.established }}</p>{% endfor %}\
         {% endblock main %}",
    );
    build_at(&site, TODAY);
    let html = site.public("en/timeline/index.html");
    for line in [
        "<p class=\"up\">leap GR established</p>",
        "<p class=\"filter\">old 1988</p>",
        "<p class=\"filter\">month 2008-12</p>",
    ] {
        assert!(html.contains(line), "{line}: {html}");
    }
}
