//! Pure money math: no accounts, no syscalls. Shared by the program, the SDK and the bot.
pub mod emode;
pub mod fixed;
pub mod flash;
pub mod health;
pub mod health_sums;
pub mod insurance;
pub mod interest;
pub mod liquidation;
pub mod order;
pub mod provision;
pub mod rate_limit;
mod robustness;
pub mod shares;
pub mod size_aware;
pub mod volatility;
pub mod weight_ramp;
pub mod wide;
