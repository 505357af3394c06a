//! The HTTP side of the preview: URL → file of the in-memory site, content types, the live-reload
//! event stream. Files are looked up by name in the built site, never on disk, so nothing outside
//! the site can be served; odd paths are still refused outright rather than normalised.

use super::hosts::Hosts;
use super::reload::{self, Message, ANY_PAGE};
use super::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use bytes::Bytes;
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

pub fn router(shared: Arc<Shared>, hosts: Hosts) -> Router {
    Router::new()
        .route(reload::EVENTS_PATH, get(events))
        .route(reload::CLIENT_PATH, get(client))
        .fallback(get(site_file))
        .with_state(shared)
        .layer(middleware::from_fn_with_state(
            Arc::new(hosts),
            only_known_hosts,
        ))
}

/// Refuses a request whose `Host:` the preview does not answer to (see `Hosts`).
async fn only_known_hosts(
    State(hosts): State<Arc<Hosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    match host {
        Some(host) if hosts.allows(host) => next.run(request).await,
        _ => plain(StatusCode::FORBIDDEN, UNKNOWN_HOST),
    }
}

const UNKNOWN_HOST: &str = "403 Forbidden: this preview answers only requests for localhost, 127.0.0.1, [::1] or the address it listens on; to reach it by another name, start it with --allow-host NAME\n";

/// Where a request path leads in the built site.
#[derive(Debug, PartialEq, Eq)]
pub enum Resolved {
    /// An output path (`en/regions/index.html`).
    File(String),
    /// A folder asked for without its trailing slash: go here instead.
    Redirect(String),
    NotFound,
}

/// Resolves the raw (still percent-encoded) request path against the site's files.
pub fn resolve(raw: &str, exists: impl Fn(&str) -> bool) -> Resolved {
    let Ok(path) = percent_encoding::percent_decode_str(raw).decode_utf8() else {
        return Resolved::NotFound;
    };
    let Some(rel) = path.strip_prefix('/') else {
        return Resolved::NotFound;
    };
    // Dot segments, empty segments (`//host`), backslashes and NULs never name a site file.
    let segments: Vec<&str> = rel.split('/').collect();
    let odd = segments[..segments.len() - 1].iter().any(|s| s.is_empty())
        || segments.iter().any(|s| *s == "." || *s == "..")
        || rel.contains(['\\', '\0']);
    if odd {
        return Resolved::NotFound;
    }
    let file = if rel.is_empty() || rel.ends_with('/') {
        format!("{rel}index.html")
    } else {
        rel.to_owned()
    };
    if exists(&file) {
        Resolved::File(file)
    } else if !rel.is_empty() && !rel.ends_with('/') && exists(&format!("{rel}/index.html")) {
        Resolved::Redirect(format!("{raw}/"))
    } else {
        Resolved::NotFound
    }
}

/// The `Content-Type` for an output path, with `charset=utf-8` on text.
pub fn content_type(path: &str) -> String {
    // The feeds are `<lang>/atom.xml`, which extension-based guessing calls `text/xml`; feed
    // readers and browsers recognise a feed by its own type.
    if path == crate::feeds::ATOM_FILE || path.ends_with(&format!("/{}", crate::feeds::ATOM_FILE)) {
        return "application/atom+xml; charset=utf-8".to_owned();
    }
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let text = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "javascript" | "json" | "xml")
        || mime.suffix().is_some_and(|s| s == "xml" || s == "json");
    if text {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    }
}

async fn site_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let found = {
        let site = shared.site.read().expect("site lock");
        match resolve(uri.path(), |p| site.files.contains_key(p)) {
            Resolved::File(path) => {
                let bytes = match site.notices.get(&path) {
                    Some(notice) => Bytes::from(with_notice(&site.files[&path], notice)),
                    None => site.files[&path].clone(),
                };
                Ok((StatusCode::OK, bytes, path.clone(), path, site.version()))
            }
            Resolved::Redirect(to) => Err(redirect(&to, uri.query())),
            Resolved::NotFound => match site.files.get("404.html") {
                Some(bytes) => Ok((
                    StatusCode::NOT_FOUND,
                    bytes.clone(),
                    "404.html".to_owned(),
                    ANY_PAGE.to_owned(),
                    site.version(),
                )),
                None if site.built => Err(plain(StatusCode::NOT_FOUND, "404 Not Found\n")),
                None => Ok((
                    StatusCode::SERVICE_UNAVAILABLE,
                    Bytes::from_static(NOT_BUILT.as_bytes()),
                    "index.html".to_owned(),
                    ANY_PAGE.to_owned(),
                    site.version(),
                )),
            },
        }
    };
    match found {
        Ok((status, bytes, path, page, version)) => file(status, bytes, &path, &page, &version),
        Err(response) => response,
    }
}

/// `html` with `notice` at the start of its `<main>` element (unchanged without one).
fn with_notice(html: &[u8], notice: &str) -> Vec<u8> {
    let main = html
        .windows(5)
        .position(|w| w.eq_ignore_ascii_case(b"<main"));
    let end = main.and_then(|at| Some(at + html[at..].iter().position(|&b| b == b'>')? + 1));
    let Some(at) = end else {
        return html.to_vec();
    };
    [&html[..at], notice.as_bytes(), &html[at..]].concat()
}

/// Shown while the site has never built: the client script overlays the errors and reloads
/// once a build succeeds.
const NOT_BUILT: &str = "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Build failed</title></head>\n<body><p>The site has errors and has not been built yet. Fix them and save: this page reloads.</p></body></html>\n";

fn file(status: StatusCode, bytes: Bytes, path: &str, page: &str, version: &str) -> Response {
    let content_type = content_type(path);
    let body = if content_type.starts_with("text/html") {
        Bytes::from(reload::inject(&bytes, version, page))
    } else {
        bytes
    };
    (
        status,
        [
            (header::CONTENT_TYPE, content_type),
            // The preview changes under the browser: never reuse a stale copy.
            (header::CACHE_CONTROL, "no-store".to_owned()),
        ],
        body,
    )
        .into_response()
}

fn redirect(to: &str, query: Option<&str>) -> Response {
    let location = match query {
        Some(q) => format!("{to}?{q}"),
        None => to.to_owned(),
    };
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::TEMPORARY_REDIRECT, [(header::LOCATION, value)]).into_response(),
        Err(_) => plain(StatusCode::NOT_FOUND, "404 Not Found\n"),
    }
}

fn plain(status: StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        Body::from(text),
    )
        .into_response()
}

async fn client() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        reload::CLIENT_JS,
    )
        .into_response()
}

/// The live-reload channel: `hello` with the current version, the current error if the last
/// build failed, then every message until the server stops.
async fn events(
    State(shared): State<Arc<Shared>>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = shared.messages.subscribe();
    let first = shared.greeting();
    let shutdown = shared.shutdown.subscribe();
    let later = stream::unfold(
        (receiver, shutdown, shared),
        |(mut receiver, mut shutdown, shared)| async move {
            let message = tokio::select! {
                m = receiver.recv() => m,
                _ = shutdown.wait_for(|stop| *stop) => return None,
            };
            let messages = match message {
                Ok(m) => vec![m],
                // Too slow to keep up: start over from the current state.
                Err(RecvError::Lagged(_)) => shared.greeting(),
                Err(RecvError::Closed) => return None,
            };
            Some((stream::iter(messages), (receiver, shutdown, shared)))
        },
    )
    .flatten();
    let all = stream::iter(first).chain(later).map(|m| Ok(event(&m)));
    Sse::new(all).keep_alive(KeepAlive::default())
}

fn event(message: &Message) -> Event {
    Event::default()
        .event(message.name())
        .data(message.data())
        .retry(Duration::from_millis(500))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_paths_and_refuses_odd_ones() {
        let files = [
            "index.html",
            "en/index.html",
            "en/regions/index.html",
            "en/regions/attica/index.html",
            "style.css",
            "zh/regions/阿提卡/index.html",
            "a b.txt",
        ];
        let exists = |p: &str| files.contains(&p);
        let file = |p: &str| Resolved::File(p.to_owned());
        let redirect = |p: &str| Resolved::Redirect(p.to_owned());
        let table: &[(&str, Resolved)] = &[
            ("/", file("index.html")),
            ("/en/", file("en/index.html")),
            ("/en", redirect("/en/")),
            ("/en/regions", redirect("/en/regions/")),
            ("/en/regions/attica/", file("en/regions/attica/index.html")),
            (
                "/en/regions/attica/index.html",
                file("en/regions/attica/index.html"),
            ),
            ("/style.css", file("style.css")),
            ("/%73tyle.css", file("style.css")),
            ("/a%20b.txt", file("a b.txt")),
            (
                "/zh/regions/%E9%98%BF%E6%8F%90%E5%8D%A1/",
                file("zh/regions/阿提卡/index.html"),
            ),
            (
                "/zh/regions/%E9%98%BF%E6%8F%90%E5%8D%A1",
                redirect("/zh/regions/%E9%98%BF%E6%8F%90%E5%8D%A1/"),
            ),
            ("/nope", Resolved::NotFound),
            ("/en/nope/", Resolved::NotFound),
            ("/style.css/", Resolved::NotFound),
            // Traversal and other paths no site file has, however they are spelt.
            ("/../site.toml", Resolved::NotFound),
            ("/en/../style.css", Resolved::NotFound),
            ("/en/./index.html", Resolved::NotFound),
            ("/%2e%2e/site.toml", Resolved::NotFound),
            ("/%2E%2E/site.toml", Resolved::NotFound),
            ("/..%2fsite.toml", Resolved::NotFound),
            ("/en/..%2f..%2fsite.toml", Resolved::NotFound),
            ("/%2e%2e%2f%2e%2e%2fetc%2fpasswd", Resolved::NotFound),
            ("/..%5csite.toml", Resolved::NotFound),
            ("/en\\..\\style.css", Resolved::NotFound),
            ("/style.css%00.html", Resolved::NotFound),
            ("/%ff", Resolved::NotFound),
            ("//en/", Resolved::NotFound),
            ("//evil.example/", Resolved::NotFound),
            ("/en//regions/", Resolved::NotFound),
            ("en/", Resolved::NotFound),
            ("", Resolved::NotFound),
        ];
        for (raw, want) in table {
            assert_eq!(resolve(raw, exists), *want, "{raw}");
        }
    }

    #[test]
    fn content_types_say_utf_8_for_text() {
        let table = [
            ("index.html", "text/html; charset=utf-8"),
            ("style.css", "text/css; charset=utf-8"),
            ("site.js", "text/javascript; charset=utf-8"),
            ("en/atom.xml", "application/atom+xml; charset=utf-8"),
            ("sitemap.xml", "text/xml; charset=utf-8"),
            ("robots.txt", "text/plain; charset=utf-8"),
            ("data.json", "application/json; charset=utf-8"),
            ("logo.svg", "image/svg+xml; charset=utf-8"),
            ("photo.jpg", "image/jpeg"),
            ("map.png", "image/png"),
            ("font.woff2", "font/woff2"),
            ("README", "application/octet-stream"),
        ];
        for (path, want) in table {
            assert_eq!(content_type(path), want, "{path}");
        }
    }
}
