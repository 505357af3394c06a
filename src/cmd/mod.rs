//! One module per subcommand; each turns its arguments into calls to the pipeline and decides
//! what the user sees.

pub mod build;
pub mod check;
pub mod new;
pub mod serve;

use crate::diagnostics::Diagnostic;
use std::io::{IsTerminal, Write};

/// Colour on a terminal, plain text when piped or when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, followed by a count when there are errors.
pub fn report(diagnostics: &[Diagnostic]) {
    eprint(&report_text(
        diagnostics,
        use_colour(),
        "nothing was published",
    ));
}

/// Writes `text` to stdout. A reader that stopped reading (`build | head -1`) did not want the
/// rest: that is done, not an error (and never a panic, as `println!` would make it).
pub fn print(text: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

/// Writes `text` to stderr; when stderr is gone there is nowhere left to say so.
pub fn eprint(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Diagnostics as `report` prints them; when there are errors, the count ends with `outcome`
/// (what the command did about them).
pub fn report_text(diagnostics: &[Diagnostic], colour: bool, outcome: &str) -> String {
    let mut text: String = diagnostics.iter().map(|d| d.render(colour)).collect();
    if diagnostics.iter().any(Diagnostic::is_error) {
        text.push_str(&format!("{}; {outcome}\n", count(diagnostics)));
    }
    text
}

/// Every diagnostic rendered like the Rust compiler's, coloured only on a terminal.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let colour = use_colour();
    diagnostics.iter().map(|d| d.render(colour)).collect()
}

/// `2 errors and 1 warning`.
pub fn count(diagnostics: &[Diagnostic]) -> String {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    format!(
        "{errors} error{} and {warnings} warning{}",
        plural(errors),
        plural(warnings)
    )
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
