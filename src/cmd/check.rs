//! `henan-stories check`: everything `build` validates, plus translation coverage and (on
//! request) external links; writes nothing.

use crate::build;
use crate::check::{self, Coverage};
use crate::diagnostics;
use crate::diagnostics::{count, render_all};
use crate::external;
use crate::outdated;
use crate::pipeline::Options;
use anyhow::Context;
use serde::Serialize;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// `text` for people (rustc-like, on stderr), `json` for CI and editors (one document on stdout).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Check pages marked `draft: true` too.
    #[arg(long)]
    drafts: bool,
    /// Also fetch every external link (http, https) and report those that fail.
    #[arg(long)]
    external: bool,
    /// Seconds to wait for one external link (1 to 600).
    #[arg(long, default_value_t = 10, value_name = "SECS",
          value_parser = clap::value_parser!(u64).range(1..=600))]
    timeout: u64,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// The JSON document: stable field names, for CI and editor plugins.
#[derive(Serialize)]
struct Report<'a> {
    ok: bool,
    errors: usize,
    warnings: usize,
    hints: usize,
    diagnostics: Vec<diagnostics::Reported<'a>>,
    /// Absent when the site could not be loaded at all.
    coverage: Option<&'a Coverage>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = Options {
        drafts: args.drafts,
        ..Options::new(&args.root)
    };
    // Read while the site builds: half a second on a 15,000-file site with some history.
    let history = std::thread::spawn({
        let root = args.root.clone();
        move || outdated::history(&root)
    });
    let (mut diags, site, external_links) = match build::build(&options) {
        Ok(built) => (built.diagnostics, Some(built.site), built.external_links),
        Err(failed) => (failed.diagnostics, failed.site, failed.external_links),
    };
    if args.external {
        let options = external::Options {
            timeout: Duration::from_secs(args.timeout),
            ..external::Options::default()
        };
        diags.extend(external::check(&external_links, &options));
    }
    if let Some(site) = &site {
        diags.extend(crate::tags::used_once(
            &args.root,
            &site.config,
            &site.pages,
        ));
    }
    let mut coverage = site.as_ref().map(check::coverage);
    // Only in a git repository: without history nothing is outdated.
    let history = history.join().ok().flatten();
    if let (Some(site), Some(history), Some(coverage)) = (&site, &history, &mut coverage) {
        let found = outdated::find(site, history);
        diags.extend(found.iter().map(outdated::Outdated::diagnostic));
        coverage.count_outdated(&found);
    }
    diagnostics::sort(&mut diags);
    let [errors, warnings, hints] = diagnostics::severities(&diags);
    let stdout = match args.format {
        Format::Json => {
            let report = Report {
                ok: errors == 0,
                errors,
                warnings,
                hints,
                diagnostics: diags.iter().map(Into::into).collect(),
                coverage: coverage.as_ref(),
            };
            serde_json::to_string_pretty(&report)? + "\n"
        }
        Format::Text => {
            diagnostics::eprint(&render_all(&diags));
            let mut text = String::new();
            if let Some(coverage) = &coverage {
                text.push_str("Translation coverage:\n");
                for line in coverage.lines() {
                    text.push_str(&format!("  {line}\n"));
                }
            }
            text + &format!("check: {}\n", count(&diags))
        }
    };
    diagnostics::print(&stdout).context("writing to stdout")?;
    Ok(if errors == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
