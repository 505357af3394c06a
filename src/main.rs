//! The `henan-stories` command line: parses arguments and hands each subcommand to `cmd`.

use clap::{Parser, Subcommand};
use henan_stories::cmd;
use std::process::ExitCode;

// A build allocates and frees millions of small strings from both cores; mimalloc's per-thread
// heaps cost less than glibc's malloc for that (measured in benches/build.rs).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
            Command::Build(args) => cmd::build::run(args),
            Command::Check(args) => cmd::check::run(args),
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
