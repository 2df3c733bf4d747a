//! An embedded Keel chain, for the test suite and the simulator: the program runs inside
//! `solana-program-test` next to the real SPL Token and Token-2022 programs, prices are written as
//! Pyth `PriceUpdateV2` accounts, and time moves by warping the clock. When
//! `target/deploy/keel.so` exists (built elsewhere with `anchor build`) the SBF binary is loaded
//! instead of the native build, unchanged.
// solana-program-test 3.x marks its whole API deprecated ahead of an `agave-unstable-api` feature gate.
#![allow(deprecated)]
pub mod bank;
pub mod bank_chain;
pub mod env;
pub mod invariants;
pub mod native_logs;
pub mod program_index;
pub mod pyth;
pub mod tokens;
pub mod world;

pub use env::TestEnv;
pub use world::{KeySource, MarketSpec, Trader, World, WorldOptions};
