//! Token movement in and out of market vaults.
pub mod mint_policy;
pub mod transfer;
