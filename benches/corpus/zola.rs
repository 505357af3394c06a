//! The benchmark corpus in Zola's layout: the default language (zh) without a suffix
//! (`regions/x.md`, `regions/x.en.md`), our fields under `extra`, and small templates that show
//! what ours and the Hugo layouts show: title, content, table of contents, translations, and
//! section lists (paginated by 50, as ours are).

use super::{files, write_all, File};
use std::path::Path;

/// Writes the corpus as a Zola site into `dir`; returns the bytes of Markdown written.
pub fn write_site(dir: &Path, regions: usize, seed: u64) -> std::io::Result<u64> {
    std::fs::create_dir_all(dir.join("templates"))?;
    std::fs::write(dir.join("config.toml"), CONFIG)?;
    for (name, text) in TEMPLATES {
        std::fs::write(dir.join("templates").join(name), text)?;
    }
    let files: Vec<File> = files(regions, seed, link)
        .into_iter()
        .map(|f| File {
            path: path(&f.path),
            front: front(&f.front, section_order(&f.path)),
            body: f.body,
        })
        .collect();
    write_all(dir, &files, |f| {
        format!("---\n{}---\n\n{}", f.front, f.body)
    })
}

/// Zola links by file: the default language's file has no language suffix.
fn link(lang: &str, key: &str) -> String {
    match lang {
        "zh" => format!("@/regions/{key}.md"),
        _ => format!("@/regions/{key}.{lang}.md"),
    }
}

/// A section intro's `sort_by`: events by date, as ours list them; others by title.
fn section_order(path: &str) -> Option<&'static str> {
    match (path.contains("_index."), path.starts_with("events/")) {
        (false, _) => None,
        (true, true) => Some("date"),
        (true, false) => Some("title"),
    }
}

fn path(ours: &str) -> String {
    ours.replace(".zh.md", ".md")
}

/// Zola's front matter knows `title`, `description` and `date`; the rest goes under `extra`.
/// Sections are paginated by 50, as ours are by default.
fn front(ours: &str, sort_by: Option<&str>) -> String {
    let (mut known, mut extra) = (String::new(), String::new());
    for line in ours.lines() {
        if let Some(rest) = line.strip_prefix("summary:") {
            known.push_str(&format!("description:{rest}\n"));
        } else if line.starts_with("title:") || line.starts_with("date:") {
            known.push_str(line);
            known.push('\n');
        } else {
            extra.push_str(&format!("  {line}\n"));
        }
    }
    if let Some(sort_by) = sort_by {
        known.push_str(&format!("paginate_by: 50\nsort_by: {sort_by}\n"));
    }
    if !extra.is_empty() {
        known.push_str("extra:\n");
        known.push_str(&extra);
    }
    known
}

const CONFIG: &str = r#"base_url = "https://bench.example.org"
title = "河南故事"
default_language = "zh"
compile_sass = false
# Zola's default build indexes no Chinese (that needs its `indexing-zh` feature): its search
# index stays off in both languages, and the summary says so beside the ratio.
build_search_index = false
generate_feeds = true

[markdown.highlighting]
theme = "catppuccin-frappe"
style = "class"

[languages.en]
title = "Henan Stories"
generate_feeds = true
"#;

const TEMPLATES: [(&str, &str); 4] = [
    (
        "base.html",
        r#"<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{% block title %}{{ config.title }}{% endblock %}</title>
{% block head %}{% endblock %}
</head><body><nav><a href="{{ get_url(path='@/_index.md', lang=lang) }}">{{ config.title }}</a>{% block switch %}{% endblock %}</nav>
<main>{% block main %}{% endblock %}</main></body></html>
"#,
    ),
    (
        "page.html",
        r#"{% extends "base.html" %}
{% block title %}{{ page.title }} · {{ config.title }}{% endblock %}
{% block head %}<meta name="description" content="{{ page.description | default(value='') | truncate(length=160) }}">
{% for t in page.translations %}<link rel="alternate" hreflang="{{ t.lang }}" href="{{ t.permalink }}">{% endfor %}{% endblock %}
{% block switch %}{% for t in page.translations %}<a href="{{ t.permalink }}">{{ t.lang }}</a>{% endfor %}{% endblock %}
{% block main %}<article><h1>{{ page.title }}</h1>
{% if page.extra.country %}<p>{{ page.extra.country }} · {{ page.extra.established }}</p>{% endif %}
{% if page.extra.regions %}<ul>{% for r in page.extra.regions %}<li><a href="{{ get_url(path='@/regions/' ~ r ~ '.md', lang=lang) }}">{{ r }}</a></li>{% endfor %}</ul>{% endif %}
<nav class="toc">{% for h in page.toc %}<a href="{{ h.permalink }}">{{ h.title }}</a>{% endfor %}</nav>
{{ page.content | safe }}
<p>{{ page.word_count }} · {{ page.reading_time }}</p></article>{% endblock %}
"#,
    ),
    (
        "section.html",
        r#"{% extends "base.html" %}
{% block title %}{{ section.title }} · {{ config.title }}{% endblock %}
{% block main %}<h1>{{ section.title }}</h1>{{ section.content | safe }}
<ul>{% for p in paginator.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a> {{ p.description }}</li>{% endfor %}</ul>
{% if paginator.next %}<a href="{{ paginator.next }}">→</a>{% endif %}{% endblock %}
"#,
    ),
    (
        "index.html",
        r#"{% extends "base.html" %}
{% block main %}<h1>{{ config.title }}</h1>{{ section.content | safe }}
{% set events = get_section(path="events/_index.md", lang=lang) %}
{% for p in events.pages | slice(end=5) %}<p><a href="{{ p.permalink }}">{{ p.title }}</a></p>{% endfor %}
{% set regions = get_section(path="regions/_index.md", lang=lang) %}
<ul>{% for p in regions.pages %}<li><a href="{{ p.permalink }}">{{ p.title }}</a></li>{% endfor %}</ul>{% endblock %}
"#,
    ),
];
