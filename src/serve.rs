//! `serve`: a live preview for editors. Builds the site with drafts into memory, serves it on
//! loopback, rebuilds when a source changes and tells the browser to reload; a broken edit keeps
//! the last good site served and shows the error over it.
//!
//! Data flows one way: the watcher (`watch`) yields changes, the engine (`engine`) turns them
//! into an update of the in-memory site (`Shared`), whose message goes to every browser
//! (`reload`) listening on the event stream that `http` serves with the site's files.

pub mod engine;
mod hosts;
mod http;
mod reload;
mod watch;

use crate::diagnostics::{self, Diagnostic};
use crate::pipeline;
use anyhow::{Context, Result};
use bytes::Bytes;
use engine::{Change, Engine, IncrementalEngine, Update};
use reload::Message;
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::sync::{broadcast, watch as signal};

pub struct Options {
    pub root: PathBuf,
    pub interface: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// `Host:` names answered besides the loopback names and the interface (`--allow-host`).
    pub allow_hosts: Vec<String>,
}

/// What a failed build is followed by, in the terminal and in the browser.
const KEPT: &str = "still serving the last good build";

/// The site as served: the last good build and, if the latest build failed, its report.
struct Site {
    files: HashMap<String, Bytes>,
    /// False until a build has succeeded.
    built: bool,
    /// Counts the successful builds that changed something; with `session`, the version a
    /// page compares with when it connects.
    generation: u64,
    /// Differs between runs of the server, so that pages from an earlier run reload.
    session: String,
    error: Option<String>,
    /// Notices put at the top of pages as they are served, by output path.
    notices: HashMap<String, String>,
}

impl Site {
    fn version(&self) -> String {
        format!("{}-{}", self.session, self.generation)
    }
}

/// State shared by the HTTP handlers and the rebuild thread.
struct Shared {
    site: RwLock<Site>,
    messages: broadcast::Sender<Message>,
    /// Set to true on Ctrl-C, which ends the event streams so the server can stop.
    shutdown: signal::Sender<bool>,
}

impl Shared {
    fn new() -> Shared {
        let session = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        Shared {
            site: RwLock::new(Site {
                files: HashMap::new(),
                built: false,
                generation: 0,
                session: format!("{session:x}"),
                error: None,
                notices: HashMap::new(),
            }),
            messages: broadcast::channel(64).0,
            shutdown: signal::channel(false).0,
        }
    }

    /// What a newly connected page is told: the current version, and the error if any.
    fn greeting(&self) -> Vec<Message> {
        let site = self.site.read().expect("site lock");
        let mut messages = vec![Message::Hello {
            version: site.version(),
        }];
        if let Some(text) = &site.error {
            messages.push(Message::Error { text: text.clone() });
        }
        messages
    }

    /// Applies a build's outcome to the served site and tells the connected pages.
    fn apply(&self, outcome: Result<&Update, String>) {
        let message = {
            let mut site = self.site.write().expect("site lock");
            match outcome {
                Ok(update) => {
                    for o in &update.changed {
                        site.files.insert(o.path.clone(), o.bytes.clone());
                    }
                    for path in &update.removed {
                        site.files.remove(path);
                    }
                    let changed: Vec<String> = update
                        .changed
                        .iter()
                        .map(|o| o.path.clone())
                        .chain(update.removed.iter().cloned())
                        .collect();
                    if !changed.is_empty() {
                        site.generation += 1;
                    }
                    site.built = true;
                    site.error = None;
                    site.notices.clone_from(&update.notices);
                    Message::built(site.version(), changed)
                }
                Err(text) => {
                    site.error = Some(text.clone());
                    Message::Error { text }
                }
            }
        };
        // No page listening is fine.
        let _ = self.messages.send(message);
    }
}

pub fn run(options: Options) -> Result<()> {
    let root = options
        .root
        .canonicalize()
        .with_context(|| format!("cannot find the site folder {}", options.root.display()))?;
    let addr = SocketAddr::new(options.interface, options.port);
    let listener = std::net::TcpListener::bind(addr).with_context(|| {
        format!(
            "cannot listen on {addr}: is another preview running? Pick another port with --port"
        )
    })?;
    listener.set_nonblocking(true)?;
    let hosts = hosts::Hosts::new(options.interface, &options.allow_hosts);
    let url = format!("http://{}", listener.local_addr()?);
    // Watch before the first build, so that an edit made during it is not missed.
    let watcher = watch::Watcher::start(&root)?;
    let mut engine = IncrementalEngine::new(pipeline::Options {
        drafts: true,
        base_url: Some(url.clone()),
        ..pipeline::Options::new(&root)
    })
    .with_background(watcher.nudger());
    let shared = Arc::new(Shared::new());
    let mut log = Log::default();
    let started = Instant::now();
    let first = engine.rebuild(&[]);
    log.outcome(&shared, first, &[], started.elapsed());
    say(format!("Serving {url}/ (drafts included); rebuilding when content/, templates/, static/ or site.toml change. Ctrl-C stops."));
    std::thread::spawn({
        let shared = shared.clone();
        move || rebuild_loop(engine, watcher, &shared, log)
    });
    if options.open {
        if let Err(e) = opener::open(format!("{url}/")) {
            diagnostics::eprint(&format!("warning: cannot open a browser: {e}\n"));
        }
    }
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the server")?
        .block_on(serve_http(listener, shared, hosts))?;
    say("Stopped.".into());
    Ok(())
}

/// Serves until Ctrl-C (or SIGTERM), then lets open requests finish for a moment.
async fn serve_http(
    listener: std::net::TcpListener,
    shared: Arc<Shared>,
    hosts: hosts::Hosts,
) -> Result<()> {
    let listener = tokio::net::TcpListener::from_std(listener)?;
    let mut stopping = shared.shutdown.subscribe();
    let stop = {
        let shared = shared.clone();
        async move {
            stop_signal().await;
            let _ = shared.shutdown.send(true);
        }
    };
    let server = axum::serve(listener, http::router(shared, hosts)).with_graceful_shutdown(stop);
    tokio::select! {
        result = server => result.context("the server failed")?,
        _ = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(Duration::from_secs(3)).await;
        } => {}
    }
    Ok(())
}

async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            },
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Rebuilds after each batch of changes, for as long as the watcher runs.
fn rebuild_loop(
    mut engine: impl Engine,
    mut watcher: watch::Watcher,
    shared: &Shared,
    mut log: Log,
) {
    while let Some(changes) = watcher.next() {
        let started = Instant::now();
        let outcome = engine.rebuild(&changes);
        log.outcome(shared, outcome, &changes, started.elapsed());
    }
}

/// Tells the terminal and the browsers what a build did; repeats warnings only when they change.
#[derive(Default)]
struct Log {
    warnings: Vec<Diagnostic>,
}

impl Log {
    fn outcome(
        &mut self,
        shared: &Shared,
        outcome: Result<Update, pipeline::Failed>,
        changes: &[Change],
        took: Duration,
    ) {
        match outcome {
            Ok(update) => {
                shared.apply(Ok(&update));
                if update.warnings != self.warnings {
                    diagnostics::report(&update.warnings);
                    self.warnings = update.warnings.clone();
                }
                let n = update.changed.len();
                if changes.is_empty() {
                    say(format!(
                        "Built {n} file{} in {} ms",
                        diagnostics::plural(n),
                        took.as_millis()
                    ));
                } else {
                    say(format!(
                        "Rebuilt in {} ms{}: {n} file{} changed, {} removed",
                        took.as_millis(),
                        after(changes),
                        diagnostics::plural(n),
                        update.removed.len(),
                    ));
                }
            }
            Err(failed) => {
                diagnostics::eprint(&diagnostics::report_text(
                    &failed.diagnostics,
                    diagnostics::use_colour(),
                    KEPT,
                ));
                shared.apply(Err(diagnostics::report_text(
                    &failed.diagnostics,
                    false,
                    KEPT,
                )));
                // Warnings come back with the next good build.
                self.warnings.clear();
            }
        }
    }
}

/// A line to the terminal. The preview goes on serving when nobody reads its output any more.
fn say(line: String) {
    let _ = diagnostics::print(&(line + "\n"));
}

/// ` after content/a.md` (and how many more), for the rebuild line.
fn after(changes: &[Change]) -> String {
    match changes {
        [] => String::new(),
        [one] => format!(" after {}", one.path),
        [first, rest @ ..] => format!(" after {} and {} more", first.path, rest.len()),
    }
}
