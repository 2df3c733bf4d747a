//! Permissionless instructions: anyone may call them.
pub mod accrue;
pub mod book_provision;
pub mod execute_change;
pub mod health;
pub mod liquidate;
pub mod rebalance_insurance;
pub mod settle_bad_debt;

pub use accrue::*;
pub use book_provision::*;
pub use execute_change::*;
pub use health::*;
pub use liquidate::*;
pub use rebalance_insurance::*;
pub use settle_bad_debt::*;
