//! The fixed offsets pricing reads a market at (state/market_pricing.rs, state/market_view.rs)
//! are Borsh's: a market serialized as the program writes it reads back the same through them.
use super::market_pricing::{MarketPricing, END, SECONDARY_FEED};
use super::market_view::MarketView;
use super::{FlashLoan, Market, MarketConfig, OracleGuard, SecondaryOracle};
use crate::math::emode::EmodeConfig;
use crate::math::fixed::Wad;
use crate::math::health::RiskWeights;
use crate::math::interest::InterestCurve;
use crate::math::liquidation::BonusConfig;
use crate::math::rate_limit::{OutflowLimit, OutflowWindow};
use crate::math::weight_ramp::WeightRamp;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AccountSerialize, Space};
use proptest::prelude::*;

/// A market with every field set from the seeds (each to a different value).
fn market(seed: [u8; 32], n: [u64; 8], small: [u16; 8]) -> Market {
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
        outflow: OutflowWindow {
            level: -(n[7] as i128),
            updated_at: 9,
        },
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
        flash_loan: FlashLoan {
            principal: n[4] ^ 0x77,
            fee: n[5],
        },
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
    m
}

proptest! {
    /// The offsets are Borsh's: a market serialized as the program writes it reads back the
    /// same through the offsets as through the full deserialization.
    #[test]
    fn offsets_match_the_borsh_layout(seed in any::<[u8; 32]>(), n in any::<[u64; 8]>(), small in any::<[u16; 8]>()) {
        let m = market(seed, n, small);
        let mut data = vec![];
        m.try_serialize(&mut data).unwrap();
        prop_assert_eq!(data.len(), END + 8); // + provisioned, which pricing does not read
        prop_assert_eq!(MarketPricing::from_data(&data).unwrap(), MarketPricing::from_market(&m));
        prop_assert_eq!(MarketConfig::INIT_SPACE, 223);
        prop_assert_eq!(&data[SECONDARY_FEED..SECONDARY_FEED + 32], m.config.secondary.feed.as_ref());
    }

    /// A view of a market account's data reads what a view of the market in memory reads, and
    /// what the market's own methods give, at any time (the ramps included).
    #[test]
    fn a_view_of_the_data_reads_the_market(
        seed in any::<[u8; 32]>(), n in any::<[u64; 8]>(), small in any::<[u16; 8]>(),
        now in any::<i64>(),
    ) {
        let mut m = market(seed, n, small);
        // indices and totals small enough to accrue, as in a real market
        m.deposit_index = Wad(n[0] as u128 % (1 << 70) + 1);
        m.borrow_index = Wad(n[1] as u128 % (1 << 70) + 1);
        m.total_deposit_shares = n[2] as u128 % (1 << 64);
        m.total_borrow_shares = n[3] as u128 % (1 << 64);
        let mut data = vec![];
        m.try_serialize(&mut data).unwrap();
        let views = [MarketView::of_data(&data).unwrap(), MarketView::Loaded(&m)];
        for v in views {
            prop_assert_eq!(v.pool(), m.pool);
            prop_assert_eq!(v.decimals(), m.decimals);
            prop_assert_eq!(v.total_deposit_shares(), m.total_deposit_shares);
            prop_assert_eq!(v.projected_accrual(now).ok(), m.projected_accrual(now).ok());
            prop_assert_eq!(v.weights_at(now), m.weights_at(now));
            prop_assert_eq!(v.emode(), m.config.emode);
            prop_assert_eq!(v.emode_maint_at(now), m.emode_maint_at(now));
            prop_assert_eq!(v.oracle(), m.config.oracle);
            prop_assert_eq!(v.maintenance_oracle_at(now), m.maintenance_oracle_at(now));
            prop_assert_eq!(v.secondary(), m.config.secondary);
            prop_assert_eq!(v.guard(), m.config.guard);
            prop_assert_eq!(v.init_value_limit_usd(), m.config.init_value_limit_usd);
            prop_assert_eq!(v.last_publish_times(), (m.last_publish_time, m.last_secondary_publish_time));
        }
        // anything else is refused
        prop_assert!(MarketView::of_data(&data[..END - 1]).is_err());
        data[0] ^= 1;
        prop_assert!(MarketView::of_data(&data).is_err());
    }
}
