//! `check --external`: asks every linked site whether the linked page is there.
//!
//! Each distinct URL is fetched once — `HEAD` first, `GET` when the server refuses `HEAD` — with a
//! timeout, many hosts at a time but at most `per_host` requests to any one host at once, so that
//! checking a site with fifty links to one newspaper does not hammer that newspaper.

use crate::check::ExternalRef;
use crate::diagnostics::Diagnostic;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::time::Duration;
use ureq::Agent;

#[derive(Debug, Clone)]
pub struct Options {
    /// For a whole request, including redirects and reading the headers.
    pub timeout: Duration,
    /// Requests in flight to one host at most.
    pub per_host: usize,
    /// Requests in flight in all at most.
    pub concurrency: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            per_host: 2,
            concurrency: 16,
        }
    }
}

/// One error per place that links to a URL that failed.
pub fn check(links: &[ExternalRef], options: &Options) -> Vec<Diagnostic> {
    let mut by_url: BTreeMap<&str, Vec<&ExternalRef>> = BTreeMap::new();
    for link in links {
        let url = link.url.split('#').next().unwrap_or(&link.url);
        by_url.entry(url).or_default().push(link);
    }
    let urls: Vec<&str> = by_url.keys().copied().collect();
    let agent: Agent = Agent::config_builder()
        .timeout_global(Some(options.timeout))
        .http_status_as_error(false)
        .user_agent(concat!("henan-stories-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.concurrency.max(1))
        .build();
    let probe_lanes = || {
        lanes(&urls, options.per_host)
            .par_iter()
            .flat_map_iter(|lane| lane.iter().map(|url| (*url, probe(&agent, url, options))))
            .collect::<Vec<_>>()
    };
    let results = match pool {
        Ok(pool) => pool.install(probe_lanes),
        Err(_) => probe_lanes(),
    };
    let mut out = Vec::new();
    for (url, result) in results {
        if let Err(problem) = result {
            for link in &by_url[url] {
                out.push(link.error(format!("link to {}: {problem}", link.url)));
            }
        }
    }
    out
}

/// Splits the URLs into lanes worked through one request after another: each host's URLs go
/// round-robin into at most `per_host` lanes, which caps the requests in flight to that host.
fn lanes<'a>(urls: &[&'a str], per_host: usize) -> Vec<Vec<&'a str>> {
    let mut by_host: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for url in urls {
        by_host.entry(host(url)).or_default().push(url);
    }
    let mut out = Vec::new();
    for list in by_host.values() {
        let n = per_host.clamp(1, list.len());
        let mut lanes = vec![Vec::new(); n];
        for (i, url) in list.iter().enumerate() {
            lanes[i % n].push(*url);
        }
        out.extend(lanes);
    }
    out
}

/// `https://Example.org:8443/x?y` → `example.org:8443`.
fn host(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..end];
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    host.to_ascii_lowercase()
}

/// `Ok` when the page is there; else what went wrong, for the message.
fn probe(agent: &Agent, url: &str, options: &Options) -> Result<(), String> {
    let status = match agent.head(url).call() {
        Ok(response) => response.status(),
        Err(e) => return Err(explain(&e, options)),
    };
    if status.as_u16() < 400 {
        return Ok(());
    }
    // Many servers answer HEAD with 403, 404 or 405 while GET works: ask again with GET.
    let status = match agent.get(url).call() {
        Ok(response) => response.status(),
        Err(e) => return Err(explain(&e, options)),
    };
    if status.as_u16() < 400 {
        Ok(())
    } else {
        Err(format!(
            "the server answered {} {}",
            status.as_u16(),
            status.canonical_reason().unwrap_or("")
        )
        .trim_end()
        .to_owned())
    }
}

fn explain(e: &ureq::Error, options: &Options) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", options.timeout.as_secs_f64()),
        ureq::Error::HostNotFound => "the host name does not resolve".to_owned(),
        ureq::Error::ConnectionFailed => "the server refused the connection".to_owned(),
        ureq::Error::TooManyRedirects => "too many redirects".to_owned(),
        other => format!("could not be fetched: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_is_lower_case_authority() {
        assert_eq!(
            host("https://User@Example.org:8443/x?y"),
            "example.org:8443"
        );
        assert_eq!(host("http://a.org"), "a.org");
    }

    #[test]
    fn lanes_cap_each_host() {
        let urls = ["http://a/1", "http://a/2", "http://a/3", "http://b/1"];
        let lanes = lanes(&urls, 2);
        assert_eq!(
            lanes,
            [
                vec!["http://a/1", "http://a/3"],
                vec!["http://a/2"],
                vec!["http://b/1"]
            ]
        );
    }
}
