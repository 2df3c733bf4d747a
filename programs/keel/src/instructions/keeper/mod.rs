//! Permissionless instructions: anyone may call them.
pub mod accrue;
pub mod execute_change;
pub mod health;
pub mod liquidate;
pub mod settle_bad_debt;

pub use accrue::*;
pub use execute_change::*;
pub use health::*;
pub use liquidate::*;
pub use settle_bad_debt::*;
