//! Instruction handlers: one file each, with its `Accounts` struct.
pub mod admin;
pub mod flash;
pub mod keeper;
pub mod market_accrual;
pub mod orders;
pub mod user;

pub use admin::*;
pub use flash::*;
pub use keeper::*;
pub use orders::*;
pub use user::*;
