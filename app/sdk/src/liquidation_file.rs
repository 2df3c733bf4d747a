//! The pool's liquidation parameters as a TOML file (`keel gov queue-liquidation`).
use crate::config_file::ConfigError;
use keel::math::liquidation::LiquidationConfig;
use serde::{Deserialize, Serialize};

/// Pool liquidation parameters as a file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LiquidationConfigFile {
    /// Close factor, bps.
    pub close_factor_bps: u16,
    /// Health factor under which the whole debt may go, bps.
    pub full_close_hf_bps: u16,
    /// Debt value under which the whole debt may go, USD.
    pub dust_debt_usd: u32,
    /// Health factor a liquidation may not lift the account past, bps.
    pub target_hf_bps: u16,
    /// Seconds without a liquidation that end an account's liquidation episode (the bonus is
    /// flat: issue 27).
    pub bonus_ramp_secs: u32,
    /// Seconds of grace after liquidation resumes.
    pub grace_secs: u32,
}

impl LiquidationConfigFile {
    /// Parse TOML into the program's type.
    pub fn parse(text: &str) -> Result<LiquidationConfig, ConfigError> {
        let f: LiquidationConfigFile = toml::from_str(text)
            .map_err(|e| ConfigError(format!("invalid liquidation config: {}", e.message())))?;
        Ok(LiquidationConfig {
            close_factor_bps: f.close_factor_bps,
            full_close_hf_bps: f.full_close_hf_bps,
            dust_debt_usd: f.dust_debt_usd,
            target_hf_bps: f.target_hf_bps,
            bonus_ramp_secs: f.bonus_ramp_secs,
            grace_secs: f.grace_secs,
        })
    }
}
