//! The sample portal in a real browser: headless Chromium over the DevTools protocol, the built
//! site served over HTTP on loopback. Every page kind at phone (375 px) and desktop (1280 px)
//! widths, in both languages, light and dark: no horizontal overflow, no serious or critical
//! axe-core violation, a working language switcher, mobile menu, skip link, map markers and
//! timeline filters. Screenshots go to `target/screenshots/` for people to look at.
//!
//! Without Chromium (`/usr/bin/chromium`, or `CHROMIUM`) the tests say they were skipped, and fail
//! in CI (`CI` set).

mod common;

use headless_chrome::protocol::cdp::{Emulation, Page};
use headless_chrome::{Browser, LaunchOptions, Tab};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

const WIDTHS: [u32; 2] = [375, 1280];
const LANGS: [&str; 2] = ["zh", "en"];

/// One page of each kind, by site path without the language prefix.
const PAGES: &[(&str, &str)] = &[
    ("home", ""),
    ("region", "regions/attica/"),
    ("event", "events/uruguay-delegation-visit/"),
    ("timeline", "timeline/"),
    ("map", "map/"),
    ("search", "search/"),
    ("section", "regions/"),
    ("countries", "countries/"),
    ("country", "countries/uy/"),
    ("tags", "tags/"),
    ("tag", "tags/anniversary/"),
];

fn chromium() -> Option<PathBuf> {
    let path = std::env::var_os("CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"));
    path.exists().then_some(path)
}

/// axe-core's browser bundle, from `AXE_CORE` or where `.ci/run` installs it.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("AXE_CORE")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::repo().join("target/tools/node_modules/axe-core/axe.min.js"));
    std::fs::read_to_string(path).ok()
}

/// The portal, built once and served over HTTP for all tests of this file.
struct Served {
    _site: common::Site,
    public: PathBuf,
    base: String,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| serve_portal(|_| {}))
}

/// The portal, changed by `edit`, built and served on loopback.
fn serve_portal(edit: impl FnOnce(&common::Site)) -> Served {
    let site = common::portal();
    edit(&site);
    site.build().assert_ok();
    let public = site.path("public");
    let base = format!("http://127.0.0.1:{}", common::serve_static(public.clone()));
    Served {
        _site: site,
        public,
        base,
    }
}

/// One headless Chromium for one test, with a fresh profile. Tests take turns: two cores.
struct Session {
    _turn: std::sync::MutexGuard<'static, ()>,
    _browser: Browser,
    _profile: tempfile::TempDir,
    tab: Arc<Tab>,
}

fn session() -> Option<Session> {
    static TURN: Mutex<()> = Mutex::new(());
    let Some(path) = chromium() else {
        common::missing_tool("chromium (/usr/bin/chromium, or CHROMIUM)");
        return None;
    };
    let turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let profile = tempfile::tempdir().expect("profile dir");
    let args: Vec<&std::ffi::OsStr> = common::CHROMIUM_FLAGS
        .iter()
        .chain(&["--hide-scrollbars"])
        .map(std::ffi::OsStr::new)
        .collect();
    let options = LaunchOptions::default_builder()
        .path(Some(path))
        .headless(true)
        .sandbox(false)
        .user_data_dir(Some(profile.path().to_owned()))
        .window_size(Some((1280, 900)))
        .idle_browser_timeout(Duration::from_secs(300))
        .args(args)
        .build()
        .expect("launch options");
    let browser = Browser::new(options).expect("launch chromium");
    let tab = browser.new_tab().expect("tab");
    tab.set_default_timeout(Duration::from_secs(30));
    Some(Session {
        _turn: turn,
        _browser: browser,
        _profile: profile,
        tab,
    })
}

impl Session {
    fn metrics(&self, width: u32, height: u32) {
        let metrics: Emulation::SetDeviceMetricsOverride = serde_json::from_value(
            serde_json::json!({ "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600 }),
        )
        .unwrap();
        self.tab.call_method(metrics).expect("set viewport");
    }

    fn viewport(&self, width: u32, dark: bool) {
        self.metrics(width, 900);
        let scheme = if dark { "dark" } else { "light" };
        self.tab
            .call_method(Emulation::SetEmulatedMedia {
                media: None,
                features: Some(vec![Emulation::MediaFeature {
                    name: "prefers-color-scheme".into(),
                    value: scheme.into(),
                }]),
            })
            .expect("emulate colour scheme");
    }

    fn open(&self, url: &str) {
        self.tab
            .navigate_to(url)
            .and_then(|t| t.wait_until_navigated())
            .unwrap_or_else(|e| panic!("opening {url}: {e}"));
    }

    /// Evaluates `js`, which must produce a JSON-serializable value (or a promise of one).
    fn eval(&self, js: &str) -> serde_json::Value {
        let wrapped = format!("(async () => JSON.stringify(await ({js})))()");
        let result = self
            .tab
            .evaluate(&wrapped, true)
            .unwrap_or_else(|e| panic!("evaluating {js}: {e}"));
        let text = result.value.and_then(|v| v.as_str().map(str::to_owned));
        let text = text.unwrap_or_else(|| panic!("no value from {js}: {:?}", result.description));
        serde_json::from_str(&text).unwrap()
    }

    /// Adds to `problems` any horizontal overflow of the open page, named `what`.
    fn overflow_problems(&self, what: &str, problems: &mut Vec<String>) {
        let over = self.eval(OVERFLOW);
        if over.as_array().is_some_and(|a| !a.is_empty()) {
            problems.push(format!("{what}: horizontal overflow: {over}"));
        }
    }

    /// Adds to `problems` what axe-core (when its source is given) finds on the open page.
    fn axe_problems(&self, axe: Option<&str>, what: &str, problems: &mut Vec<String>) {
        let Some(axe) = axe else { return };
        self.tab.evaluate(axe, false).expect("inject axe-core");
        let found = self.eval(AXE);
        if found.as_array().is_some_and(|a| !a.is_empty()) {
            problems.push(format!("{what}: axe-core: {found}"));
        }
    }

    fn path(&self) -> String {
        self.eval("location.pathname").as_str().unwrap().to_owned()
    }

    /// A full-page PNG in `target/screenshots/`: the viewport grows to the page's height for
    /// the shot.
    fn screenshot(&self, name: &str, width: u32, dark: bool) {
        let height = self.eval("document.documentElement.scrollHeight");
        let height = height.as_u64().unwrap_or(900).min(8000) as u32;
        self.metrics(width, height);
        let png = self
            .tab
            .capture_screenshot(Page::CaptureScreenshotFormatOption::Png, None, None, true)
            .expect("screenshot");
        self.viewport(width, dark);
        let dir = common::repo().join("target/screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
}

/// Pages of the built portal to visit: `(kind, lang, url path)`, skipping kinds the build does
/// not produce (the search page arrives with its own feature).
fn pages() -> Vec<(&'static str, &'static str, String)> {
    let s = served();
    let mut out = Vec::new();
    for lang in LANGS {
        for (kind, rel) in PAGES {
            let path = format!("/{lang}/{rel}");
            if s.public.join(&path[1..]).join("index.html").is_file() {
                out.push((*kind, lang, path));
            } else {
                assert_eq!(*kind, "search", "the portal has no {path}");
            }
        }
    }
    out
}

/// Elements wider than the viewport, to say what overflows.
const OVERFLOW: &str = r#"(() => {
  const w = innerWidth;
  if (document.documentElement.scrollWidth <= w) return [];
  return [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > w + 0.5)
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + "." + e.className + " right=" + Math.round(e.getBoundingClientRect().right));
})()"#;

/// axe-core's serious and critical violations, as `rule: selectors`.
const AXE: &str = r#"axe.run(document, { resultTypes: ["violations"] }).then(r => r.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.id + ": " + v.nodes.slice(0, 4).map(n => n.target.join(" ")).join(", ")))"#;

#[test]
fn every_page_kind_fits_phone_and_desktop_and_passes_axe_in_light_and_dark() {
    let Some(s) = session() else { return };
    let axe = axe_source();
    if axe.is_none() {
        common::missing_tool("axe-core for the accessibility check (set AXE_CORE or run `npm install --prefix target/tools axe-core`)");
    }
    let mut problems = Vec::new();
    for dark in [false, true] {
        for width in WIDTHS {
            s.viewport(width, dark);
            for (kind, lang, path) in pages() {
                s.open(&format!("{}{path}", served().base));
                let what = format!("{path} at {width}px{}", if dark { " dark" } else { "" });
                s.overflow_problems(&what, &mut problems);
                s.axe_problems(axe.as_deref(), &what, &mut problems);
                let scheme = if dark { "-dark" } else { "" };
                s.screenshot(&format!("{kind}-{lang}-{width}{scheme}"), width, dark);
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn language_switcher_reaches_the_counterpart_page() {
    let Some(s) = session() else { return };
    for width in WIDTHS {
        s.viewport(width, false);
        for (_, lang, path) in pages() {
            s.open(&format!("{}{path}", served().base));
            let other = if lang == "zh" { "en" } else { "zh" };
            let link = s.tab.find_element(".lang-switch a").expect("switcher");
            let label = link.get_inner_text().unwrap();
            assert_eq!(label, if other == "zh" { "中文" } else { "English" });
            link.click().unwrap();
            s.tab.wait_until_navigated().unwrap();
            let expected = format!("/{other}/{}", &path[lang.len() + 2..]);
            assert_eq!(s.path(), expected, "switching from {path} at {width}px");
            let html_lang = s.eval("document.documentElement.lang");
            assert!(
                html_lang.as_str().unwrap().starts_with(other),
                "{expected} has lang {html_lang}"
            );
        }
    }
}

#[test]
fn map_markers_link_to_region_pages_and_clicking_one_navigates() {
    let Some(s) = session() else { return };
    for width in WIDTHS {
        s.viewport(width, false);
        for lang in LANGS {
            let map = format!("{}/{lang}/map/", served().base);
            s.open(&map);
            let hrefs = s.eval(r#"[...document.querySelectorAll(".world-map a.marker")].map(a => a.getAttribute("href"))"#);
            let hrefs: Vec<String> = serde_json::from_value(hrefs).unwrap();
            let listed = s.eval(r#"document.querySelectorAll(".map-list li a").length"#);
            assert_eq!(
                Some(hrefs.len() as u64),
                listed.as_u64(),
                "one marker per region"
            );
            for href in &hrefs {
                assert!(href.starts_with(&format!("/{lang}/regions/")), "{href}");
                let file = served().public.join(&href[1..]).join("index.html");
                assert!(file.is_file(), "marker {href} goes nowhere");
            }
            // A real click on the marker's circle, where it is drawn.
            let target = &hrefs[hrefs.len() / 2];
            let marker = s
                .tab
                .find_element(&format!(".world-map a.marker[href=\"{target}\"] circle"))
                .unwrap();
            marker.click().unwrap();
            s.tab.wait_until_navigated().unwrap();
            assert_eq!(&s.path(), target, "clicking its marker at {width}px");
        }
    }
}

#[test]
fn search_finds_pages_and_arrow_keys_move_through_the_results() {
    let Some(s) = session() else { return };
    s.viewport(1280, false);
    s.open(&format!("{}/en/search/?q=Lublin", served().base));
    let links = r#"new Promise(done => { const t = Date.now(); (function poll() {
        const a = [...document.querySelectorAll(".search-results a")].map(a => a.getAttribute("href"));
        if (a.length > 1 || Date.now() - t > 10000) done(a); else setTimeout(poll, 50); })(); })"#;
    let found: Vec<String> = serde_json::from_value(s.eval(links)).unwrap();
    assert!(found.len() > 1, "results for Lublin: {found:?}");
    assert!(
        found.iter().any(|h| h.ends_with("/en/regions/lublin/")),
        "{found:?}"
    );
    let focused = r#"document.activeElement.matches(".search-results a") ? document.activeElement.getAttribute("href") : document.activeElement.id"#;
    s.eval(r#"document.getElementById("search-q").focus() || true"#);
    s.tab.press_key("ArrowDown").unwrap();
    assert_eq!(s.eval(focused), found[0].as_str(), "down: the first result");
    s.tab.press_key("ArrowDown").unwrap();
    assert_eq!(
        s.eval(focused),
        found[1].as_str(),
        "down: the second result"
    );
    s.tab.press_key("ArrowUp").unwrap();
    s.tab.press_key("ArrowUp").unwrap();
    assert_eq!(
        s.eval(focused),
        "search-q",
        "up from the first result: the box"
    );
}

#[test]
fn timeline_filters_hide_and_show_entries() {
    let Some(s) = session() else { return };
    s.viewport(375, false);
    s.open(&format!("{}/en/timeline/", served().base));
    let visible = r#"[...document.querySelectorAll(".timeline .entry")].filter(e => e.offsetParent !== null).map(e => [e.dataset.kind, e.dataset.regions])"#;
    let all: Vec<(String, String)> = serde_json::from_value(s.eval(visible)).unwrap();
    assert!(all.len() > 3, "{all:?}");
    let choose = |name: &str, value: &str| {
        s.eval(&format!(
            r#"(() => {{ const f = document.querySelector(".timeline-filters"); f.elements.{name}.value = "{value}";
            f.elements.{name}.dispatchEvent(new Event("change", {{ bubbles: true }})); return true; }})()"#
        ));
    };
    assert_eq!(
        s.eval(r#"!document.querySelector(".timeline-filters").hidden"#),
        true,
        "the filters show when scripts run"
    );
    choose("kind", "established");
    let shown: Vec<(String, String)> = serde_json::from_value(s.eval(visible)).unwrap();
    assert!(!shown.is_empty() && shown.len() < all.len(), "{shown:?}");
    assert!(shown.iter().all(|(k, _)| k == "established"), "{shown:?}");
    assert_eq!(
        s.eval(r#"document.querySelector(".filter-count").textContent"#),
        format!("{} shown", shown.len()),
        "the count says how many entries show"
    );
    choose("kind", "");
    choose("region", "lublin");
    let shown: Vec<(String, String)> = serde_json::from_value(s.eval(visible)).unwrap();
    assert!(!shown.is_empty() && shown.len() < all.len(), "{shown:?}");
    assert!(
        shown
            .iter()
            .all(|(_, r)| r.split(' ').any(|k| k == "lublin")),
        "{shown:?}"
    );
    let hidden_years =
        s.eval(r#"[...document.querySelectorAll(".timeline .year")].filter(y => y.hidden).length"#);
    assert!(
        hidden_years.as_u64() > Some(0),
        "years without entries hide"
    );
    choose("region", "");
    let back: Vec<(String, String)> = serde_json::from_value(s.eval(visible)).unwrap();
    assert_eq!(back, all, "clearing the filters shows everything again");
}

#[test]
fn mobile_menu_skip_link_and_focus() {
    let Some(s) = session() else { return };
    let nav_links_visible = r##"[...document.querySelectorAll("#site-nav a")].filter(a => a.offsetParent !== null).length"##;
    s.viewport(375, false);
    s.open(&format!("{}/zh/", served().base));
    assert_eq!(
        s.eval(nav_links_visible),
        0,
        "the menu starts closed on a phone"
    );
    let toggle = s.tab.find_element(".menu-toggle").unwrap();
    toggle.click().unwrap();
    assert!(
        s.eval(nav_links_visible).as_u64() > Some(3),
        "the menu opens"
    );
    let search_box_visible = r##"document.querySelector("#site-search-q").offsetParent !== null"##;
    assert_eq!(
        s.eval(search_box_visible),
        true,
        "the open menu holds the search box"
    );
    s.screenshot("menu-zh-375-open", 375, false);
    assert_eq!(
        s.eval(r#"document.querySelector(".menu-toggle").getAttribute("aria-expanded")"#),
        "true"
    );
    toggle.click().unwrap();
    assert_eq!(s.eval(nav_links_visible), 0, "and closes");
    assert_eq!(s.eval(search_box_visible), false);
    toggle.click().unwrap();
    s.tab.press_key("Escape").unwrap();
    assert_eq!(s.eval(nav_links_visible), 0, "Escape closes it");
    assert_eq!(
        s.eval("document.activeElement.className"),
        "menu-toggle",
        "and gives focus back to the button"
    );

    s.viewport(1280, false);
    s.open(&format!("{}/en/", served().base));
    assert!(
        s.eval(nav_links_visible).as_u64() > Some(3),
        "desktop shows the menu"
    );
    assert_eq!(
        s.eval(r#"document.querySelector(".menu-toggle").offsetParent === null"#),
        true,
        "no menu button on a desktop"
    );
    // The first Tab reaches the skip link, which becomes visible and has a focus ring.
    s.tab.press_key("Tab").unwrap();
    let focused = s.eval(
        r#"(() => { const a = document.activeElement, r = a.getBoundingClientRect(), st = getComputedStyle(a);
        return [a.className, r.top >= 0 && r.bottom <= innerHeight, st.outlineStyle]; })()"#,
    );
    assert_eq!(focused[0], "skip-link", "{focused}");
    assert_eq!(
        focused[1], true,
        "the skip link shows when focused: {focused}"
    );
    assert_ne!(focused[2], "none", "focus is visible: {focused}");
    s.tab.press_key("Enter").unwrap();
    assert_eq!(s.eval("document.activeElement.id"), "main");
}

/// A page folder with a real photograph (tests/fixtures/dandelions.jpg, CC0) as cover
/// and in the text, at phone and desktop widths: the browser picks a WebP of a fitting size,
/// the photo keeps the box its width and height reserve, nothing overflows, and axe-core finds
/// nothing serious.
#[test]
fn a_photo_fits_phone_and_desktop_in_a_size_that_suits_each() {
    let Some(s) = session() else { return };
    let site = common::Site::small();
    let fixture = common::repo().join("tests/fixtures/dandelions.jpg");
    let photo = std::fs::read(&fixture).unwrap();
    let (photo_w, photo_h) = image::image_dimensions(&fixture).unwrap();
    let shape = f64::from(photo_w) / f64::from(photo_h);
    site.write_bytes("content/regions/flowers/flower.jpg", &photo);
    for (lang, title, alt, caption) in [
        ("zh", "花", "一朵花的特写", "春天的花"),
        ("en", "Flowers", "A flower, close up", "A spring flower"),
    ] {
        site.write(
            &format!("content/regions/flowers/index.{lang}.md"),
            &format!("---\ntitle: {title}\nimage: flower.jpg\n---\nText.\n\n![{alt}](flower.jpg \"{caption}\")\n"),
        );
    }
    site.build().assert_ok();
    let base = format!(
        "http://127.0.0.1:{}",
        common::serve_static(site.path("public"))
    );
    let axe = axe_source();
    let mut problems = Vec::new();
    for (width, wanted) in [(375, "flower-480.webp"), (1280, "flower-960.webp")] {
        s.viewport(width, false);
        s.open(&format!("{base}/en/regions/flowers/"));
        // The cover loads first; the figure's photo once scrolled to. `scrollIntoView` gives
        // undefined, which has no JSON, so the expression ends in `true`.
        s.eval("(document.querySelector('figure').scrollIntoView(), true)");
        let imgs = s.eval(
            r#"Promise.all([...document.querySelectorAll('picture img')].map(i =>
                (i.complete ? Promise.resolve() : new Promise(r => { i.onload = r; i.onerror = r; }))
                .then(() => ({ src: i.currentSrc, natural: i.naturalWidth,
                  w: i.getBoundingClientRect().width, h: i.getBoundingClientRect().height,
                  ratio: i.width / i.height }))))"#,
        );
        for img in imgs.as_array().unwrap() {
            let src = img["src"].as_str().unwrap_or("");
            if !src.ends_with(wanted) {
                problems.push(format!("{width}px: loaded {src}, expected {wanted}"));
            }
            let (w, h) = (img["w"].as_f64().unwrap(), img["h"].as_f64().unwrap());
            let ratio = img["ratio"].as_f64().unwrap();
            if w < 100.0 || (w / h - shape).abs() > 0.02 || (ratio - w / h).abs() > 0.02 {
                problems.push(format!("{width}px: {src} shows {w}×{h}"));
            }
        }
        if imgs.as_array().map_or(0, Vec::len) != 2 {
            problems.push(format!(
                "{width}px: expected the cover and the figure, got {imgs}"
            ));
        }
        let what = format!("{width}px");
        s.overflow_problems(&what, &mut problems);
        s.axe_problems(axe.as_deref(), &what, &mut problems);
        s.screenshot(&format!("photo-en-{width}"), width, false);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The portal with a region written in Chinese only and an event in English only, built once
/// and served, for the fallback pages.
fn served_one_sided() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        serve_portal(|site| {
            site.remove("content/regions/mie.en.md");
            site.remove("content/events/henan-stories-book-series.zh.md");
        })
    })
}

/// What a reader sees of the notice and of the first badge on a page: their text, language
/// and whether they take room on screen.
const SEEN: &str = r#"(() => {
  const seen = e => e && { text: e.innerText, lang: e.lang, shown: e.getBoundingClientRect().height > 0 };
  const article = document.querySelector(".article-body");
  return {
    notice: seen(document.querySelector(".lang-notice")),
    badge: seen(document.querySelector(".lang-badge")),
    body_lang: article && article.lang,
  };
})()"#;

#[test]
fn fallback_pages_show_their_notice_and_lists_their_badge_in_both_directions() {
    let Some(s) = session() else { return };
    let served = served_one_sided();
    let axe = axe_source();
    // (fallback page, its original, the list showing it, the notice's start, the badge, the
    // language it is written in)
    let cases = [
        (
            "/en/regions/mie/",
            "/zh/regions/mie/",
            "/en/regions/",
            "This page has not been translated into English yet",
            "中文",
            "zh-Hans",
        ),
        (
            "/zh/events/henan-stories-book-series/",
            "/en/events/henan-stories-book-series/",
            "/zh/events/",
            "本页尚未译成中文",
            "English",
            "en",
        ),
    ];
    let mut problems = Vec::new();
    for (page, original, list, notice, badge, written) in cases {
        for width in WIDTHS {
            for dark in [false, true] {
                s.viewport(width, dark);
                let scheme = if dark { "-dark" } else { "" };
                let lang = &page[1..3];
                s.open(&format!("{}{page}", served.base));
                let seen = s.eval(SEEN);
                let text = seen["notice"]["text"].as_str().unwrap_or("");
                assert!(text.starts_with(notice), "{page}: notice {seen}");
                assert_eq!(seen["notice"]["shown"], true, "{page} at {width}px");
                assert_eq!(seen["body_lang"], written, "{page}");
                s.axe_problems(
                    axe.as_deref(),
                    &format!("{page} at {width}px{scheme}"),
                    &mut problems,
                );
                s.screenshot(&format!("fallback-{lang}-{width}{scheme}"), width, dark);
                s.open(&format!("{}{list}", served.base));
                let seen = s.eval(SEEN);
                assert_eq!(seen["badge"]["text"], badge, "{list}: {seen}");
                assert_eq!(seen["badge"]["lang"], written, "{list}");
                assert_eq!(seen["badge"]["shown"], true, "{list} at {width}px");
                s.axe_problems(
                    axe.as_deref(),
                    &format!("{list} at {width}px{scheme}"),
                    &mut problems,
                );
                s.screenshot(
                    &format!("fallback-list-{lang}-{width}{scheme}"),
                    width,
                    dark,
                );
            }
        }
        // The notice's link leads to the original.
        s.viewport(1280, false);
        s.open(&format!("{}{page}", served.base));
        s.tab
            .find_element(".lang-notice a")
            .unwrap()
            .click()
            .unwrap();
        s.tab.wait_until_navigated().unwrap();
        assert_eq!(s.path(), original);
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
