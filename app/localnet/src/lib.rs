//! An embedded Keel chain, for the test suite and the simulator: the program runs in the bank
//! solana-program-test builds (the real Agave 3.1 runtime), next to the real SPL Token and
//! Token-2022 programs, driven by direct calls rather than through a BanksServer (`bank`); prices
//! are written as Pyth `PriceUpdateV2` accounts (and Switchboard pull feeds for a second source), and time moves by warping the clock. When
//! `target/deploy/keel.so` exists and this runtime can load it, the SBF binary is loaded instead
//! of the native build, unchanged. `BankChain` is the SDK's `Chain` on it.
// solana-program-test 3.x marks its whole API deprecated ahead of an `agave-unstable-api` feature gate.
#![allow(deprecated)]
pub mod actions;
pub mod bank;
pub mod bank_chain;
pub mod env;
pub mod invariants;
pub mod keys;
pub mod native_logs;
pub mod program_index;
pub mod pyth;
pub mod relay;
pub mod swap;
pub mod switchboard;
pub mod tokens;
pub mod world;

pub use env::TestEnv;
pub use world::{KeySource, MarketSpec, Trader, World, WorldOptions};
