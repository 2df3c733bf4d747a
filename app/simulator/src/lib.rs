//! Keel's risk simulator: the real program, the real liquidator bot logic and real transactions
//! on an embedded chain (`keel-localnet`), through a market crash and network congestion.
//!
//! A run draws a price path per market and a population of traders from its seed, lists the
//! scenario's markets in a fresh pool, opens every lender and trader position by transaction,
//! and then steps through the path: the clock is warped, Pyth `PriceUpdateV2` accounts are
//! written, and liquidator bots (`keel_liquidator::prepare` / `execute`, unchanged) act within
//! the block space and reaction delay the scenario allows. Figures come from the program's own
//! events and a read of every account after each step. Every key is derived from the seed, so the
//! same seed gives the same report.
//!
//! Modules: [`scenario`] (TOML), [`builtin`] (Black Thursday), [`price_path`], [`oracle`],
//! [`depth`] (price impact), [`desk`] (liquidator capital and sales), [`population`], [`setup`],
//! [`engine`] (a run), [`metrics`], [`report`] (summary, CSV), [`market_report`] (per market),
//! [`plot`] (SVG), [`monte_carlo`] (runs and sweeps), [`cli`] (`keel simulate`).
// solana-program-test 3.x marks its whole API deprecated ahead of an `agave-unstable-api` feature gate.
#![allow(deprecated)]
pub mod bench;
pub mod bots;
pub mod builtin;
pub mod cli;
pub mod depth;
pub mod desk;
pub mod engine;
pub mod flash_desks;
pub mod frontier;
pub mod frontier_report;
pub mod keeper;
pub mod liquidators;
pub mod market_report;
pub mod metrics;
pub mod monte_carlo;
pub mod network;
pub mod oracle;
pub mod parallel;
pub mod plot;
pub mod population;
pub mod price_path;
pub mod record;
pub mod report;
pub mod scenario;
pub mod scenario_checks;
pub mod series_csv;
pub mod setup;
pub mod shard;
pub mod stress;

pub use engine::{run, run_paths, RunResult, Silent};
pub use scenario::Scenario;

/// Why a simulation could not run or finish.
#[derive(Debug, Clone, PartialEq)]
pub struct SimError(pub String);

impl std::fmt::Display for SimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SimError {}
