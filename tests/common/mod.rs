//! Shared helpers for integration tests: fixture sites in temporary folders, built through the
//! real binary.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SITE_TOML: &str = r#"base_url = "https://example.org/"
default_language = "zh"

[languages.zh]
title = "河南故事"
locale = "zh-Hans"

[languages.en]
title = "Henan Stories"
locale = "en"

[hub]
name = "Zhengzhou"
lat = 34.75
lon = 113.62
"#;

/// A site folder in a temporary directory, removed when dropped.
pub struct Site {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary produced.
pub struct Run {
    pub status: std::process::ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn ok(&self) -> bool {
        self.status.success()
    }

    #[track_caller]
    pub fn assert_ok(&self) -> &Self {
        assert!(
            self.ok(),
            "expected success\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn assert_failed(&self) -> &Self {
        assert!(
            !self.ok(),
            "expected failure\nstdout:\n{}\nstderr:\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    /// Asserts that stderr contains every one of `parts`, showing it when not.
    #[track_caller]
    pub fn stderr_has(&self, parts: &[&str]) -> &Self {
        contains_all("stderr", &self.stderr, parts);
        self
    }

    /// Asserts that stdout contains every one of `parts`, showing it when not.
    #[track_caller]
    pub fn stdout_has(&self, parts: &[&str]) -> &Self {
        contains_all("stdout", &self.stdout, parts);
        self
    }

    /// Its standard error without the notes `--verbose` adds (`note: …` lines).
    pub fn stderr_without_notes(&self) -> String {
        let lines = self.stderr.lines().filter(|l| !l.starts_with("note: "));
        lines.map(|l| format!("{l}\n")).collect()
    }
}

#[track_caller]
fn contains_all(name: &str, text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "missing {part:?} in {name}:\n{text}");
    }
}

impl From<Output> for Run {
    fn from(o: Output) -> Self {
        Run {
            status: o.status,
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

/// Where Debian's `chromium` package puts the browser the browser tests drive.
/// Says that a test could not run because `tool` is missing. Locally the test is skipped (this
/// prints "skipped: ..."); in CI (`CI` set) it fails, so that a green run proves the test ran.
pub fn missing_tool(tool: &str) {
    if std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false") {
        panic!("{tool} is missing, and CI must run this test: .ci/run installs it");
    }
    println!("skipped: {tool}");
}

pub const CHROMIUM: &str = "/usr/bin/chromium";

/// Chromium's flags for tests (besides `--headless` and, as root, `--no-sandbox`; each run also
/// gets a fresh `--user-data-dir`): no GPU, no first-run UI, no traffic of its own.
pub const CHROMIUM_FLAGS: &[&str] = &[
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
];

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_henan-stories"));
    c.env("NO_COLOR", "1")
        .env("SOURCE_DATE_EPOCH", "1764028800"); // 2025-11-25
    c
}

/// The repository root, whose `content/` and `site.toml` are the real portal.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Site {
    /// An empty site with the two-language `site.toml` above.
    pub fn new() -> Site {
        let site = Site {
            dir: tempfile::tempdir().expect("temp dir"),
        };
        site.write("site.toml", SITE_TOML);
        site
    }

    /// A small valid bilingual site: two regions, one event, a plain page, home intros.
    pub fn small() -> Site {
        let site = Site::new();
        site.write(
            "content/_index.zh.md",
            "---\ntitle: 河南故事\n---\n河南的朋友遍天下。\n",
        );
        site.write(
            "content/_index.en.md",
            "---\ntitle: Henan Stories\n---\nFriends all over the world.\n",
        );
        site.write(
            "content/regions/attica.zh.md",
            "---\ntitle: 阿提卡大区\ncountry: 希腊\ncountry_code: GR\nestablished: 2023\ncoordinates: {lat: 37.98, lon: 23.73}\n---\n## 合作领域\n\n经贸与文化。\n",
        );
        site.write(
            "content/regions/attica.en.md",
            "---\ntitle: Attica\ncountry: Greece\n---\n## Cooperation\n\nTrade and culture.\n",
        );
        site.write(
            "content/regions/lublin.zh.md",
            "---\ntitle: 卢布林省\ncountry: 波兰\ncountry_code: PL\nestablished: 2008\ncoordinates: {lat: 51.25, lon: 22.57}\n---\n卢布林。\n",
        );
        site.write(
            "content/regions/lublin.en.md",
            "---\ntitle: Lublin\ncountry: Poland\n---\nLublin.\n",
        );
        site.write(
            "content/events/uruguay-visit.zh.md",
            "---\ntitle: 乌拉圭代表团访问河南\ndate: 2023-05\nkind: visit\nregions: [attica]\nsummary: 五月来访。\n---\n见[阿提卡](@/regions/attica.md#合作领域)。\n",
        );
        site.write(
            "content/events/uruguay-visit.en.md",
            "---\ntitle: Uruguay delegation visits Henan\nsummary: A visit in May.\n---\nSee [Attica](@/regions/attica.md#cooperation).\n",
        );
        site.write("content/about.zh.md", "---\ntitle: 关于\n---\n关于本站。\n");
        site.write(
            "content/about.en.md",
            "---\ntitle: About\n---\nAbout this site.\n",
        );
        site
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap();
    }

    /// Runs the binary with `args`, then `--root <site>`.
    pub fn run(&self, args: &[&str]) -> Run {
        bin()
            .args(args)
            .arg("--root")
            .arg(self.root())
            .output()
            .expect("run binary")
            .into()
    }

    pub fn build(&self) -> Run {
        self.run(&["build"])
    }

    /// A file of the published site, as text.
    #[track_caller]
    pub fn public(&self, rel: &str) -> String {
        let path = self.path("public").join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.path("public").join(rel).exists()
    }
}

/// Every file under `dir` with its bytes, for comparing whole builds.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    out.sort();
    out
}

/// Copies the repository's real portal (site.toml and content/) into a temporary site.
pub fn portal() -> Site {
    let site = Site {
        dir: tempfile::tempdir().expect("temp dir"),
    };
    std::fs::copy(repo().join("site.toml"), site.path("site.toml")).unwrap();
    for entry in walkdir::WalkDir::new(repo().join("content"))
        .into_iter()
        .filter_map(Result::ok)
    {
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(repo()).unwrap();
            let to = site.path(&rel.to_string_lossy());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(entry.path(), to).unwrap();
        }
    }
    site
}

/// The theme's `macros.html` with the body of the macro `head` opens (`card(p, t)`) replaced
/// by `body`.
pub fn theme_macros_with(head: &str, body: &str) -> String {
    let macros = std::fs::read_to_string(repo().join("templates/macros.html")).unwrap();
    let name = head.split('(').next().unwrap();
    let open = format!("{{% macro {head} %}}");
    let start = macros.find(&open).unwrap();
    let end = macros.find(&format!("{{% endmacro {name} %}}")).unwrap();
    format!("{}{open}{body}{}", &macros[..start], &macros[end..])
}

/// The part of `html` from the first `start` to the end of the next `end` (inclusive).
#[track_caller]
pub fn element<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("{start} not found"));
    let to = html[from..]
        .find(end)
        .unwrap_or_else(|| panic!("{end} not found"))
        + from
        + end.len();
    &html[from..to]
}

/// Root-relative `href` targets in `html` (external and protocol-relative links left out).
pub fn local_links(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .map(|s| &s[..s.find('"').unwrap_or(0)])
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .collect()
}

/// A minimal static file server on a free loopback port, serving `root` like a web host would:
/// `/x/` gives `/x/index.html`, anything missing gives `/404.html` with status 404. Returns the
/// port; the server lives as long as the test process.
pub fn serve_static(root: PathBuf) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            std::thread::spawn(move || {
                let _ = respond(&root, stream);
            });
        }
    });
    port
}

fn respond(root: &Path, mut stream: TcpStream) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Read the headers through, so closing the connection never resets it under the client.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let target = request.split(' ').nth(1).unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let mut file = root.join(path.trim_start_matches('/'));
    if path.ends_with('/') {
        file.push("index.html");
    }
    let safe = !path.split('/').any(|part| part == "..");
    let (status, file) = if safe && file.is_file() {
        ("200 OK", file)
    } else {
        ("404 Not Found", root.join("404.html"))
    };
    let body = std::fs::read(&file).unwrap_or_default();
    let kind = match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("css") => "text/css",
        Some("js") => "text/javascript",
        Some("svg") => "image/svg+xml",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        _ => "application/octet-stream",
    };
    write!(
        stream,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(&body)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// Runs git in `dir` with a fixed identity and commit date, so that dates are known.
pub fn git(dir: &Path, date: &str, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Editor",
            "-c",
            "user.email=editor@example.org",
        ])
        .args([
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Whether `git` runs (else the test says it was skipped, or fails in CI).
pub fn has_git() -> bool {
    let found = Command::new("git").arg("--version").output().is_ok();
    if !found {
        missing_tool("git");
    }
    found
}

/// Commits everything in `dir` with `message`, dated `date`.
pub fn commit(dir: &Path, date: &str, message: &str) {
    git(dir, date, &["add", "-A"]);
    git(dir, date, &["commit", "-q", "-m", message]);
}

/// `site` made a repository, everything committed on 2024-01-10.
pub fn committed(site: Site) -> Site {
    git(site.root(), "2024-01-10T12:00:00Z", &["init", "-q"]);
    commit(site.root(), "2024-01-10T12:00:00Z", "First version");
    site
}
