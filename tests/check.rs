//! `check` through the real binary: a clean site passes with its coverage listed; each kind of
//! problem is named with file, line and the bad value (and `build` fails on it too); the JSON
//! report is well-formed; `--external` is tested against a loopback HTTP server.

mod common;
use common::{Run, Site};
use serde_json::Value;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

fn check(site: &Site) -> Run {
    site.run(&["check"])
}

fn check_json(site: &Site) -> (Run, Value) {
    let run = site.run(&["check", "--format", "json"]);
    let json: Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}", run.stdout));
    (run, json)
}

/// Breaks a clean site with `files`; `check` and `build` must both fail, `check` naming `expected`.
#[track_caller]
fn fails_with(files: &[(&str, &str)], expected: &[&str]) -> Run {
    let site = Site::small();
    for (rel, text) in files {
        site.write(rel, text);
    }
    let run = check(&site);
    run.assert_failed();
    run.stderr_has(expected);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    site.build().assert_failed();
    run
}

#[test]
fn clean_site_passes_lists_coverage_and_writes_nothing() {
    let site = Site::small();
    let run = check(&site);
    run.assert_ok();
    run.stdout_has(&[
        "Translation coverage:",
        "  regions: zh 2/2, en 2/2",
        "  events: zh 1/1, en 1/1",
        "  (top level): zh 1/1, en 1/1",
        "check: 0 errors and 0 warnings",
    ]);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
    assert!(!site.path("public").exists(), "check must write nothing");
}

#[test]
fn every_kind_of_working_link_passes() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n## Team\n\n[a](/en/about) [b](../regions/attica/#cooperation) [c](../../zh/)\n[d](/en/map/) [e](/style.css) [f](/en/atom.xml?x=1) [g](#team) [h](./)\n[i](mailto:a@b.org) [j](javascript:void(0)) [k](@/regions/_index.md) [l](about.zh.md)\n",
    );
    check(&site).assert_ok();
    site.build().assert_ok();
}

#[test]
fn broken_content_link_names_file_line_and_target() {
    fails_with(
        &[(
            "content/about.en.md",
            "---\ntitle: About\n---\nSee [x](@/regions/nowhere.md).\n",
        )],
        &[
            "error: content/about.en.md:4: link to `@/regions/nowhere.md`: no such content file",
            "4 | See [x](@/regions/nowhere.md).",
            "  |     ^^^^^^^^^^^^^^^^^^^^^^^^^",
        ],
    );
}

#[test]
fn broken_relative_content_link() {
    fails_with(
        &[(
            "content/events/uruguay-visit.en.md",
            "---\ntitle: Visit\n---\nSee [Attica](../regions/atica.md).\n",
        )],
        &["content/events/uruguay-visit.en.md:4: link to `../regions/atica.md`: no such content file"],
    );
}

#[test]
fn broken_site_url_gets_a_did_you_mean() {
    fails_with(
        &[(
            "content/about.en.md",
            "---\ntitle: About\n---\nText.\n\nSee [x](/en/regions/atica/).\n",
        )],
        &[
            "content/about.en.md:6: link to `/en/regions/atica/`: the site has no page or file at /en/regions/atica/",
            // Quoted from the file: a build lets the page's source go once it is rendered.
            "6 | See [x](/en/regions/atica/).",
            "  |     ^^^^^^^^^^^^^^^^^^^^^^^",
            "= hint: did you mean `/en/regions/attica/`?",
        ],
    );
}

#[test]
fn missing_static_file_and_image_until_the_file_exists() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n![Map](/images/map.png)\n\n[PDF](/files/report.pdf) and ![photo](photo.jpg)\n",
    );
    let run = check(&site);
    run.assert_failed().stderr_has(&[
        "content/about.en.md:4: link to `/images/map.png`: the site has no page or file at /images/map.png",
        "hint: files are published from `static/` at the site root: /images/map.png comes from static/images/map.png",
        "content/about.en.md:6: link to `/files/report.pdf`",
        "content/about.en.md:6: link to `photo.jpg`: the site has no page or file at /en/about/photo.jpg",
    ]);
    // A real image: one shown in the text is decoded, to be published in sizes.
    let mut png = Vec::new();
    image::ImageEncoder::write_image(
        image::codecs::png::PngEncoder::new(&mut png),
        &[90; 12],
        2,
        2,
        image::ExtendedColorType::Rgb8,
    )
    .unwrap();
    site.write_bytes("static/images/map.png", &png);
    site.write_bytes("static/files/report.pdf", b"%PDF");
    site.write_bytes("static/en/about/photo.jpg", b"\xff\xd8");
    check(&site).assert_ok();
    site.build().assert_ok();
}

#[test]
fn a_static_file_in_the_place_of_a_page_folder_is_reported() {
    fails_with(
        &[("static/en", "not a site")],
        &["error: static/en: publishes the file `en`, but "],
    );
    let (run, json) = {
        let site = Site::small();
        site.write("static/zh/about/index.html/x", "x");
        check_json(&site)
    };
    run.assert_failed();
    let found = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["kind"] == "url-collision" && d["file"] == "static/zh/about/index.html/x");
    assert!(found, "{json:#}");
}

#[test]
fn skipped_links_and_names_that_are_not_utf8_are_reported() {
    use std::os::unix::ffi::OsStrExt;
    let site = Site::small();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", site.path("static/host.txt")).unwrap();
    let (run, json) = check_json(&site);
    run.assert_ok();
    let kinds = |json: &Value| -> Vec<(String, String, String)> {
        let list = json["diagnostics"].as_array().unwrap().iter();
        list.map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            (s("severity"), s("kind"), s("file"))
        })
        .collect()
    };
    let warning = ("warning".into(), "symlink".into(), "static/host.txt".into());
    assert!(kinds(&json).contains(&warning), "{json:#}");
    let bad = site
        .path("content")
        .join(std::ffi::OsStr::from_bytes(b"caf\xe9.en.md"));
    std::fs::write(bad, "---\ntitle: Cafe\n---\n").unwrap();
    let (run, json) = check_json(&site);
    run.assert_failed();
    let error = ("error".into(), "file-name".into(), "content".into());
    assert!(kinds(&json).contains(&error), "{json:#}");
}

#[test]
fn a_link_to_a_file_behind_a_skipped_symlink_says_why_it_is_missing() {
    let site = Site::small();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("report.pdf"), "%PDF").unwrap();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink(outside.path(), site.path("static/docs")).unwrap();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n[Report](/docs/report.pdf)\n",
    );
    check(&site).assert_failed().stderr_has(&[
        "warning: static/docs: a symbolic link to ",
        "error: content/about.en.md:4: link to `/docs/report.pdf`: the site has no page or file",
        "hint: static/docs is a symbolic link the build skipped: links are followed only while",
    ]);
}

#[test]
fn bad_anchor_on_another_page_and_the_same_page() {
    fails_with(
        &[(
            "content/about.en.md",
            "---\ntitle: About\n---\n## Our team\n\nSee [A](@/regions/attica.md#cooperatoin) and [t](#our-tema).\n",
        )],
        &[
            "content/about.en.md:6: link to `@/regions/attica.md#cooperatoin`: no heading with id `cooperatoin` on that page",
            "hint: did you mean `#cooperation`?",
            "content/about.en.md:6: link to `#our-tema`: no heading with id `our-tema`",
            "hint: did you mean `#our-team`?",
        ],
    );
}

#[test]
fn anchor_far_from_any_heading_lists_the_headings() {
    fails_with(
        &[(
            "content/about.en.md",
            "---\ntitle: About\n---\n[A](@/regions/attica.md#history) [L](@/regions/lublin.md#history)\n",
        )],
        &[
            "content/about.en.md:4: link to `@/regions/attica.md#history`",
            "hint: the page's headings are `#cooperation`;",
            "content/about.en.md:4: link to `@/regions/lublin.md#history`",
            "hint: that page has no headings to link to",
        ],
    );
}

#[test]
fn links_in_section_intros_are_checked_too() {
    fails_with(
        &[(
            "content/regions/_index.en.md",
            "---\ntitle: Regions\n---\nAlso see [the map](/en/mapp/).\n",
        )],
        &["content/regions/_index.en.md:4: link to `/en/mapp/`"],
    );
}

#[test]
fn unknown_region_names_the_value_with_a_hint() {
    fails_with(
        &[(
            "content/events/lublin-15.en.md",
            "---\ntitle: Lublin 15\ndate: 2023\nregions: [attica, lubin]\n---\n",
        )],
        &[
            "content/events/lublin-15.en.md:4: regions: no region `lubin` in content/regions/",
            "= hint: did you mean `lublin`?",
        ],
    );
}

#[test]
fn one_run_reports_model_errors_and_broken_links_together() {
    let run = fails_with(
        &[
            (
                "content/events/lublin-15.en.md",
                "---\ntitle: Lublin 15\ndate: 2023\nregions: [lubin]\n---\n",
            ),
            (
                "content/about.en.md",
                "---\ntitle: About\n---\n[x](/en/nowhere/)\n",
            ),
        ],
        &[
            "no region `lubin`",
            "content/about.en.md:4: link to `/en/nowhere/`",
        ],
    );
    run.stdout_has(&["check: 2 errors"]);
}

#[test]
fn links_to_a_file_that_failed_to_parse_are_not_reported_as_broken() {
    let run = fails_with(
        &[(
            "content/regions/attica.en.md",
            "---\ntitle: Attica\nstatus: maybe\n---\n## Cooperation\n",
        )],
        &["content/regions/attica.en.md:3: status: expected `established` or `preparing`"],
    );
    assert!(!run.stderr.contains("link to"), "{}", run.stderr);
    run.stdout_has(&["check: 1 error"]);
}

#[test]
fn disagreeing_neutral_fields_name_both_files() {
    fails_with(
        &[(
            "content/regions/lublin.en.md",
            "---\ntitle: Lublin\ncountry_code: PO\n---\n",
        )],
        &[
            "content/regions/lublin.en.md:3",
            "country_code: \"PO\" here, but \"PL\" in content/regions/lublin.zh.md",
        ],
    );
}

#[test]
fn missing_translation_is_a_warning_with_coverage_counts() {
    let site = Site::small();
    site.remove("content/regions/lublin.en.md");
    site.write(
        "content/stories/2023/spring.en.md",
        "---\ntitle: Spring\n---\nx\n",
    );
    let run = check(&site);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/regions/lublin.zh.md: no `en` translation",
        "hint: start one with `henan-stories new region lublin.en`",
        "hint: start one with `henan-stories new page stories/2023/spring.zh`",
        "warning: content/stories: this folder has no intro (`_index`): its lists are titled “Stories”",
        "warning: content/stories/2023: this folder has no intro",
    ]);
    run.stdout_has(&[
        "  regions: zh 2/2, en 1/2",
        "  stories: zh 0/1, en 1/1",
        "check: 0 errors and 4 warnings",
    ]);
}

#[test]
fn section_intro_in_one_language_only_is_a_warning() {
    let site = Site::small();
    site.write(
        "content/regions/_index.en.md",
        "---\ntitle: Sister regions\nsummary: Where Henan has friends.\n---\nIntro.\n",
    );
    let run = check(&site);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/regions/_index.en.md: no `zh` translation: the `zh` list of this folder has no title, intro or summary of its own",
        "hint: add `_index.zh.md` beside this file, translated",
    ]);
    site.write(
        "content/regions/_index.zh.md",
        "---\ntitle: 友好省州\n---\n简介。\n",
    );
    let run = check(&site);
    run.assert_ok();
    assert!(!run.stderr.contains("_index.en.md"), "{}", run.stderr);
}

#[test]
fn misspelt_front_matter_key_is_a_warning_with_a_hint() {
    let site = Site::small();
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountyr: Greece\n---\n## Cooperation\n",
    );
    let run = check(&site);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/regions/attica.en.md:3: unknown field `countyr`",
        "3 | countyr: Greece",
        "= hint: did you mean `country`?",
    ]);
}

#[test]
fn drafts_are_checked_only_when_asked_for() {
    let site = Site::small();
    site.write(
        "content/secret.en.md",
        "---\ntitle: Secret\ndraft: true\n---\n[x](@/nowhere.md)\n",
    );
    check(&site).assert_ok();
    site.run(&["check", "--drafts"]).assert_failed();
}

#[test]
fn json_report_lists_every_problem_and_the_coverage() {
    let site = Site::small();
    site.remove("content/about.zh.md");
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\nSee [x](@/regions/attica.md#nope).\n",
    );
    let (run, json) = check_json(&site);
    run.assert_failed();
    assert_eq!(json["ok"], false);
    assert_eq!(json["errors"], 1);
    assert_eq!(json["warnings"], 1);
    let diags = json["diagnostics"].as_array().unwrap();
    let error = &diags[0];
    assert_eq!(error["severity"], "error");
    assert_eq!(error["kind"], "broken-link");
    assert_eq!(error["file"], "content/about.en.md");
    assert_eq!(error["line"], 4);
    assert_eq!(error["column"], 5);
    assert!(error["message"].as_str().unwrap().contains("`nope`"));
    assert!(error["hint"].is_string());
    let warning = &diags[1];
    assert_eq!(warning["severity"], "warning");
    assert_eq!(warning["kind"], "missing-translation");
    assert!(warning["line"].is_null(), "unknown positions are null");
    let top = json["coverage"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["section"] == "(top level)")
        .unwrap();
    assert_eq!(top["total"], 1);
    assert_eq!(top["languages"][0]["lang"], "zh");
    assert_eq!(top["languages"][0]["pages"], 0);
    assert_eq!(top["languages"][0]["missing"][0], "about");
    assert!(
        run.stderr.is_empty(),
        "JSON mode prints only the document: {}",
        run.stderr
    );
}

#[test]
fn json_locates_template_errors_even_endless_ones() {
    let site = Site::small();
    site.write("templates/page.html", "<p>\n{% if %}\n");
    let (run, json) = check_json(&site);
    run.assert_failed();
    let d = &json["diagnostics"][0];
    assert_eq!(d["file"], "templates/page.html", "{json}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(7)),
        "{json}"
    );

    site.write("templates/page.html", "<p>\n{% include \"page.html\" %}\n");
    let (run, json) = check_json(&site);
    run.assert_failed();
    let d = &json["diagnostics"][0];
    assert_eq!(d["file"], "templates/page.html", "{json}");
    assert_eq!(d["line"], 2, "{json}");
    assert!(
        d["message"]
            .as_str()
            .unwrap()
            .contains("renders itself without end"),
        "{json}"
    );
}

#[test]
fn json_is_well_formed_even_when_nothing_loads() {
    let site = Site::small();
    site.write("content/bad.en.md", "---\ntitle: [unclosed\n---\n");
    site.write("site.toml", "base_url = 3\n");
    let (run, json) = check_json(&site);
    run.assert_failed();
    assert!(json["coverage"].is_null());
    assert_eq!(json["diagnostics"][0]["file"], "site.toml");
}

#[test]
fn piped_output_has_no_colour_even_without_no_color() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n[x](@/no.md)\n",
    );
    let run: Run = common::bin()
        .env_remove("NO_COLOR")
        .args(["check", "--root"])
        .arg(site.root())
        .output()
        .unwrap()
        .into();
    run.assert_failed();
    run.stderr_has(&["error: content/about.en.md:4"]);
    assert!(!run.stderr.contains('\x1b'));
}

/// Runs `check` on a pseudo-terminal through util-linux `script`; `None` where that is missing.
fn check_on_terminal(site: &Site, no_color: bool) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_henan-stories");
    let command = format!("{bin} check --root {}", site.root().display());
    let mut cmd = std::process::Command::new("script");
    cmd.args(["-qec", &command, "/dev/null"])
        .env_remove("NO_COLOR");
    if no_color {
        cmd.env("NO_COLOR", "1");
    }
    let output = cmd.output().ok()?;
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn colour_on_a_terminal_unless_no_color() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n[x](@/no.md)\n",
    );
    let Some(coloured) = check_on_terminal(&site, false) else {
        common::missing_tool("util-linux `script`");
        return;
    };
    assert!(
        coloured.contains("\x1b[1;31merror\x1b[0m: content/about.en.md:4"),
        "{coloured:?}"
    );
    let plain = check_on_terminal(&site, true).unwrap();
    assert!(plain.contains("error: content/about.en.md:4"), "{plain:?}");
    assert!(!plain.contains('\x1b'), "{plain:?}");
}

// ---- External links, against a server on loopback ----

/// A tiny HTTP/1.1 server: `/ok` 200, `/gone` 404, `/no-head` 405 to HEAD but 200 to GET,
/// `/slow` answers after 3 s, `/lane/*` holds each request until another one is in flight (or
/// 1 s passed) to see how many run at once. Records the most requests it had in flight.
struct Server {
    port: u16,
    state: Arc<(Mutex<(usize, usize)>, Condvar)>,
    log: Arc<Mutex<Vec<String>>>,
}

impl Server {
    fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new((Mutex::new((0, 0)), Condvar::new()));
        let log = Arc::new(Mutex::new(Vec::new()));
        let (s, l) = (state.clone(), log.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, l) = (s.clone(), l.clone());
                std::thread::spawn(move || serve(stream, &s, &l));
            }
        });
        Server { port, state, log }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn max_in_flight(&self) -> usize {
        self.state.0.lock().unwrap().1
    }
}

fn serve(
    mut stream: TcpStream,
    state: &(Mutex<(usize, usize)>, Condvar),
    log: &Mutex<Vec<String>>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request = String::new();
    if reader.read_line(&mut request).is_err() {
        return;
    }
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (method, path) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    log.lock().unwrap().push(format!("{method} {path}"));
    let (lock, cvar) = state;
    {
        let mut s = lock.lock().unwrap();
        s.0 += 1;
        s.1 = s.1.max(s.0);
        cvar.notify_all();
    }
    let status = match (method, path) {
        (_, "/ok") => "200 OK",
        (_, "/gone") => "404 Not Found",
        ("HEAD", "/no-head") => "405 Method Not Allowed",
        (_, "/no-head") => "200 OK",
        (_, "/slow") => {
            std::thread::sleep(Duration::from_secs(3));
            "200 OK"
        }
        (_, p) if p.starts_with("/lane/") => {
            let s = lock.lock().unwrap();
            let _ = cvar
                .wait_timeout_while(s, Duration::from_secs(1), |s| s.0 < 2)
                .unwrap();
            "200 OK"
        }
        _ => "404 Not Found",
    };
    lock.lock().unwrap().0 -= 1;
    let body = if method == "GET" { "hello" } else { "" };
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        if method == "GET" { body.len() } else { 0 }
    );
}

#[test]
fn external_links_are_fetched_only_on_request() {
    let server = Server::start();
    let site = Site::small();
    site.write(
        "content/about.en.md",
        &format!(
            "---\ntitle: About\n---\n[a]({ok}) [b]({gone})\n\n[c]({nohead})\n\n[d]({slow})\n\n[e]({ok}#part)\n",
            ok = server.url("/ok"),
            gone = server.url("/gone"),
            nohead = server.url("/no-head"),
            slow = server.url("/slow"),
        ),
    );
    check(&site).assert_ok();
    site.build().assert_ok();
    assert!(
        server.log.lock().unwrap().is_empty(),
        "build and plain check fetch nothing"
    );

    let run = site.run(&["check", "--external", "--timeout", "1"]);
    run.assert_failed();
    let gone = format!(
        "content/about.en.md:4: link to {}: the server answered 404 Not Found",
        server.url("/gone")
    );
    let slow = format!(
        "content/about.en.md:8: link to {}: no answer within 1 s",
        server.url("/slow")
    );
    let quoted = format!("8 | [d]({})", server.url("/slow"));
    run.stderr_has(&[&gone, &slow, &quoted]);
    run.stdout_has(&["check: 2 errors"]);
    let log = server.log.lock().unwrap().clone();
    assert!(log.contains(&"HEAD /no-head".to_owned()) && log.contains(&"GET /no-head".to_owned()));
    assert_eq!(
        log.iter().filter(|l| l.ends_with(" /ok")).count(),
        1,
        "one request per distinct URL: {log:?}"
    );
}

#[test]
fn timeout_outside_its_range_is_refused() {
    let site = Site::small();
    for secs in ["0", "601", "9223372036854775807"] {
        let run = site.run(&["check", "--external", "--timeout", secs]);
        assert_eq!(run.status.code(), Some(2), "{secs}: {}", run.stderr);
        run.stderr_has(&[
            &format!("invalid value '{secs}' for '--timeout <SECS>'"),
            "1..=600",
        ]);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    }
    site.run(&["check", "--external", "--timeout", "600"])
        .assert_ok();
}

#[test]
fn external_checks_run_concurrently_with_a_cap_per_host() {
    let server = Server::start();
    let site = Site::small();
    let links: String = (0..6)
        .map(|i| format!("[l{i}]({})\n\n", server.url(&format!("/lane/{i}"))))
        .collect();
    site.write(
        "content/about.en.md",
        &format!("---\ntitle: About\n---\n{links}"),
    );
    let (run, json) = {
        let run = site.run(&["check", "--external", "--format", "json"]);
        let json: Value = serde_json::from_str(&run.stdout).unwrap();
        (run, json)
    };
    run.assert_ok();
    assert_eq!(json["errors"], 0);
    assert_eq!(server.log.lock().unwrap().len(), 6);
    assert_eq!(
        server.max_in_flight(),
        2,
        "two requests at once to one host, no more"
    );
}

#[test]
fn external_links_are_checked_alongside_other_errors() {
    let server = Server::start();
    let site = Site::small();
    site.write(
        "content/about.en.md",
        &format!(
            "---\ntitle: About\n---\n[it]({}) [x](@/nowhere.md)\n",
            server.url("/gone")
        ),
    );
    let run = site.run(&["check", "--external"]);
    run.assert_failed().stderr_has(&[
        "link to `@/nowhere.md`",
        "the server answered 404 Not Found",
    ]);
}

#[test]
fn external_failures_appear_in_json() {
    let server = Server::start();
    let site = Site::small();
    site.write(
        "content/about.en.md",
        &format!(
            "---\ntitle: About\n---\nSee [it]({}).\n",
            server.url("/gone")
        ),
    );
    let run = site.run(&["check", "--external", "--format", "json"]);
    run.assert_failed();
    let json: Value = serde_json::from_str(&run.stdout).unwrap();
    let d = &json["diagnostics"][0];
    assert_eq!(d["kind"], "external-link");
    assert_eq!(d["file"], "content/about.en.md");
    assert_eq!(d["line"], 4);
    assert_eq!(d["column"], 5);
}

#[test]
fn a_folder_without_an_intro_gets_a_readable_title_and_a_warning() {
    let site = Site::small();
    site.write(
        "content/cultural-exchange/opera.en.md",
        "---\ntitle: Opera\n---\nYu opera on tour.\n",
    );
    site.write(
        "content/cultural-exchange/opera.zh.md",
        "---\ntitle: 豫剧\n---\n豫剧巡演。\n",
    );
    let (run, json) = check_json(&site);
    run.assert_ok();
    let warnings: Vec<&Value> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "missing-intro")
        .collect();
    assert_eq!(warnings.len(), 1, "{json:#}");
    assert_eq!(warnings[0]["file"], "content/cultural-exchange");
    assert!(
        warnings[0]["message"]
            .as_str()
            .unwrap()
            .contains("“Cultural exchange”"),
        "{json:#}"
    );
    site.build().assert_ok();
    for lang in ["zh", "en"] {
        let list = site.public(&format!("{lang}/cultural-exchange/index.html"));
        assert!(list.contains("<h1>Cultural exchange</h1>"), "{list}");
        assert!(!list.contains(">cultural-exchange<"), "{list}");
    }
}

#[test]
fn a_country_that_disagrees_with_its_code_is_a_warning() {
    let site = Site::small();
    // The code comes from the Chinese translation (PL); the English page names another country.
    site.write(
        "content/regions/lublin.en.md",
        "---\ntitle: Lublin\ncountry: Portugal\n---\nLublin.\n",
    );
    site.write(
        "content/regions/attica.en.md",
        "---\ntitle: Attica\ncountry: greece\n---\n## Cooperation\n\nAttica.\n",
    );
    let run = check(&site);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/regions/lublin.en.md:3",
        "country: \"Portugal\" is not the country of country_code PL",
        "hint: PL is Poland",
    ]);
    assert!(!run.stderr.contains("attica"), "{}", run.stderr);
    let (_, json) = check_json(&site);
    let kinds: Vec<&str> = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["country-mismatch"], "{json:#}");
}

/// Thousands of broken links in one long paragraph (a Markdown paragraph is one source line):
/// each message used to keep its own copy of the whole line, 1.1 GB for 8,000 links.
#[test]
fn many_broken_links_in_one_long_line_take_bounded_memory() {
    let site = Site::small();
    let mut line = String::new();
    for i in 0..4_000 {
        line.push_str(&format!("Text [a](/nowhere/{i}/) and [b](@/gone-{i}.md) "));
    }
    assert!(line.len() > 130_000);
    site.write(
        "content/about.en.md",
        &format!("---\ntitle: About\n---\n{line}\n"),
    );
    let (ok, stderr, peak) = run_measured(&site, &["check"]);
    assert!(!ok, "{}", &stderr[..stderr.len().min(2000)]);
    assert_eq!(
        stderr.matches("error: content/about.en.md:4:").count(),
        8_000
    );
    // Each quote is cut around its own link, the caret under it.
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.contains("link to `@/gone-3999.md`"))
        .expect("message for the last link");
    let (quoted, caret) = (lines[at + 2], lines[at + 3]);
    assert!(quoted.starts_with("4 | …"), "{quoted}");
    let column = caret.find('^').expect("caret");
    let under: String = quoted.chars().skip(column).collect();
    assert!(
        under.starts_with("[b](@/gone-3999.md)"),
        "{quoted}\n{caret}"
    );
    assert!(lines.iter().all(|l| l.chars().count() < 120));
    assert!(peak < 300 << 20, "peak memory {} MB", peak >> 20);
}

/// Raw HTML passes through by default (CommonMark), but scripts in it are warned about, by
/// `check` and `build`; `[markdown] raw_html = false` shows it as text instead.
#[test]
fn raw_html_scripts_are_warnings_and_can_be_refused() {
    let site = Site::small();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\nAbout this site.\n\n<script>alert(1)</script>\n\nA <img src=x onerror=\"alert(2)\"> and [x](javascript:alert(3)) and <b>bold</b>.\n",
    );
    let run = check(&site);
    run.assert_ok();
    run.stderr_has(&[
        "warning: content/about.en.md:6: raw HTML with a `<script>` element",
        "warning: content/about.en.md:8: raw HTML with an inline event handler",
        "warning: content/about.en.md:8: link to `javascript:alert(3)`",
        "raw_html = false",
    ]);
    let build = site.build();
    build.assert_ok();
    build.stderr_has(&["warning: content/about.en.md:6: raw HTML with a `<script>` element"]);
    let html = site.public("en/about/index.html");
    assert!(html.contains("<script>alert(1)</script>") && html.contains("<b>bold</b>"));

    site.write(
        "site.toml",
        &format!("{}\n[markdown]\nraw_html = false\n", common::SITE_TOML),
    );
    let run = check(&site);
    run.assert_ok();
    assert!(
        !run.stderr.contains("raw-html") && !run.stderr.contains("raw HTML"),
        "{}",
        run.stderr
    );
    site.build().assert_ok();
    let html = site.public("en/about/index.html");
    assert!(
        html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
        "{html}"
    );
    assert!(html.contains("&lt;b&gt;bold&lt;/b&gt;"), "{html}");
    assert!(
        !html.contains("<script>alert") && !html.contains("<img src=x"),
        "{html}"
    );
    assert!(!html.contains("href=\"javascript:"), "{html}");

    site.write(
        "site.toml",
        &format!("{}\n[markdown]\nraw_htm = false\n", common::SITE_TOML),
    );
    check(&site)
        .assert_failed()
        .stderr_has(&["site.toml", "raw_htm"]);
}

/// Runs `henan-stories <args> --root <site>` and returns its exit status, its stderr and its peak
/// resident memory in bytes (from `wait4`, so other tests' children do not count).
fn run_measured(site: &Site, args: &[&str]) -> (bool, String, u64) {
    let stderr_path = site.dir.path().with_extension("stderr");
    // Reaped by `wait4` below, which also reports the child's own peak memory.
    #[allow(clippy::zombie_processes)]
    let child = common::bin()
        .args(args)
        .arg("--root")
        .arg(site.root())
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&stderr_path).unwrap())
        .spawn()
        .expect("run binary");
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the pid is our own unreaped child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t, "wait4 failed");
    let stderr = std::fs::read_to_string(&stderr_path).unwrap();
    std::fs::remove_file(&stderr_path).unwrap();
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    // Linux reports ru_maxrss in kilobytes.
    (ok, stderr, usage.ru_maxrss as u64 * 1024)
}
