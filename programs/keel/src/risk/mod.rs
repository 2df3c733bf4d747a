//! Bridges accounts to the pure health engine: verifying and pricing a margin account's positions.
pub mod account_health;
pub mod bad_debt;
pub mod exchange;
mod position_price;
pub mod provision;
