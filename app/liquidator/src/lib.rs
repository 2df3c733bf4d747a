//! Keel liquidator: discover a pool's margin accounts, value them in memory with the program's own
//! math, and for each liquidatable one pick the (repay, seize) pair and amount that maximise profit
//! within the close factor and the bot's inventory; simulate, send with a compute budget, and treat
//! a lost race (already liquidated, health restored) as a skip, never a crash or a retry loop.
//!
//! The bot keeps no state between passes: every pass reads the chain afresh, so a restarted bot
//! cannot act twice on the same opportunity.
pub mod bench;
pub mod book;
pub mod config;
pub mod evaluate;
pub mod execute;
pub mod flash;
pub mod orders;
pub mod snapshot;
pub mod strategy;
pub mod stream;

pub use config::Config;
pub use execute::{execute, plan, prepare, run_pass, PassReport, Plan};
