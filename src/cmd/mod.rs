//! One module per subcommand; each turns its arguments into calls to the pipeline and decides
//! what the user sees.

pub mod build;
pub mod check;
pub mod new;

use crate::diagnostics::Diagnostic;
use std::io::IsTerminal;

/// Colour on a terminal, plain text when piped or when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, followed by a count when there are errors.
pub fn report(diagnostics: &[Diagnostic]) {
    let mut text = render_all(diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        text.push_str(&format!("{}; nothing was published\n", count(diagnostics)));
    }
    eprint!("{text}");
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
