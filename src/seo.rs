//! What search engines and social sites read: the Open Graph / Twitter card values of a page and
//! its JSON-LD (`Event`, `Place` with `geo`, `WebSite` with a `SearchAction`), rendered by
//! `templates/meta.html`. JSON-LD is serialized here, never in a template, so any title is valid
//! JSON and cannot end the `<script>` element.

use crate::config::{Config, Language};
use crate::content::{Page, Site};
use crate::front_matter::Coordinates;
use serde::Serialize;
use serde_json::{json, Value};

/// The social card every page shows unless `[extra] og_image` in site.toml names another
/// (a site path like `/card.png` or an absolute URL), or a page's front matter sets `image`.
pub const DEFAULT_IMAGE: &str = "/social-card.png";

#[derive(Debug, Serialize)]
pub struct Seo {
    /// The page's own title, without the site name.
    pub title: String,
    pub description: String,
    /// `og:type`: `website` for home, lists and built-in pages; `article` for content pages.
    pub og_type: &'static str,
    /// Absolute URL of the card image.
    pub image: String,
    /// A `<script type="application/ld+json">` body, safe to insert as is.
    pub json_ld: Option<String>,
}

impl Seo {
    /// Home, section lists and built-in pages.
    pub fn listing(config: &Config, title: &str, description: &str) -> Seo {
        Seo {
            title: title.to_owned(),
            description: description.to_owned(),
            og_type: "website",
            image: image_url(config, None),
            json_ld: None,
        }
    }

    /// A language's home page: a `WebSite` whose search action is the search page.
    pub fn home(config: &Config, language: &Language, description: &str) -> Seo {
        let home = config.permalink(&format!("/{}/", language.code));
        let data = json!({
            "@context": "https://schema.org",
            "@type": "WebSite",
            "name": language.title,
            "description": description,
            "url": home,
            "inLanguage": language.locale,
            "potentialAction": {
                "@type": "SearchAction",
                "target": {
                    "@type": "EntryPoint",
                    "urlTemplate": format!("{home}search/?q={{search_term_string}}"),
                },
                "query-input": "required name=search_term_string",
            },
        });
        Seo {
            json_ld: Some(script_json(&data)),
            ..Seo::listing(config, &language.title, description)
        }
    }

    /// A content page: `Place` for a region, `Event` for an event.
    pub fn page(site: &Site, p: &Page, description: &str) -> Seo {
        let config = &site.config;
        let image = match p.cover.as_ref().and_then(crate::media::Cover::card) {
            Some(card) => config.permalink(&format!("/{card}")),
            None => image_url(config, p.front.extra.get("image").and_then(Value::as_str)),
        };
        let data = if p.is_region() {
            let mut region = place(config, p, description);
            region["@context"] = json!("https://schema.org");
            Some(region)
        } else if p.is_event() {
            p.front.neutral.date.map(|date| {
                let regions: Vec<Value> = site
                    .regions_of(p)
                    .map(|r| place(config, r, r.front.summary.as_deref().unwrap_or("")))
                    .collect();
                let mut event = json!({
                    "@context": "https://schema.org",
                    "@type": "Event",
                    "name": p.front.title,
                    "description": description,
                    "startDate": date.to_string(),
                    "url": config.permalink(&p.path),
                    "inLanguage": locale(config, &p.lang),
                    "image": image,
                });
                let location = match regions.len() {
                    0 => None,
                    1 => regions.into_iter().next(),
                    _ => Some(Value::Array(regions)),
                };
                if let Some(l) = location {
                    event["location"] = l;
                }
                event
            })
        } else {
            None
        };
        Seo {
            title: p.front.title.clone(),
            description: description.to_owned(),
            og_type: "article",
            image,
            json_ld: data.map(|d| script_json(&d)),
        }
    }
}

/// A region as a schema.org `Place`, with `geo` when its coordinates are known.
fn place(config: &Config, p: &Page, description: &str) -> Value {
    let mut place = json!({
        "@type": "Place",
        "name": p.front.title,
        "url": config.permalink(&p.path),
    });
    if !description.is_empty() {
        place["description"] = json!(description);
    }
    if let Some(Coordinates { lat, lon }) = p.front.neutral.coordinates {
        place["geo"] = json!({ "@type": "GeoCoordinates", "latitude": lat, "longitude": lon });
    }
    if let Some(code) = &p.front.neutral.country_code {
        place["address"] = json!({ "@type": "PostalAddress", "addressCountry": code });
    }
    place
}

fn locale<'a>(config: &'a Config, lang: &'a str) -> &'a str {
    config.language(lang).map_or(lang, |l| l.locale.as_str())
}

fn image_url(config: &Config, page_image: Option<&str>) -> String {
    let given = page_image.or_else(|| config.extra.get("og_image").and_then(|v| v.as_str()));
    let path = given.unwrap_or(DEFAULT_IMAGE);
    if path.contains("://") {
        path.to_owned()
    } else {
        config.permalink(&format!("/{}", path.trim_start_matches('/')))
    }
}

/// JSON for inside `<script>`: `<`, `>` and `&` as `\u` escapes, so no text in it can close the
/// element or open a comment; the JSON value is unchanged.
pub fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).expect("JSON values serialize");
    let mut out = String::with_capacity(text.len());
    let hit = |b: u8| (b == b'<') | (b == b'>') | (b == b'&');
    crate::text::escape_into(&mut out, &text, hit, |b| match b {
        b'<' => Some("\\u003c"),
        b'>' => Some("\\u003e"),
        b'&' => Some("\\u0026"),
        _ => None,
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_json_cannot_close_the_script_and_parses_back() {
        let v = json!({ "name": "a </script><script>alert(1)</script> & \"q\"" });
        let s = script_json(&v);
        assert!(!s.contains('<') && !s.contains('>'));
        assert_eq!(serde_json::from_str::<Value>(&s).unwrap(), v);
    }
}
