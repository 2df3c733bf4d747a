//! Keel client SDK: PDA derivation, instruction builders and account decoders, built on the
//! program's own types (the `keel` crate with `no-entrypoint`) so no client can disagree with it.
pub mod decode;
pub mod instructions;
pub mod pda;

pub use keel;
