//! `cargo bench --bench build`: full builds (tmpfs and disk), no-op and one-page rebuilds, the
//! `serve` engine's edit latency, peak memory, the sample portal, and Zola and Hugo side by side
//! when they are on `PATH`. Runs the release binary as a user would; times are medians of paired
//! runs, and every ratio compares runs of the same loop.
//!
//! Environment:
//! - `HS_BENCH_REGIONS` (default 5000): regions of the main corpus; events are half that, both
//!   languages, so 5000 gives 15,000 content files.
//! - `HS_BENCH_RUNS` (default 7): paired runs per measurement.
//! - `HS_BENCH_SCALES` (e.g. `500,5000,50000`): also time full builds at these sizes and print
//!   the time per page, to check that cost grows linearly.
//! - `HS_BENCH_DIR` (default `/dev/shm/henan-bench`): tmpfs folder for sources and output.
//! - `HS_BENCH_SERVE_ONLY`: only the `serve` edit latency (the real server, then the engine in
//!   process, by stage).
//! - `HS_BENCH_LINEARITY_ONLY`: only the builds at several sizes (`HS_BENCH_SCALES`, by default
//!   `500,5000,50000`: 1,500, 15,000 and 150,000 pages).
//! - `HS_BENCH_IMAGES_ONLY`: only the photo scenario (`images`): 50 real photographs from
//!   Debian's wallpaper packages, fetched with `apt-get download` (not committed), built cold
//!   (empty `.cache/images/`) and warm.
//! - `HS_BENCH_FULL_ONLY`: only the full builds side by side (tmpfs, then disk).
//! - `HS_BENCH_SEARCH_ONLY`: build once and measure only the search download.
//! - `HS_BENCH_REBUILDS_ONLY`: only the rebuilds into an output on disk (no change, with and
//!   without the build cache; a body and a title edit of a region and of an event, made by the
//!   engine the cache keeps).
//! - `HS_BENCH_CORPUS_ONLY`: write the corpora (ours in `site/`, Hugo's in `hugo-site/`, Zola's
//!   in `zola-site/`) and stop, e.g. to profile a build by hand.

mod corpus;

use henan_stories::incremental::Incremental;
use henan_stories::pipeline::Options;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Instant, SystemTime};

const BIN: &str = env!("CARGO_BIN_EXE_henan-stories");
const SEED: u64 = 20231015;

/// What one process cost: wall time, user + system CPU, peak resident memory.
#[derive(Clone, Copy, Debug)]
struct Cost {
    wall: f64,
    cpu: f64,
    /// The kernel's part of `cpu`.
    sys: f64,
    mib: f64,
}

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Runs a command to completion and reads its resource use from `wait4`. Peak memory comes
/// from `/usr/bin/time` where it is installed: a child forked from this (large) process
/// inherits its resident size in `ru_maxrss`, while `time` is small when it forks.
fn measure(cmd: &mut Command) -> (Cost, String) {
    let time = Path::new("/usr/bin/time");
    let peak_file = std::env::temp_dir().join(format!("henan-bench-peak-{}", std::process::id()));
    let mut wrapped;
    let cmd = if time.exists() {
        wrapped = Command::new(time);
        wrapped
            .arg("-f")
            .arg("%M")
            .arg("-o")
            .arg(&peak_file)
            .arg(cmd.get_program())
            .args(cmd.get_args());
        for (k, v) in cmd.get_envs() {
            if let Some(v) = v {
                wrapped.env(k, v);
            }
        }
        &mut wrapped
    } else {
        cmd
    };
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id() as libc::pid_t;
    // Read the pipes on threads so a chatty child cannot block on a full pipe.
    let mut child = child;
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stdout, &mut s).ok();
        s
    });
    let err = std::thread::spawn(move || {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut s).ok();
        s
    });
    let mut status = 0;
    // SAFETY: plain FFI call on our own child's pid with valid out-pointers.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert_eq!(r, pid, "wait4 failed");
    let (out, err) = (out.join().unwrap(), err.join().unwrap());
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{cmd:?} failed:\n{out}\n{err}"
    );
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    let kib = std::fs::read_to_string(&peak_file)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .unwrap_or(usage.ru_maxrss as f64);
    let cost = Cost {
        wall,
        cpu: secs(usage.ru_utime) + secs(usage.ru_stime),
        sys: secs(usage.ru_stime),
        mib: kib / 1024.0,
    };
    (cost, out)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians of each field.
fn medians(costs: &[Cost]) -> Cost {
    Cost {
        wall: median(costs.iter().map(|c| c.wall).collect()),
        cpu: median(costs.iter().map(|c| c.cpu).collect()),
        sys: median(costs.iter().map(|c| c.sys).collect()),
        mib: median(costs.iter().map(|c| c.mib).collect()),
    }
}

fn ours(site: &Path, out: &Path) -> Command {
    let mut c = Command::new(BIN);
    c.arg("build")
        .arg("--root")
        .arg(site)
        .arg("--output")
        .arg(out);
    c.env("SOURCE_DATE_EPOCH", "1700000000");
    c
}

/// A generator built side by side with the others: its corpus and how to run it.
struct Tool {
    name: &'static str,
    site: PathBuf,
    command: fn(&Path, &Path) -> Command,
}

fn zola(site: &Path, out: &Path) -> Command {
    let mut c = Command::new("zola");
    c.arg("--root")
        .arg(site)
        .arg("build")
        .arg("--force")
        .arg("--output-dir")
        .arg(out);
    c
}

fn hugo(site: &Path, out: &Path) -> Command {
    let mut c = Command::new("hugo");
    c.arg("--quiet")
        .arg("--source")
        .arg(site)
        .arg("--destination")
        .arg(out);
    c
}

/// Whether `tool` runs: `version_arg` is how it prints its version.
fn installed(tool: &str, version_arg: &str) -> bool {
    Command::new(tool)
        .arg(version_arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Ours, then the rivals on `PATH`, their corpora written beside ours under `base`.
fn tools(base: &Path, site: &Path, regions: usize) -> Vec<Tool> {
    let mut found = vec![Tool {
        name: "henan-stories",
        site: site.to_path_buf(),
        command: ours,
    }];
    if installed("zola", "--version") {
        let site = base.join("zola-site");
        corpus::zola::write_site(&site, regions, SEED).expect("write Zola corpus");
        found.push(Tool {
            name: "zola",
            site,
            command: zola,
        });
    }
    if installed("hugo", "version") {
        let site = base.join("hugo-site");
        corpus::write_hugo_site(&site, regions, SEED).expect("write Hugo corpus");
        found.push(Tool {
            name: "hugo",
            site,
            command: hugo,
        });
    }
    found
}

/// Files and bytes under `dir`, so that a ratio is read beside what each tool wrote.
fn output_size(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(n, b), e| {
            (n + 1, b + e.metadata().map_or(0, |m| m.len()))
        })
}

fn clean(dir: &Path) {
    if dir.exists() {
        std::fs::remove_dir_all(dir).expect("remove output");
    }
}

/// Flushes dirty pages so one run's writeback does not land in the next run's time.
fn sync_disk() {
    Command::new("sync").status().ok();
}

/// `N written` from our summary line.
fn written(summary: &str) -> usize {
    summary
        .split(", ")
        .chain(summary.split(": "))
        .find_map(|part| part.strip_suffix(" written"))
        .and_then(|n| n.rsplit(' ').next()?.parse().ok())
        .unwrap_or_else(|| panic!("no written count in {summary:?}"))
}

fn mtimes(dir: &Path) -> BTreeMap<PathBuf, SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let t = e.metadata().unwrap().modified().unwrap();
            (e.into_path(), t)
        })
        .collect()
}

fn print_cost(name: &str, c: Cost) {
    println!(
        "  {name:<34} wall {:>7.3} s   CPU {:>7.3} s   peak {:>7.1} MiB",
        c.wall, c.cpu, c.mib
    );
}

/// Paired full builds (ours, then each rival) into fresh output folders under `out_root`: the
/// medians, each with the files and bytes its last run wrote.
fn full_builds(
    tools: &[Tool],
    out_root: &Path,
    runs: usize,
    disk: bool,
) -> Vec<(&'static str, Cost, (usize, u64))> {
    let mut costs = vec![Vec::new(); tools.len()];
    for _ in 0..runs {
        for (tool, costs) in tools.iter().zip(&mut costs) {
            let out = out_root.join(tool.name);
            clean(&out);
            if disk {
                sync_disk();
            }
            costs.push(measure(&mut (tool.command)(&tool.site, &out)).0);
        }
    }
    tools
        .iter()
        .zip(costs)
        .map(|(tool, costs)| {
            let written = output_size(&out_root.join(tool.name));
            (tool.name, medians(&costs), written)
        })
        .collect()
}

/// Prints each tool's medians and what it wrote, then ours as a ratio of each rival's.
fn print_side_by_side(results: &[(&str, Cost, (usize, u64))]) {
    for (name, cost, (files, bytes)) in results {
        print_cost(name, *cost);
        println!("    wrote {files} files, {:.0} MB", *bytes as f64 / 1e6);
    }
    let (_, a, _) = results[0];
    for (name, b, _) in &results[1..] {
        println!(
            "  ratio vs {name:<7} (same run)       wall {:.2}×   CPU {:.2}×   memory {:.2}×",
            a.wall / b.wall,
            a.cpu / b.cpu,
            a.mib / b.mib
        );
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported, so ignore arguments.
    let regions = env_usize("HS_BENCH_REGIONS", 5000);
    let runs = env_usize("HS_BENCH_RUNS", 7).max(1);
    let base = PathBuf::from(
        std::env::var("HS_BENCH_DIR").unwrap_or_else(|_| "/dev/shm/henan-bench".into()),
    );
    let disk_base = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-disk");
    println!(
        "henan-stories build benchmark: {regions} regions + {} events, zh and en; {runs} paired runs; {} cores",
        regions / 2,
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );

    if std::env::var_os("HS_BENCH_IMAGES_ONLY").is_some() {
        images(&base, runs.min(3));
        return;
    }
    if std::env::var_os("HS_BENCH_LINEARITY_ONLY").is_some() {
        let scales = std::env::var("HS_BENCH_SCALES").unwrap_or_else(|_| "500,5000,50000".into());
        linearity(&base, &scales, runs.min(5));
        return;
    }
    clean(&base);
    let site = base.join("site");
    let bytes = corpus::write_site(&site, regions, SEED).expect("write corpus");
    let tools = tools(&base, &site, regions);
    if std::env::var_os("HS_BENCH_SERVE_ONLY").is_some() {
        serve_server(&site, runs);
        serve_edits(&site, runs);
        return;
    }
    if std::env::var_os("HS_BENCH_REBUILDS_ONLY").is_some() {
        rebuilds(&site, &disk_base.join("henan-stories"), runs);
        clean(&base);
        clean(&disk_base);
        return;
    }
    if std::env::var_os("HS_BENCH_CORPUS_ONLY").is_some() {
        println!(
            "corpus written to {}; stopping (HS_BENCH_CORPUS_ONLY)",
            base.display()
        );
        return;
    }
    let files = regions * 3 + 6;
    if std::env::var_os("HS_BENCH_SEARCH_ONLY").is_some() {
        let out = base.join("out/ours");
        measure(&mut ours(&site, &out));
        search_download(&out, &SCALE_QUERIES, files);
        return;
    }
    println!(
        "corpus: {files} content files, {:.1} MB of Markdown, in {}",
        bytes as f64 / 1e6,
        site.display()
    );

    println!("\nFull build, output on tmpfs ({}):", base.display());
    print_side_by_side(&full_builds(&tools, &base.join("out"), runs, false));
    search_download(&base.join("out/henan-stories"), &SCALE_QUERIES, files);

    let disk_runs = runs.min(3);
    println!(
        "\nFull build, output on disk ({}), {disk_runs} paired runs:",
        disk_base.display()
    );
    print_side_by_side(&full_builds(&tools, &disk_base, disk_runs, true));
    for rival in &tools[1..] {
        clean(&disk_base.join(rival.name));
    }
    if std::env::var_os("HS_BENCH_FULL_ONLY").is_some() {
        clean(&base);
        clean(&disk_base);
        return;
    }

    rebuilds(&site, &disk_base.join("henan-stories"), runs);
    sample_portal(runs);
    images(&base, runs.min(3));
    serve_server(&site, runs);
    // Last: the engine runs in this process, which keeps its memory afterwards.
    serve_edits(&site, runs);

    if let Ok(scales) = std::env::var("HS_BENCH_SCALES") {
        linearity(&base, &scales, runs.min(5));
    }
    clean(&base);
    clean(&disk_base);
}

/// No-op and one-page rebuilds into the existing output on disk.
fn rebuilds(site: &Path, out: &Path, runs: usize) {
    println!("\nRebuilds with output on disk:");
    // Without the build cache (rendering everything to find nothing changed), then with it
    // (after one build that leaves it for this output folder).
    for (label, args) in [
        ("no change, --no-cache", &["--no-cache"][..]),
        ("no change, from the build cache", &[][..]),
    ] {
        measure(&mut ours(site, out));
        let mut noop = Vec::new();
        for _ in 0..runs {
            let before = mtimes(out);
            let (cost, summary) = measure(ours(site, out).args(args));
            assert_eq!(written(&summary), 0, "no-op rebuild wrote files: {summary}");
            assert_eq!(
                before,
                mtimes(out),
                "no-op rebuild changed modification times"
            );
            noop.push(cost);
        }
        print_cost(label, medians(&noop));
    }

    // One page edited, then built: the engine the last build kept makes the edit. An event's
    // edit also makes its language's feed again.
    let region = site.join(format!("content/regions/{}.en.md", corpus::region_key(10)));
    let event = site.join(format!("content/events/{}.en.md", corpus::event_key(10)));
    let body = |original: &str, run: usize| format!("{original}\nEdited in run {run}.\n");
    let title = |original: &str, run: usize| {
        original.replacen("title: \"", &format!("title: \"Run {run} "), 1)
    };
    type Edit<'e> = &'e dyn Fn(&str, usize) -> String;
    let edits: [(&str, &Path, Edit); 4] = [
        ("one region's body edited", &region, &body),
        ("one region's title edited", &region, &title),
        ("one event's body edited", &event, &body),
        ("one event's title edited", &event, &title),
    ];
    for (label, page, edit) in edits {
        let original = std::fs::read_to_string(page).unwrap();
        let mut costs = Vec::new();
        let mut changed = Vec::new();
        for run in 0..runs {
            std::fs::write(page, edit(&original, run)).unwrap();
            let before = mtimes(out);
            let (cost, summary) = measure(ours(site, out).arg("--verbose"));
            assert!(
                summary.contains("restore engine"),
                "not by the engine: {summary}"
            );
            let after = mtimes(out);
            changed = after
                .iter()
                .filter(|(p, t)| before.get(*p) != Some(t))
                .map(|(p, _)| p.strip_prefix(out).unwrap().display().to_string())
                .collect::<Vec<_>>();
            assert_eq!(written(&summary), changed.len());
            costs.push(cost);
        }
        print_cost(label, medians(&costs));
        println!("    files written: {}", changed.join(" "));
        std::fs::write(page, original).unwrap();
        // Built back, so that the next edit starts from the corpus as it was.
        measure(&mut ours(site, out));
    }
}

/// The `serve` engine: one edit applied in memory, time until the changed outputs are known.
/// The real preview server as an editor uses it: a page's body saved, then the page fetched
/// over HTTP every millisecond until it shows the edit; and the server process's peak memory.
fn serve_server(site: &Path, runs: usize) {
    use std::io::{BufRead, Read, Write};
    println!(
        "\nServe: the real server (`henan-stories serve`), from a save to the edited page served:"
    );
    let start = Instant::now();
    let mut child = Command::new(BIN)
        .args(["serve", "--port", "0", "--root"])
        .arg(site)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start serve");
    // Its output read on a thread, so that a full pipe never blocks it.
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let addr = loop {
        let line = rx.recv().expect("serve printed its address");
        if let Some(url) = line.strip_prefix("Serving http://") {
            let url = url.split_whitespace().next().unwrap_or(url);
            break url.trim_end_matches('/').to_owned();
        }
    };
    let key = corpus::region_key(21);
    let path = format!("/zh/regions/{key}/");
    let get = |path: &str| -> Vec<u8> {
        let Ok(mut stream) = std::net::TcpStream::connect(&addr) else {
            return Vec::new();
        };
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        let mut reply = Vec::new();
        if stream.write_all(request.as_bytes()).is_ok() {
            stream.read_to_end(&mut reply).ok();
        }
        reply
    };
    while !get(&path).starts_with(b"HTTP/1.1 200") {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    println!(
        "  started, first page served           {:>7.3} s",
        start.elapsed().as_secs_f64()
    );
    let page = site.join(format!("content/regions/{key}.zh.md"));
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    for run in 0..runs.max(3) {
        let marker = format!("served-edit-{run}");
        let start = Instant::now();
        std::fs::write(&page, format!("{original}\n{marker}\n")).unwrap();
        while !get(&path)
            .windows(marker.len())
            .any(|w| w == marker.as_bytes())
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        times.push(start.elapsed().as_secs_f64());
        // Let the rebuild's report and any late event pass before the next save.
        std::thread::sleep(std::time::Duration::from_millis(300));
    }
    std::fs::write(&page, original).unwrap();
    let rebuilt: Vec<String> = rx.try_iter().filter(|l| l.starts_with("Rebuilt")).collect();
    let peak = std::fs::read_to_string(format!("/proc/{}/status", child.id()))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(str::to_owned)
        })
        .unwrap_or_default();
    child.kill().ok();
    child.wait().ok();
    println!(
        "  one page's body edited               {:>7.1} ms median, {:.1}–{:.1} ms (save to page served, polled every ms)",
        median(times.clone()) * 1000.0,
        times.iter().cloned().fold(f64::INFINITY, f64::min) * 1000.0,
        times.iter().cloned().fold(0.0, f64::max) * 1000.0,
    );
    if let Some(last) = rebuilt.last() {
        println!("    the server's last report: {last}");
    }
    println!(
        "  server process peak memory: {}",
        peak.trim_start_matches("VmHWM:").trim()
    );
}

fn serve_edits(site: &Path, runs: usize) {
    println!("\nServe: one page edited, incremental rebuild in memory (in-process):");
    let options = Options {
        build_date: henan_stories::dates::PartialDate::ymd(2023, 11, 14),
        ..Options::new(site)
    };
    let start = Instant::now();
    let mut engine = match Incremental::new(&options) {
        Ok(e) => e,
        Err(f) => panic!("{:?}", f.diagnostics),
    };
    println!(
        "  initial build                      {:>7.3} s",
        start.elapsed().as_secs_f64()
    );
    let page = site.join(format!("content/regions/{}.zh.md", corpus::region_key(20)));
    let original = std::fs::read_to_string(&page).unwrap();
    let mut times = Vec::new();
    let mut outputs = 0;
    for run in 0..runs.max(3) {
        std::fs::write(&page, format!("{original}\n第{run}次修改。\n")).unwrap();
        let start = Instant::now();
        let delta = engine
            .apply(std::slice::from_ref(&page))
            .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
        times.push(start.elapsed().as_secs_f64());
        outputs = delta.changed.len();
    }
    let laps: Vec<String> = engine
        .built()
        .timings
        .iter()
        .map(|l| format!("{} {:.1} ms", l.stage, l.took.as_secs_f64() * 1000.0))
        .collect();
    std::fs::write(&page, original).unwrap();
    println!(
        "  one page's body edited             {:>7.1} ms median ({outputs} outputs changed)",
        median(times) * 1000.0
    );
    println!("    last edit by stage: {}", laps.join(", "));
    let rss = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .map(|l| l.to_owned())
        })
        .unwrap_or_default();
    println!(
        "  engine process peak memory: {}",
        rss.trim_start_matches("VmHWM:").trim()
    );
    drop(engine);
}

/// The repository's own portal, built cold into a fresh folder each run.
fn sample_portal(runs: usize) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::temp_dir().join("henan-bench-portal");
    let mut costs = Vec::new();
    for _ in 0..runs {
        clean(&out);
        costs.push(measure(&mut ours(root, &out)).0);
    }
    println!("\nSample portal ({}):", root.display());
    print_cost("cold build", medians(&costs));
    search_download(&out, &PORTAL_QUERIES, 0);
    clean(&out);
}

/// (language, query, what it stands for) measured at the benchmark's scale: a country name in
/// one page in 25 and words in nearly every page (`博物馆` also a phrase of three characters,
/// checked in order), and a first keystroke, which matches every token it starts.
const SCALE_QUERIES: [(&str, &str, &str); 5] = [
    ("zh", "柬埔寨", "rare"),
    ("zh", "博物馆", "common"),
    ("en", "Cambodia", "rare"),
    ("en", "friendship", "common"),
    ("zh", "河", "one character"),
];

const PORTAL_QUERIES: [(&str, &str, &str); 4] = [
    ("zh", "卢布林", "rare"),
    ("zh", "河南", "common"),
    ("en", "Lublin", "rare"),
    ("en", "friendship", "common"),
];

/// What a first search downloads on the built site `out`: `search.js` and every index file the
/// page script fetches for the query (run under node, as `tests/js/query.js` does), each
/// gzipped as a server would send it. `files` (the content files) is only for the heading.
fn search_download(out: &Path, queries: &[(&str, &str, &str)], files: usize) {
    use std::io::Write;
    let gzipped = |bytes: &[u8]| {
        let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(bytes).expect("gzip in memory");
        z.finish().expect("gzip in memory").len()
    };
    let script = std::fs::read(out.join("search.js")).expect("search.js is built");
    let at = if files > 0 {
        format!(" at {files} content files")
    } else {
        String::new()
    };
    println!(
        "  first search query's download{at} (search.js {:.1} kB gzipped, included):",
        gzipped(&script) as f64 / 1e3
    );
    let query_js = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/js/query.js");
    for (lang, query, what) in queries {
        let index = out.join(lang).join("search/index");
        let run = Command::new("node")
            .arg(&query_js)
            .arg(&index)
            .arg(query)
            .output()
            .expect("node runs the page script (install node)");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let found: serde_json::Value = serde_json::from_slice(&run.stdout).expect("query.js JSON");
        let fetched: Vec<Vec<u8>> = found["files"]
            .as_array()
            .expect("files")
            .iter()
            .map(|f| std::fs::read(index.join(f.as_str().expect("a path"))).expect("fetched file"))
            .collect();
        let raw: usize = script.len() + fetched.iter().map(Vec::len).sum::<usize>();
        let gz: usize = gzipped(&script) + fetched.iter().map(|f| gzipped(f)).sum::<usize>();
        println!(
            "    {lang} {what:<13} {query:<12} {:>3} results, {:>3} files, {:>7.1} kB ({:>7.1} kB before gzip)",
            found["results"].as_array().map_or(0, Vec::len),
            fetched.len() + 1,
            gz as f64 / 1e3,
            raw as f64 / 1e3
        );
    }
}

/// Debian packages of wallpapers, mostly photographs, under free licences (GPL-2+, CC-BY,
/// CC-BY-SA, CC0: see each package's copyright file); the first two alone hold 34.
const PHOTO_PACKAGES: [&str; 4] = [
    "mate-backgrounds",
    "plasma-workspace-wallpapers",
    "lomiri-wallpapers-16.04",
    "ukui-wallpapers",
];
const PHOTOS: usize = 50;

/// Up to `PHOTOS` JPEGs from `PHOTO_PACKAGES`, largest first (one size of each wallpaper), or
/// why there are none.
fn fetch_photos(dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let tree = dir.join("x");
    if !tree.exists() {
        let got = Command::new("apt-get")
            .arg("download")
            .args(PHOTO_PACKAGES)
            .current_dir(dir)
            .status();
        if !got.is_ok_and(|s| s.success()) {
            return Err(
                "`apt-get download` failed (a Debian system with network is needed)".into(),
            );
        }
        for deb in std::fs::read_dir(dir).map_err(|e| e.to_string())?.flatten() {
            if deb.path().extension().is_some_and(|e| e == "deb") {
                Command::new("dpkg-deb")
                    .arg("-x")
                    .arg(deb.path())
                    .arg(&tree)
                    .status()
                    .map_err(|e| e.to_string())?;
            }
        }
    }
    let mut photos: Vec<(u64, PathBuf)> = walkdir::WalkDir::new(&tree)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "jpg" || x == "jpeg")
        })
        // KDE's small preview of a wallpaper, beside its sizes: the same picture again.
        .filter(|e| !e.file_name().to_string_lossy().starts_with("screenshot"))
        .map(|e| (e.metadata().map_or(0, |m| m.len()), e.into_path()))
        .collect();
    photos.sort_by(|a, b| b.cmp(a));
    // One size of each wallpaper (KDE's come in many, each in its own folder).
    let mut seen = std::collections::HashSet::new();
    let chosen: Vec<PathBuf> = photos
        .into_iter()
        .filter(|(_, p)| {
            seen.insert(p.parent().map(Path::to_owned))
                || p.to_string_lossy().contains("/backgrounds/")
        })
        .map(|(_, p)| p)
        .take(PHOTOS)
        .collect();
    Ok(chosen)
}

/// Photos: a site of one page per photo (a page folder, both languages), built with an empty
/// cache (every size encoded) and again with it full.
fn images(base: &Path, runs: usize) {
    let photos = match fetch_photos(&std::env::temp_dir().join("henan-bench-photos")) {
        Ok(p) if !p.is_empty() => p,
        Ok(_) => {
            return println!(
                "
Photos: skipped, no photos found"
            )
        }
        Err(why) => {
            return println!(
                "
Photos: skipped, {why}"
            )
        }
    };
    let site = base.join("photo-site");
    clean(&site);
    std::fs::create_dir_all(&site).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("site.toml"),
        site.join("site.toml"),
    )
    .unwrap();
    let (mut bytes, mut pixels) = (0u64, 0f64);
    for (i, photo) in photos.iter().enumerate() {
        let dir = site.join(format!("content/photos/p{i}"));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(photo, dir.join("photo.jpg")).unwrap();
        bytes += std::fs::metadata(photo).map_or(0, |m| m.len());
        let (w, h) = image::image_dimensions(photo).unwrap_or((0, 0));
        pixels += f64::from(w) * f64::from(h);
        for (lang, alt) in [("zh", "照片"), ("en", "Photo")] {
            let page = format!("---\ntitle: P{i}\n---\n![{alt} {i}](photo.jpg)\n");
            std::fs::write(dir.join(format!("index.{lang}.md")), page).unwrap();
        }
    }
    let out = base.join("photo-out");
    let (mut cold, mut warm, mut warm_written) = (Vec::new(), Vec::new(), 0);
    let mut rendered = Vec::new();
    for _ in 0..runs {
        clean(&out);
        clean(&site.join(".cache"));
        cold.push(measure(&mut ours(&site, &out)).0);
        let (cost, summary) = measure(&mut ours(&site, &out));
        warm.push(cost);
        warm_written = warm_written.max(written(&summary));
        // The build cache would answer that nothing changed: without it, every page is made
        // again and each photo's sizes come from the image cache.
        rendered.push(measure(ours(&site, &out).arg("--no-cache")).0);
    }
    // Bytes published of each kind of size, summed over the photos.
    let published = |suffix: &str| -> u64 {
        walkdir::WalkDir::new(out.join("photos"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .filter(|e| e.path().to_string_lossy().ends_with(suffix))
            .map(|e| e.metadata().map_or(0, |m| m.len()))
            .sum()
    };
    let mb = |bytes: u64| bytes as f64 / 1e6;
    let (cold, warm, rendered) = (medians(&cold), medians(&warm), medians(&rendered));
    println!(
        "\nPhotos: {} photographs, {:.1} MP, {:.1} MB of JPEG; median of {runs} runs",
        photos.len(),
        pixels / 1e6,
        mb(bytes),
    );
    print_cost("cold cache", cold);
    print_cost(&format!("warm cache ({warm_written} files written)"), warm);
    print_cost("warm image cache, --no-cache", rendered);
    let per_mp = |seconds: f64| seconds * 1e3 / (pixels / 1e6);
    for (name, c) in [
        ("cold", cold),
        ("warm", warm),
        ("image cache only", rendered),
    ] {
        println!(
            "  {name}: {:.1} ms wall, {:.1} ms CPU per megapixel of source",
            per_mp(c.wall),
            per_mp(c.cpu)
        );
    }
    println!(
        "  published for all photos: 480 WebP {:.2} MB, 960 WebP {:.2} MB, 960 JPEG {:.2} MB, every size {:.2} MB; originals {:.1} MB",
        mb(published("-480.webp")),
        mb(published("-960.webp")),
        mb(published("-960.jpg")),
        mb(published("")),
        mb(bytes)
    );
    clean(&site);
    clean(&out);
}

/// The number of pages a build of ours says it built (its first line: `Built 1576 pages …`):
/// cost per page divides by the pages made, lists, country and tag pages included, which a
/// small site has more of for its size than a large one.
fn pages_built(said: &str) -> usize {
    said.split_whitespace()
        .skip_while(|w| *w != "Built")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no page count in the build's output:\n{said}"))
}

/// A pause before a timed build of the cost-per-page run: removing the last build's output
/// (306,000 files and 2.7 GB at 150,000 pages) and the memory it freed keep the kernel busy
/// for a moment after (this machine hands freed memory back to its host in the background),
/// which the next build, often the smallest, would otherwise pay for.
fn settle() {
    std::thread::sleep(std::time::Duration::from_secs(3));
}

/// What this machine charges for memory that no process has just freed: milliseconds per MiB
/// to write `mib` MiB into a new file in `dir` (tmpfs), ten seconds after anything was freed.
/// A virtual machine that hands freed memory back to its host pays again for each page it
/// touches next, and on this project's machine more per MiB the more it takes at once.
fn fresh_memory_ms_per_mib(dir: &Path, mib: usize) -> f64 {
    use std::io::Write;
    std::thread::sleep(std::time::Duration::from_secs(10));
    let path = dir.join("fresh-memory-probe");
    let chunk = vec![1u8; 1 << 20];
    let start = Instant::now();
    let mut file = std::fs::File::create(&path).expect("create the probe file");
    for _ in 0..mib.max(1) {
        file.write_all(&chunk).expect("write the probe file");
    }
    drop(file);
    let ms = start.elapsed().as_secs_f64() * 1e3 / mib.max(1) as f64;
    std::fs::remove_file(&path).expect("remove the probe file");
    ms
}

/// What this machine's kernel charges for writing a site's files: microseconds per file to
/// write `files` files of `bytes` in all into new folders under `dir` (tmpfs), one folder
/// each, as pages are, from one thread.
fn file_writing_us_per_file(dir: &Path, files: usize, bytes: u64) -> f64 {
    let root = dir.join("file-probe");
    let body = vec![b'x'; (bytes / files.max(1) as u64) as usize];
    let start = Instant::now();
    for i in 0..files {
        let folder = root.join(i.to_string());
        std::fs::create_dir_all(&folder).expect("create a probe folder");
        std::fs::write(folder.join("index.html"), &body).expect("write a probe file");
    }
    let us = start.elapsed().as_secs_f64() * 1e6 / files.max(1) as f64;
    clean(&root);
    us
}

/// Full builds at several sizes: time per page should stay flat. The sizes take turns, run
/// after run, so that a busy spell on the machine does not fall on one size only.
fn linearity(base: &Path, scales: &str, runs: usize) {
    println!("\nLinearity (full build on tmpfs, median of {runs} runs each, sizes in turn):");
    let sizes: Vec<usize> = scales
        .split(',')
        .filter_map(|s| s.trim().parse::<usize>().ok())
        .collect();
    let sites: Vec<PathBuf> = sizes
        .iter()
        .map(|n| {
            let site = base.join(format!("scale-{n}"));
            clean(&site);
            corpus::write_site(&site, *n, SEED).expect("write corpus");
            site
        })
        .collect();
    let out = base.join("scale-out");
    let mut costs: Vec<Vec<Cost>> = vec![Vec::new(); sizes.len()];
    // Each size's output: pages built, files and bytes.
    let mut sizes_out = vec![(0, 0, 0); sizes.len()];
    for _ in 0..runs {
        for ((site, costs), size_out) in sites.iter().zip(&mut costs).zip(&mut sizes_out) {
            clean(&out);
            settle();
            let (cost, said) = measure(&mut ours(site, &out));
            costs.push(cost);
            if size_out.0 == 0 {
                let (files, bytes) = output_size(&out);
                *size_out = (pages_built(&said), files, bytes);
            }
        }
    }
    clean(&out);
    let (mut wall, mut cpu, mut user) = (Vec::new(), Vec::new(), Vec::new());
    for (costs, &(built, files, bytes)) in costs.iter().zip(&sizes_out) {
        let c = medians(costs);
        let pages = built as f64;
        let per_page = |secs: f64| secs / pages * 1e6;
        wall.push(per_page(c.wall));
        cpu.push(per_page(c.cpu));
        user.push(per_page(c.cpu - c.sys));
        // The memory this size's build touches: its peak and what it wrote to tmpfs.
        let touched = c.mib as usize + (bytes >> 20) as usize;
        // Probes of the machine, after the builds: the first pauses ten seconds.
        let fresh_memory = fresh_memory_ms_per_mib(base, touched);
        let file_writing = file_writing_us_per_file(base, files, bytes);
        println!(
            "  {:>7} pages built: wall {:>7.3} s, CPU {:>7.3} s (system {:>6.3} s), peak {:>7.1} MiB, wrote {:>6.0} MB in {files} files; per page: wall {:>6.1} µs, CPU {:>6.1} µs, user {:>6.1} µs; this machine's fresh memory at {} MiB: {:.2} ms per MiB; writing as many files: {:.1} µs per file",
            built,
            c.wall,
            c.cpu,
            c.sys,
            c.mib,
            bytes as f64 / 1e6,
            wall.last().unwrap(),
            cpu.last().unwrap(),
            user.last().unwrap(),
            touched,
            fresh_memory,
            file_writing,
        );
    }
    let spread = |v: &[f64]| {
        let lo = v.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = v.iter().cloned().fold(0.0, f64::max);
        (hi / lo - 1.0) * 100.0
    };
    println!(
        "  spread of time per page: wall {:.1} %, CPU {:.1} %, user CPU {:.1} %",
        spread(&wall),
        spread(&cpu),
        spread(&user)
    );
    for site in &sites {
        clean(site);
    }
    clean(&out);
}
