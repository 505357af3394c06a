//! A seeded, deterministic bilingual corpus for benchmarks: `n` regions and `n / 2` events, each
//! in zh and en, with realistic bodies (headings, lists, bold, links to other regions, a fenced
//! code block in one page of 20). The same seed gives the same bytes, so runs are comparable.
//!
//! The same text is written as a Henan Stories site (`write_site`) and as an equivalent Hugo
//! site (`write_hugo_site`: the same Markdown, with links as plain paths and minimal layouts)
//! and as a Zola site (`zola::write_site`).
#![allow(dead_code)]

pub mod zola;

use std::fmt::Write as _;
use std::path::Path;

/// splitmix64: tiny, good enough for picking words, and stable across platforms.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.range(0, items.len())]
    }
}

const EN_WORDS: &[&str] = &[
    "province",
    "region",
    "friendship",
    "delegation",
    "culture",
    "trade",
    "exchange",
    "river",
    "museum",
    "students",
    "university",
    "agriculture",
    "cooperation",
    "festival",
    "history",
    "visit",
    "partners",
    "economy",
    "transport",
    "heritage",
    "tea",
    "wheat",
    "martial",
    "arts",
    "opera",
    "the",
    "and",
    "of",
    "with",
    "for",
    "in",
    "a",
    "their",
    "both",
    "sides",
    "years",
    "signed",
    "agreement",
    "mayor",
    "governor",
    "Henan",
    "Zhengzhou",
    "Luoyang",
    "Kaifeng",
    "Shaolin",
    "Yellow",
    "ancient",
    "capital",
    "modern",
    "industry",
    "logistics",
    "hub",
    "young",
    "people",
    "schools",
    "hospitals",
    "doctors",
    "investment",
    "forum",
    "exhibition",
];

const ZH_WORDS: &[&str] = &[
    "河南",
    "友好",
    "省州",
    "代表团",
    "文化",
    "经贸",
    "交流",
    "黄河",
    "博物馆",
    "学生",
    "大学",
    "农业",
    "合作",
    "节日",
    "历史",
    "访问",
    "伙伴",
    "经济",
    "交通",
    "遗产",
    "茶叶",
    "小麦",
    "武术",
    "豫剧",
    "郑州",
    "洛阳",
    "开封",
    "少林",
    "古都",
    "现代",
    "工业",
    "物流",
    "枢纽",
    "青年",
    "学校",
    "医院",
    "医生",
    "投资",
    "论坛",
    "展览",
    "签署",
    "协议",
    "省长",
    "双方",
    "多年来",
    "不断",
    "深化",
    "的",
    "和",
    "与",
    "在",
    "了",
    "进一步",
    "共同",
    "发展",
];

/// Country codes with a continent, plus the English and Chinese name used in front matter.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("JP", "Japan", "日本"),
    ("KR", "South Korea", "韩国"),
    ("GR", "Greece", "希腊"),
    ("IT", "Italy", "意大利"),
    ("BE", "Belgium", "比利时"),
    ("PL", "Poland", "波兰"),
    ("US", "United States", "美国"),
    ("BR", "Brazil", "巴西"),
    ("UY", "Uruguay", "乌拉圭"),
    ("KH", "Cambodia", "柬埔寨"),
    ("RU", "Russia", "俄罗斯"),
    ("AU", "Australia", "澳大利亚"),
    ("ZA", "South Africa", "南非"),
    ("EG", "Egypt", "埃及"),
    ("CA", "Canada", "加拿大"),
    ("DE", "Germany", "德国"),
];

const EVENT_KINDS: &[&str] = &["anniversary", "visit", "signing", "publication", "other"];

pub const SITE_TOML: &str = r#"base_url = "https://bench.example.org/"
default_language = "zh"

[languages.zh]
title = "河南故事"
description = "河南省与世界各地国际友好省州的故事。"
locale = "zh-Hans"

[languages.en]
title = "Henan Stories"
description = "Stories of Henan province and its sister regions."
locale = "en"

[hub]
name = "Zhengzhou"
lat = 34.75
lon = 113.62
"#;

pub fn region_key(i: usize) -> String {
    format!("region-{i:06}")
}

pub fn event_key(i: usize) -> String {
    format!("event-{i:06}")
}

/// One content file: path under `content/`, front matter lines (without `---`), Markdown body.
pub struct File {
    pub path: String,
    pub front: String,
    pub body: String,
}

/// How a link to another region is written: `@/regions/x.md` for us, a plain path for Hugo.
pub type LinkStyle = fn(lang: &str, key: &str) -> String;

pub fn our_link(_lang: &str, key: &str) -> String {
    format!("@/regions/{key}.md")
}

pub fn hugo_link(lang: &str, key: &str) -> String {
    format!("/{lang}/regions/{key}/")
}

/// Every file of a corpus of `regions` regions, in a fixed order.
pub fn files(regions: usize, seed: u64, link: LinkStyle) -> Vec<File> {
    let mut out = Vec::with_capacity(regions * 3 + 6);
    for lang in ["zh", "en"] {
        let zh = lang == "zh";
        for (dir, title) in [
            ("", if zh { "河南故事" } else { "Henan Stories" }),
            (
                "regions/",
                if zh {
                    "友好省州"
                } else {
                    "Partner regions"
                },
            ),
            ("events/", if zh { "交往大事" } else { "Events" }),
        ] {
            let mut rng = Rng::new(seed ^ dir.len() as u64);
            out.push(File {
                path: format!("{dir}_index.{lang}.md"),
                front: format!("title: {title}\n"),
                body: paragraph(&mut rng, lang, 60),
            });
        }
    }
    let mut rng = Rng::new(seed);
    for i in 0..regions {
        let (code, en_country, zh_country) = *rng.pick(COUNTRIES);
        let year = rng.range(1980, 2024);
        let (month, day) = (rng.range(1, 13), rng.range(1, 29));
        let lat = rng.range(0, 12000) as f64 / 100.0 - 60.0;
        let lon = rng.range(0, 36000) as f64 / 100.0 - 180.0;
        let page_seed = rng.next();
        for lang in ["zh", "en"] {
            let zh = lang == "zh";
            let mut r = Rng::new(page_seed);
            let title = if zh {
                format!("{zh_country}第{i}号友好省州")
            } else {
                format!("Partner region {i}, {en_country}")
            };
            let mut front = String::new();
            let _ = writeln!(front, "title: \"{title}\"");
            let _ = writeln!(front, "summary: \"{}\"", sentence(&mut r, lang, 14));
            let _ = writeln!(
                front,
                "country: \"{}\"",
                if zh { zh_country } else { en_country }
            );
            let _ = writeln!(front, "country_code: {code}");
            let _ = writeln!(front, "established: \"{year}-{month:02}-{day:02}\"");
            let _ = writeln!(front, "status: established");
            let _ = writeln!(front, "coordinates: {{lat: {lat:.2}, lon: {lon:.2}}}");
            out.push(File {
                path: format!("regions/{}.{lang}.md", region_key(i)),
                front,
                body: body(&mut r, lang, i, regions, link),
            });
        }
    }
    for i in 0..regions / 2 {
        let year = rng.range(1990, 2024);
        let (month, day) = (rng.range(1, 13), rng.range(1, 29));
        let kind = *rng.pick(EVENT_KINDS);
        let mut concerned: Vec<String> = (0..rng.range(1, 4))
            .map(|_| region_key(rng.range(0, regions)))
            .collect();
        concerned.sort();
        concerned.dedup();
        let page_seed = rng.next();
        for lang in ["zh", "en"] {
            let mut r = Rng::new(page_seed);
            let title = if lang == "zh" {
                format!("交流活动第{i}号")
            } else {
                format!("Exchange number {i}")
            };
            let mut front = String::new();
            let _ = writeln!(front, "title: \"{title}\"");
            let _ = writeln!(front, "summary: \"{}\"", sentence(&mut r, lang, 12));
            let _ = writeln!(front, "date: \"{year}-{month:02}-{day:02}\"");
            let _ = writeln!(front, "kind: {kind}");
            let _ = writeln!(front, "regions: [{}]", concerned.join(", "));
            out.push(File {
                path: format!("events/{}.{lang}.md", event_key(i)),
                front,
                body: body(&mut r, lang, i + regions, regions, link),
            });
        }
    }
    out
}

fn sentence(rng: &mut Rng, lang: &str, words: usize) -> String {
    let (vocab, sep, end) = if lang == "zh" {
        (ZH_WORDS, "", "。")
    } else {
        (EN_WORDS, " ", ".")
    };
    let mut s = String::new();
    for w in 0..words {
        if w > 0 {
            s.push_str(sep);
        }
        s.push_str(rng.pick::<&str>(vocab));
    }
    s.push_str(end);
    if lang != "zh" {
        s[..1].make_ascii_uppercase();
    }
    s
}

fn paragraph(rng: &mut Rng, lang: &str, words: usize) -> String {
    let mut p = String::new();
    let mut left = words;
    while left > 0 {
        let n = left.min(rng.range(8, 18));
        if !p.is_empty() && lang != "zh" {
            p.push(' ');
        }
        p.push_str(&sentence(rng, lang, n));
        left -= n;
    }
    p
}

/// About 3.7 kB of Markdown: an intro, three headed parts with bold text, a list and links.
fn body(rng: &mut Rng, lang: &str, index: usize, regions: usize, link: LinkStyle) -> String {
    let zh = lang == "zh";
    let words = if zh { 56 } else { 72 };
    let mut b = paragraph(rng, lang, words);
    b.push_str("\n\n");
    for part in 0..3 {
        let _ = writeln!(
            b,
            "## {}\n",
            sentence(rng, lang, 3).trim_end_matches(['.', '。'])
        );
        let other = region_key(rng.range(0, regions));
        let bold = rng.pick(if zh { ZH_WORDS } else { EN_WORDS });
        let _ = write!(
            b,
            "{} **{bold}** [{}]({}) {}\n\n",
            paragraph(rng, lang, words / 2),
            if zh {
                "相关省州"
            } else {
                "a related region"
            },
            link(lang, &other),
            paragraph(rng, lang, words / 2),
        );
        if part == 1 {
            for _ in 0..4 {
                let _ = writeln!(b, "- {}", sentence(rng, lang, 6));
            }
            b.push('\n');
        }
        b.push_str(&paragraph(rng, lang, words));
        b.push_str("\n\n");
    }
    if index % 20 == 7 {
        b.push_str("```rust\nfn main() {\n    let regions = [\"Attica\", \"Mie\"];\n    for r in regions {\n        println!(\"Henan ❤ {r}\");\n    }\n}\n```\n");
    }
    b
}

fn write_all(dir: &Path, files: &[File], with: impl Fn(&File) -> String) -> std::io::Result<u64> {
    let content = dir.join("content");
    let mut bytes = 0;
    for sub in ["", "regions", "events"] {
        std::fs::create_dir_all(content.join(sub))?;
    }
    for f in files {
        let text = with(f);
        bytes += text.len() as u64;
        std::fs::write(content.join(&f.path), text)?;
    }
    Ok(bytes)
}

/// Writes a Henan Stories site of `regions` regions into `dir` (which must not exist yet, or be
/// empty); returns the bytes of Markdown written.
pub fn write_site(dir: &Path, regions: usize, seed: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir)?;
    std::fs::write(dir.join("site.toml"), SITE_TOML)?;
    write_all(dir, &files(regions, seed, our_link), |f| {
        format!("---\n{}---\n\n{}", f.front, f.body)
    })
}

/// The same corpus as a Hugo multilingual site (translations by file name), with small layouts
/// that show what ours do: title, content, language switcher, and the section lists.
pub fn write_hugo_site(dir: &Path, regions: usize, seed: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir.join("layouts/_default"))?;
    std::fs::write(dir.join("config.toml"), HUGO_CONFIG)?;
    for (name, text) in HUGO_LAYOUTS {
        std::fs::write(dir.join("layouts").join(name), text)?;
    }
    write_all(dir, &files(regions, seed, hugo_link), |f| {
        // Hugo reads `date` as the page date; ours is the event date: the same field.
        format!("---\n{}---\n\n{}", f.front, f.body)
    })
}

const HUGO_CONFIG: &str = r#"baseURL = "https://bench.example.org/"
defaultContentLanguage = "zh"
defaultContentLanguageInSubdir = true
disableKinds = ["taxonomy", "term"]
[markup.highlight]
noClasses = false
[languages.zh]
title = "河南故事"
languageCode = "zh-Hans"
weight = 1
[languages.en]
title = "Henan Stories"
languageCode = "en"
weight = 2
"#;

const HUGO_LAYOUTS: [(&str, &str); 4] = [
    (
        "_default/baseof.html",
        r#"<!doctype html>
<html lang="{{ .Site.Language.Lang }}"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify | truncate 160 }}">
{{ range .Translations }}<link rel="alternate" hreflang="{{ .Language.Lang }}" href="{{ .Permalink }}">{{ end }}
</head><body><nav><a href="{{ .Site.Home.RelPermalink }}">{{ .Site.Title }}</a>
{{ range .Translations }}<a href="{{ .RelPermalink }}">{{ .Language.LanguageName }}</a>{{ end }}</nav>
<main>{{ block "main" . }}{{ end }}</main></body></html>
"#,
    ),
    (
        "_default/single.html",
        r#"{{ define "main" }}<article><h1>{{ .Title }}</h1>
{{ with .Params.country }}<p>{{ . }} · {{ $.Params.established }}</p>{{ end }}
{{ with .Params.regions }}<ul>{{ range . }}<li><a href="{{ $.Site.Home.RelPermalink }}regions/{{ . }}/">{{ . }}</a></li>{{ end }}</ul>{{ end }}
<nav class="toc">{{ .TableOfContents }}</nav>
{{ .Content }}
<p>{{ .WordCount }} · {{ .ReadingTime }}</p></article>{{ end }}
"#,
    ),
    (
        "_default/list.html",
        r#"{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.summary }}</li>{{ end }}</ul>{{ end }}
"#,
    ),
    (
        "index.html",
        r#"{{ define "main" }}<h1>{{ .Site.Title }}</h1>{{ .Content }}
{{ range first 5 (where .Site.RegularPages "Section" "events") }}<p><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}
<ul>{{ range where .Site.RegularPages "Section" "regions" }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
"#,
    ),
];
