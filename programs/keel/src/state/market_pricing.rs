//! `MarketPricing`: what pricing a position needs from a market. Read from a remaining account's
//! data at the fixed offsets of its Borsh layout (every field of `Market` has a fixed size), not by
//! deserializing the whole `Market`: on SBF that saves most of the ~800 CU a full deserialization
//! costs, once per position of every health check. A test pins the offsets to Borsh's layout.
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

const POOL: usize = 8;
const DECIMALS: usize = POOL + 32 * 4;
const CONFIG: usize = DECIMALS + 3;
const DEPOSIT_INDEX: usize = CONFIG + MarketConfig::INIT_SPACE;
const BORROW_INDEX: usize = DEPOSIT_INDEX + 16;
const TOTAL_DEPOSIT_SHARES: usize = BORROW_INDEX + 16;
const TOTAL_BORROW_SHARES: usize = TOTAL_DEPOSIT_SHARES + 16;
const LAST_ACCRUAL_TS: usize = TOTAL_BORROW_SHARES + 16 * 3;
const LAST_PUBLISH_TIME: usize = LAST_ACCRUAL_TS + 8 * 2 + OutflowWindow::INIT_SPACE;
const MAINT_RAMP: usize = LAST_PUBLISH_TIME + 8;
const CONFIG_VERSION: usize = MAINT_RAMP + WeightRamp::INIT_SPACE;
const LAST_SECONDARY_PUBLISH_TIME: usize = CONFIG_VERSION + 8;
const FLASH_LOAN: usize = LAST_SECONDARY_PUBLISH_TIME + 8;
const END: usize = FLASH_LOAN + FlashLoan::INIT_SPACE;

/// Where a market account's `config.secondary.feed` sits (the remaining-accounts walk reads only
/// that, to know whether a second price account follows the market's first).
const SECONDARY_FEED: usize = CONFIG + 128;

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

fn bytes<const N: usize>(data: &[u8], at: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&data[at..at + N]);
    out
}

/// A `MarketConfig` from its 223 Borsh bytes, field by field (cheaper on SBF than Borsh's
/// reader; the offsets are pinned by the test below).
fn config_at(c: &[u8]) -> MarketConfig {
    let u16_at = |at: usize| u16::from_le_bytes(bytes(c, at));
    let u32_at = |at: usize| u32::from_le_bytes(bytes(c, at));
    let u64_at = |at: usize| u64::from_le_bytes(bytes(c, at));
    MarketConfig {
        oracle: OracleConfig {
            feed_id: bytes(c, 0),
            price_account: Pubkey::new_from_array(bytes(c, 32)),
            max_age_secs: u32_at(64),
            max_conf_bps: u16_at(68),
        },
        weights: RiskWeights {
            init_asset_weight_bps: u16_at(70),
            maint_asset_weight_bps: u16_at(72),
            init_liab_weight_bps: u16_at(74),
            maint_liab_weight_bps: u16_at(76),
        },
        curve: InterestCurve {
            base_rate_bps: u32_at(78),
            slope1_bps: u32_at(82),
            slope2_bps: u32_at(86),
            optimal_util_bps: u16_at(90),
        },
        reserve_factor_bps: u16_at(92),
        deposit_cap: u64_at(94),
        borrow_cap: u64_at(102),
        bonus: BonusConfig {
            min_bonus_bps: u16_at(110),
            max_bonus_bps: u16_at(112),
            protocol_fee_bps: u16_at(114),
        },
        outflow: OutflowLimit {
            max_outflow: u64_at(116),
            window_secs: u32_at(124),
        },
        secondary: SecondaryOracle {
            feed: Pubkey::new_from_array(bytes(c, 128)),
            feed_hash: bytes(c, 160),
            max_age_secs: u32_at(192),
            max_conf_bps: u16_at(196),
        },
        guard: OracleGuard {
            max_divergence_bps: u16_at(198),
            fallback_haircut_bps: u16_at(200),
            vol_margin_floor_bps: u16_at(202),
            vol_margin_mult_bps: u16_at(204),
            vol_margin_cap_bps: u16_at(206),
        },
        flash_fee_bps: u16_at(208),
        init_value_limit_usd: u64_at(210),
        emode: EmodeConfig {
            group: c[218],
            init_asset_weight_bps: u16_at(219),
            maint_asset_weight_bps: u16_at(221),
        },
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
        let ramp = &data[MAINT_RAMP..CONFIG_VERSION];
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
            maint_ramp: WeightRamp {
                start_ts: i64::from_le_bytes(bytes(ramp, 0)),
                end_ts: i64::from_le_bytes(bytes(ramp, 8)),
                from_asset_bps: u16::from_le_bytes(bytes(ramp, 16)),
                from_liab_bps: u16::from_le_bytes(bytes(ramp, 18)),
                from_max_age_secs: u32::from_le_bytes(bytes(ramp, 20)),
                from_max_conf_bps: u16::from_le_bytes(bytes(ramp, 24)),
                from_emode_asset_bps: u16::from_le_bytes(bytes(ramp, 26)),
            },
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
    accrue(
        &config.curve,
        config.reserve_factor_bps,
        borrow_index,
        deposit_index,
        shares_value(borrow_shares, borrow_index)?,
        shares_value(deposit_shares, deposit_index)?,
        dt,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;
    use proptest::prelude::*;

    proptest! {
        /// The offsets are Borsh's: a market serialized as the program writes it reads back the
        /// same through the offsets as through the full deserialization.
        #[test]
        fn offsets_match_the_borsh_layout(seed in any::<[u8; 32]>(), n in any::<[u64; 8]>(), small in any::<[u16; 8]>()) {
            let mut m: Market = Market {
                pool: Pubkey::new_from_array(seed),
                mint: Pubkey::new_unique(),
                token_program: Pubkey::new_unique(),
                vault: Pubkey::new_unique(),
                decimals: small[0] as u8,
                bump: 1,
                vault_bump: 2,
                config: MarketConfig::default(),
                deposit_index: Wad(n[0] as u128 * 3 + 1),
                borrow_index: Wad(n[1] as u128 * 5 + 7),
                total_deposit_shares: n[2] as u128 * 11,
                total_borrow_shares: n[3] as u128 * 13,
                insurance_fund: Wad(n[4] as u128),
                bad_debt_socialised: Wad(n[5] as u128),
                last_accrual_ts: n[6] as i64,
                active_after: -1,
                outflow: OutflowWindow { level: -(n[7] as i128), updated_at: 9 },
                last_publish_time: n[7] as i64 ^ 0x5555,
                maint_ramp: WeightRamp {
                    start_ts: n[0] as i64,
                    end_ts: n[1] as i64,
                    from_asset_bps: small[1],
                    from_liab_bps: small[2],
                    from_max_age_secs: small[3] as u32 * 65_537,
                    from_max_conf_bps: small[4],
                    from_emode_asset_bps: small[5] ^ 22,
                },
                config_version: n[2],
                last_secondary_publish_time: n[3] as i64 ^ 0x3333,
                flash_loan: FlashLoan { principal: n[4] ^ 0x77, fee: n[5] },
                provisioned: n[6] ^ 0x99,
            };
            let c = &mut m.config;
            c.oracle.feed_id = seed;
            c.oracle.price_account = Pubkey::new_unique();
            c.oracle.max_age_secs = small[5] as u32 * 3;
            c.oracle.max_conf_bps = small[0] ^ 1;
            c.weights = RiskWeights {
                init_asset_weight_bps: small[1] ^ 2,
                maint_asset_weight_bps: small[6],
                init_liab_weight_bps: small[2] ^ 3,
                maint_liab_weight_bps: small[3] ^ 4,
            };
            c.curve = InterestCurve {
                base_rate_bps: n[0] as u32,
                slope1_bps: n[1] as u32 ^ 5,
                slope2_bps: n[2] as u32 ^ 6,
                optimal_util_bps: small[4] ^ 7,
            };
            c.reserve_factor_bps = small[5] ^ 8;
            c.deposit_cap = n[5];
            c.borrow_cap = n[6] ^ 9;
            c.bonus = BonusConfig {
                min_bonus_bps: small[6] ^ 10,
                max_bonus_bps: small[7],
                protocol_fee_bps: small[0] ^ 11,
            };
            c.outflow = OutflowLimit {
                max_outflow: n[4],
                window_secs: n[3] as u32 ^ 12,
            };
            c.secondary = SecondaryOracle {
                feed: Pubkey::new_unique(),
                feed_hash: [small[7] as u8; 32],
                max_age_secs: n[5] as u32 ^ 13,
                max_conf_bps: small[1] ^ 14,
            };
            c.guard = OracleGuard {
                max_divergence_bps: small[2] ^ 15,
                fallback_haircut_bps: small[3] ^ 16,
                vol_margin_floor_bps: small[6] ^ 19,
                vol_margin_mult_bps: small[4] ^ 17,
                vol_margin_cap_bps: small[5] ^ 18,
            };
            c.flash_fee_bps = small[7] ^ 20;
            c.init_value_limit_usd = n[6] ^ 21;
            c.emode = EmodeConfig {
                group: small[6] as u8 ^ 23,
                init_asset_weight_bps: small[7] ^ 24,
                maint_asset_weight_bps: small[0] ^ 25,
            };
            let mut data = vec![];
            m.try_serialize(&mut data).unwrap();
            prop_assert_eq!(data.len(), END + 8); // + provisioned, which pricing does not read
            prop_assert_eq!(MarketPricing::from_data(&data).unwrap(), MarketPricing::from_market(&m));
            prop_assert_eq!(MarketConfig::INIT_SPACE, 223);
            prop_assert_eq!(&data[SECONDARY_FEED..SECONDARY_FEED + 32], m.config.secondary.feed.as_ref());
        }
    }
}
