//! Decoding, resizing and encoding photos, and the cache that keeps the results across builds:
//! `.cache/images/` in the site, one file per (source content, width, format, settings), so an
//! unchanged photo is never encoded twice and a build writes only what it has not made before.

use crate::files::write_atomically;
use image::codecs::jpeg::JpegEncoder;
use image::imageops::FilterType;
use image::{DynamicImage, ImageDecoder, ImageReader};
use sha1::{Digest, Sha1};
use std::io::Cursor;
use std::path::{Path, PathBuf};

/// The cache folder, relative to the site root.
pub const CACHE_DIR: &str = ".cache/images";
/// libwebp's quality (0–100): 75 is its default, visually close to JPEG at 85.
const WEBP_QUALITY: f32 = 75.0;
const JPEG_QUALITY: u8 = 80;
/// Part of every cached file's name: change it when the processing changes, so that files
/// made the old way are not reused (and are pruned).
const SETTINGS: &str = "v1q75";

/// Width and height of the image at `path` as it shows (EXIF orientation applied), from its
/// header alone.
pub fn dimensions(path: &Path) -> Result<(u32, u32), String> {
    let mut decoder = ImageReader::open(path)
        .and_then(ImageReader::with_guessed_format)
        .map_err(|e| format!("cannot read it: {e}"))?
        .into_decoder()
        .map_err(|e| format!("cannot decode it: {e}"))?;
    let (w, h) = decoder.dimensions();
    let turned = decoder.orientation().is_ok_and(turns);
    Ok(if turned { (h, w) } else { (w, h) })
}

/// The average colour of the photo at `path`, as `#rrggbb`: the placeholder its box shows until
/// it loads. Kept in `cache` (named after the photo's content) so that only a new photo is
/// decoded for it.
pub fn colour(cache: &Path, path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read it: {e}"))?;
    let kept = cache.join(format!("{}-colour-{SETTINGS}.txt", hash(&bytes)));
    if let Ok(colour) = std::fs::read_to_string(&kept) {
        return Ok(colour);
    }
    let image = decode(&bytes)?;
    let pixel = image.thumbnail_exact(1, 1).to_rgb8();
    let [r, g, b] = pixel.get_pixel(0, 0).0;
    let colour = format!("#{r:02x}{g:02x}{b:02x}");
    std::fs::create_dir_all(cache).map_err(|e| format!("cannot make {}: {e}", cache.display()))?;
    write_atomically(&kept, colour.as_bytes())?;
    Ok(colour)
}

/// The cache's name for content `bytes`: files made of it start with it.
fn hash(bytes: &[u8]) -> String {
    hex(&Sha1::digest(bytes)[..10])
}

/// Whether an orientation turns the image a quarter.
fn turns(o: image::metadata::Orientation) -> bool {
    use image::metadata::Orientation::*;
    matches!(o, Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH)
}

/// One source image and what to make of it.
#[derive(Debug, Clone)]
pub struct Job {
    pub source: PathBuf,
    /// Output path of the original (`regions/puglia/trulli.jpg`); derived names come from it.
    pub out: String,
    pub widths: Vec<u32>,
    pub fallback: u32,
    /// `jpg` or `png`.
    pub fallback_ext: &'static str,
    /// Also the social card (`CARD`, cropped to fill).
    pub card: bool,
}

/// The social card's size: what Facebook, LinkedIn and X show without cropping again.
pub const CARD: (u32, u32) = (1200, 630);

/// One file made of a source: its output path and where the cache holds it.
#[derive(Debug, Clone)]
pub struct Derived {
    pub out: String,
    pub cached: PathBuf,
}

/// What `process` did: the files, and how many it had to encode (none when all were cached).
pub struct Processed {
    pub files: Vec<Derived>,
    pub encoded: usize,
}

/// The sizes of `job`: (width, format), WebP first, then the fallback.
fn sizes(job: &Job) -> Vec<(u32, &'static str)> {
    let mut wanted: Vec<(u32, &str)> = job.widths.iter().map(|&w| (w, "webp")).collect();
    wanted.push((job.fallback, job.fallback_ext));
    wanted
}

/// Output paths of what `process` makes of `job`.
pub fn outputs(job: &Job) -> impl Iterator<Item = String> + '_ {
    let sizes = sizes(job).into_iter();
    let card = job.card.then(|| super::card(&job.out));
    sizes
        .map(|(w, ext)| super::derived(&job.out, w, ext))
        .chain(card)
}

/// The files `job` makes, named in the cache after the content of its source, `bytes`.
fn derived_files(cache: &Path, job: &Job, bytes: &[u8]) -> Vec<Derived> {
    let hash = hash(bytes);
    let mut names: Vec<String> = sizes(job)
        .iter()
        .map(|&(w, ext)| format!("{hash}-{w}-{SETTINGS}.{ext}"))
        .collect();
    names.extend(job.card.then(|| format!("{hash}-card-{SETTINGS}.jpg")));
    outputs(job)
        .zip(names)
        .map(|(out, name)| Derived {
            out,
            cached: cache.join(name),
        })
        .collect()
}

fn read(job: &Job) -> Result<Vec<u8>, String> {
    std::fs::read(&job.source).map_err(|e| format!("cannot read it: {e}"))
}

/// The derived files of `job`, from the cache in `cache` or encoded into it.
pub fn process(cache: &Path, job: &Job) -> Result<Processed, String> {
    let bytes = read(job)?;
    let wanted = sizes(job);
    let files = derived_files(cache, job, &bytes);
    let missing: Vec<usize> = (0..files.len())
        .filter(|&i| !files[i].cached.is_file())
        .collect();
    if missing.is_empty() {
        return Ok(Processed { files, encoded: 0 });
    }
    let encoded = missing.len();
    let image = decode(&bytes)?;
    std::fs::create_dir_all(cache).map_err(|e| format!("cannot make {}: {e}", cache.display()))?;
    let mut missing = missing;
    if job.card && missing.last() == Some(&wanted.len()) {
        missing.pop();
        let card = image.resize_to_fill(CARD.0, CARD.1, FilterType::CatmullRom);
        write_atomically(&files[wanted.len()].cached, &encode(&card, "jpg")?)?;
    }
    // Widest first, each size made from the one before: far less work than from the original.
    let mut order = missing.clone();
    order.sort_by_key(|&i| std::cmp::Reverse(wanted[i].0));
    let mut current = image;
    for &i in &order {
        let (w, ext) = wanted[i];
        current = resize(&current, w);
        let encoded = encode(&current, ext)?;
        write_atomically(&files[i].cached, &encoded)?;
    }
    Ok(Processed { files, encoded })
}

/// `process` that never waits for encoding: what is not cached yet is encoded in the
/// background (then `done` is called with the source), and meanwhile every size is the
/// original itself (browsers tell an image's format from its bytes).
pub fn process_later(
    cache: &Path,
    job: Job,
    done: super::Background,
) -> Result<Vec<Derived>, String> {
    let files = derived_files(cache, &job, &read(&job)?);
    if files.iter().all(|f| f.cached.is_file()) {
        return Ok(files);
    }
    let stand_ins = files
        .into_iter()
        .map(|f| Derived {
            out: f.out,
            cached: job.source.clone(),
        })
        .collect();
    let cache = cache.to_owned();
    rayon::spawn(move || {
        // An image that fails is reported by the next full build, which encodes it again.
        if process(&cache, &job).is_ok() {
            done(job.source);
        }
    });
    Ok(stand_ins)
}

/// The image upright (EXIF orientation applied); the metadata stays behind, as only pixels
/// are encoded again.
fn decode(bytes: &[u8]) -> Result<DynamicImage, String> {
    let mut decoder = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read it: {e}"))?
        .into_decoder()
        .map_err(|e| format!("cannot decode it: {e}"))?;
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image =
        DynamicImage::from_decoder(decoder).map_err(|e| format!("cannot decode it: {e}"))?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// `image` scaled to `width` (never wider than it is), its height in proportion.
fn resize(image: &DynamicImage, width: u32) -> DynamicImage {
    if width >= image.width() {
        return image.clone();
    }
    let height = (u64::from(image.height()) * u64::from(width) / u64::from(image.width())).max(1);
    image.resize_exact(width, height as u32, FilterType::CatmullRom)
}

fn encode(image: &DynamicImage, ext: &str) -> Result<Vec<u8>, String> {
    let failed = |e: &dyn std::fmt::Display| format!("cannot encode it as {ext}: {e}");
    match ext {
        "webp" => {
            let encoded = if image.color().has_alpha() {
                let rgba = image.to_rgba8();
                webp::Encoder::from_rgba(rgba.as_raw(), rgba.width(), rgba.height())
                    .encode(WEBP_QUALITY)
            } else {
                let rgb = image.to_rgb8();
                webp::Encoder::from_rgb(rgb.as_raw(), rgb.width(), rgb.height())
                    .encode(WEBP_QUALITY)
            };
            Ok(encoded.to_vec())
        }
        "png" => {
            let mut out = Cursor::new(Vec::new());
            image
                .write_to(&mut out, image::ImageFormat::Png)
                .map_err(|e| failed(&e))?;
            Ok(out.into_inner())
        }
        _ => {
            let mut out = Vec::new();
            JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
                .encode_image(&image.to_rgb8())
                .map_err(|e| failed(&e))?;
            Ok(out)
        }
    }
}

/// Removes from `cache` every file made of a photo a build did not use (`used`: names of
/// files it used; a photo's other files, its colour, start with the same hash).
pub fn prune(cache: &Path, used: &std::collections::HashSet<std::ffi::OsString>) {
    let Ok(entries) = std::fs::read_dir(cache) else {
        return;
    };
    let of_photo = |name: &str| name.split('-').next().unwrap_or("").to_owned();
    let photos: std::collections::HashSet<String> = used
        .iter()
        .map(|n| of_photo(&n.to_string_lossy()))
        .collect();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        // A file another build is writing has a temporary name: left alone.
        if !photos.contains(&of_photo(&name)) && !name.contains(".tmp") {
            // Failing to remove one only leaves it for the next build to remove.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
