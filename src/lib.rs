//! Henan Stories: a static site generator for a bilingual (Chinese / English) portal.
//!
//! The pipeline runs in stages, one module each: `config` and `content` (with `front_matter`)
//! load and validate the site model; `markdown`, `render`, `timeline`, `map` and `feeds` turn it
//! into files in memory, each kind of file one of the `producers`; `output` writes them only
//! when all of that succeeded. `cmd` holds the
//! command-line subcommands; `serve` is the live preview.

// `Diagnostic` is the error type of every stage; it is large but only built on the error path,
// where carrying the file, line and source line matters more than a few bytes moved.
#![allow(clippy::result_large_err)]
#![forbid(unsafe_code)]

pub mod build;
pub mod build_cache;
pub mod check;
pub mod cmd;
pub mod collisions;
pub mod config;
pub mod content;
pub mod countries;
pub mod dates;
pub mod diagnostics;
pub mod external;
pub mod feeds;
pub mod files;
pub mod front_matter;
pub mod geo;
pub mod highlight;
pub mod i18n;
pub mod incremental;
pub mod layout;
pub mod map;
pub mod markdown;
pub mod media;
pub mod outdated;
pub mod output;
pub mod pagination;
pub mod pipeline;
pub mod producers;
pub mod render;
pub mod scaffold;
pub mod search;
pub mod seo;
pub mod serve;
pub mod special;
pub mod tags;
pub mod taxonomy;
pub mod taxonomy_pages;
pub mod templates;
pub mod text;
pub mod timeline;
pub mod view;
