//! `henan-stories new region|event|page <key-or-path>`: start a page in every language.

use crate::dates::PartialDate;
use crate::diagnostics::{self, render_all};
use crate::front_matter::PageKind;
use crate::pipeline::load_config;
use crate::scaffold::{self, Request};
use anyhow::Context;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// What to start: a region (content/regions/), an event (content/events/) or a page.
    #[arg(value_enum)]
    kind: Kind,
    /// The key (`wallonia`), a page's path under content/ (`stories/2023/spring`), optionally with
    /// one language suffix (`wallonia.en`) to start only that translation.
    name: String,
    /// Start the page as a folder (`wallonia/index.en.md`) that also holds its photos and
    /// files.
    #[arg(long)]
    bundle: bool,
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum Kind {
    Region,
    Event,
    Page,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let config = match load_config(&args.root) {
        Ok(c) => c,
        Err(ds) => {
            diagnostics::eprint(&render_all(&ds));
            return Ok(ExitCode::FAILURE);
        }
    };
    let request = Request {
        kind: match args.kind {
            Kind::Region => PageKind::Region,
            Kind::Event => PageKind::Event,
            Kind::Page => PageKind::Page,
        },
        name: &args.name,
        today: PartialDate::build_date(),
        bundle: args.bundle,
    };
    let written = scaffold::plan(&args.root, &config, &request).and_then(|files| {
        scaffold::write(&args.root, &files)
            .map(|()| files)
            .map_err(|d| vec![d])
    });
    match written {
        Ok(files) => {
            let mut text: String = files
                .iter()
                .map(|f| format!("created {}\n", f.file))
                .collect();
            text.push_str("They are drafts: fill them in, then set `draft: false` to publish.\n");
            diagnostics::print(&text).context("writing to stdout")?;
            Ok(ExitCode::SUCCESS)
        }
        Err(diagnostics) => {
            diagnostics::eprint(&render_all(&diagnostics));
            Ok(ExitCode::FAILURE)
        }
    }
}
