//! Keel client SDK: PDA derivation, instruction builders, account decoders, health computed with
//! the program's own math, and a `Chain` abstraction with a JSON-RPC backend (real clusters) and an
//! in-process backend (the runtime of `solana-program-test`), so everything above it — the CLI,
//! the liquidator, the simulator — is written once. Built on the `keel` crate with
//! `no-entrypoint`, so no client can disagree with the chain.
pub mod chain;
pub mod compute;
pub mod config_file;
pub mod decode;
pub mod defaults;
pub mod instructions;
pub mod liquidation_file;
pub mod localnet;
pub mod lookup;
pub mod oracle;
pub mod paths;
pub mod pda;
pub mod risk;

pub use keel;
