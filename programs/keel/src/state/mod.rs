//! Program accounts.
pub mod health_report;
pub mod margin_account;
pub mod market;
pub mod market_pricing;
pub mod oracle_config;
pub mod pending_change;
pub mod pool;
pub mod roles;

pub use health_report::*;
pub use margin_account::*;
pub use market::*;
pub use market_pricing::MarketPricing;
pub use pending_change::*;
pub use pool::*;
pub use roles::*;
