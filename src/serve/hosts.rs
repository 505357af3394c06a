//! Which `Host:` names the preview answers. A web page the editor visits could otherwise point a
//! name of its own at 127.0.0.1 (DNS rebinding) and read the preview, drafts included, as its own
//! site; the browser still sends that name in `Host:`, so refusing unknown names stops it (as
//! Vite's `server.allowedHosts` and webpack-dev-server's `allowedHosts` do).

use std::net::{IpAddr, Ipv6Addr};

#[derive(Debug, Clone)]
pub struct Hosts {
    /// Lower case, IPv6 addresses in brackets (`[::1]`), without a port.
    names: Vec<String>,
    /// Listening on every address (`0.0.0.0`, `::`): any address literal names it, since a page
    /// cannot rebind an address, only a name.
    any_address: bool,
}

impl Hosts {
    /// The loopback names, the address listened on, and `extra` (`--allow-host`).
    pub fn new(interface: IpAddr, extra: &[String]) -> Hosts {
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        names.push(address(interface));
        names.extend(extra.iter().map(|name| canonical(name)));
        Hosts {
            names,
            any_address: interface.is_unspecified(),
        }
    }

    /// Whether a request with this `Host:` header (`localhost:1111`, `[::1]`) may be answered.
    pub fn allows(&self, header: &str) -> bool {
        let Some(name) = host_name(header) else {
            return false;
        };
        let name = canonical(name);
        self.names.contains(&name) || (self.any_address && is_address(&name))
    }
}

/// The name in a `Host:` header: without the port, IPv6 addresses still in brackets.
fn host_name(header: &str) -> Option<&str> {
    let (name, port) = if header.starts_with('[') {
        let end = header.find(']')? + 1;
        (&header[..end], &header[end..])
    } else {
        header.split_at(header.find(':').unwrap_or(header.len()))
    };
    let port_ok = port.is_empty()
        || port
            .strip_prefix(':')
            .is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    (port_ok && !name.is_empty()).then_some(name)
}

/// Lower case, without a trailing dot (`LocalHost.`), IPv6 addresses in brackets.
fn canonical(name: &str) -> String {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    match name.parse::<Ipv6Addr>() {
        Ok(ip) => address(IpAddr::V6(ip)),
        Err(_) => name,
    }
}

fn address(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(ip) => ip.to_string(),
        IpAddr::V6(ip) => format!("[{ip}]"),
    }
}

fn is_address(name: &str) -> bool {
    name.parse::<std::net::Ipv4Addr>().is_ok()
        || name
            .strip_prefix('[')
            .and_then(|n| n.strip_suffix(']'))
            .is_some_and(|n| n.parse::<Ipv6Addr>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_the_interface_and_allowed_names_only() {
        let local = Hosts::new("127.0.0.1".parse().unwrap(), &["Preview.Example".into()]);
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.:1111",
            "127.0.0.1:1111",
            "[::1]",
            "[::1]:1111",
            "preview.example:8080",
        ] {
            assert!(local.allows(ok), "{ok}");
        }
        for refused in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "192.168.1.5:1111",
            "localhost:x",
            "localhost:",
            "[::1",
            "",
            ":1111",
        ] {
            assert!(!local.allows(refused), "{refused}");
        }
        let lan = Hosts::new("192.168.1.5".parse().unwrap(), &[]);
        assert!(lan.allows("192.168.1.5:1111") && !lan.allows("10.0.0.1"));
        let v6 = Hosts::new("fe80::1".parse().unwrap(), &["::2".into()]);
        assert!(v6.allows("[fe80::1]:1111") && v6.allows("[::2]"));
        let any = Hosts::new("0.0.0.0".parse().unwrap(), &[]);
        assert!(any.allows("10.0.0.1:1111") && any.allows("[fe80::1]"));
        assert!(!any.allows("evil.example"));
    }
}
