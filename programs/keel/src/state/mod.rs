//! Program accounts.
pub mod margin_account;
pub mod market;
pub mod pending_change;
pub mod pool;

pub use margin_account::*;
pub use market::*;
pub use pending_change::*;
pub use pool::*;
