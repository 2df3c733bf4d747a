//! Program accounts.
pub mod margin_account;
pub mod market;
pub mod pool;

pub use margin_account::*;
pub use market::*;
pub use pool::*;
