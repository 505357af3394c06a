//! The default theme on the real portal: what the home, region and event pages show, that every
//! page is self-contained (nothing loaded from elsewhere), the page weight the build reports,
//! and HTML validity by the W3C Nu Html Checker when it is available.

mod common;
use common::portal;
use std::path::{Path, PathBuf};
use std::process::Command;

#[test]
fn home_tells_the_story_in_both_languages() {
    let site = portal();
    site.build().assert_ok();
    let zh = site.public("zh/index.html");
    let en = site.public("en/index.html");
    // The headline figures from the home intro's front matter, as a definition list.
    for (value, label) in [
        ("44", "provincial-level sister pairs"),
        ("125", "partner provinces and states"),
        ("51", "countries"),
        ("1981", "the first sister ties"),
    ] {
        assert!(
            en.contains(&format!("<dt>{label}</dt><dd>{value}</dd>")),
            "{value} {label}"
        );
    }
    assert!(zh.contains("<dt>省级国际友城</dt><dd>44<span class=\"unit\">对</span></dd>"));
    // The latest events link to event pages, the teaser to the map, regions grouped by continent.
    assert!(en.contains("href=\"/en/events/henan-stories-book-series/\""));
    assert!(en.contains("<a class=\"teaser-card\" href=\"/en/map/\">"));
    assert!(en.contains("<svg class=\"teaser-map\""));
    assert!(en.contains("<h3 id=\"c-europe\">Europe</h3>"));
    assert!(zh.contains("<h3 id=\"c-asia\">亚洲</h3>"));
    assert!(en.contains("href=\"/en/regions/montevideo/\""));
}

#[test]
fn region_and_event_pages_carry_their_facts_and_ways_back() {
    let site = portal();
    site.build().assert_ok();
    let region = site.public("en/regions/lublin/index.html");
    assert!(
        region.contains("<dt>Country</dt><dd><a href=\"/en/countries/pl/\">Poland</a></dd>"),
        "{region}"
    );
    assert!(region.contains("<a href=\"/en/tags/poland/\" rel=\"tag\">Poland</a>"));
    assert!(region.contains("<time datetime=\"2008\">2008</time>"));
    assert!(region.contains("<svg class=\"locator\""));
    assert!(region.contains("href=\"/en/events/lublin-15th-anniversary/\""));
    assert!(region.contains("href=\"/en/regions/\">← All partner regions</a>"));
    let event = site.public("zh/events/uruguay-delegation-visit/index.html");
    assert!(event.contains("<time datetime=\"2023-05\">2023年5月</time>"));
    assert!(event.contains("<dt>相关友城</dt><dd><a href=\"/zh/regions/montevideo/\">"));
    assert!(event.contains("href=\"/zh/events/\">← 全部活动</a>"));
    assert!(event.contains("href=\"/zh/timeline/\""));
}

#[test]
fn country_and_tag_pages_show_the_portal_in_both_languages() {
    let site = portal();
    site.build().assert_ok();
    let countries = site.public("en/countries/index.html");
    assert!(countries.contains("<h2 id=\"c-south-america\">South America</h2>"));
    assert!(countries.contains("<a href=\"/en/countries/uy/\">Uruguay</a>"));
    let country = site.public("zh/countries/uy/index.html");
    assert!(country.contains("<h1>乌拉圭</h1>"));
    assert!(country.contains("href=\"/zh/regions/montevideo/\""));
    assert!(country.contains("href=\"/zh/events/uruguay-delegation-visit/\""));
    // The portal's tags are paired: the Chinese and English pages of one tag share its id.
    let tag = site.public("zh/tags/anniversary/index.html");
    assert!(tag.contains("<h1>标签：周年纪念</h1>"));
    assert!(tag.contains(
        "hreflang=\"en\" href=\"https://henan-stories.example.org/en/tags/anniversary/\""
    ));
    let tags = site.public("en/tags/index.html");
    let (europe, russia) = (tags.find("/en/tags/europe/"), tags.find("/en/tags/russia/"));
    assert!(europe.unwrap() < russia.unwrap(), "most used first");
}

#[test]
fn pages_load_nothing_from_elsewhere() {
    let site = portal();
    site.build().assert_ok();
    for (path, bytes) in common::snapshot(&site.path("public")) {
        if !(path.ends_with(".html") || path.ends_with(".css") || path.ends_with(".svg")) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        for attr in [
            "src=\"",
            "@import",
            "url(",
            "<image href=\"",
            "<link rel=\"stylesheet\" href=\"",
        ] {
            for (i, _) in text.match_indices(attr) {
                let after = &text[i + attr.len()..];
                let after = after.trim_start_matches(['"', '\'']);
                assert!(
                    !(after.starts_with("http") || after.starts_with("//")),
                    "{path} loads from elsewhere: {}",
                    &text[i..(i + 80).min(text.len())]
                );
            }
        }
    }
}

#[test]
fn build_reports_the_css_and_js_each_page_loads() {
    let site = portal();
    let run = site.build();
    run.assert_ok();
    let bytes = |name: &str| {
        std::fs::metadata(site.path("public").join(name))
            .unwrap()
            .len()
    };
    let total = bytes("style.css") + bytes("site.js");
    let search = total + bytes("search.js");
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Each page loads "))
        .unwrap_or_else(|| panic!("no page weight in:\n{}", run.stdout));
    let kb = |n: u64| format!("{:.1} kB", n as f64 / 1000.0);
    assert_eq!(
        line,
        format!(
            "Each page loads {} of CSS and JS (style.css + site.js), {} with search.js on the search page",
            kb(total),
            kb(search)
        ),
        "the portal has no code blocks, so no syntax.css"
    );
    assert!(total < 40_000, "the theme stays small: {total} bytes");
}

/// The Nu Html Checker, from `VNU_JAR` or where `.ci/run` installs it (`npm install --prefix
/// target/tools vnu-jar`).
fn vnu_jar() -> Option<PathBuf> {
    let path = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            common::repo().join("target/tools/node_modules/vnu-jar/build/dist/vnu.jar")
        });
    path.exists().then_some(path)
}

fn java_works() -> bool {
    Command::new("java")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn every_page_is_valid_html() {
    let Some(jar) = vnu_jar().filter(|_| java_works()) else {
        common::missing_tool(
            "vnu.jar or java (set VNU_JAR, or run `npm install --prefix target/tools vnu-jar`)",
        );
        return;
    };
    let site = portal();
    // English events one a page: list pages whose pager leaves pages out ("…").
    let intro = std::fs::read_to_string(site.path("content/events/_index.en.md")).unwrap();
    site.write(
        "content/events/_index.en.md",
        &intro.replacen("---\n", "---\npaginate_by: 1\n", 1),
    );
    site.build().assert_ok();
    assert!(site
        .public("en/events/index.html")
        .contains("<li class=\"gap\" aria-hidden=\"true\">…</li>"));
    let out = validate(&jar, &site.path("public"));
    assert!(out.is_empty(), "the Nu Html Checker found errors:\n{out}");

    // And it does find errors: the check is real.
    let broken = site.path("broken");
    std::fs::create_dir_all(&broken).unwrap();
    std::fs::write(
        broken.join("index.html"),
        "<!DOCTYPE html><html lang=en><title>x</title><p id=a>1<p id=a>2",
    )
    .unwrap();
    assert!(validate(&jar, &broken).contains("Duplicate ID"));
}

/// The checker's error messages for every HTML file under `dir`, empty when all are valid.
fn validate(jar: &Path, dir: &Path) -> String {
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--skip-non-html"])
        .arg(dir)
        .output()
        .expect("run java");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        assert!(text.trim().is_empty(), "{text}");
    }
    text
}
