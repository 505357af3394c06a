//! The `henan-stories` command line: parses arguments and hands each subcommand to `cmd`.

use clap::{Parser, Subcommand};
use henan_stories::cmd;
use std::process::ExitCode;

// A build allocates and frees millions of small strings from both cores; mimalloc's per-thread
// heaps cost less than glibc's malloc for that (measured in benches/build.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in mimalloc 3's `mimalloc.h` (the bindings name only older options).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A one-shot command keeps the memory it frees until it exits, instead of mimalloc handing it
/// back to the system a second after it is freed: a large site's build frees and allocates
/// again for minutes, and each page handed back comes back zeroed by the kernel, at a cost that
/// grows with the site (half the page faults of a 150,000-page build; benches/NOTES.md). Not
/// for `serve`, which runs for hours.
fn keep_freed_memory() {
    // SAFETY: sets a plain integer option, which mimalloc reads each time it would purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

/// Static site generator for the bilingual Henan Stories portal.
#[derive(Parser)]
#[command(name = "henan-stories", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into the output folder (default: public/ in the site folder).
    Build(cmd::build::Args),
    /// Report every problem — broken links, unknown regions, missing translations — and write nothing.
    Check(cmd::check::Args),
    /// Start a new region, event or page in every language, from an archetype.
    New(cmd::new::Args),
    /// Preview the site with drafts at http://127.0.0.1:1111/, rebuilding and reloading the
    /// browser as you edit. Never writes public/.
    Serve(cmd::serve::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Every command dates its output: a malformed build time is refused, not silently replaced.
    let result = match henan_stories::dates::source_date_epoch() {
        Err(message) => Err(anyhow::Error::msg(message)),
        Ok(_) => match cli.command {
            Command::Build(args) => {
                keep_freed_memory();
                cmd::build::run(args)
            }
            Command::Check(args) => {
                keep_freed_memory();
                cmd::check::run(args)
            }
            Command::New(args) => cmd::new::run(args),
            Command::Serve(args) => cmd::serve::run(args),
        },
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            henan_stories::diagnostics::eprint(&format!("error: {e:#}\n"));
            ExitCode::FAILURE
        }
    }
}
