//! Oracle adapters: turn an account the caller passed into a validated `OraclePrice`.
pub mod pyth;
