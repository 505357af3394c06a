//! Page bundles and the images Markdown shows.
//!
//! A page may be a folder (`content/regions/puglia/index.en.md`): its other files belong to the
//! page and are published once, for every language, under the page's language-neutral folder
//! (`/regions/puglia/`). A raster image that Markdown shows (from a bundle or `static/`) becomes
//! a `<picture>` of WebP files in a few widths and a JPEG or PNG fallback, encoded into the
//! site's cache (`images`); the HTML is written here, while rendering, from the image's header
//! alone, and `Producer::Media` encodes what the rendered pages use.

use crate::layout::{CONTENT_DIR, STATIC_DIR};
use serde::{Deserialize, Serialize};
use std::path::Path;

pub mod images;

/// The widths a photo is published in, never wider than it is.
pub const WIDTHS: [u32; 3] = [480, 960, 1600];
/// The widest fallback (JPEG or PNG): only browsers without WebP load it.
const FALLBACK_MAX: u32 = 960;
/// How wide an image in the text shows: the theme's text column (`.prose`, 44rem, in a page
/// with 1.25rem of padding each side).
const SIZES: &str = "(min-width: 46.5rem) 44rem, calc(100vw - 2.5rem)";

/// Raster formats made responsive; the first frame of a GIF.
const RASTER: [&str; 5] = ["jpg", "jpeg", "png", "webp", "gif"];

/// Every file of `content/` that is not a page, and every photo of `static/`, with its size and
/// time of change: what the preview compares to notice that one changed.
pub type Sources = Vec<(std::path::PathBuf, u64, Option<std::time::SystemTime>)>;

/// `Sources` from the kept listings of `content/` and `static/` (every file).
pub fn sources(listings: &crate::files::Listings) -> Sources {
    let (content, statics) = listings.content_and_statics();
    let content = content
        .files
        .iter()
        .filter(|(rel, _)| !rel.ends_with(".md"));
    let statics = statics.files.iter().filter(|(rel, _)| is_raster(rel));
    content
        .chain(statics)
        .map(|(_, path)| {
            let meta = std::fs::metadata(path).ok();
            let len = meta.as_ref().map_or(0, std::fs::Metadata::len);
            let modified = meta.and_then(|m| m.modified().ok());
            (path.clone(), len, modified)
        })
        .collect()
}

/// A page that is a folder: where its files are and where they are published.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Relative to the site root: `content/regions/puglia`.
    pub folder: String,
    /// Output path of the folder, language-neutral: `regions/puglia/` (the page's slug).
    pub out: String,
}

/// The bundle a page read from `file` (relative to the site root) is, when the file is
/// `index.<lang>.md` (or `index.md`) in a folder of its own below `content/`: `key` is the
/// page's, `dir` its folder under `content/` and `slug` its URL segment.
pub fn bundle(file: &str, key: &str, dir: &str, slug: &str) -> Option<Bundle> {
    let (folder, name) = file.rsplit_once('/')?;
    let own = folder.rsplit('/').next() == Some(key);
    let is_index = name.split('.').next() == Some("index");
    (own && is_index && folder != CONTENT_DIR).then(|| Bundle {
        folder: folder.to_owned(),
        out: match dir {
            "" => format!("{slug}/"),
            dir => format!("{dir}/{slug}/"),
        },
    })
}

/// Whether the file at `name` is a raster image this module makes responsive.
pub fn is_raster(name: &str) -> bool {
    extension(name).is_some_and(|e| RASTER.contains(&e.as_str()))
}

fn extension(name: &str) -> Option<String> {
    let file = name.rsplit('/').next()?;
    let (_, ext) = file.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

pub use crate::config::ImageLimits as Limits;

/// What the preview calls with a photo's source once its sizes are encoded in the background.
pub type Background = std::sync::Arc<dyn Fn(std::path::PathBuf) + Send + Sync>;

/// What rendering one page's Markdown needs to know about its files.
pub struct PageMedia<'a> {
    /// The site folder; `None` where no file is looked at (unit tests of Markdown).
    pub root: Option<&'a Path>,
    pub bundle: Option<Bundle>,
    /// The page shows a cover above its text, which is then the image to load first.
    pub has_cover: bool,
    pub limits: Limits,
}

/// A file of the site that Markdown points to, resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Resource {
    /// Relative to the site root: `content/regions/puglia/trulli.jpg`, `static/img/a.png`.
    pub source: String,
    /// Output path: `regions/puglia/trulli.jpg`, `img/a.png`.
    pub out: String,
}

/// A raster image a page shows, for `Producer::Media` to encode (or an error to report).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImageUse {
    pub resource: Resource,
    /// The widths published (`widths`), and the fallback's.
    pub widths: Vec<u32>,
    pub fallback: u32,
    /// A page's cover: also made into its social card.
    pub card: bool,
    /// The page that shows it, and where, for messages.
    pub file: String,
    pub line: usize,
    pub column: usize,
}

/// What a page's Markdown uses of the site's files.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Use {
    /// A bundle file linked to as it is (published as it is, photos included).
    File(Resource),
    Image(ImageUse),
}

/// An image in Markdown, as the page shows it.
pub enum Shown {
    /// Made responsive: the `<picture>` to put in the text.
    Picture { html: String, image: ImageUse },
    /// Published as it is (SVG, other formats): the URL and the dimensions it declares.
    Plain {
        url: String,
        width: Option<String>,
        height: Option<String>,
    },
}

/// How an image is written: alt text, title (a caption), whether it is the first to load.
pub struct Written<'a> {
    pub alt: &'a str,
    pub title: &'a str,
    pub first: bool,
    pub base_path: &'a str,
}

impl PageMedia<'_> {
    /// Media that finds no file: every image and link stays as written.
    pub fn none() -> PageMedia<'static> {
        PageMedia {
            root: None,
            bundle: None,
            has_cover: false,
            limits: Limits {
                bytes: u64::MAX,
                pixels: u32::MAX,
            },
        }
    }

    /// Whether `source` (relative to the site root) is a file a build reads: not hidden or an
    /// editor's, and inside the site folder once links are followed (as `files::walk` has it).
    fn exists(&self, source: &str) -> bool {
        let Some(root) = self.root else {
            return false;
        };
        let inside = |path: std::path::PathBuf| {
            root.canonicalize()
                .is_ok_and(|site| path.starts_with(site) && path.is_file())
        };
        crate::files::is_read(Path::new(source))
            && root.join(source).canonicalize().is_ok_and(inside)
    }

    /// A relative link to a file of the page's bundle (`agreement.pdf`, `photos/a.jpg`).
    pub fn bundle_file(&self, dest: &str) -> Option<Resource> {
        let bundle = self.bundle.as_ref()?;
        let target = dest.split(['#', '?']).next().unwrap_or(dest);
        if target.is_empty() || target.starts_with('/') || target.contains(':') {
            return None;
        }
        let rel = inside(target)?;
        let source = format!("{}/{rel}", bundle.folder);
        (!rel.ends_with(".md") && self.exists(&source)).then(|| Resource {
            source,
            out: format!("{}{rel}", bundle.out),
        })
    }

    /// The file an image's destination names: in the bundle (relative), or in `static/`
    /// (rooted, `/img/a.jpg`). `None` for anything else (other sites, pages' URLs); `Err`
    /// for a bundle file that is not there.
    pub fn image_file(&self, dest: &str) -> Option<Result<Resource, String>> {
        if let Some(rooted) = dest.strip_prefix('/') {
            let rel = inside(rooted)?;
            let source = format!("{STATIC_DIR}/{rel}");
            return self.exists(&source).then(|| {
                Ok(Resource {
                    source,
                    out: rel.to_owned(),
                })
            });
        }
        let bundle = self.bundle.as_ref()?;
        if dest.contains(':') || dest.starts_with('#') || dest.is_empty() {
            return None;
        }
        Some(self.bundle_file(dest).ok_or_else(|| {
            format!(
                "image `{dest}`: no such file in {}/ (the page's folder)",
                bundle.folder
            )
        }))
    }

    /// How the image at `resource` shows, from its header; `Err` with why it cannot be read.
    pub fn show(&self, resource: Resource, how: &Written) -> Result<(Shown, Vec<String>), String> {
        let header = self.header(&resource)?;
        Ok(self.present(resource, header, how))
    }

    /// What the file of `resource` says of how it shows; `Err` with why it cannot be read.
    fn header(&self, resource: &Resource) -> Result<Header, String> {
        let path = self.root.unwrap_or(Path::new("")).join(&resource.source);
        if !is_raster(&resource.source) {
            let (width, height) = match extension(&resource.source).as_deref() {
                Some("svg") => svg_size(&path),
                _ => (None, None),
            };
            return Ok(Header::Plain { width, height });
        }
        let (width, height) = images::dimensions(&path)?;
        let bytes = std::fs::metadata(&path).map_or(0, |m| m.len());
        // The photo's colour fills its box until it loads (read from the cache, else made).
        let cache = self.root.unwrap_or(Path::new("")).join(images::CACHE_DIR);
        let colour = images::colour(&cache, &path)?;
        Ok(Header::Raster {
            width,
            height,
            bytes,
            colour,
        })
    }

    /// How `resource`, whose file says `header`, shows, with warnings on its size.
    fn present(&self, resource: Resource, header: Header, how: &Written) -> (Shown, Vec<String>) {
        let url = format!("{}/{}", how.base_path, resource.out);
        let (width, height, bytes, colour) = match header {
            Header::Plain { width, height } => {
                return (Shown::Plain { url, width, height }, Vec::new());
            }
            Header::Raster {
                width,
                height,
                bytes,
                colour,
            } => (width, height, bytes, colour),
        };
        let mut warnings = Vec::new();
        if bytes > self.limits.bytes {
            warnings.push(format!(
                "image `{}` is {:.1} MB, more than the {} MB limit: shrink it before adding it",
                resource.source,
                bytes as f64 / 1e6,
                self.limits.bytes / 1_000_000
            ));
        }
        if width.max(height) > self.limits.pixels {
            warnings.push(format!(
                "image `{}` is {width}×{height} pixels, more than the {}-pixel limit: shrink it before adding it",
                resource.source, self.limits.pixels
            ));
        }
        let widths = widths(width);
        let fallback = fallback_width(&widths);
        let image = ImageUse {
            resource,
            widths,
            fallback,
            card: false,
            file: String::new(),
            line: 0,
            column: 0,
        };
        let html = picture(&image, (width, height, &colour), how);
        (Shown::Picture { html, image }, warnings)
    }
}

/// What an image's file says of how it shows, read from its header (and, for a photo, its
/// colour from the cache).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Header {
    /// A photo made responsive: its size upright, its size in bytes, its placeholder colour.
    Raster {
        width: u32,
        height: u32,
        bytes: u64,
        colour: String,
    },
    /// Published as it is: the dimensions it declares.
    Plain {
        width: Option<String>,
        height: Option<String>,
    },
}

/// A page's cover (front matter `image:` naming a file of the site), resolved once, when the
/// site is loaded: the page's header, its cards in lists and its social card all show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cover(Result<(Resource, Header), String>);

impl Cover {
    /// The cover `value` (front matter `image:`) names, for a page that is `bundle`; `None`
    /// when it names no file of the site (another site's image, a missing `static/` file).
    pub fn resolve(root: &Path, bundle: Option<Bundle>, value: &str) -> Option<Cover> {
        let media = PageMedia {
            root: Some(root),
            bundle,
            ..PageMedia::none()
        };
        let found = media.image_file(value)?.and_then(|resource| {
            let header = media.header(&resource)?;
            Ok((resource, header))
        });
        let why = |why: String| match why.starts_with("image `") {
            true => why,
            false => format!("image `{value}`: {why}"),
        };
        Some(Cover(found.map_err(why)))
    }

    /// The photo and its size upright, when the cover is a photo that can be read.
    fn photo(&self) -> Option<(&Resource, u32, u32)> {
        match &self.0 {
            Ok((resource, Header::Raster { width, height, .. })) => {
                Some((resource, *width, *height))
            }
            _ => None,
        }
    }

    /// On the page's cards in lists: the smallest size, cropped by the theme to the card's
    /// shape; `None` unless the cover is a photo.
    pub fn thumbnail(&self, base_path: &str) -> Option<String> {
        let (resource, width, height) = self.photo()?;
        let widths = widths(width);
        let small = widths[0];
        let url = |w: u32, ext: &str| format!("{base_path}/{}", derived(&resource.out, w, ext));
        let fallback = url(fallback_width(&widths), fallback_ext(&resource.source));
        let shown_h = (u64::from(height) * u64::from(small) / u64::from(width.max(1))).max(1);
        Some(format!(
            "<picture><source type=\"image/webp\" srcset=\"{}\"><img class=\"card-cover\" src=\"{fallback}\" alt=\"\" width=\"{small}\" height=\"{shown_h}\" loading=\"lazy\" decoding=\"async\"></picture>",
            url(small, "webp")
        ))
    }

    /// The output path of the page's social card, when the cover is a photo.
    pub fn card(&self) -> Option<String> {
        self.photo().map(|(resource, ..)| card(&resource.out))
    }
}

/// `a/../b.jpg` made plain, if it stays inside its folder.
fn inside(target: &str) -> Option<String> {
    let decoded = percent_encoding::percent_decode_str(target)
        .decode_utf8()
        .ok()?;
    let mut parts: Vec<&str> = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

/// The widths to publish an image `width` pixels wide in: those of `WIDTHS` it is wider than,
/// and its own when it is narrower than the widest.
pub fn widths(width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = WIDTHS.iter().copied().filter(|&w| w < width).collect();
    let top = width.min(WIDTHS[WIDTHS.len() - 1]);
    if out.last() != Some(&top) {
        out.push(top);
    }
    out
}

/// The fallback's width: the widest of `widths` up to `FALLBACK_MAX`.
fn fallback_width(widths: &[u32]) -> u32 {
    let fitting = widths.iter().copied().filter(|&w| w <= FALLBACK_MAX);
    fitting.max().unwrap_or(widths[0])
}

/// Output path of one derived file: `regions/puglia/trulli.jpg` at 480 in WebP →
/// `regions/puglia/trulli-480.webp`.
pub fn derived(out: &str, width: u32, ext: &str) -> String {
    format!("{}-{width}.{ext}", stem(out))
}

/// Output path of an image's social card: `regions/puglia/trulli-og.jpg`.
pub fn card(out: &str) -> String {
    format!("{}-og.jpg", stem(out))
}

/// An output path without its extension.
fn stem(out: &str) -> &str {
    out.rsplit_once('.').map_or(out, |(stem, _)| stem)
}

/// A page's `cover` above its text: its `<picture>`, the first image of the page, and what to
/// publish of it (its sizes and social card); an error names the page's `file` and the
/// `line` of `image:`.
pub fn cover(
    media: &PageMedia,
    cover: &Cover,
    (file, line): (&str, usize),
    base_path: &str,
    uses: &mut Vec<Use>,
    diagnostics: &mut Vec<crate::diagnostics::Diagnostic>,
) -> Option<String> {
    let how = Written {
        alt: "",
        title: "",
        first: true,
        base_path,
    };
    let (resource, header) = match &cover.0 {
        Ok(found) => found.clone(),
        Err(message) => {
            diagnostics.push(
                crate::diagnostics::Diagnostic::error(crate::diagnostics::Kind::Image, file, message.clone())
                    .at(line, None)
                    .with_hint("`image:` names a file in the page's folder (`photo.jpg`) or under static/ (`/img/photo.jpg`)"),
            );
            return None;
        }
    };
    match media.present(resource, header, &how).0 {
        Shown::Picture { html, mut image } => {
            (image.card, image.file, image.line) = (true, file.to_owned(), line);
            uses.push(Use::Image(image));
            Some(html)
        }
        Shown::Plain { url, width, height } => {
            Some(plain(&url, width.as_deref(), height.as_deref(), &how))
        }
    }
}

/// The fallback's format: PNG for PNG and GIF (they may be transparent), else JPEG.
pub fn fallback_ext(source: &str) -> &'static str {
    match extension(source).as_deref() {
        Some("png" | "gif") => "png",
        _ => "jpg",
    }
}

/// The `<picture>` of an image `size` (width, height, upright) shows.
fn picture(image: &ImageUse, (width, height, colour): (u32, u32, &str), how: &Written) -> String {
    let url =
        |w: u32, ext: &str| format!("{}/{}", how.base_path, derived(&image.resource.out, w, ext));
    let srcset: Vec<String> = image
        .widths
        .iter()
        .map(|&w| format!("{} {w}w", url(w, "webp")))
        .collect();
    // The widest published, its height in proportion: the box the browser keeps for it.
    let shown_w = *image.widths.last().unwrap_or(&width);
    let shown_h = ((u64::from(height) * u64::from(shown_w)) as f64 / f64::from(width.max(1)))
        .round()
        .max(1.0) as u32;
    let loading = if how.first {
        "fetchpriority=\"high\""
    } else {
        "loading=\"lazy\" decoding=\"async\""
    };
    let fallback = url(image.fallback, fallback_ext(&image.resource.source));
    let title = match how.title {
        "" => String::new(),
        t => format!(" title=\"{}\"", escape(t)),
    };
    let picture = format!(
        "<picture><source type=\"image/webp\" srcset=\"{}\" sizes=\"{SIZES}\"><img src=\"{fallback}\" alt=\"{}\"{title} width=\"{shown_w}\" height=\"{shown_h}\" style=\"background:{colour}\" {loading}></picture>",
        srcset.join(", "),
        escape(how.alt),
    );
    figure(picture, how.title)
}

/// An image with a title becomes a figure with the title as its caption.
pub fn figure(inner: String, title: &str) -> String {
    match title {
        "" => inner,
        t => format!(
            "<figure>{inner}<figcaption>{}</figcaption></figure>",
            escape(t)
        ),
    }
}

/// A plain `<img>` for an image published as it is.
pub fn plain(url: &str, width: Option<&str>, height: Option<&str>, how: &Written) -> String {
    let mut attrs = String::new();
    for (name, value) in [("width", width), ("height", height)] {
        if let Some(v) = value {
            attrs.push_str(&format!(" {name}=\"{}\"", escape(v)));
        }
    }
    let loading = if how.first {
        " fetchpriority=\"high\""
    } else {
        " loading=\"lazy\" decoding=\"async\""
    };
    let title = match how.title {
        "" => String::new(),
        t => format!(" title=\"{}\"", escape(t)),
    };
    let img = format!(
        "<img src=\"{}\" alt=\"{}\"{title}{attrs}{loading}>",
        escape(url),
        escape(how.alt)
    );
    figure(img, how.title)
}

fn escape(s: &str) -> String {
    crate::highlight::escape_html(s)
}

/// The `width` and `height` an SVG declares on its root element, when they are plain numbers
/// or pixel lengths (a percentage says nothing of its size).
fn svg_size(path: &Path) -> (Option<String>, Option<String>) {
    let Ok(text) = std::fs::read_to_string(path) else {
        return (None, None);
    };
    let Some(start) = text.find("<svg") else {
        return (None, None);
    };
    let tag = &text[start..];
    let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
    let attr = |name: &str| {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value = &tag[at..at + tag[at..].find('"')?];
        let number = value.strip_suffix("px").unwrap_or(value);
        number
            .parse::<f64>()
            .ok()
            .filter(|n| *n > 0.0)
            .map(|_| number.to_owned())
    };
    (attr("width"), attr("height"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_exceed_the_original() {
        assert_eq!(widths(4000), [480, 960, 1600]);
        assert_eq!(widths(1600), [480, 960, 1600]);
        assert_eq!(widths(1200), [480, 960, 1200]);
        assert_eq!(widths(300), [300]);
        assert_eq!(widths(480), [480]);
    }

    #[test]
    fn derived_names_sit_beside_the_original() {
        assert_eq!(
            derived("regions/puglia/trulli.jpg", 480, "webp"),
            "regions/puglia/trulli-480.webp"
        );
        assert_eq!(fallback_ext("a/b.PNG"), "png");
        assert_eq!(fallback_ext("a/b.jpeg"), "jpg");
    }

    #[test]
    fn paths_stay_inside_their_folder() {
        assert_eq!(inside("a/./b.jpg").as_deref(), Some("a/b.jpg"));
        assert_eq!(inside("a/../b%20c.jpg").as_deref(), Some("b c.jpg"));
        assert_eq!(inside("../b.jpg"), None);
    }
}
