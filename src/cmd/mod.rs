//! One module per subcommand; each turns its arguments into calls to the pipeline and decides
//! what the user sees.

pub mod build;
pub mod check;
pub mod new;
pub mod serve;
