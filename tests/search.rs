//! Search through the real build and the page's own script: the built index is queried by
//! `static/search.js` run under node (the same code the search page runs), and the Rust and
//! JavaScript tokenizers are compared word for word; and the search page itself runs in headless
//! Chromium against the site served over loopback. Tests that need node or Chromium say "skipped"
//! without them, and fail without them in CI.

mod common;
use common::{portal, Site};
use henan_stories::search;
use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

fn node() -> Option<&'static str> {
    let ok = Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if ok {
        Some("node")
    } else {
        common::missing_tool("node");
        None
    }
}

fn query_script() -> std::path::PathBuf {
    common::repo().join("tests/js/query.js")
}

/// Runs the page script's search for each query; one JSON value per query.
fn query(index: &Path, queries: &[&str]) -> Vec<Value> {
    let out = Command::new("node")
        .arg(query_script())
        .arg(index)
        .args(queries)
        .output()
        .expect("run node");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn urls(result: &Value) -> Vec<&str> {
    result["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["url"].as_str().unwrap())
        .collect()
}

/// The small site plus pages where a query word is in one page's title and another's body.
fn site_with_rivals() -> Site {
    let site = Site::small();
    site.write(
        "content/events/lublin-anniversary.zh.md",
        "---\ntitle: 河南与卢布林省结好15周年\ndate: 2023-06\nkind: anniversary\nregions: [lublin]\n---\n两地共同庆祝。\n",
    );
    site.write(
        "content/events/lublin-anniversary.en.md",
        "---\ntitle: Lublin anniversary\n---\nBoth sides celebrate.\n",
    );
    site.write(
        "content/events/trade-fair.zh.md",
        "---\ntitle: 郑州贸易博览会\ndate: 2024-04\nkind: other\n---\n来自卢布林的企业参加了博览会。\n",
    );
    site.write(
        "content/events/trade-fair.en.md",
        "---\ntitle: Zhengzhou trade fair\n---\nFirms came for two anniversaries, among other things.\n",
    );
    // Both bigrams of 卢布林 and both words of "sister regions", but apart.
    site.write(
        "content/events/apart.zh.md",
        "---\ntitle: 两种名字\ndate: 2024-05\nkind: other\n---\n卢布是货币，布林是一种饼。\n",
    );
    site.write(
        "content/events/apart.en.md",
        "---\ntitle: Two names\n---\nThe regions met; a sister came too.\n",
    );
    site.write(
        "content/events/sisters.en.md",
        "---\ntitle: Sister regions meet\ndate: 2024-06\nkind: other\n---\nTwo sister regions met.\n",
    );
    site
}

fn result_urls(site: &Site, lang: &str, queries: &[&str]) -> Vec<Vec<String>> {
    let index = site.path(&format!("public/{lang}/search/index"));
    query(&index, queries)
        .iter()
        .map(|r| urls(r).into_iter().map(str::to_owned).collect())
        .collect()
}

#[test]
fn chinese_runs_of_three_characters_and_quoted_phrases_match_only_in_order() {
    let site = site_with_rivals();
    site.build().assert_ok();
    if node().is_none() {
        return;
    }
    let apart = "/zh/events/apart/";
    let zh = result_urls(&site, "zh", &["卢布林", "卢布", "布林"]);
    assert!(!zh[0].contains(&apart.to_owned()), "{:?}", zh[0]);
    assert!(zh[0].contains(&"/zh/events/trade-fair/".to_owned()));
    // Two characters are one bigram: the page holds it.
    assert!(zh[1].contains(&apart.to_owned()) && zh[2].contains(&apart.to_owned()));
    let en = result_urls(
        &site,
        "en",
        &["\"sister regions\"", "sister regions", "\"regions sister\""],
    );
    assert_eq!(en[0], ["/en/events/sisters/"]);
    assert!(
        en[1].contains(&"/en/events/apart/".to_owned()),
        "{:?}",
        en[1]
    );
    assert!(en[2].is_empty(), "{:?}", en[2]);
}

/// The other language's name of a place finds it, first, on the sample portal.
#[test]
fn a_place_is_found_by_its_name_in_the_other_language() {
    let site = portal();
    site.build().assert_ok();
    if node().is_none() {
        return;
    }
    let zh = site.path("public/zh/search/index");
    let found = query(&zh, &["Lublin", "Poland"]);
    assert_eq!(urls(&found[0])[0], "/zh/regions/lublin/", "{:#}", found[0]);
    assert_eq!(urls(&found[1])[0], "/zh/regions/lublin/", "{:#}", found[1]);
    // Other names are found, not shown.
    let first = &found[0]["results"][0];
    assert!(!first["title_html"].as_str().unwrap().contains("<mark>"));
    assert!(!first["snippet"].as_str().unwrap().contains("<mark>"));
    let en = site.path("public/en/search/index");
    let found = query(&en, &["阿提卡", "希腊"]);
    assert_eq!(urls(&found[0])[0], "/en/regions/attica/", "{:#}", found[0]);
    assert_eq!(urls(&found[1])[0], "/en/regions/attica/", "{:#}", found[1]);
}

#[test]
fn chinese_and_english_queries_find_pages_and_rank_title_matches_first() {
    let site = site_with_rivals();
    site.build().assert_ok();
    if node().is_none() {
        return;
    }
    let zh = site.path("public/zh/search/index");
    let found = query(&zh, &["卢布林", "卢布", "博览会", "卢", "不存在的词"]);
    // Three characters: both bigrams must match; the region and the anniversary carry it in
    // their titles, the fair only in its body, so it comes last.
    let first = urls(&found[0]);
    assert_eq!(first.len(), 3, "{:#}", found[0]);
    assert!(first[..2].contains(&"/zh/regions/lublin/"), "{first:?}");
    assert!(first[..2].contains(&"/zh/events/lublin-anniversary/"));
    assert_eq!(first[2], "/zh/events/trade-fair/");
    assert!(found[0]["results"][2]["snippet"]
        .as_str()
        .unwrap()
        .contains("来自<mark>卢布林</mark>的企业"));
    assert!(found[0]["results"][0]["title_html"]
        .as_str()
        .unwrap()
        .contains("<mark>卢布林</mark>"));
    // Two characters find the same pages, and one that has them apart from 林.
    assert_eq!(urls(&found[1]).len(), 4, "{:#}", found[1]);
    assert_eq!(urls(&found[2]), ["/zh/events/trade-fair/"]);
    // One character, as typed, finds the pages whose words start with it.
    assert!(urls(&found[3]).contains(&"/zh/regions/lublin/"));
    assert!(urls(&found[4]).is_empty());
    // A query loads the document list and only the shards it needs.
    let files: Vec<&str> = found[0]["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .filter(|f| f.ends_with(".json"))
        .collect();
    assert!(files.len() <= 3, "{files:?}");

    let en = site.path("public/en/search/index");
    let found = query(
        &en,
        &[
            "anniversaries",
            "LUBLIN",
            "celebrating",
            "annivers",
            "lublin zzz",
        ],
    );
    // Stemmed: `anniversaries` meets `anniversary`; the title match ranks above the body match.
    assert_eq!(
        urls(&found[0]),
        ["/en/events/lublin-anniversary/", "/en/events/trade-fair/"],
        "{:#}",
        found[0]
    );
    assert!(found[0]["results"][0]["title_html"]
        .as_str()
        .unwrap()
        .contains("<mark>anniversary</mark>"));
    assert!(found[0]["results"][1]["snippet"]
        .as_str()
        .unwrap()
        .contains("<mark>anniversaries</mark>"));
    assert_eq!(urls(&found[1])[0], "/en/regions/lublin/");
    assert_eq!(urls(&found[2]), ["/en/events/lublin-anniversary/"]);
    // The word being typed matches as a prefix.
    assert_eq!(urls(&found[3]).len(), 2);
    // Every word must match.
    assert!(urls(&found[4]).is_empty());
}

#[test]
fn rust_and_javascript_tokenizers_agree_on_the_portal() {
    let Some(node) = node() else { return };
    let mut lines: Vec<String> = Vec::new();
    for entry in walkdir::WalkDir::new(common::repo().join("content")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            lines.extend(
                text.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned),
            );
        }
    }
    lines.extend(
        [
            "caresses ponies agreed plastered motoring conflated troubled sized hopping filing happy sky",
            "Ελληνικά Ünïcödé İstanbul ÆSIR naïve café 35th 2023-05-12 Henan's O'Neill",
            "日本語のテキスト한국어 𠀀𠀁 full-width ＡＢＣ",
        ]
        .map(str::to_owned),
    );
    for stem in [true, false] {
        let mut child = Command::new(node)
            .arg(query_script())
            .args(["--tokens", if stem { "1" } else { "0" }])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(lines.join("\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        let js: Vec<Vec<String>> = String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(js.len(), lines.len());
        for (line, js) in lines.iter().zip(js) {
            assert_eq!(search::tokens(line, stem), js, "stem={stem}: {line}");
        }
    }
}

#[test]
fn search_page_header_box_and_index_files() {
    let site = Site::small();
    let run = site.build();
    run.assert_ok();
    // `build` reports the index size.
    assert!(run.stdout.contains("Search index: zh "), "{}", run.stdout);
    let page = site.public("zh/search/index.html");
    // Without scripts the page is a plain form that submits to itself.
    assert!(page.contains(
        "<form class=\"search-form\" role=\"search\" action=\"/zh/search/\" method=\"get\">"
    ));
    assert!(page.contains("name=\"q\""));
    assert!(page.contains("role=\"status\" aria-live=\"polite\""));
    assert!(page.contains("data-index=\"/zh/search/index/\""));
    assert!(page.contains("<script src=\"/search.js\" defer></script>"));
    assert!(site.exists("search.js"));
    // Every page's header has a box that submits to its language's search page.
    let about = site.public("en/about/index.html");
    assert!(about.contains(
        "<form class=\"site-search\" role=\"search\" action=\"/en/search/\" method=\"get\">"
    ));
    // The menu has no search entry: the box is the way in.
    assert!(!about.contains("<a href=\"/en/search/\""));
    let meta: Value = serde_json::from_str(&site.public("en/search/index/meta.json")).unwrap();
    assert_eq!(meta["version"], search::FORMAT_VERSION);
    assert_eq!(meta["stem"], true);
    // The documents are in files of `chunk`, fetched for the results shown.
    let chunk = meta["chunk"].as_u64().unwrap() as usize;
    let count = meta["docs"].as_u64().unwrap() as usize;
    let mut titles = Vec::new();
    for n in 0..count.div_ceil(chunk) {
        let file = site.public(&format!("en/search/index/doc/{n}.json"));
        let docs: Vec<Value> = serde_json::from_str(&file).unwrap();
        assert!(docs.len() <= chunk);
        titles.extend(docs.iter().map(|d| d["title"].as_str().unwrap().to_owned()));
    }
    assert_eq!(titles.len(), count);
    assert!(titles.contains(&"Lublin".to_owned()) && titles.contains(&"Henan Stories".to_owned()));
    let zh: Value = serde_json::from_str(&site.public("zh/search/index/meta.json")).unwrap();
    assert_eq!(zh["stem"], false);
}

#[test]
fn portal_index_is_small() {
    let site = portal();
    let run = site.build();
    run.assert_ok();
    let line = run
        .stdout
        .lines()
        .find(|l| l.starts_with("Search index:"))
        .unwrap();
    println!("{line}");
    for lang in ["zh", "en"] {
        let dir = site.path("public").join(lang).join(search::INDEX_DIR);
        let files = common::snapshot(&dir);
        let total: usize = files.iter().map(|(_, b)| b.len()).sum();
        let largest_shard = files
            .iter()
            .filter(|(p, _)| !p.starts_with("doc") && p != "meta.json")
            .map(|(_, b)| b.len())
            .max()
            .unwrap();
        println!(
            "{lang}: {total} bytes in {} files, largest shard {largest_shard} bytes",
            files.len()
        );
        // Generous bounds: a query downloads meta.json and a shard or two, never everything.
        assert!(total < 120_000, "{lang}: {total} bytes");
        assert!(largest_shard < 16_000, "{lang}: {largest_shard} bytes");
    }
}

// ---- The search page in a real browser, served over loopback ----

/// The page's DOM after its scripts ran, from headless Chromium; None when it is not installed.
fn rendered_dom(url: &str) -> Option<String> {
    let chromium = Path::new(common::CHROMIUM);
    if !chromium.exists() {
        common::missing_tool("chromium (/usr/bin/chromium)");
        return None;
    }
    let profile = tempfile::tempdir().unwrap();
    let out = Command::new(chromium)
        .args(["--headless", "--no-sandbox"])
        .args(common::CHROMIUM_FLAGS)
        .args(["--virtual-time-budget=10000", "--dump-dom"])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(url)
        .output()
        .expect("run chromium");
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn search_page_in_a_browser_reads_the_query_from_the_url_and_highlights_results() {
    let site = site_with_rivals();
    site.build().assert_ok();
    let port = common::serve_static(site.path("public"));
    let url = format!("http://127.0.0.1:{port}/zh/search/?q=%E5%8D%A2%E5%B8%83%E6%9E%97");
    let Some(dom) = rendered_dom(&url) else {
        return;
    };
    let results = common::element(&dom, "<ol class=\"search-results\">", "</ol>");
    assert_eq!(
        results.matches("<li class=\"search-result\">").count(),
        3,
        "{dom}"
    );
    assert!(
        results.contains("<a href=\"/zh/regions/lublin/\"><mark>卢布林</mark>省</a>"),
        "{results}"
    );
    // The fair's snippet comes from its text, fetched for the result.
    assert!(
        results.contains("来自<mark>卢布林</mark>的企业"),
        "{results}"
    );
    assert!(dom.contains("找到3个结果"), "{dom}");
    let url = format!("http://127.0.0.1:{port}/en/search/?q=anniversaries");
    let dom = rendered_dom(&url).unwrap();
    let results = common::element(&dom, "<ol class=\"search-results\">", "</ol>");
    let first = results.find("/en/events/lublin-anniversary/").unwrap();
    let second = results.find("/en/events/trade-fair/").unwrap();
    assert!(first < second, "{results}");
    assert!(results.contains("<mark>anniversaries</mark>"), "{results}");
    assert!(dom.contains("2 results"), "{dom}");
    // A quoted phrase: only the page with the words in that order.
    let url = format!("http://127.0.0.1:{port}/en/search/?q=%22sister%20regions%22");
    let dom = rendered_dom(&url).unwrap();
    let results = common::element(&dom, "<ol class=\"search-results\">", "</ol>");
    assert_eq!(
        results.matches("<li class=\"search-result\">").count(),
        1,
        "{results}"
    );
    assert!(results.contains("/en/events/sisters/"), "{results}");
}

/// Queries on the sample portal with the page that must come first: a place by either of its
/// names, a phrase, a common word.
const GOLDEN: &[(&str, &str, &str)] = &[
    ("zh", "卢布林", "/zh/regions/lublin/"),
    ("zh", "Lublin", "/zh/regions/lublin/"),
    ("zh", "阿提卡", "/zh/regions/attica/"),
    ("zh", "蒙得维的亚", "/zh/regions/montevideo/"),
    ("zh", "丛书", "/zh/events/henan-stories-book-series/"),
    ("zh", "俄罗斯", "/zh/exchanges/russia/"),
    ("zh", "Poland", "/zh/regions/lublin/"),
    ("zh", "三重", "/zh/regions/mie/"),
    ("en", "Lublin", "/en/regions/lublin/"),
    ("en", "阿提卡", "/en/regions/attica/"),
    ("en", "卢布林", "/en/regions/lublin/"),
    ("en", "Puglia", "/en/regions/puglia/"),
    (
        "en",
        "\"book series\"",
        "/en/events/henan-stories-book-series/",
    ),
    ("en", "Russia", "/en/exchanges/russia/"),
    ("en", "delegation", "/en/events/uruguay-delegation-visit/"),
    ("en", "Cambodia", "/en/regions/siem-reap/"),
];

#[test]
fn golden_queries_rank_the_right_page_first_in_a_browser() {
    let site = portal();
    site.build().assert_ok();
    let port = common::serve_static(site.path("public"));
    let mut wrong = Vec::new();
    for (lang, q, want) in GOLDEN {
        let q = percent_encoding::utf8_percent_encode(q, percent_encoding::NON_ALPHANUMERIC);
        let url = format!("http://127.0.0.1:{port}/{lang}/search/?q={q}");
        let Some(dom) = rendered_dom(&url) else {
            return;
        };
        let results = common::element(&dom, "<ol class=\"search-results\">", "</ol>");
        let first = results
            .split("<a href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next());
        if first != Some(want) {
            wrong.push(format!("{lang} {q}: {first:?}, want {want}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// A first query on the sample portal downloads at most 15 kB gzipped: `search.js` and every
/// index file the page script fetches for it, each gzipped as a server would send it.
#[test]
fn a_first_query_on_the_portal_downloads_at_most_15_kb_gzipped() {
    use std::io::Write;
    let site = portal();
    site.build().assert_ok();
    if node().is_none() {
        return;
    }
    let gzipped = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(bytes).unwrap();
        z.finish().unwrap().len()
    };
    let script = gzipped(&std::fs::read(site.path("public/search.js")).unwrap());
    for (lang, queries) in [
        ("zh", ["卢布林", "河南", "河"]),
        ("en", ["Lublin", "friendship", "f"]),
    ] {
        let index = site.path(&format!("public/{lang}/search/index"));
        // One node per query: each is a first query, with nothing cached.
        for q in queries {
            let found = query(&index, &[q]).remove(0);
            let files = found["files"].as_array().unwrap();
            let index_bytes: usize = files
                .iter()
                .map(|f| gzipped(&std::fs::read(index.join(f.as_str().unwrap())).unwrap()))
                .sum();
            let total = script + index_bytes;
            println!(
                "{lang} {}: {total} B gzipped in {} files",
                found["query"],
                files.len() + 1
            );
            assert!(!urls(&found).is_empty(), "{found:#}");
            assert!(total <= 15_000, "{lang} {}: {total} B", found["query"]);
        }
    }
}
