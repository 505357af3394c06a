//! The site's layout: the names of its source folders and of the pages every language gets.
//! A leaf: it names things and depends on nothing, so every stage can share one spelling.

/// The site's configuration file, at the site root.
pub const CONFIG_FILE: &str = "site.toml";
/// Markdown pages with front matter.
pub const CONTENT_DIR: &str = "content";
/// Tera templates that override the built-in theme file by file.
pub const TEMPLATES_DIR: &str = "templates";
/// Files published as they are (the site's own win over the built-in theme's).
pub const STATIC_DIR: &str = "static";
/// Every folder a build reads, with the configuration file: what the preview watches.
pub const SOURCES: [&str; 4] = [CONTENT_DIR, TEMPLATES_DIR, STATIC_DIR, CONFIG_FILE];

/// The file in an output folder that marks it as this tool's and lists what the build wrote.
pub const MANIFEST: &str = ".henan-stories.manifest";

/// Pages every language gets besides its content: `/<lang>/<name>/`.
pub const SPECIAL_PAGES: [&str; 3] = ["timeline", "map", "search"];

/// The folder of each language's country pages: `/<lang>/countries/`.
pub const COUNTRIES_DIR: &str = "countries";
/// The folder of each language's tag pages: `/<lang>/tags/`.
pub const TAGS_DIR: &str = "tags";
/// Folders of pages every language gets besides its content (see `taxonomy`).
pub const BUILTIN_FOLDERS: [&str; 2] = [COUNTRIES_DIR, TAGS_DIR];

/// Which source a file of the site belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// `site.toml`: everything depends on it.
    Config,
    Content,
    Template,
    Static,
}

impl Source {
    /// The source named by the first component of a path relative to the site root; `None`
    /// outside the sources. (Whether the file itself is read is `files::source`'s question.)
    pub fn of(first: &str, whole: &str) -> Option<Source> {
        match first {
            CONFIG_FILE if whole == CONFIG_FILE => Some(Source::Config),
            CONTENT_DIR => Some(Source::Content),
            TEMPLATES_DIR => Some(Source::Template),
            STATIC_DIR => Some(Source::Static),
            _ => None,
        }
    }
}
