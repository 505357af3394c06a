//! Publishing through the real binary: which output folders `build` accepts, that it never
//! removes or writes through what it did not write, that two builds at once and a build killed
//! while publishing always leave one complete site, and that large static files are copied
//! without being held in memory.

mod common;
use common::{bin, snapshot, Run, Site};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const MANIFEST: &str = ".henan-stories.manifest";

fn build_into(site: &Site, out: &Path) -> Run {
    site.run(&["build", "--output", out.to_str().unwrap()])
}

#[test]
fn a_folder_of_only_hidden_files_is_refused_and_left_untouched() {
    let site = Site::small();
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".bashrc"), "alias ll='ls -l'\n").unwrap();
    std::fs::create_dir(home.path().join(".config")).unwrap();
    std::fs::write(home.path().join(".config/app.toml"), "x = 1\n").unwrap();
    let before = snapshot(home.path());
    build_into(&site, home.path()).assert_failed().stderr_has(&[
        "not empty and holds no .henan-stories.manifest",
        "choose a new or empty folder",
    ]);
    assert_eq!(before, snapshot(home.path()));
}

#[test]
fn a_web_root_with_a_sitemap_but_no_manifest_is_refused() {
    let site = Site::small();
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("sitemap.xml"), "<urlset/>").unwrap();
    std::fs::write(root.path().join("thesis.txt"), "years of work").unwrap();
    let before = snapshot(root.path());
    build_into(&site, root.path()).assert_failed().stderr_has(&[
        "refusing to publish here",
        "holds no .henan-stories.manifest",
        "wrote no manifest is deleted once",
    ]);
    assert_eq!(before, snapshot(root.path()));
}

#[test]
fn an_empty_folder_is_published_into_and_marked_as_the_builds() {
    let site = Site::small();
    let root = tempfile::tempdir().unwrap();
    build_into(&site, root.path()).assert_ok();
    let manifest = std::fs::read_to_string(root.path().join(MANIFEST)).unwrap();
    assert!(
        manifest.lines().any(|l| l == "\"en/about/index.html\""),
        "{manifest}"
    );
    assert!(root.path().join("en/about/index.html").is_file());
}

#[test]
fn files_the_build_did_not_write_survive_and_stale_ones_go() {
    let site = Site::small();
    site.build().assert_ok();
    site.write("public/.git/HEAD", "ref: refs/heads/gh-pages\n");
    site.write("public/CNAME", "stories.example.org\n");
    site.write("public/notes/thesis.txt", "years of work");
    std::fs::create_dir_all(site.path("public/uploads")).unwrap();
    site.remove("content/about.en.md");
    site.remove("content/about.zh.md");
    let run = site.build();
    run.assert_ok().stdout_has(&[" 2 removed"]);
    assert!(!site.exists("en/about/index.html"));
    assert!(
        !site.exists("en/about"),
        "a folder emptied of stale files goes"
    );
    assert_eq!(site.public(".git/HEAD"), "ref: refs/heads/gh-pages\n");
    assert_eq!(site.public("CNAME"), "stories.example.org\n");
    assert_eq!(site.public("notes/thesis.txt"), "years of work");
    assert!(site.path("public/uploads").is_dir());
    // Once more with a change, so the files are carried over into a new tree again.
    site.write("content/about.en.md", "---\ntitle: About\n---\nBack.\n");
    site.build().assert_ok();
    assert_eq!(site.public("notes/thesis.txt"), "years of work");
    assert!(site.public("en/about/index.html").contains("Back."));
}

#[test]
fn a_file_the_build_did_not_write_in_the_way_of_a_page_is_refused() {
    let site = Site::small();
    site.build().assert_ok();
    site.write("public/en/new/index.html", "hand-made");
    site.write("content/new.en.md", "---\ntitle: New\n---\nText.\n");
    let before = snapshot(&site.path("public"));
    site.build().assert_failed().stderr_has(&[
        "en/new/index.html was not written by the build",
        "nothing was published",
    ]);
    assert_eq!(before, snapshot(&site.path("public")));
}

#[test]
fn a_symlink_in_the_output_is_refused_and_its_target_untouched() {
    let site = Site::small();
    site.build().assert_ok();
    let elsewhere = tempfile::tempdir().unwrap();
    std::fs::write(elsewhere.path().join("index.html"), "precious").unwrap();
    std::fs::remove_dir_all(site.path("public/en")).unwrap();
    std::os::unix::fs::symlink(elsewhere.path(), site.path("public/en")).unwrap();
    site.build()
        .assert_failed()
        .stderr_has(&["public/en is a symbolic link", "never writes through links"]);
    assert_eq!(
        std::fs::read_to_string(elsewhere.path().join("index.html")).unwrap(),
        "precious"
    );
    assert_eq!(snapshot(elsewhere.path()).len(), 1);
    assert!(site.path("public/en").is_symlink());
}

/// `build` of `site` into `out` as a child process, its publish steps slowed by `pause_ms`.
fn spawn_build(site: &Site, out: &Path, pause_ms: u64, exchange: bool) -> Child {
    let mut cmd = bin();
    cmd.args(["build", "--output", out.to_str().unwrap(), "--root"])
        .arg(site.root())
        .env("HENAN_STORIES_TEST_PUBLISH_PAUSE_MS", pause_ms.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if !exchange {
        cmd.env("HENAN_STORIES_TEST_NO_EXCHANGE", "1");
    }
    cmd.spawn().expect("run binary")
}

/// A site big enough that publishing takes a while: the small site and `n` more pages.
fn sized_site(n: usize, text: &str) -> Site {
    let site = Site::small();
    for i in 0..n {
        site.write(
            &format!("content/notes/n{i}.en.md"),
            &format!("---\ntitle: Note {i}\n---\n{text} {i}.\n"),
        );
        site.write(
            &format!("content/notes/n{i}.zh.md"),
            &format!("---\ntitle: 笔记 {i}\n---\n{text} {i}。\n"),
        );
    }
    site
}

/// The complete output of `site`, built into a folder of its own.
fn reference(site: &Site) -> Vec<(String, Vec<u8>)> {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    build_into(site, &out).assert_ok();
    snapshot(&out)
}

#[test]
fn two_builds_at_once_take_turns_and_leave_one_complete_site() {
    let (a, b) = (sized_site(20, "First"), sized_site(10, "Second"));
    let (want_a, want_b) = (reference(&a), reference(&b));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let first = spawn_build(&a, &out, 300, true);
    std::thread::sleep(Duration::from_millis(50));
    let second = spawn_build(&b, &out, 0, true);
    let runs: Vec<Run> = [first, second]
        .map(|c| Run::from(c.wait_with_output().unwrap()))
        .into();
    for run in &runs {
        run.assert_ok();
    }
    let waited = runs.iter().any(|r| {
        r.stderr.contains("another build is publishing to") && r.stderr.contains("waiting")
    });
    assert!(waited, "{}\n{}", runs[0].stderr, runs[1].stderr);
    let got = snapshot(&out);
    assert!(got == want_a || got == want_b, "not one complete build");
}

/// The complete build at `out`; where folders cannot be exchanged, a kill between the two
/// renames leaves it at `.out.old`, which the next build puts back.
fn published(out: &Path, exchange: bool) -> Vec<(String, Vec<u8>)> {
    if !out.exists() && !exchange {
        return snapshot(&out.with_file_name(".out.old"));
    }
    snapshot(out)
}

/// Waits until `child` says it began publishing (through the test hook), or ends.
fn until_publishing(child: &mut Child) -> bool {
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if line.contains("(test hook) publishing") {
                let _ = tx.send(());
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if rx.recv_timeout(Duration::from_millis(5)).is_ok() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return false;
        }
    }
    panic!("the build neither published nor ended");
}

fn kill_while_publishing(exchange: bool) {
    const PAUSE_MS: u64 = 30;
    let (a, b) = (sized_site(40, "First"), sized_site(30, "Second"));
    let wants = [reference(&a), reference(&b)];
    let dir = tempfile::tempdir().unwrap();
    let out: PathBuf = dir.path().join("out");
    build_into(&a, &out).assert_ok();
    // A file of the user's, which every build carries over.
    let cname = ("CNAME".to_owned(), b"stories.example.org\n".to_vec());
    std::fs::write(out.join(&cname.0), &cname.1).unwrap();
    // A fixed pseudo-random sequence (xorshift): the same kill times each run.
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut interrupted = 0;
    for attempt in 0..16 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Alternate sites, so that each build has something to publish.
        let site = [&b, &a][attempt % 2];
        let mut child = spawn_build(site, &out, PAUSE_MS, exchange);
        let publishing = until_publishing(&mut child);
        // Anywhere in the publishing steps (each paused), or just after.
        std::thread::sleep(Duration::from_millis(seed % (PAUSE_MS * 6)));
        let running = child.try_wait().unwrap().is_none();
        child.kill().unwrap();
        child.wait().unwrap();
        interrupted += usize::from(publishing && running);
        let mut got = published(&out, exchange);
        assert!(got.contains(&cname), "attempt {attempt}: CNAME lost");
        got.retain(|f| *f != cname);
        assert!(
            wants.contains(&got),
            "attempt {attempt}: {} is not one complete build ({} files)",
            out.display(),
            got.len()
        );
    }
    assert!(interrupted >= 8, "only {interrupted} builds interrupted");
    build_into(&a, &out).assert_ok();
    let mut got = snapshot(&out);
    got.retain(|f| *f != cname);
    assert!(got == wants[0]);
    assert!(!out.with_file_name(".out.staging").exists());
    assert!(!out.with_file_name(".out.old").exists());
}

#[test]
fn a_build_killed_while_publishing_leaves_one_complete_site() {
    kill_while_publishing(true);
}

#[test]
fn a_build_killed_between_two_renames_is_put_back_by_the_next() {
    kill_while_publishing(false);
}

#[test]
fn a_large_static_file_is_copied_without_holding_it_in_memory() {
    const SIZE: u64 = 64 << 20;
    let site = Site::small();
    std::fs::create_dir_all(site.path("static/video")).unwrap();
    let video = std::fs::File::create(site.path("static/video/talk.mp4")).unwrap();
    video.set_len(SIZE).unwrap();
    drop(video);
    let peak = |run: &Run| -> f64 {
        let line = run.stdout.lines().rfind(|l| l.contains("peak memory"));
        let text = line.unwrap_or_else(|| panic!("no peak memory in {}", run.stdout));
        let figure = text.rsplit("peak memory ").next().unwrap();
        let (n, unit) = figure.split_once(' ').unwrap();
        let n: f64 = n.parse().unwrap();
        n * if unit == "MB" { 1.0 } else { 0.001 }
    };
    let run = site.run(&["build", "--verbose"]);
    run.assert_ok();
    let published = site.path("public/video/talk.mp4");
    assert_eq!(std::fs::metadata(&published).unwrap().len(), SIZE);
    assert!(std::fs::read(&published).unwrap().iter().all(|&b| b == 0));
    if cfg!(target_os = "linux") {
        assert!(peak(&run) < 60.0, "{}", run.stdout);
    }
    let source_mtime = |site: &Site| {
        std::fs::metadata(site.path("static/video/talk.mp4"))
            .unwrap()
            .modified()
            .unwrap()
    };
    // The copy keeps the source's modification time: the next build need not read either.
    assert_eq!(
        std::fs::metadata(&published).unwrap().modified().unwrap(),
        source_mtime(&site)
    );
    // Unchanged: not written again.
    let mtime = std::fs::metadata(&published).unwrap().modified().unwrap();
    let again = site.run(&["build", "--verbose"]);
    again.assert_ok().stdout_has(&[" 0 written"]);
    if cfg!(target_os = "linux") {
        assert!(peak(&again) < 60.0, "{}", again.stdout);
    }
    assert_eq!(
        mtime,
        std::fs::metadata(&published).unwrap().modified().unwrap()
    );
    // Touched but the same bytes: compared in chunks, still not written.
    let touched = std::fs::File::options()
        .write(true)
        .open(site.path("static/video/talk.mp4"))
        .unwrap();
    touched
        .set_modified(std::time::SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000))
        .unwrap();
    drop(touched);
    site.build().assert_ok().stdout_has(&[" 0 written"]);
    // Changed at the end: found, and copied.
    let mut video = std::fs::OpenOptions::new()
        .write(true)
        .open(site.path("static/video/talk.mp4"))
        .unwrap();
    use std::io::{Seek, Write};
    video.seek(std::io::SeekFrom::End(-1)).unwrap();
    video.write_all(b"x").unwrap();
    drop(video);
    site.build().assert_ok().stdout_has(&[" 1 written"]);
    let bytes = std::fs::read(&published).unwrap();
    assert_eq!(bytes.last(), Some(&b'x'));
}

#[test]
fn unchanged_files_keep_their_modification_time_when_others_change() {
    let site = Site::small();
    site.build().assert_ok();
    let mtime = |rel: &str| {
        std::fs::metadata(site.path("public").join(rel))
            .unwrap()
            .modified()
            .unwrap()
    };
    let before = mtime("en/regions/lublin/index.html");
    std::thread::sleep(Duration::from_millis(20));
    site.write("content/about.en.md", "---\ntitle: About\n---\nNew text.\n");
    site.build().assert_ok().stdout_has(&[" 0 removed"]);
    assert!(site.public("en/about/index.html").contains("New text."));
    assert_eq!(before, mtime("en/regions/lublin/index.html"));
}
