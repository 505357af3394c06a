//! `henan-stories serve`: the live preview (see `crate::serve`).

use crate::serve::{self, Options};
use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The site folder (holding site.toml and content/).
    #[arg(long, default_value = ".")]
    root: PathBuf,
    /// The port to listen on; 0 picks a free one.
    #[arg(long, default_value_t = 1111)]
    port: u16,
    /// The address to listen on; the default keeps the preview to this computer.
    #[arg(long, default_value = "127.0.0.1")]
    interface: IpAddr,
    /// Open the preview in the default browser.
    #[arg(long)]
    open: bool,
    /// Also answer requests for this host name (repeatable); by default only localhost,
    /// 127.0.0.1, [::1] and the --interface address are answered.
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    serve::run(Options {
        root: args.root,
        interface: args.interface,
        port: args.port,
        open: args.open,
        allow_hosts: args.allow_host,
    })?;
    Ok(ExitCode::SUCCESS)
}
