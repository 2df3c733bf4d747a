//! Deleverage orders (pre-liquidation): an account's owner or delegate posts "when my health falls
//! below h (or a price crosses p), repay up to R of debt D with collateral C, paying the executor
//! at most b"; anyone executes a triggered order through the program's own checks (Kamino's
//! obligation orders, Morpho's pre-liquidation). Take-profit and stop-loss are price orders.
pub mod cancel_order;
mod execute_exchange;
pub mod execute_order;
pub mod post_order;

pub use cancel_order::*;
pub use execute_order::*;
pub use post_order::*;
