//! Paths the way Solana users write them (`~/.config/solana/id.json`).
use std::path::PathBuf;

/// `path` with a leading `~/` replaced by the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => PathBuf::from(std::env::var("HOME").unwrap_or_default()).join(rest),
        None => PathBuf::from(path),
    }
}
