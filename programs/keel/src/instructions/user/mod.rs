//! Instructions a trader signs (and `repay`, which anyone may sign).
pub mod borrow;
pub mod close_account;
pub mod deposit;
pub mod health_guard;
pub mod market_vault;
pub mod open_account;
pub mod owner_transfer;
pub mod repay;
pub mod set_delegate;
pub mod withdraw;

pub use borrow::*;
pub use close_account::*;
pub use deposit::*;
pub use market_vault::*;
pub use open_account::*;
pub use owner_transfer::*;
pub use repay::*;
pub use set_delegate::*;
pub use withdraw::*;
