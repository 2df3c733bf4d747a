//! Token movement in and out of market vaults.
pub mod transfer;
pub mod mint_policy;
