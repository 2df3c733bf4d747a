//! Program accounts.
pub mod delegate;
pub mod flash_loan;
pub mod health_report;
pub mod margin_account;
pub mod market;
#[cfg(test)]
mod market_bounds_tests;
#[cfg(test)]
mod market_layout_tests;
pub mod market_pricing;
pub mod market_view;
pub mod oracle_config;
pub mod order;
pub mod pending_change;
pub mod pool;
pub mod roles;

pub use delegate::*;
pub use flash_loan::FlashLoan;
pub use health_report::*;
pub use margin_account::*;
pub use market::*;
pub use market_pricing::MarketPricing;
pub use order::*;
pub use pending_change::*;
pub use pool::*;
pub use roles::*;
