//! What the simulator's test files share: the shipped scenarios.
use keel_simulator::Scenario;
use std::path::{Path, PathBuf};

/// `app/simulator/scenarios`.
pub fn scenarios_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios")
}

/// The small crash scenario (`scenarios/small-crash.toml`).
pub fn small() -> Scenario {
    let text = std::fs::read_to_string(scenarios_dir().join("small-crash.toml")).unwrap();
    Scenario::from_toml(&text).unwrap()
}
