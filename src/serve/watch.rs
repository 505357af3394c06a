//! Watching the site's sources: debounced file events turned into `Change`s.
//!
//! The site root is watched non-recursively (for `site.toml`, and for source folders that appear
//! later) and each source folder recursively, so that big neighbours such as `public/` or
//! `target/` cost nothing. Watching folders rather than files keeps working when editors save by
//! writing a new file and renaming it over the old one.

use super::engine::{self, Change};
use anyhow::{Context, Result};
use notify::event::ModifyKind;
use notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer, DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache,
};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::Duration;

/// Events closer together than this are one batch: long enough to cover an editor's
/// write-rename-delete dance, short enough not to be noticed.
const DEBOUNCE: Duration = Duration::from_millis(30);

pub struct Watcher {
    root: PathBuf,
    debouncer: Debouncer<notify::RecommendedWatcher, RecommendedCache>,
    events: Receiver<DebounceEventResult>,
    /// Where changes come from, for `nudger`.
    sender: std::sync::mpsc::Sender<DebounceEventResult>,
}

impl Watcher {
    /// Starts watching the sources below `root` (an absolute path).
    pub fn start(root: &Path) -> Result<Watcher> {
        let (tx, events) = std::sync::mpsc::channel();
        let sender = tx.clone();
        let debouncer = new_debouncer(DEBOUNCE, None, tx).context("cannot watch for changes")?;
        let mut watcher = Watcher {
            root: root.to_owned(),
            debouncer,
            events,
            sender,
        };
        watcher
            .debouncer
            .watch(root, RecursiveMode::NonRecursive)
            .with_context(|| format!("cannot watch {}", root.display()))?;
        for dir in engine::sources(root).iter().skip(1) {
            watcher.watch_dir(dir)?;
        }
        Ok(watcher)
    }

    /// Reports a source as changed, as if saved: how a photo encoded in the background brings
    /// its sizes into the preview.
    pub fn nudger(&self) -> crate::media::Background {
        let sender = std::sync::Mutex::new(self.sender.clone());
        std::sync::Arc::new(move |path: PathBuf| {
            let event = notify::Event::new(EventKind::Modify(ModifyKind::Any)).add_path(path);
            let event =
                notify_debouncer_full::DebouncedEvent::new(event, std::time::Instant::now());
            // A stopped preview hears nothing.
            let sender = sender.lock().unwrap_or_else(|e| e.into_inner());
            let _ = sender.send(Ok(vec![event]));
        })
    }

    fn watch_dir(&mut self, dir: &Path) -> Result<()> {
        if dir.is_dir() {
            self.debouncer
                .watch(dir, RecursiveMode::Recursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
        Ok(())
    }

    /// Waits for the next batch of changes to the sources, merging batches that are already
    /// waiting; `None` once the watcher has stopped.
    pub fn next(&mut self) -> Option<Vec<Change>> {
        loop {
            let mut events = self.take(self.events.recv().ok()?);
            loop {
                match self.events.recv_timeout(Duration::from_millis(1)) {
                    Ok(more) => events.extend(self.take(more)),
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return None,
                }
            }
            let mut changes = self.changes(&events);
            changes.sort();
            changes.dedup();
            if !changes.is_empty() {
                return Some(changes);
            }
        }
    }

    fn take(&self, result: DebounceEventResult) -> Vec<DebouncedEvent> {
        result.unwrap_or_else(|errors| {
            for e in errors {
                crate::diagnostics::eprint(&format!(
                    "warning: watching {}: {e}\n",
                    self.root.display()
                ));
            }
            Vec::new()
        })
    }

    /// The changes `events` make to the sources; a source folder that was (re)created is
    /// watched from now on.
    fn changes(&mut self, events: &[DebouncedEvent]) -> Vec<Change> {
        let mut changes = Vec::new();
        for event in events {
            if matches!(event.kind, EventKind::Access(_)) {
                continue;
            }
            for path in &event.paths {
                let appeared = matches!(
                    event.kind,
                    EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
                );
                if appeared && engine::sources(&self.root)[1..].contains(path) {
                    if let Err(e) = self.watch_dir(path) {
                        crate::diagnostics::eprint(&format!("warning: {e:#}\n"));
                    }
                }
                changes.extend(Change::classify(&self.root, path));
            }
        }
        changes
    }
}
