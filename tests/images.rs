//! Page bundles and images through the real binary: a page as a folder in both languages, its
//! files published once, photos made into sizes (never enlarged) with width and height, figures,
//! covers as social cards, the cache that makes an unchanged rebuild encode and write nothing,
//! and broken images as clean errors. Test photos are made here, not committed.

mod common;
use common::{snapshot, Site};
use image::{ImageEncoder, RgbImage};
use std::path::Path;

/// A photo-like JPEG (smooth gradients and fine texture, so that sizes compress like a photo).
fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| {
        let noise = (x.wrapping_mul(7919) ^ y.wrapping_mul(104_729)) % 23;
        image::Rgb([
            (x * 255 / width) as u8,
            (y * 255 / height) as u8,
            (100 + noise * 4) as u8,
        ])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let img = RgbImage::from_fn(width, height, |x, y| image::Rgb([x as u8, y as u8, 90]));
    let mut out = Vec::new();
    image::codecs::png::PngEncoder::new(&mut out)
        .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// `jpeg` with an EXIF block saying "turn a quarter clockwise to show" (orientation 6), and a
/// camera serial number that must not be published.
fn jpeg_turned(width: u32, height: u32) -> Vec<u8> {
    let plain = jpeg(width, height);
    // TIFF, little-endian: IFD0 with Orientation = 6 and an ASCII BodySerialNumber-like tag
    // (ImageDescription) holding "SERIAL123".
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    tiff.extend([2, 0]); // two entries
    tiff.extend([0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0]);
    tiff.extend([0x0e, 0x01, 2, 0, 10, 0, 0, 0, 38, 0, 0, 0]);
    tiff.extend([0, 0, 0, 0]);
    tiff.extend(b"SERIAL123\0");
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let len = (app1.len() + 2) as u16;
    let mut out = vec![0xFF, 0xD8, 0xFF, 0xE1];
    out.extend(len.to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn dimensions(path: &Path) -> (u32, u32) {
    image::image_dimensions(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The small site with Puglia as a bundle in both languages: a captioned photo, a link to a
/// PDF beside it, a second photo lower down.
fn bundle_site() -> Site {
    let site = Site::small();
    site.write(
        "content/regions/puglia/index.zh.md",
        "---\ntitle: 普利亚大区\ncountry: 意大利\ncountry_code: IT\n---\n![特鲁洛](trulli.jpg \"阿尔贝罗贝洛的特鲁洛\")\n\n见[协议](agreement.pdf)。\n\n![海岸](coast.jpg)\n",
    );
    site.write(
        "content/regions/puglia/index.en.md",
        "---\ntitle: Apulia\ncountry: Italy\n---\n![Trulli](trulli.jpg \"Trulli in Alberobello\")\n\nSee [the agreement](agreement.pdf).\n\n![The coast](coast.jpg)\n",
    );
    site.write_bytes("content/regions/puglia/trulli.jpg", &jpeg(2000, 1000));
    site.write_bytes("content/regions/puglia/coast.jpg", &jpeg(1200, 800));
    site.write_bytes(
        "content/regions/puglia/agreement.pdf",
        b"%PDF-1.4 agreement",
    );
    site
}

#[test]
fn a_bundle_is_one_page_in_both_languages_and_its_files_are_published_once() {
    let site = bundle_site();
    site.build().assert_ok();
    let zh = site.public("zh/regions/puglia/index.html");
    let en = site.public("en/regions/puglia/index.html");
    assert!(zh.contains("普利亚大区") && en.contains("Apulia"));
    // Translations of one page: each links to the other.
    assert!(zh.contains("href=\"/en/regions/puglia/\""), "{zh}");
    for html in [&zh, &en] {
        assert!(
            html.contains("href=\"/regions/puglia/agreement.pdf\""),
            "{html}"
        );
    }
    assert!(site.exists("regions/puglia/agreement.pdf"));
    for lang in ["zh", "en"] {
        assert!(!site.exists(&format!("{lang}/regions/puglia/agreement.pdf")));
        assert!(!site.exists(&format!("{lang}/regions/puglia/trulli-480.webp")));
    }
    // Shown but never linked: the original is not published.
    assert!(!site.exists("regions/puglia/trulli.jpg"));
    let files = snapshot(&site.path("public"));
    let derived = files
        .iter()
        .filter(|(path, _)| path.contains("trulli-"))
        .count();
    assert_eq!(derived, 4, "three WebP sizes and one fallback, once");
}

#[test]
fn photos_become_pictures_in_sizes_smaller_than_the_original() {
    let site = bundle_site();
    site.build().assert_ok();
    let original = std::fs::metadata(site.path("content/regions/puglia/trulli.jpg"))
        .unwrap()
        .len();
    for (w, ext) in [(480, "webp"), (960, "webp"), (1600, "webp"), (960, "jpg")] {
        let path = site.path(&format!("public/regions/puglia/trulli-{w}.{ext}"));
        assert_eq!(dimensions(&path), (w, w / 2), "{}", path.display());
        let size = std::fs::metadata(&path).unwrap().len();
        assert!(
            size < original,
            "{w}.{ext}: {size} bytes, original {original}"
        );
    }
    let en = site.public("en/regions/puglia/index.html");
    assert!(en.contains("<figure><picture><source type=\"image/webp\" srcset=\"/regions/puglia/trulli-480.webp 480w, /regions/puglia/trulli-960.webp 960w, /regions/puglia/trulli-1600.webp 1600w\" sizes=\""), "{en}");
    assert!(en.contains("<img src=\"/regions/puglia/trulli-960.jpg\" alt=\"Trulli\" title=\"Trulli in Alberobello\" width=\"1600\" height=\"800\" style=\"background:#"), "{en}");
    assert!(en.contains("\" fetchpriority=\"high\"></picture><figcaption>Trulli in Alberobello</figcaption></figure>"), "{en}");
    // The second photo waits until it is near, and is no figure (no title).
    let coast = common::element(&en, "<img src=\"/regions/puglia/coast-960.jpg\"", ">");
    assert!(
        coast.contains("alt=\"The coast\" width=\"1200\" height=\"800\"")
            && coast.ends_with("loading=\"lazy\" decoding=\"async\">"),
        "{coast}"
    );
    assert!(
        !en.contains("<p><figure>"),
        "a figure is not inside a paragraph"
    );
    let zh = site.public("zh/regions/puglia/index.html");
    assert!(zh.contains("<figcaption>阿尔贝罗贝洛的特鲁洛</figcaption>"));
}

#[test]
fn a_small_image_from_static_is_never_enlarged() {
    let site = Site::small();
    // One colour: what its box shows until it loads.
    let badge = RgbImage::from_pixel(300, 200, image::Rgb([200, 60, 30]));
    let mut bytes = Vec::new();
    image::codecs::png::PngEncoder::new(&mut bytes)
        .write_image(badge.as_raw(), 300, 200, image::ExtendedColorType::Rgb8)
        .unwrap();
    site.write_bytes("static/img/badge.png", &bytes);
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n![The badge](/img/badge.png)\n",
    );
    site.build().assert_ok();
    assert_eq!(
        dimensions(&site.path("public/img/badge-300.webp")),
        (300, 200)
    );
    assert_eq!(
        dimensions(&site.path("public/img/badge-300.png")),
        (300, 200)
    );
    assert!(!site.exists("img/badge-480.webp"));
    // A file of static/ is published as it is, as ever.
    assert!(site.exists("img/badge.png"));
    let en = site.public("en/about/index.html");
    assert!(en.contains("srcset=\"/img/badge-300.webp 300w\""), "{en}");
    assert!(
        en.contains("width=\"300\" height=\"200\" style=\"background:#c83c1e\""),
        "{en}"
    );
}

#[test]
fn orientation_is_applied_and_metadata_left_behind() {
    let site = Site::small();
    site.write(
        "content/regions/puglia/index.en.md",
        "---\ntitle: Apulia\n---\n![Standing](tower.jpg)\n",
    );
    site.write_bytes("content/regions/puglia/tower.jpg", &jpeg_turned(600, 300));
    site.build().assert_ok();
    let path = site.path("public/regions/puglia/tower-300.webp");
    assert_eq!(dimensions(&path), (300, 600));
    let en = site.public("en/regions/puglia/index.html");
    assert!(en.contains("width=\"300\" height=\"600\""), "{en}");
    for out in ["tower-300.webp", "tower-300.jpg"] {
        let bytes = std::fs::read(site.path(&format!("public/regions/puglia/{out}"))).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains("SERIAL123") && !text.contains("Exif"),
            "{out}"
        );
    }
}

/// Every file of the cache with its modification time.
fn cache_state(site: &Site) -> Vec<(String, std::time::SystemTime)> {
    let mut out: Vec<_> = std::fs::read_dir(site.path(".cache/images"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let modified = e.metadata().unwrap().modified().unwrap();
            (e.file_name().to_string_lossy().into_owned(), modified)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn an_unchanged_rebuild_encodes_and_writes_nothing_and_unused_sizes_are_pruned() {
    let site = bundle_site();
    site.build().assert_ok();
    let cached = cache_state(&site);
    assert_eq!(cached.len(), 10, "sizes and colours: {cached:?}");
    site.build()
        .assert_ok()
        .stdout_has(&[" 0 written,", " 0 removed"]);
    assert_eq!(cache_state(&site), cached, "nothing encoded again");
    // The coast photo leaves the page: its sizes leave the site and the cache.
    for lang in ["zh", "en"] {
        let file = format!("content/regions/puglia/index.{lang}.md");
        let text = std::fs::read_to_string(site.path(&file)).unwrap();
        let cut = text.rfind("\n![").unwrap();
        site.write(&file, &text[..cut]);
    }
    site.build().assert_ok();
    assert!(!site.exists("regions/puglia/coast-960.jpg"));
    let left = cache_state(&site);
    assert_eq!(left.len(), 5, "{left:?}");
    assert!(left.iter().all(|entry| cached.contains(entry)));
}

#[test]
fn broken_and_missing_images_are_errors_at_the_page_and_line_and_nothing_is_published() {
    let site = bundle_site();
    site.write_bytes("content/regions/puglia/trulli.jpg", b"not a photo at all");
    let mut truncated = png(800, 600);
    truncated.truncate(truncated.len() / 2);
    site.write_bytes("content/regions/puglia/coast.jpg", &truncated);
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n\n![Gone](missing.png)\n",
    );
    site.write(
        "content/about/index.zh.md",
        "---\ntitle: 关于\nimage: gone.jpg\n---\n\n\n![没有](missing.png)\n",
    );
    site.remove("content/about.zh.md");
    site.build().assert_failed().stderr_has(&[
        "content/regions/puglia/index.en.md:5",
        "image `trulli.jpg`",
        "content/regions/puglia/index.zh.md:10",
        "image `coast.jpg`: cannot decode it",
        "content/about/index.zh.md:7",
        "image `missing.png`: no such file in content/about/",
        // A cover that is not there: at its `image:` line.
        "content/about/index.zh.md:3",
        "image `gone.jpg`: no such file in content/about/",
    ]);
    assert!(!site.path("public").exists());
}

#[test]
fn an_image_without_alt_text_is_a_warning() {
    let site = bundle_site();
    site.write(
        "content/regions/puglia/index.zh.md",
        "---\ntitle: 普利亚大区\n---\n![](trulli.jpg)\n",
    );
    let run = site.run(&["check", "--format", "json"]);
    assert!(run.stdout.contains("\"image-alt\""), "{}", run.stdout);
    assert!(
        run.stdout.contains("this page's language (`zh`)"),
        "{}",
        run.stdout
    );
}

#[test]
fn new_with_bundle_starts_a_page_as_a_folder_and_a_folder_is_the_same_page_as_a_file() {
    let site = Site::small();
    site.run(&["new", "region", "wallonia", "--bundle"])
        .assert_ok()
        .stdout_has(&[
            "created content/regions/wallonia/index.zh.md",
            "created content/regions/wallonia/index.en.md",
        ]);
    site.run(&["new", "region", "wallonia.en"])
        .assert_failed()
        .stderr_has(&["content/regions/wallonia/index.en.md", "already exists"]);
    site.run(&["new", "region", "attica", "--bundle"])
        .assert_failed()
        .stderr_has(&["content/regions/attica.zh.md", "already exists"]);
    site.build().assert_ok();
}
/// `bundle_site` with the English page's first photo as its cover (`image:`).
fn covered_site() -> Site {
    let site = bundle_site();
    let file = "content/regions/puglia/index.en.md";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    site.write(
        file,
        &text.replacen("---\ntitle", "---\nimage: trulli.jpg\ntitle", 1),
    );
    site
}

#[test]
fn a_cover_image_is_the_social_card() {
    let site = covered_site();
    site.build().assert_ok();
    let en = site.public("en/regions/puglia/index.html");
    assert!(
        en.contains("<meta property=\"og:image\" content=\"https://example.org/regions/puglia/trulli-og.jpg\">"),
        "{en}"
    );
    assert_eq!(
        dimensions(&site.path("public/regions/puglia/trulli-og.jpg")),
        (1200, 630)
    );
    // The cover heads the page and loads first; the text's photos wait.
    let cover = common::element(&en, "<div class=\"cover\">", "</div>");
    assert!(
        cover.contains("trulli-1600.webp 1600w") && cover.contains("fetchpriority=\"high\""),
        "{cover}"
    );
    assert_eq!(en.matches("fetchpriority").count(), 1, "{en}");
    // Its card in the list of regions shows it, in the smallest size.
    let list = site.public("en/regions/index.html");
    assert!(list.contains("<picture><source type=\"image/webp\" srcset=\"/regions/puglia/trulli-480.webp\"><img class=\"card-cover\" src=\"/regions/puglia/trulli-960.jpg\" alt=\"\" width=\"480\" height=\"240\" loading=\"lazy\""), "{list}");
    // An event's cover from static/ shows on the timeline.
    site.write_bytes("static/img/visit.jpg", &jpeg(640, 360));
    let event = "content/events/uruguay-visit.en.md";
    let text = std::fs::read_to_string(site.path(event)).unwrap();
    site.write(
        event,
        &text.replacen("---\ntitle", "---\nimage: /img/visit.jpg\ntitle", 1),
    );
    site.build().assert_ok();
    let timeline = site.public("en/timeline/index.html");
    assert!(timeline.contains("<div class=\"entry-cover\"><picture><source type=\"image/webp\" srcset=\"/img/visit-480.webp\">"), "{timeline}");
    assert!(site.exists("img/visit-og.jpg"));
    // The other language has no cover: its card is the site's.
    let zh = site.public("zh/regions/puglia/index.html");
    assert!(
        zh.contains("content=\"https://example.org/social-card.png\""),
        "{zh}"
    );
}

#[test]
fn an_image_linked_from_outside_the_site_is_not_read() {
    let site = Site::small();
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("secret.jpg"), jpeg(100, 100)).unwrap();
    std::fs::create_dir_all(site.path("static")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret.jpg"),
        site.path("static/secret.jpg"),
    )
    .unwrap();
    site.write(
        "content/about.en.md",
        "---\ntitle: About\n---\n![Secret](/secret.jpg)\n",
    );
    site.build();
    assert!(!site.exists("secret-100.webp"));
    assert!(!site.path(".cache/images").exists());
}

/// The built files, path and bytes, for comparing the preview with a full build.
fn outputs(files: &[henan_stories::output::Output]) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .map(|o| (o.path.clone(), o.bytes.to_vec()))
        .collect()
}

/// The preview's engine on `site`, with the options it was made with.
fn preview(
    site: &Site,
) -> (
    henan_stories::pipeline::Options,
    henan_stories::incremental::Incremental,
) {
    let options = henan_stories::pipeline::Options::new(site.root());
    // Files changed less than a second before are read again whatever (see SourceCache).
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let engine = henan_stories::incremental::Incremental::new(&options)
        .unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    (options, engine)
}

/// The preview's files are those a full build of the same sources makes, byte for byte.
fn assert_same_as_full_build(
    engine: &henan_stories::incremental::Incremental,
    options: &henan_stories::pipeline::Options,
) {
    let full =
        henan_stories::build::build(options).unwrap_or_else(|f| panic!("{:?}", f.diagnostics));
    assert_eq!(outputs(engine.files()), outputs(&full.outputs));
}

#[test]
fn the_preview_drops_sizes_no_page_shows_and_follows_a_replaced_photo() {
    let site = bundle_site();
    let (options, mut engine) = preview(&site);
    assert!(engine.get("regions/puglia/coast-960.jpg").is_some());
    let mut touched = Vec::new();
    for lang in ["zh", "en"] {
        let file = format!("content/regions/puglia/index.{lang}.md");
        let text = std::fs::read_to_string(site.path(&file)).unwrap();
        site.write(&file, &text[..text.rfind("\n![").unwrap()]);
        touched.push(site.path(&file));
    }
    let delta = engine.apply(&touched).unwrap();
    assert!(!delta.full, "{delta:?}");
    assert!(
        delta
            .removed
            .contains(&"regions/puglia/coast-960.jpg".to_owned()),
        "{delta:?}"
    );
    assert_same_as_full_build(&engine, &options);
    // A photo replaced by one of another shape: the page shows its new dimensions.
    site.write_bytes("content/regions/puglia/trulli.jpg", &jpeg(800, 800));
    engine
        .apply(&[site.path("content/regions/puglia/trulli.jpg")])
        .unwrap();
    let page =
        String::from_utf8(engine.get("en/regions/puglia/index.html").unwrap().to_vec()).unwrap();
    assert!(page.contains("width=\"800\" height=\"800\""), "{page}");
    assert_same_as_full_build(&engine, &options);
}

/// The preview lists a page folder again when its times change (and only then): a photo
/// added to it and shown, and a file added beside it, come out as a full build has them.
#[test]
fn the_preview_picks_up_files_added_to_a_page_folder() {
    let site = bundle_site();
    let (options, mut engine) = preview(&site);
    // The folders are stamped on the first edit: from the second on, their listings are kept.
    engine.apply(&[]).unwrap();
    site.write_bytes("content/regions/puglia/map.gpx", b"<gpx/>");
    engine
        .apply(&[site.path("content/regions/puglia/map.gpx")])
        .unwrap();
    assert_eq!(engine.get("regions/puglia/map.gpx"), Some(&b"<gpx/>"[..]));
    assert_same_as_full_build(&engine, &options);
    site.write_bytes("content/regions/puglia/harbour.jpg", &jpeg(900, 600));
    let file = "content/regions/puglia/index.en.md";
    let text = std::fs::read_to_string(site.path(file)).unwrap();
    site.write(file, &format!("{text}\n![The harbour](harbour.jpg)\n"));
    engine
        .apply(&[
            site.path("content/regions/puglia/harbour.jpg"),
            site.path(file),
        ])
        .unwrap();
    let page =
        String::from_utf8(engine.get("en/regions/puglia/index.html").unwrap().to_vec()).unwrap();
    assert!(page.contains("width=\"900\" height=\"600\""), "{page}");
    assert_same_as_full_build(&engine, &options);
}

#[test]
fn the_preview_follows_a_replaced_cover_photo_on_the_page_and_its_cards() {
    use henan_stories::incremental::Incremental;
    let site = covered_site();
    let (options, mut engine) = preview(&site);
    let card = |engine: &Incremental| {
        let list = engine.get("en/regions/index.html").unwrap().to_vec();
        let list = String::from_utf8(list).unwrap();
        common::element(&list, "<img class=\"card-cover\"", ">").to_owned()
    };
    assert!(card(&engine).contains("width=\"480\" height=\"240\""));
    // Square now: the card (on another page than the cover's) keeps the new shape.
    site.write_bytes("content/regions/puglia/trulli.jpg", &jpeg(800, 800));
    engine
        .apply(&[site.path("content/regions/puglia/trulli.jpg")])
        .unwrap();
    assert!(
        card(&engine).contains("width=\"480\" height=\"480\""),
        "{}",
        card(&engine)
    );
    assert_same_as_full_build(&engine, &options);
}

#[test]
fn an_svg_passes_through_with_the_size_it_declares_and_a_large_photo_is_a_warning() {
    let site = Site::small();
    site.write(
        "content/regions/puglia/index.en.md",
        "---\ntitle: Apulia\n---\n![Emblem](emblem.svg)\n\n![Wide](wide.png)\n",
    );
    site.write(
        "content/regions/puglia/emblem.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"120\" height=\"80px\"><rect width=\"10\" height=\"10\"/></svg>",
    );
    site.write_bytes("content/regions/puglia/wide.png", &png(900, 10));
    site.write(
        "site.toml",
        &format!("{}\n[markdown]\nmax_image_px = 800\n", common::SITE_TOML),
    );
    site.build().assert_ok().stderr_has(&[
        "content/regions/puglia/index.en.md:6",
        "image `content/regions/puglia/wide.png` is 900×10 pixels, more than the 800-pixel limit",
    ]);
    let en = site.public("en/regions/puglia/index.html");
    assert!(
        en.contains("<img src=\"/regions/puglia/emblem.svg\" alt=\"Emblem\" width=\"120\" height=\"80\" fetchpriority=\"high\">"),
        "{en}"
    );
    assert_eq!(
        std::fs::read(site.path("public/regions/puglia/emblem.svg")).unwrap(),
        std::fs::read(site.path("content/regions/puglia/emblem.svg")).unwrap()
    );
}
