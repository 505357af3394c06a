//! `serve` through the real binary: a real HTTP server on a free loopback port against a
//! temporary site, edited while it runs, read over raw HTTP (so that odd paths reach the server
//! as written) and through its live-reload event stream; and a real headless Chromium that sees
//! a page change without navigating.

mod common;
use common::{bin, Site};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long anything may take before a test gives up (a slow, shared CI machine).
const PATIENCE: Duration = Duration::from_secs(30);

/// A running `henan-stories serve`, killed when dropped.
struct Server {
    child: Child,
    addr: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
}

/// Collects a child's output in the background.
fn collect(stream: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = text.clone();
    std::thread::spawn(move || {
        let mut stream = stream;
        let mut buf = [0u8; 4096];
        while let Ok(n) = stream.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

/// Polls `f` until it gives `Some`, or panics with `what` after `PATIENCE`.
#[track_caller]
fn eventually<T>(what: &str, mut f: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(t) = f() {
            return t;
        }
        assert!(start.elapsed() < PATIENCE, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

impl Server {
    #[track_caller]
    fn start(site: &Site) -> Server {
        Server::start_with(site, &[])
    }

    /// Starts the server with more arguments.
    #[track_caller]
    fn start_with(site: &Site, args: &[&str]) -> Server {
        let mut child = bin()
            .args(["serve", "--port", "0", "--root"])
            .arg(site.root())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start serve");
        let stdout = collect(child.stdout.take().unwrap());
        let stderr = collect(child.stderr.take().unwrap());
        let mut server = Server {
            child,
            addr: String::new(),
            stdout,
            stderr,
        };
        server.addr = eventually("the server to print its URL", || {
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("serve exited with {status}: {}", server.stderr());
            }
            let out = server.stdout();
            let line = out.lines().find(|l| l.starts_with("Serving http://"))?;
            let url = line.split_whitespace().nth(1)?;
            Some(
                url.trim_start_matches("http://")
                    .trim_end_matches('/')
                    .to_owned(),
            )
        });
        server
    }

    /// Starts the server and connects to its live-reload channel.
    #[track_caller]
    fn start_listening(site: &Site) -> (Server, Events) {
        let server = Server::start(site);
        let mut events = server.events();
        events.wait_for("hello");
        (server, events)
    }

    fn stdout(&self) -> String {
        self.stdout.lock().unwrap().clone()
    }

    fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Sends `request_line` and headers as written and reads the whole reply.
    fn request(&self, method: &str, path: &str) -> Reply {
        self.request_as(method, path, &self.addr)
    }

    /// `request` with `host` in the `Host:` header.
    fn request_as(&self, method: &str, path: &str, host: &str) -> Reply {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream.set_read_timeout(Some(PATIENCE)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).expect("read reply");
        Reply::parse(&raw)
    }

    fn get(&self, path: &str) -> Reply {
        self.request("GET", path)
    }

    /// Waits until `path` is served with a body that satisfies `ok`.
    #[track_caller]
    fn wait_for_page(&self, path: &str, what: &str, ok: impl Fn(&Reply) -> bool) -> Reply {
        eventually(what, || Some(self.get(path)).filter(|r| ok(r)))
    }

    fn events(&self) -> Events {
        self.events_as(&self.addr)
    }

    /// The live-reload channel, asked for with `host` in the `Host:` header.
    fn events_as(&self, host: &str) -> Events {
        let mut stream = TcpStream::connect(&self.addr).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        write!(
            stream,
            "GET /__livereload/events HTTP/1.1\r\nHost: {host}\r\n\r\n"
        )
        .unwrap();
        Events {
            stream,
            buffer: String::new(),
        }
    }

    /// A page connecting now hears of no error.
    #[track_caller]
    fn assert_no_error(&self) {
        let mut events = self.events();
        events.wait_for("hello");
        let next = events.next_within(Duration::from_millis(300));
        assert!(next.is_none(), "{next:?}");
    }

    /// Lines printed so far that report a rebuild.
    fn rebuilds(&self) -> usize {
        self.stdout()
            .lines()
            .filter(|l| l.starts_with("Rebuilt"))
            .count()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(Debug)]
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Reply {
    fn parse(raw: &[u8]) -> Reply {
        let text = String::from_utf8_lossy(raw);
        let (head, body) = text.split_once("\r\n\r\n").expect("a reply with a head");
        let mut lines = head.lines();
        let status = lines.next().unwrap().split_whitespace().nth(1).unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        Reply {
            status: status.parse().unwrap(),
            headers,
            body: body.to_owned(),
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A client of the live-reload event stream.
struct Events {
    stream: TcpStream,
    buffer: String,
}

/// One Server-Sent Event.
#[derive(Debug)]
struct Event {
    name: String,
    data: serde_json::Value,
}

impl Events {
    /// The next event, if one arrives within `wait`.
    fn next_within(&mut self, wait: Duration) -> Option<Event> {
        let start = Instant::now();
        loop {
            // Events end with a blank line; chunked framing only adds lines of hex sizes.
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name))
                        .map(str::to_owned)
                };
                if let (Some(name), Some(data)) = (field("event: "), field("data: ")) {
                    return Some(Event {
                        name,
                        data: serde_json::from_str(&data).expect("JSON data"),
                    });
                }
                continue;
            }
            if start.elapsed() > wait {
                return None;
            }
            let mut buf = [0u8; 4096];
            match self.stream.read(&mut buf) {
                Ok(0) => return None,
                Ok(n) => self
                    .buffer
                    .push_str(&String::from_utf8_lossy(&buf[..n]).replace("\r\n", "\n")),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) => {}
                Err(e) => panic!("reading events: {e}"),
            }
        }
    }

    /// Skips events until one called `name`.
    #[track_caller]
    fn wait_for(&mut self, name: &str) -> Event {
        let start = Instant::now();
        loop {
            let left = PATIENCE.saturating_sub(start.elapsed());
            match self.next_within(left) {
                Some(e) if e.name == name => return e,
                Some(_) => {}
                None => panic!("no `{name}` event within {PATIENCE:?}"),
            }
        }
    }

    /// Skips events until one called `name` that `done` accepts. A save can reach the watcher
    /// in steps (a new folder, then the file in it; the file emptied, then written), and the
    /// preview announces each step it builds: the first event after a save may be an earlier
    /// step's.
    #[track_caller]
    fn wait_until(&mut self, name: &str, mut done: impl FnMut(&Event) -> bool) -> Event {
        let start = Instant::now();
        loop {
            let event = self.wait_for(name);
            if done(&event) {
                return event;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "no `{name}` event as wanted within {PATIENCE:?}"
            );
        }
    }
}

/// Whether `event` names the output `path` among those it changed.
fn names(event: &Event, path: &str) -> bool {
    changed(event).iter().any(|p| p == path)
}

fn changed(event: &Event) -> Vec<String> {
    event.data["changed"]
        .as_array()
        .expect("changed paths")
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

const ATTICA_EN: &str = "content/regions/attica.en.md";

/// The English Attica page with `title` and `body`, keeping the heading another page links to.
fn attica(title: &str, body: &str) -> String {
    format!("---\ntitle: {title}\ncountry: Greece\n---\n## Cooperation\n\n{body}\n")
}

#[test]
fn an_edit_is_served_and_announced_on_the_live_reload_channel() {
    let site = Site::small();
    let server = Server::start(&site);
    let page = server.get("/en/regions/attica/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Trade and culture."), "{}", page.body);
    // The client script is injected into served pages, before `</body>`.
    assert!(page
        .body
        .contains("<script src=\"/__livereload/client.js\" data-version=\""));
    assert!(page
        .body
        .contains("data-page=\"en/regions/attica/index.html\"></script></body>"));
    // Links point at the preview, not at the site's base_url.
    let base = format!("href=\"{}/en/regions/attica/\"", server.url(""));
    assert!(page.body.contains(&base), "{}", page.body);
    let mut events = server.events();
    let hello = events.wait_for("hello");

    site.write(ATTICA_EN, &attica("Attica", "Trade, culture and tourism."));
    let reload = events.wait_until("reload", |r| names(r, "en/regions/attica/index.html"));
    let paths = changed(&reload);
    assert!(
        paths.contains(&"en/regions/attica/index.html".to_owned()),
        "{paths:?}"
    );
    assert!(
        !paths.contains(&"zh/about/index.html".to_owned()),
        "{paths:?}"
    );
    assert_ne!(reload.data["version"], hello.data["version"]);
    // By the time browsers are told, the new page is served.
    let page = server.get("/en/regions/attica/");
    assert!(
        page.body.contains("Trade, culture and tourism."),
        "{}",
        page.body
    );
    eventually("the rebuild in the terminal", || {
        server.stdout().contains("Rebuilt in ").then_some(())
    });
    // The preview never publishes.
    assert!(!site.path("public").exists());
}

#[test]
fn added_removed_and_renamed_pages_are_picked_up() {
    let site = Site::small();
    let server = Server::start(&site);
    site.write(
        "content/regions/mie.en.md",
        "---\ntitle: Mie Prefecture\ncountry: Japan\n---\nMie.\n",
    );
    site.write(
        "content/regions/mie.zh.md",
        "---\ntitle: 三重县\ncountry: 日本\ncountry_code: JP\nestablished: 1986\ncoordinates: {lat: 34.73, lon: 136.51}\n---\n三重。\n",
    );
    server.wait_for_page("/en/regions/", "Mie on the regions list", |r| {
        r.body.contains("Mie Prefecture")
    });
    assert_eq!(server.get("/en/regions/mie/").status, 200);

    site.remove("content/regions/lublin.en.md");
    site.remove("content/regions/lublin.zh.md");
    server.wait_for_page("/en/regions/", "Lublin gone from the list", |r| {
        !r.body.contains("Lublin")
    });
    assert_eq!(server.get("/en/regions/lublin/").status, 404);

    // Both translations: with one left, the other language would show it as a fallback.
    for lang in ["en", "zh"] {
        std::fs::rename(
            site.path(&format!("content/about.{lang}.md")),
            site.path(&format!("content/info.{lang}.md")),
        )
        .unwrap();
    }
    server.wait_for_page("/en/info/", "the renamed page", |r| r.status == 200);
    assert_eq!(server.get("/en/about/").status, 404);
}

#[test]
fn editors_ways_of_saving_are_followed_and_their_temporary_files_ignored() {
    let site = Site::small();
    let (server, mut events) = Server::start_listening(&site);

    // Swap, backup and probe files alone do not rebuild.
    site.write("content/regions/.attica.en.md.swp", "swap");
    site.write("content/regions/attica.en.md~", "backup");
    site.write("content/regions/4913", "");
    site.remove("content/regions/4913");
    site.write("content/#about.en.md#", "autosave");
    assert!(
        events.next_within(Duration::from_millis(700)).is_none(),
        "temporary files rebuilt the site: {}",
        server.stdout()
    );
    assert_eq!(server.rebuilds(), 0, "{}", server.stdout());

    // Atomic save: write a temporary file, rename it over the page.
    site.write(
        "content/regions/.attica.en.md.tmp",
        &attica("Attica Saved Atomically", "x"),
    );
    std::fs::rename(
        site.path("content/regions/.attica.en.md.tmp"),
        site.path(ATTICA_EN),
    )
    .unwrap();
    events.wait_until("reload", |r| names(r, "en/regions/attica/index.html"));
    assert!(server
        .get("/en/regions/attica/")
        .body
        .contains("Attica Saved Atomically"));

    // Vim's default: move the original to a backup, write a new file, delete the backup.
    std::fs::rename(
        site.path(ATTICA_EN),
        site.path("content/regions/attica.en.md~"),
    )
    .unwrap();
    site.write(ATTICA_EN, &attica("Attica Saved By Vim", "x"));
    site.remove("content/regions/attica.en.md~");
    server.wait_for_page("/en/regions/attica/", "vim's save", |r| {
        r.body.contains("Attica Saved By Vim")
    });
    // A build may have caught the page missing mid-save; the one after it must be good.
    server.assert_no_error();
}

#[test]
fn a_broken_edit_keeps_the_last_good_page_and_reports_the_error() {
    let site = Site::small();
    let (server, mut events) = Server::start_listening(&site);

    site.write(
        ATTICA_EN,
        "---\ntitle: Attica\ncountry: Greece\nestablished: 20x3\n---\nBroken.\n",
    );
    let error = events.wait_for("error");
    let text = error.data["text"].as_str().unwrap().to_owned();
    assert!(text.contains("content/regions/attica.en.md:4"), "{text}");
    assert!(text.contains("still serving the last good build"), "{text}");
    let stderr = eventually("the error in the terminal", || {
        Some(server.stderr()).filter(|e| e.contains("content/regions/attica.en.md:4"))
    });
    assert!(stderr.contains("error"), "{stderr}");
    // The last good page is still served, whole.
    let page = server.get("/en/regions/attica/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Trade and culture."), "{}", page.body);
    assert!(!page.body.contains("Broken."));
    // A page opened now learns of the error as soon as it connects.
    let mut late = server.events();
    late.wait_for("hello");
    let again = late.wait_for("error");
    assert_eq!(again.data["text"].as_str(), Some(text.as_str()));

    site.write(ATTICA_EN, &attica("Attica", "Fixed."));
    events.wait_until("reload", |r| {
        names(r, "en/regions/attica/index.html")
            && server.get("/en/regions/attica/").body.contains("Fixed.")
    });
    server.assert_no_error();
}

#[test]
fn a_template_that_includes_itself_is_an_error_and_serve_stays_up() {
    let site = Site::small();
    let (server, mut events) = Server::start_listening(&site);
    site.write("templates/404.html", "<p>{% include \"404.html\" %}</p>");
    let text = events.wait_for("error").data["text"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        text.contains("templates/404.html:1: `404.html` renders itself without end"),
        "{text}"
    );
    assert_eq!(server.get("/en/about/").status, 200);
    site.write("templates/404.html", "<p>Lost</p>");
    events.wait_until("reload", |r| {
        names(r, "404.html") && server.get("/en/nowhere/").body.contains("Lost")
    });
}

/// Sets the soft limit of open files of process `pid`, keeping its hard limit.
fn limit_open_files(pid: u32, soft: libc::rlim_t) -> libc::rlim_t {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    let pid = libc::pid_t::try_from(pid).unwrap();
    // SAFETY: plain system calls with pointers to live locals.
    unsafe {
        assert_eq!(
            libc::prlimit(pid, libc::RLIMIT_NOFILE, std::ptr::null(), &mut old),
            0
        );
        let new = libc::rlimit {
            rlim_cur: soft,
            rlim_max: old.rlim_max,
        };
        assert_eq!(
            libc::prlimit(pid, libc::RLIMIT_NOFILE, &new, std::ptr::null_mut()),
            0
        );
    }
    old.rlim_cur
}

#[test]
fn a_rebuild_the_system_refused_is_retried_on_the_next_save() {
    let site = Site::small();
    let (server, mut events) = Server::start_listening(&site);
    // No file handle left to open anything: a system failure, not the site's.
    let before = limit_open_files(server.child.id(), 3);
    site.write(ATTICA_EN, &attica("Attica", "During."));
    let text = events.wait_for("error").data["text"]
        .as_str()
        .unwrap()
        .to_owned();
    limit_open_files(server.child.id(), before);
    assert!(text.contains("Too many open files"), "{text}");
    assert!(!text.contains("needs a site.toml"), "{text}");
    site.write(ATTICA_EN, &attica("Attica", "After."));
    events.wait_until("reload", |r| {
        names(r, "en/regions/attica/index.html")
            && server.get("/en/regions/attica/").body.contains("After.")
    });
    server.assert_no_error();
}

#[test]
fn a_site_that_starts_broken_is_served_once_fixed() {
    let site = Site::small();
    site.write(ATTICA_EN, "---\ntitle: [Attica\n---\nx\n");
    let server = Server::start(&site);
    let home = server.get("/en/");
    assert_eq!(home.status, 503);
    assert!(home.body.contains("/__livereload/client.js"));
    let mut events = server.events();
    events.wait_for("hello");
    assert!(events.wait_for("error").data["text"]
        .as_str()
        .unwrap()
        .contains("content/regions/attica.en.md"));
    site.write(ATTICA_EN, &attica("Attica", "x"));
    events.wait_until("reload", |r| names(r, "en/index.html"));
    assert_eq!(server.get("/en/").status, 200);
}

#[test]
fn stylesheet_templates_and_config_changes() {
    let site = Site::small();
    let (server, mut events) = Server::start_listening(&site);

    // A stylesheet alone is swapped, not reloaded.
    for colour in ["rgb(1, 2, 3)", "rgb(4, 5, 6)"] {
        site.write(
            "static/style.css",
            &format!("body {{ color: {colour}; }}\n"),
        );
        let css = events.wait_until("css", |_| server.get("/style.css").body.contains(colour));
        assert_eq!(changed(&css), ["style.css"]);
    }

    // A template re-renders the pages that use it.
    site.write(
        "templates/404.html",
        "<!doctype html><html><body><p>Custom missing page</p></body></html>",
    );
    events.wait_until("reload", |r| {
        names(r, "404.html")
            && server
                .get("/en/nowhere/")
                .body
                .contains("Custom missing page")
    });
    assert_eq!(server.get("/en/nowhere/").status, 404);

    // site.toml rebuilds everything.
    let config = std::fs::read_to_string(site.path("site.toml")).unwrap();
    site.write(
        "site.toml",
        &config.replace("title = \"Henan Stories\"", "title = \"Henan Tales\""),
    );
    events.wait_until("reload", |r| {
        names(r, "en/about/index.html") && server.get("/en/about/").body.contains("Henan Tales")
    });
}

#[test]
fn http_statuses_content_types_redirects_and_head() {
    let site = Site::small();
    let server = Server::start(&site);
    let table = [
        ("/", 200, "text/html; charset=utf-8"),
        ("/en/", 200, "text/html; charset=utf-8"),
        ("/en/regions/attica/", 200, "text/html; charset=utf-8"),
        (
            "/en/regions/attica/index.html",
            200,
            "text/html; charset=utf-8",
        ),
        ("/style.css", 200, "text/css; charset=utf-8"),
        ("/style.css?v=2", 200, "text/css; charset=utf-8"),
        ("/site.js", 200, "text/javascript; charset=utf-8"),
        ("/sitemap.xml", 200, "text/xml; charset=utf-8"),
        ("/en/atom.xml", 200, "application/atom+xml; charset=utf-8"),
        ("/robots.txt", 200, "text/plain; charset=utf-8"),
        (
            "/__livereload/client.js",
            200,
            "text/javascript; charset=utf-8",
        ),
        ("/en/nowhere/", 404, "text/html; charset=utf-8"),
        ("/nowhere.css", 404, "text/html; charset=utf-8"),
    ];
    for (path, status, content_type) in table {
        let reply = server.get(path);
        assert_eq!(reply.status, status, "{path}");
        assert_eq!(reply.header("content-type"), Some(content_type), "{path}");
    }
    // The site's own 404 page, with the live-reload client.
    let missing = server.get("/en/nowhere/");
    let built_404 = {
        site.build().assert_ok();
        site.public("404.html")
    };
    let title = built_404
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap();
    assert!(missing.body.contains(title), "{}", missing.body);
    assert!(missing.body.contains("/__livereload/client.js"));
    // Injection is for served pages only: `build` output has none.
    assert!(!built_404.contains("livereload"));
    assert!(!site.public("en/index.html").contains("livereload"));

    // Folders without the trailing slash redirect, keeping the query.
    let r = server.get("/en/regions");
    assert_eq!(r.status, 307);
    assert_eq!(r.header("location"), Some("/en/regions/"));
    let r = server.get("/en/regions?x=1");
    assert_eq!(r.header("location"), Some("/en/regions/?x=1"));
    let r = server.get("/en");
    assert_eq!(r.header("location"), Some("/en/"));

    // HEAD: the headers of GET, no body.
    let get = server.get("/style.css");
    let head = server.request("HEAD", "/style.css");
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(
        head.header("content-length").map(str::to_owned),
        Some(get.body.len().to_string())
    );
    assert_eq!(server.request("POST", "/en/").status, 405);

    // Concurrent requests all get whole pages.
    let server = Arc::new(server);
    let expected = server.get("/en/regions/").body;
    let workers: Vec<_> = (0..8)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || {
                (0..10)
                    .map(|_| server.get("/en/regions/").body)
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    for w in workers {
        for body in w.join().unwrap() {
            assert_eq!(body, expected);
        }
    }
}

#[test]
fn nothing_outside_the_built_site_is_served() {
    let site = Site::small();
    site.write("secret.txt", "TOP-SECRET");
    site.write("static/public.txt", "public file");
    let server = Server::start(&site);
    assert_eq!(server.get("/public.txt").body, "public file");
    let attempts = [
        "/secret.txt",
        "/site.toml",
        "/content/about.en.md",
        "/static/public.txt",
        "/../secret.txt",
        "/en/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/..%2fsecret.txt",
        "/en/..%2f..%2fsecret.txt",
        "/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
        "/..%5csecret.txt",
        "/en/%5c..%5c..%5csecret.txt",
        "/..\\secret.txt",
        "/%252e%252e/secret.txt",
        "/public.txt%00",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/../../../../../../etc/passwd",
        "/./secret.txt",
    ];
    for path in attempts {
        let reply = server.get(path);
        assert!(
            reply.status == 404 || reply.status == 400,
            "{path}: {}",
            reply.status
        );
        for leak in ["TOP-SECRET", "root:x:0", "base_url", "About this site"] {
            assert!(!reply.body.contains(leak), "{path} leaked {leak}");
        }
    }
}

/// DNS rebinding: a page on `evil.example`, its name pointed at 127.0.0.1, reads the preview as
/// its own site. The browser still sends `Host: evil.example`, which the preview refuses.
#[test]
fn only_requests_for_the_preview_s_own_names_are_answered() {
    let site = Site::small();
    let server = Server::start(&site);
    let port = server.addr.rsplit(':').next().unwrap().to_owned();
    let foreign = format!("evil.example:{port}");
    for path in [
        "/",
        "/en/about/",
        "/__livereload/events",
        "/__livereload/client.js",
    ] {
        let reply = server.request_as("GET", path, &foreign);
        assert_eq!(reply.status, 403, "{path}: {reply:?}");
        assert!(reply.body.contains("--allow-host"), "{}", reply.body);
        assert!(!reply.body.contains("About"), "{}", reply.body);
    }
    for host in [
        format!("localhost:{port}"),
        format!("127.0.0.1:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        let reply = server.request_as("GET", "/en/about/", &host);
        assert_eq!(reply.status, 200, "{host}: {reply:?}");
        assert!(reply.body.contains("About this site."), "{host}");
    }
    let mut events = server.events_as(&format!("localhost:{port}"));
    events.wait_for("hello");
    drop(server);

    // Another name is answered once allowed.
    let server = Server::start_with(&site, &["--allow-host", "preview.example"]);
    let reply = server.request_as("GET", "/en/about/", "preview.example:8080");
    assert_eq!(reply.status, 200, "{reply:?}");
    assert_eq!(server.request_as("GET", "/", "evil.example").status, 403);
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let site = Site::small();
    let mut server = Server::start(&site);
    // An open event stream must not keep the server alive.
    let mut events = server.events();
    events.wait_for("hello");
    let pid = server.child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = eventually("the server to stop", || server.child.try_wait().unwrap());
    assert!(exit.success(), "{exit}: {}", server.stderr());
    assert!(server.stdout().contains("Stopped."));
    assert!(TcpStream::connect(&server.addr).is_err());
}

#[test]
fn the_port_in_use_is_a_clear_error() {
    let site = Site::small();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let run = site.run(&["serve", "--port", &port]);
    run.assert_failed();
    assert!(
        run.stderr.contains("cannot listen on 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
}

/// Headless Chromium, driven over the DevTools protocol.
mod browser {
    use super::common::{self, CHROMIUM};
    use headless_chrome::{Browser, LaunchOptions, Tab};
    use std::ffi::OsStr;
    use std::path::Path;
    use std::sync::Arc;
    use std::time::Duration;

    /// `None` (after saying so) when Chromium is not installed.
    pub fn launch() -> Option<Browser> {
        if !Path::new(CHROMIUM).exists() {
            common::missing_tool("chromium (/usr/bin/chromium)");
            return None;
        }
        let args: Vec<&OsStr> = common::CHROMIUM_FLAGS.iter().map(OsStr::new).collect();
        let options = LaunchOptions::default_builder()
            .path(Some(CHROMIUM.into()))
            .headless(true)
            .sandbox(false)
            .args(args)
            .window_size(Some((1000, 700)))
            .idle_browser_timeout(Duration::from_secs(120))
            .build()
            .expect("launch options");
        Some(Browser::new(options).expect("launch chromium"))
    }

    pub fn open(browser: &Browser, url: &str) -> Arc<Tab> {
        let tab = browser.new_tab().expect("tab");
        tab.navigate_to(url).expect("navigate");
        tab.wait_until_navigated().expect("page loads");
        tab
    }

    /// Evaluates `js` in the page; its value as JSON.
    pub fn eval(tab: &Tab, js: &str) -> serde_json::Value {
        tab.evaluate(js, false)
            .expect("evaluate")
            .value
            .unwrap_or(serde_json::Value::Null)
    }

    /// `eval`, or `None` while the page is being replaced (a live reload under way), which
    /// answers no evaluation.
    pub fn try_eval(tab: &Tab, js: &str) -> Option<serde_json::Value> {
        let value = tab.evaluate(js, false).ok()?.value;
        Some(value.unwrap_or(serde_json::Value::Null))
    }
}

#[test]
fn chromium_sees_edits_without_navigating() {
    let Some(browser) = browser::launch() else {
        return;
    };
    let site = Site::small();
    let long_body: String = (1..=80)
        .map(|i| format!("Paragraph {i} about trade and culture.\n\n"))
        .collect();
    let page = |title: &str, last: &str| attica(title, &format!("{long_body}{last}"));
    site.write(ATTICA_EN, &page("Attica", "The end."));
    let server = Server::start(&site);
    let tab = browser::open(&browser, &server.url("/en/regions/attica/"));
    // Read while the page may be reloading: empty then.
    let text = || {
        let text = browser::try_eval(&tab, "document.body.innerText");
        text.as_ref()
            .and_then(|t| t.as_str())
            .unwrap_or("")
            .to_owned()
    };
    assert!(text().contains("The end."));
    // Had the client not connected yet, it would reload on connecting to a newer version.
    browser::eval(&tab, "window.scrollTo(0, 900); window.scrollY");

    // A text edit reloads the page, keeping the scroll position.
    site.write(ATTICA_EN, &page("Attica", "A new ending."));
    eventually("the new text in the browser", || {
        text().contains("A new ending.").then_some(())
    });
    let scrolled = eventually("the scroll position restored", || {
        browser::try_eval(&tab, "window.scrollY")?
            .as_f64()
            .filter(|y| *y > 0.0)
    });
    assert!((scrolled - 900.0).abs() < 2.0, "scrollY {scrolled}");

    // A stylesheet change applies without a reload: a mark set on the page survives.
    browser::eval(&tab, "window.notReloaded = true");
    site.write("static/style.css", "body { color: rgb(1, 2, 3); }\n");
    eventually("the new stylesheet applied", || {
        let colour = browser::eval(&tab, "getComputedStyle(document.body).color");
        (colour.as_str() == Some("rgb(1, 2, 3)")).then_some(())
    });
    assert_eq!(browser::eval(&tab, "window.notReloaded === true"), true);

    // A broken edit: the last good page stays, the error shows over it, escaped.
    site.write(
        ATTICA_EN,
        "---\ntitle: Attica\ncountry: Greece\nestablished: <b>bold</b>\n---\nBroken.\n",
    );
    let overlay = "document.getElementById('henan-stories-livereload-error')";
    let shown = eventually("the error overlay", || {
        browser::eval(&tab, &format!("{overlay} && {overlay}.innerText"))
            .as_str()
            .map(str::to_owned)
    });
    assert!(shown.contains("content/regions/attica.en.md:4"), "{shown}");
    assert!(
        shown.contains("<b>bold</b>"),
        "the source is shown as text: {shown}"
    );
    assert_eq!(
        browser::eval(&tab, &format!("{overlay}.querySelector('b')")),
        serde_json::Value::Null
    );
    assert!(text().contains("A new ending."));

    // Fixing the file clears the overlay and shows the fix.
    site.write(ATTICA_EN, &page("Attica", "Fixed ending."));
    eventually("the fix in the browser", || {
        text().contains("Fixed ending.").then_some(())
    });
    assert_eq!(browser::eval(&tab, &format!("{overlay} === null")), true);
    let _ = tab.close(true);
}

/// A photo an edit adds is encoded in the background: the page is served at once with the
/// original standing in for its sizes, which arrive with a reload once encoded.
#[test]
fn an_edit_adding_a_photo_does_not_wait_for_it_to_be_encoded() {
    let site = Site::small();
    let photo = image::RgbImage::from_fn(4000, 3000, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 90)
        .encode_image(&photo)
        .unwrap();
    site.write(
        "content/regions/puglia/index.en.md",
        "---\ntitle: Apulia\n---\nText.\n",
    );
    site.write_bytes("content/regions/puglia/big.jpg", &jpeg);
    let server = Server::start(&site);
    server.get("/en/regions/puglia/");
    let mut events = server.events();
    events.wait_for("hello");
    site.write(
        "content/regions/puglia/index.en.md",
        "---\ntitle: Apulia\n---\nText.\n\n![A big photo](big.jpg)\n",
    );
    events.wait_until("reload", |r| names(r, "en/regions/puglia/index.html"));
    let page = server.get("/en/regions/puglia/");
    assert!(page.body.contains("big-1600.webp 1600w"), "{}", page.body);
    let first = server.get("/regions/puglia/big-1600.webp");
    assert_eq!(first.status, 200);
    assert!(
        !first.body.starts_with("RIFF"),
        "encoded before the page was served"
    );
    server.wait_for_page("/regions/puglia/big-1600.webp", "the encoded size", |r| {
        r.body.starts_with("RIFF")
    });
}

/// A possibly outdated translation shows a notice in the preview, linking to the newer
/// version; `build` output never has it.
#[test]
fn the_preview_marks_a_possibly_outdated_translation() {
    if !common::has_git() {
        return;
    }
    let site = common::committed(Site::small());
    site.write(
        "content/about.zh.md",
        "---\ntitle: 关于\n---\n关于本网站。\n",
    );
    common::commit(site.root(), "2024-03-02T09:00:00Z", "网站");
    let server = Server::start(&site);
    let en = server.get("/en/about/");
    assert!(
        en.body.contains("<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\"><p class=\"lang-notice\" role=\"note\">This translation may be out of date: the Chinese version was changed on 2024-03-02, after this one (2024-01-10)."),
        "{}",
        en.body
    );
    assert!(en
        .body
        .contains("<a href=\"/zh/about/\" hreflang=\"zh-Hans\">Go to the newer version</a>"));
    assert!(!server.get("/zh/about/").body.contains("lang-notice"));
    site.build().assert_ok();
    assert!(!site.public("en/about/index.html").contains("lang-notice"));
}
