//! Market configuration files and listings: `keel_sdk::config_file` (shared with the simulator,
//! which writes listings), re-exported for the CLI's commands.
pub use keel_sdk::config_file::*;

impl From<ConfigError> for crate::context::CliError {
    fn from(e: ConfigError) -> crate::context::CliError {
        crate::context::CliError(e.0)
    }
}
