//! Market configurations as people write them (TOML), converted to and from the program's types,
//! and the listing `keel migrate` applies. Used by `keel gov` (tighten, queue), `keel migrate`
//! and the simulator's parameter frontier (which writes listings).
use serde::{Deserialize, Serialize};

/// A configuration file that does not describe a valid configuration, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// A pool's markets as `keel migrate` applies them:
///
/// ```toml
/// [[market]]
/// mint = "..."
/// token_program = "..."        # optional, SPL Token by default
/// [market.config]              # a MarketConfigFile
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Listing {
    /// The markets, in listing order.
    pub market: Vec<ListingEntry>,
}

/// One market of a listing.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListingEntry {
    /// The market's mint (base58).
    pub mint: String,
    /// Its token program (base58); SPL Token when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_program: Option<String>,
    /// Its configuration.
    pub config: MarketConfigFile,
}
pub use crate::liquidation_file::LiquidationConfigFile;
use keel::math::emode::EmodeConfig;
use keel::math::health::RiskWeights;
use keel::math::interest::InterestCurve;
use keel::math::liquidation::BonusConfig;
use keel::math::rate_limit::OutflowLimit;
use keel::state::{MarketConfig, OracleConfig, OracleGuard, SecondaryOracle};

/// A market configuration file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketConfigFile {
    /// Pyth feed id, 64 hex characters (an optional 0x prefix).
    pub feed_id: String,
    /// The price update account the market reads (base58); Pyth's sponsored feed account of
    /// `feed_id` (shard 0) when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_account: Option<String>,
    /// Oldest acceptable price, seconds.
    pub max_age_secs: u32,
    /// Widest acceptable confidence, bps of price.
    pub max_conf_bps: u16,
    /// Collateral weight for opening, bps.
    pub init_asset_weight_bps: u16,
    /// Collateral weight for staying open, bps.
    pub maint_asset_weight_bps: u16,
    /// Borrow weight for opening, bps.
    pub init_liab_weight_bps: u16,
    /// Borrow weight for staying open, bps.
    pub maint_liab_weight_bps: u16,
    /// Rate at zero utilisation, APR bps.
    pub base_rate_bps: u32,
    /// Rate added up to the kink, APR bps.
    pub slope1_bps: u32,
    /// Rate added past the kink, APR bps.
    pub slope2_bps: u32,
    /// The kink, bps.
    pub optimal_util_bps: u16,
    /// Share of interest to the insurance fund, bps.
    pub reserve_factor_bps: u16,
    /// Largest total deposits, base units.
    pub deposit_cap: u64,
    /// Largest total debt, base units.
    pub borrow_cap: u64,
    /// Smallest liquidation bonus, bps.
    pub min_bonus_bps: u16,
    /// Largest liquidation bonus, bps.
    pub max_bonus_bps: u16,
    /// Protocol share of the bonus, bps.
    pub protocol_fee_bps: u16,
    /// Most that may leave the vault per window, base units.
    pub max_outflow: u64,
    /// The outflow window, seconds.
    pub outflow_window_secs: u32,
    /// A second price source: a Switchboard On-Demand pull feed account (base58); none when
    /// absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_feed: Option<String>,
    /// The pull feed's hash, 64 hex characters (required with `secondary_feed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secondary_feed_hash: Option<String>,
    /// Oldest acceptable second-source update, seconds.
    #[serde(default)]
    pub secondary_max_age_secs: u32,
    /// Widest acceptable second-source standard deviation, bps of its value.
    #[serde(default)]
    pub secondary_max_conf_bps: u16,
    /// Largest gap between the two sources still called agreement, bps.
    #[serde(default = "guard_default::max_divergence_bps")]
    pub max_divergence_bps: u16,
    /// Haircut on a price from the second source alone, bps.
    #[serde(default = "guard_default::fallback_haircut_bps")]
    pub fallback_haircut_bps: u16,
    /// Volatility that costs no extra initial margin, bps.
    #[serde(default = "guard_default::vol_margin_floor_bps")]
    pub vol_margin_floor_bps: u16,
    /// Extra initial haircut per unit of volatility past the floor, bps of 1x.
    #[serde(default = "guard_default::vol_margin_mult_bps")]
    pub vol_margin_mult_bps: u16,
    /// Largest extra initial haircut from volatility, bps.
    #[serde(default = "guard_default::vol_margin_cap_bps")]
    pub vol_margin_cap_bps: u16,
    /// Flash-loan fee, bps of the amount lent (to the insurance fund).
    #[serde(default = "guard_default::flash_fee_bps")]
    pub flash_fee_bps: u16,
    /// Total deposits' value, whole USD, past which the initial collateral weight scales down;
    /// 0 or absent: no limit.
    #[serde(default)]
    pub init_value_limit_usd: u64,
    /// E-mode group (0 or absent: none): inside it, this market's collateral backing debt only
    /// of the group is weighted with the two e-mode weights below.
    #[serde(default)]
    pub emode_group: u8,
    /// Initial collateral weight inside the e-mode group, bps.
    #[serde(default)]
    pub emode_init_asset_weight_bps: u16,
    /// Maintenance collateral weight inside the e-mode group, bps.
    #[serde(default)]
    pub emode_maint_asset_weight_bps: u16,
}

/// The shipped oracle guard and flash fee, for files written before they existed.
mod guard_default {
    pub fn max_divergence_bps() -> u16 {
        crate::defaults::default_guard().max_divergence_bps
    }
    pub fn fallback_haircut_bps() -> u16 {
        crate::defaults::default_guard().fallback_haircut_bps
    }
    pub fn vol_margin_floor_bps() -> u16 {
        crate::defaults::default_guard().vol_margin_floor_bps
    }
    pub fn vol_margin_mult_bps() -> u16 {
        crate::defaults::default_guard().vol_margin_mult_bps
    }
    pub fn vol_margin_cap_bps() -> u16 {
        crate::defaults::default_guard().vol_margin_cap_bps
    }
    pub fn flash_fee_bps() -> u16 {
        crate::defaults::DEFAULT_FLASH_FEE_BPS
    }
}

fn feed_id(hex: &str) -> Result<[u8; 32], ConfigError> {
    hex32("feed_id", hex)
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hex32(field: &str, hex: &str) -> Result<[u8; 32], ConfigError> {
    let h = hex.strip_prefix("0x").unwrap_or(hex);
    let bad = || ConfigError(format!("{field} '{hex}' is not 32 bytes of hex"));
    if h.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&h[2 * i..2 * i + 2], 16).map_err(|_| bad())?;
    }
    Ok(out)
}

impl MarketConfigFile {
    /// Parse TOML.
    pub fn parse(text: &str) -> Result<MarketConfigFile, ConfigError> {
        toml::from_str(text)
            .map_err(|e| ConfigError(format!("invalid market config: {}", e.message())))
    }

    /// The program's configuration.
    pub fn to_config(&self) -> Result<MarketConfig, ConfigError> {
        Ok(MarketConfig {
            oracle: OracleConfig {
                feed_id: feed_id(&self.feed_id)?,
                price_account: match &self.price_account {
                    Some(a) => a.parse().map_err(|_| {
                        ConfigError(format!("price_account '{a}' is not a base58 address"))
                    })?,
                    None => crate::oracle::pyth_feed_address(0, &feed_id(&self.feed_id)?),
                },
                max_age_secs: self.max_age_secs,
                max_conf_bps: self.max_conf_bps,
            },
            weights: RiskWeights {
                init_asset_weight_bps: self.init_asset_weight_bps,
                maint_asset_weight_bps: self.maint_asset_weight_bps,
                init_liab_weight_bps: self.init_liab_weight_bps,
                maint_liab_weight_bps: self.maint_liab_weight_bps,
            },
            curve: InterestCurve {
                base_rate_bps: self.base_rate_bps,
                slope1_bps: self.slope1_bps,
                slope2_bps: self.slope2_bps,
                optimal_util_bps: self.optimal_util_bps,
            },
            reserve_factor_bps: self.reserve_factor_bps,
            deposit_cap: self.deposit_cap,
            borrow_cap: self.borrow_cap,
            bonus: BonusConfig {
                min_bonus_bps: self.min_bonus_bps,
                max_bonus_bps: self.max_bonus_bps,
                protocol_fee_bps: self.protocol_fee_bps,
            },
            outflow: OutflowLimit {
                max_outflow: self.max_outflow,
                window_secs: self.outflow_window_secs,
            },
            secondary: self.secondary()?,
            guard: OracleGuard {
                max_divergence_bps: self.max_divergence_bps,
                fallback_haircut_bps: self.fallback_haircut_bps,
                vol_margin_floor_bps: self.vol_margin_floor_bps,
                vol_margin_mult_bps: self.vol_margin_mult_bps,
                vol_margin_cap_bps: self.vol_margin_cap_bps,
            },
            flash_fee_bps: self.flash_fee_bps,
            init_value_limit_usd: self.init_value_limit_usd,
            emode: EmodeConfig {
                group: self.emode_group,
                init_asset_weight_bps: self.emode_init_asset_weight_bps,
                maint_asset_weight_bps: self.emode_maint_asset_weight_bps,
            },
        })
    }

    fn secondary(&self) -> Result<SecondaryOracle, ConfigError> {
        let Some(feed) = &self.secondary_feed else {
            return Ok(SecondaryOracle::default());
        };
        let hash = self
            .secondary_feed_hash
            .as_deref()
            .ok_or_else(|| ConfigError("secondary_feed needs its secondary_feed_hash".into()))?;
        Ok(SecondaryOracle {
            feed: feed.parse().map_err(|_| {
                ConfigError(format!("secondary_feed '{feed}' is not a base58 address"))
            })?,
            feed_hash: hex32("secondary_feed_hash", hash)?,
            max_age_secs: self.secondary_max_age_secs,
            max_conf_bps: self.secondary_max_conf_bps,
        })
    }

    /// The file form of the program's configuration.
    pub fn from_config(c: &MarketConfig) -> MarketConfigFile {
        let w = &c.weights;
        MarketConfigFile {
            feed_id: to_hex(&c.oracle.feed_id),
            price_account: (c.oracle.price_account
                != crate::oracle::pyth_feed_address(0, &c.oracle.feed_id))
            .then(|| c.oracle.price_account.to_string()),
            max_age_secs: c.oracle.max_age_secs,
            max_conf_bps: c.oracle.max_conf_bps,
            init_asset_weight_bps: w.init_asset_weight_bps,
            maint_asset_weight_bps: w.maint_asset_weight_bps,
            init_liab_weight_bps: w.init_liab_weight_bps,
            maint_liab_weight_bps: w.maint_liab_weight_bps,
            base_rate_bps: c.curve.base_rate_bps,
            slope1_bps: c.curve.slope1_bps,
            slope2_bps: c.curve.slope2_bps,
            optimal_util_bps: c.curve.optimal_util_bps,
            reserve_factor_bps: c.reserve_factor_bps,
            deposit_cap: c.deposit_cap,
            borrow_cap: c.borrow_cap,
            min_bonus_bps: c.bonus.min_bonus_bps,
            max_bonus_bps: c.bonus.max_bonus_bps,
            protocol_fee_bps: c.bonus.protocol_fee_bps,
            max_outflow: c.outflow.max_outflow,
            outflow_window_secs: c.outflow.window_secs,
            secondary_feed: c.secondary.is_set().then(|| c.secondary.feed.to_string()),
            secondary_feed_hash: c.secondary.is_set().then(|| to_hex(&c.secondary.feed_hash)),
            secondary_max_age_secs: c.secondary.max_age_secs,
            secondary_max_conf_bps: c.secondary.max_conf_bps,
            max_divergence_bps: c.guard.max_divergence_bps,
            fallback_haircut_bps: c.guard.fallback_haircut_bps,
            vol_margin_floor_bps: c.guard.vol_margin_floor_bps,
            vol_margin_mult_bps: c.guard.vol_margin_mult_bps,
            vol_margin_cap_bps: c.guard.vol_margin_cap_bps,
            flash_fee_bps: c.flash_fee_bps,
            init_value_limit_usd: c.init_value_limit_usd,
            emode_group: c.emode.group,
            emode_init_asset_weight_bps: c.emode.init_asset_weight_bps,
            emode_maint_asset_weight_bps: c.emode.maint_asset_weight_bps,
        }
    }
}

/// `field: old -> new` for every field that differs.
pub fn diff(old: &MarketConfig, new: &MarketConfig) -> Vec<String> {
    let (a, b) = (
        serde_json::to_value(MarketConfigFile::from_config(old)).unwrap_or_default(),
        serde_json::to_value(MarketConfigFile::from_config(new)).unwrap_or_default(),
    );
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return vec![];
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(v))
        .map(|(k, v)| format!("{k}: {v} -> {}", b[k]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_diffs() {
        let text = r#"
feed_id = "0x0101010101010101010101010101010101010101010101010101010101010101"
max_age_secs = 60
max_conf_bps = 200
init_asset_weight_bps = 8000
maint_asset_weight_bps = 8500
init_liab_weight_bps = 10000
maint_liab_weight_bps = 10000
base_rate_bps = 0
slope1_bps = 1000
slope2_bps = 30000
optimal_util_bps = 8000
reserve_factor_bps = 1000
deposit_cap = 1000000
borrow_cap = 500000
min_bonus_bps = 250
max_bonus_bps = 1000
protocol_fee_bps = 2500
max_outflow = 18446744073709551615
outflow_window_secs = 3600
"#;
        let c = MarketConfigFile::parse(text).unwrap().to_config().unwrap();
        assert_eq!(c.oracle.feed_id, [1; 32]);
        assert_eq!(MarketConfigFile::from_config(&c).to_config().unwrap(), c);
        let mut d = c;
        d.borrow_cap = 1;
        assert_eq!(diff(&c, &d), vec!["borrow_cap: 500000 -> 1".to_string()]);
        assert!(MarketConfigFile::parse("feed_id = 1").is_err());
        assert!(MarketConfigFile::parse(&text.replace("0x01", "0xzz"))
            .unwrap()
            .to_config()
            .is_err());
        // a file written before the oracle guard gets the shipped one and no second source
        assert_eq!(c.guard, crate::defaults::default_guard());
        assert!(!c.secondary.is_set());
        // a second source round-trips, and needs its feed hash
        let with = format!(
            "{text}secondary_feed = \"{}\"\nsecondary_feed_hash = \"{}\"\nsecondary_max_age_secs = 30\nsecondary_max_conf_bps = 150\nmax_divergence_bps = 250\n",
            anchor_lang::prelude::Pubkey::new_from_array([9; 32]),
            "ab".repeat(32)
        );
        let s = MarketConfigFile::parse(&with).unwrap().to_config().unwrap();
        assert_eq!(s.secondary.feed_hash, [0xab; 32]);
        assert_eq!(
            (s.secondary.max_age_secs, s.secondary.max_conf_bps),
            (30, 150)
        );
        assert_eq!(s.guard.max_divergence_bps, 250);
        assert_eq!(MarketConfigFile::from_config(&s).to_config().unwrap(), s);
        let no_hash = with.replace("secondary_feed_hash", "# secondary_feed_hash");
        assert!(MarketConfigFile::parse(&no_hash)
            .unwrap()
            .to_config()
            .is_err());
    }
}
