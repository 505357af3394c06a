//! One module per subcommand; each turns its arguments into calls to the pipeline and decides
//! what the user sees.

pub mod build;

use crate::diagnostics::Diagnostic;
use std::io::IsTerminal;

/// Colour on a terminal, plain text when piped or when `NO_COLOR` is set.
pub fn use_colour() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal()
}

/// Prints diagnostics to stderr, followed by a count.
pub fn report(diagnostics: &[Diagnostic]) {
    let colour = use_colour();
    let mut text = String::new();
    for d in diagnostics {
        text.push_str(&d.render(colour));
    }
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    let warnings = diagnostics.len() - errors;
    if errors > 0 {
        text.push_str(&format!(
            "{errors} error{} and {warnings} warning{}; nothing was published\n",
            plural(errors),
            plural(warnings)
        ));
    }
    eprint!("{text}");
}

pub fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
