//! Issue 27, item 7: no market configuration that validates is insolvent by construction.
use super::market::{max_maint_asset_weight_bps, MarketConfig};
use crate::constants::{MIN_BONUS_BPS, MIN_WEIGHT_BUFFER_BPS};
use crate::math::emode::EmodeConfig;
use crate::math::health::RiskWeights;
use crate::math::interest::InterestCurve;
use crate::math::liquidation::BonusConfig;
use crate::math::rate_limit::OutflowLimit;
use crate::state::OracleConfig;
use anchor_lang::prelude::Pubkey;
use proptest::prelude::*;

fn config(init: u16, maint: u16, min: u16, max: u16, e_init: u16, e_maint: u16) -> MarketConfig {
    MarketConfig {
        oracle: OracleConfig {
            feed_id: [1; 32],
            price_account: Pubkey::new_unique(),
            max_age_secs: 60,
            max_conf_bps: 200,
        },
        weights: RiskWeights {
            init_asset_weight_bps: init,
            maint_asset_weight_bps: maint,
            init_liab_weight_bps: 10_000,
            maint_liab_weight_bps: 10_000,
        },
        curve: InterestCurve {
            base_rate_bps: 0,
            slope1_bps: 1_000,
            slope2_bps: 10_000,
            optimal_util_bps: 8_000,
        },
        bonus: BonusConfig {
            min_bonus_bps: min,
            max_bonus_bps: max,
            protocol_fee_bps: 1_000,
        },
        outflow: OutflowLimit {
            max_outflow: 1,
            window_secs: 3_600,
        },
        emode: EmodeConfig {
            group: u8::from(e_maint > 0),
            init_asset_weight_bps: e_init,
            maint_asset_weight_bps: e_maint,
        },
        ..MarketConfig::default()
    }
}

/// The review's listings (issue 27): 99.99 % with a 0 % bonus, init = maint, a 0-1 % bonus at
/// 95 / 99 %: each was accepted; each is refused.
#[test]
fn the_reviews_insolvent_listings_are_refused() {
    let refused = |c: MarketConfig| c.validate().is_err();
    assert!(refused(config(9_000, 9_999, 0, 0, 0, 0)));
    assert!(refused(config(8_000, 8_000, 250, 900, 0, 0)));
    assert!(refused(config(9_500, 9_900, 0, 100, 0, 0)));
    // 95 / 99 % at a flat 1 % bonus is solvent by construction (at the threshold the account
    // covers its debt and that bonus); whether it survives a crash is the simulator's question
    assert!(config(9_500, 9_900, 100, 100, 0, 0).validate().is_ok());
    // the shipped default validates
    assert!(config(8_000, 8_500, 250, 900, 0, 0).validate().is_ok());
}

proptest! {
    /// Whatever a valid listing says: a liquidation improves health at the largest bonus
    /// ((1 + max) w < 1); splitting never pays ((1 + max) w <= 1 - (max - min)); an account the
    /// moment it becomes liquidatable (C w = D) can still pay the minimum bonus on all its debt
    /// without bad debt (w (1 + min) <= 1); the minimum bonus is at least 1 %; a lending
    /// collateral keeps a 1 % buffer. The same for the e-mode weights.
    #[test]
    fn no_valid_listing_is_insolvent_by_construction(
        init in 0u16..=10_000, maint in 0u16..=10_000,
        min in 0u16..=2_000, max in 0u16..=2_000,
        e_init in 0u16..=10_000, e_maint in 0u16..=10_000,
    ) {
        let c = config(init, maint, min, max, e_init, e_maint);
        if c.validate().is_err() {
            return Ok(());
        }
        let (min, max) = (min as u64, max as u64);
        prop_assert!(min >= MIN_BONUS_BPS as u64);
        for (i, w) in [(init, maint), (e_init, e_maint)] {
            let w64 = w as u64;
            prop_assert!((10_000 + max) * w64 < 100_000_000, "liquidation lowers health");
            prop_assert!((10_000 + max) * w64 <= (10_000 - (max - min)) * 10_000, "splitting pays");
            prop_assert!((10_000 + min) * w64 <= 100_000_000, "insolvent at the threshold");
            prop_assert!(i == 0 || i + MIN_WEIGHT_BUFFER_BPS <= w, "no buffer");
            prop_assert!(w <= max_maint_asset_weight_bps(&c.bonus));
        }
    }
}
