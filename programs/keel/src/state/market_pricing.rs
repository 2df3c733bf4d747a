//! A market account's fixed Borsh layout (every field of `Market` has a fixed size), read at its
//! offsets rather than by deserializing the whole `Market` (on SBF that saves most of the ~800 CU
//! a full deserialization costs): field by field for pricing in place (state/market_view.rs,
//! once per position of every health check), and copied out as `MarketPricing` where an
//! instruction reads a market it does not price (orders). A test (state/market_layout_tests.rs)
//! pins the offsets to Borsh's layout.
//!
//! ```text
//! [discriminator 8][pool 32][mint 32][token_program 32][vault 32][decimals 1][bump 1][vault_bump 1]
//! [config MarketConfig][deposit_index 16][borrow_index 16][total_deposit_shares 16]
//! [total_borrow_shares 16][insurance_fund 16][bad_debt_socialised 16][last_accrual_ts 8]
//! [active_after 8][outflow OutflowWindow][last_publish_time 8][maint_ramp WeightRamp]
//! [config_version 8][last_secondary_publish_time 8][flash_loan 16]
//! MarketConfig = [oracle 70][weights 8][curve 14][reserve 2][caps 16][bonus 6][outflow 12]
//!                [secondary 70][guard 10][flash_fee_bps 2][init_value_limit_usd 8][emode 5]
//! ```
use crate::errors::KeelError;
use crate::math::emode::EmodeConfig;
use crate::math::fixed::Wad;
use crate::math::health::RiskWeights;
use crate::math::interest::{accrue, shares_value, Accrual, InterestCurve};
use crate::math::liquidation::BonusConfig;
use crate::math::rate_limit::{OutflowLimit, OutflowWindow};
use crate::math::weight_ramp::WeightRamp;
use crate::state::{FlashLoan, Market, MarketConfig, OracleConfig, OracleGuard, SecondaryOracle};
use anchor_lang::prelude::*;
use anchor_lang::Discriminator;

pub(crate) const POOL: usize = 8;
pub(crate) const DECIMALS: usize = POOL + 32 * 4;
pub(crate) const CONFIG: usize = DECIMALS + 3;
pub(crate) const DEPOSIT_INDEX: usize = CONFIG + MarketConfig::INIT_SPACE;
pub(crate) const BORROW_INDEX: usize = DEPOSIT_INDEX + 16;
pub(crate) const TOTAL_DEPOSIT_SHARES: usize = BORROW_INDEX + 16;
pub(crate) const TOTAL_BORROW_SHARES: usize = TOTAL_DEPOSIT_SHARES + 16;
pub(crate) const LAST_ACCRUAL_TS: usize = TOTAL_BORROW_SHARES + 16 * 3;
pub(crate) const LAST_PUBLISH_TIME: usize = LAST_ACCRUAL_TS + 8 * 2 + OutflowWindow::INIT_SPACE;
pub(crate) const MAINT_RAMP: usize = LAST_PUBLISH_TIME + 8;
pub(crate) const CONFIG_VERSION: usize = MAINT_RAMP + WeightRamp::INIT_SPACE;
pub(crate) const LAST_SECONDARY_PUBLISH_TIME: usize = CONFIG_VERSION + 8;
pub(crate) const FLASH_LOAN: usize = LAST_SECONDARY_PUBLISH_TIME + 8;
pub(crate) const END: usize = FLASH_LOAN + FlashLoan::INIT_SPACE;

/// Where a market account's `config.secondary.feed` sits (the remaining-accounts walk reads only
/// that, to know whether a second price account follows the market's first).
pub(crate) const SECONDARY_FEED: usize = CONFIG + 128;

/// The pricing-relevant part of a market.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MarketPricing {
    /// Its pool.
    pub pool: Pubkey,
    /// Mint decimals.
    pub decimals: u8,
    /// Governance-set parameters.
    pub config: MarketConfig,
    /// Tokens per deposit share.
    pub deposit_index: Wad,
    /// Tokens per borrow share.
    pub borrow_index: Wad,
    /// Sum of all positions' deposit shares.
    pub total_deposit_shares: u128,
    /// Sum of all positions' borrow shares.
    pub total_borrow_shares: u128,
    /// Unix time of the last accrual.
    pub last_accrual_ts: i64,
    /// Newest oracle publish time the market has used.
    pub last_publish_time: i64,
    /// Newest publish time of the second source the market has used.
    pub last_secondary_publish_time: i64,
    /// The maintenance ramp.
    pub maint_ramp: WeightRamp,
}

pub(crate) fn bytes<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&data[at..at + N]);
    out
}

fn u16_at(c: &[u8], at: usize) -> u16 {
    u16::from_le_bytes(bytes(c, at))
}

fn u32_at(c: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes(c, at))
}

fn u64_at(c: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes(c, at))
}

/// A `MarketConfig`'s `oracle` from the config's Borsh bytes `c`.
pub(crate) fn oracle_at(c: &[u8]) -> OracleConfig {
    OracleConfig {
        feed_id: bytes(c, 0),
        price_account: Pubkey::new_from_array(bytes(c, 32)),
        max_age_secs: u32_at(c, 64),
        max_conf_bps: u16_at(c, 68),
    }
}

/// A `MarketConfig`'s `weights` from the config's Borsh bytes `c`.
pub(crate) fn weights_at(c: &[u8]) -> RiskWeights {
    RiskWeights {
        init_asset_weight_bps: u16_at(c, 70),
        maint_asset_weight_bps: u16_at(c, 72),
        init_liab_weight_bps: u16_at(c, 74),
        maint_liab_weight_bps: u16_at(c, 76),
    }
}

/// A `MarketConfig`'s `curve` and `reserve_factor_bps` from the config's Borsh bytes `c`.
pub(crate) fn curve_at(c: &[u8]) -> (InterestCurve, u16) {
    let curve = InterestCurve {
        base_rate_bps: u32_at(c, 78),
        slope1_bps: u32_at(c, 82),
        slope2_bps: u32_at(c, 86),
        optimal_util_bps: u16_at(c, 90),
    };
    (curve, u16_at(c, 92))
}

/// A `MarketConfig`'s `secondary` from the config's Borsh bytes `c`.
pub(crate) fn secondary_at(c: &[u8]) -> SecondaryOracle {
    SecondaryOracle {
        feed: Pubkey::new_from_array(bytes(c, 128)),
        feed_hash: bytes(c, 160),
        max_age_secs: u32_at(c, 192),
        max_conf_bps: u16_at(c, 196),
    }
}

/// A `MarketConfig`'s `guard` from the config's Borsh bytes `c`.
pub(crate) fn guard_at(c: &[u8]) -> OracleGuard {
    OracleGuard {
        max_divergence_bps: u16_at(c, 198),
        fallback_haircut_bps: u16_at(c, 200),
        vol_margin_floor_bps: u16_at(c, 202),
        vol_margin_mult_bps: u16_at(c, 204),
        vol_margin_cap_bps: u16_at(c, 206),
    }
}

/// A `MarketConfig`'s `init_value_limit_usd` from the config's Borsh bytes `c`.
pub(crate) fn init_value_limit_at(c: &[u8]) -> u64 {
    u64_at(c, 210)
}

/// A `MarketConfig`'s `emode` from the config's Borsh bytes `c`.
pub(crate) fn emode_at(c: &[u8]) -> EmodeConfig {
    EmodeConfig {
        group: c[218],
        init_asset_weight_bps: u16_at(c, 219),
        maint_asset_weight_bps: u16_at(c, 221),
    }
}

/// A `WeightRamp` from its Borsh bytes `r`.
pub(crate) fn ramp_at(r: &[u8]) -> WeightRamp {
    WeightRamp {
        start_ts: i64::from_le_bytes(bytes(r, 0)),
        end_ts: i64::from_le_bytes(bytes(r, 8)),
        from_asset_bps: u16_at(r, 16),
        from_liab_bps: u16_at(r, 18),
        from_max_age_secs: u32_at(r, 20),
        from_max_conf_bps: u16_at(r, 24),
        from_emode_asset_bps: u16_at(r, 26),
    }
}

/// A `MarketConfig` from its 223 Borsh bytes, field by field (cheaper on SBF than Borsh's
/// reader; the offsets are pinned by state/market_layout_tests.rs).
fn config_at(c: &[u8]) -> MarketConfig {
    let (curve, reserve_factor_bps) = curve_at(c);
    MarketConfig {
        oracle: oracle_at(c),
        weights: weights_at(c),
        curve,
        reserve_factor_bps,
        deposit_cap: u64_at(c, 94),
        borrow_cap: u64_at(c, 102),
        bonus: BonusConfig {
            min_bonus_bps: u16_at(c, 110),
            max_bonus_bps: u16_at(c, 112),
            protocol_fee_bps: u16_at(c, 114),
        },
        outflow: OutflowLimit {
            max_outflow: u64_at(c, 116),
            window_secs: u32_at(c, 124),
        },
        secondary: secondary_at(c),
        guard: guard_at(c),
        flash_fee_bps: u16_at(c, 208),
        init_value_limit_usd: init_value_limit_at(c),
        emode: emode_at(c),
    }
}

/// Whether the market account `info` names a second price source, read from its one field
/// (owner, discriminator and size checked).
pub fn has_secondary(info: &AccountInfo) -> Result<bool> {
    require_keys_eq!(*info.owner, crate::ID, KeelError::RemainingAccountMismatch);
    let data = info.try_borrow_data()?;
    require!(
        data.len() >= END && data[..8] == *Market::DISCRIMINATOR,
        KeelError::RemainingAccountMismatch
    );
    Ok(data[SECONDARY_FEED..SECONDARY_FEED + 32] != [0u8; 32])
}

impl MarketPricing {
    /// From a market held in memory.
    pub fn from_market(m: &Market) -> MarketPricing {
        MarketPricing {
            pool: m.pool,
            decimals: m.decimals,
            config: m.config,
            deposit_index: m.deposit_index,
            borrow_index: m.borrow_index,
            total_deposit_shares: m.total_deposit_shares,
            total_borrow_shares: m.total_borrow_shares,
            last_accrual_ts: m.last_accrual_ts,
            last_publish_time: m.last_publish_time,
            last_secondary_publish_time: m.last_secondary_publish_time,
            maint_ramp: m.maint_ramp,
        }
    }

    /// From a market account: owner, discriminator and size checked, fields read at their offsets.
    pub fn from_account(info: &AccountInfo) -> Result<MarketPricing> {
        require_keys_eq!(*info.owner, crate::ID, KeelError::RemainingAccountMismatch);
        let data = info.try_borrow_data()?;
        Self::from_data(&data)
    }

    /// From a market account's data (discriminator and size checked).
    pub fn from_data(data: &[u8]) -> Result<MarketPricing> {
        require!(
            data.len() >= END && data[..8] == *Market::DISCRIMINATOR,
            KeelError::RemainingAccountMismatch
        );
        let config = config_at(&data[CONFIG..DEPOSIT_INDEX]);
        Ok(MarketPricing {
            pool: Pubkey::new_from_array(bytes(data, POOL)),
            decimals: data[DECIMALS],
            config,
            deposit_index: Wad(u128::from_le_bytes(bytes(data, DEPOSIT_INDEX))),
            borrow_index: Wad(u128::from_le_bytes(bytes(data, BORROW_INDEX))),
            total_deposit_shares: u128::from_le_bytes(bytes(data, TOTAL_DEPOSIT_SHARES)),
            total_borrow_shares: u128::from_le_bytes(bytes(data, TOTAL_BORROW_SHARES)),
            last_accrual_ts: i64::from_le_bytes(bytes(data, LAST_ACCRUAL_TS)),
            last_publish_time: i64::from_le_bytes(bytes(data, LAST_PUBLISH_TIME)),
            last_secondary_publish_time: i64::from_le_bytes(bytes(
                data,
                LAST_SECONDARY_PUBLISH_TIME,
            )),
            maint_ramp: ramp_at(&data[MAINT_RAMP..CONFIG_VERSION]),
        })
    }

    /// What accruing up to `now` would give (as `Market::projected_accrual`).
    pub fn projected_accrual(&self, now: i64) -> Result<Accrual> {
        projected_accrual(
            &self.config,
            (self.deposit_index, self.borrow_index),
            (self.total_deposit_shares, self.total_borrow_shares),
            self.last_accrual_ts,
            now,
        )
    }

    /// The weights in force at `now` (as `Market::weights_at`).
    pub fn weights_at(&self, now: i64) -> RiskWeights {
        self.maint_ramp.effective(&self.config.weights, now)
    }

    /// The e-mode maintenance weight in force at `now` (as `Market::emode_maint_at`).
    pub fn emode_maint_at(&self, now: i64) -> u16 {
        self.maint_ramp
            .emode_maint(self.config.emode.maint_asset_weight_bps, now)
    }

    /// The oracle limits of maintenance at `now` (as `Market::maintenance_oracle_at`).
    pub fn maintenance_oracle_at(&self, now: i64) -> OracleConfig {
        self.maint_ramp.oracle_limits(&self.config.oracle, now)
    }
}

/// Interest accrued from `last_accrual_ts` to `now` on a market's totals (nothing without time,
/// debt or lenders).
pub fn projected_accrual(
    config: &MarketConfig,
    indices: (Wad, Wad),
    shares: (u128, u128),
    last_accrual_ts: i64,
    now: i64,
) -> Result<Accrual> {
    let curve = || (config.curve, config.reserve_factor_bps);
    projected_accrual_with(curve, indices, shares, last_accrual_ts, now)
}

/// [`projected_accrual`] with the curve and reserve factor read only when interest accrues.
pub fn projected_accrual_with(
    curve: impl FnOnce() -> (InterestCurve, u16),
    (deposit_index, borrow_index): (Wad, Wad),
    (deposit_shares, borrow_shares): (u128, u128),
    last_accrual_ts: i64,
    now: i64,
) -> Result<Accrual> {
    let dt = now.saturating_sub(last_accrual_ts).max(0) as u64;
    if dt == 0 || borrow_shares == 0 || deposit_shares == 0 {
        return Ok(Accrual {
            borrow_index,
            deposit_index,
            interest: Wad::ZERO,
            protocol_fee: Wad::ZERO,
        });
    }
    let (curve, reserve_factor_bps) = curve();
    accrue(
        &curve,
        reserve_factor_bps,
        borrow_index,
        deposit_index,
        shares_value(borrow_shares, borrow_index)?,
        shares_value(deposit_shares, deposit_index)?,
        dt,
    )
}
