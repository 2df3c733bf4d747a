//! Test harness for Keel on the real Solana runtime: the embedded chain of `keel-localnet`,
//! re-exported under the paths the suite uses.
pub use keel_localnet::{env, invariants, native_logs, pyth, relay, swap, tokens, world};
pub use keel_localnet::{MarketSpec, TestEnv, Trader, World};
