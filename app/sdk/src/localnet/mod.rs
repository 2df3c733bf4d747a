//! A Keel pool on a local cluster that speaks Surfpool's cheat codes (`keel localnet`, the
//! validator tests): `keel.so` deployed, one test mint per market (SPL Token or Token-2022, the
//! admin as mint authority), a Pyth price account per market kept fresh, a pool listed with real
//! transactions, and a faucet that mints with a real `mint_to`.
//!
//! Only what a cluster cannot do for itself goes through a cheat code: writing the program
//! (`surfnet_writeProgram`, Surfpool's deploy) and writing Pyth price accounts
//! (`surfnet_setAccount`: there is no Pyth on a local cluster). Everything else is an ordinary
//! signed transaction a wallet could send.
mod pool;
mod surfnet;

pub use pool::{Listing, LocalMarket, LocalPool, Roles};
pub use surfnet::Surfnet;
