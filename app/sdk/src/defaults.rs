//! Default listing and pool parameters: what the embedded chain, the test suites and the
//! compute-unit suite list markets with unless told otherwise.
use anchor_lang::prelude::Pubkey;
use keel::math::health::RiskWeights;
use keel::math::interest::InterestCurve;
use keel::math::liquidation::{BonusConfig, LiquidationConfig};
use keel::math::rate_limit::OutflowLimit;
use keel::state::{MarketConfig, OracleConfig, OracleGuard, SecondaryOracle};

/// The default parameters: 80/85% collateral weights, 100% borrow weights, 60 s max age,
/// 2% max confidence, the feed's Pyth sponsored account (shard 0), 0% + 10% up to an 80% kink then +100%, 10% reserve factor, generous caps.
pub fn default_config(feed_id: [u8; 32]) -> MarketConfig {
    MarketConfig {
        oracle: OracleConfig {
            feed_id,
            price_account: crate::oracle::pyth_feed_address(0, &feed_id),
            max_age_secs: 60,
            max_conf_bps: 200,
        },
        weights: RiskWeights {
            init_asset_weight_bps: 8_000,
            maint_asset_weight_bps: 8_500,
            init_liab_weight_bps: 10_000,
            maint_liab_weight_bps: 10_000,
        },
        curve: InterestCurve {
            base_rate_bps: 0,
            slope1_bps: 1_000,
            // 310 % APR at full utilisation, as steep as peers' (issue 27, item 4): holding
            // lenders out costs a borrower dearly and pays them for it
            slope2_bps: 30_000,
            optimal_util_bps: 8_000,
        },
        reserve_factor_bps: 1_000,
        deposit_cap: u64::MAX / 4,
        borrow_cap: u64::MAX / 4,
        bonus: BonusConfig {
            min_bonus_bps: 250,
            // the most an 85 % maintenance weight allows with a 2.5 % minimum (Aave v4's rule:
            // state/market.rs, max_maint_asset_weight_bps)
            max_bonus_bps: 900,
            protocol_fee_bps: 2_500,
        },
        outflow: OutflowLimit {
            max_outflow: u64::MAX,
            window_secs: 3_600,
        },
        secondary: SecondaryOracle::default(),
        guard: default_guard(),
        flash_fee_bps: DEFAULT_FLASH_FEE_BPS,
        init_value_limit_usd: 0,
        emode: Default::default(),
    }
}

/// The default flash-loan fee: 5 bps of the amount lent (Aave v3's rate), to the insurance fund.
pub const DEFAULT_FLASH_FEE_BPS: u16 = 5;

/// The default oracle guard: sources agree within 1.5 %, a price from the second source alone
/// pays 3 % each way, and the initial requirement widens by 2x the price's volatility signal
/// (band half-width or spot-EMA gap) past 0.5 %, at most 10 % (math/volatility.rs): a calm
/// market pays nothing extra.
pub fn default_guard() -> OracleGuard {
    OracleGuard {
        max_divergence_bps: 150,
        fallback_haircut_bps: 300,
        vol_margin_floor_bps: 50,
        vol_margin_mult_bps: 20_000,
        vol_margin_cap_bps: 1_000,
    }
}

/// A Switchboard pull feed `feed` with job hash `feed_hash` as a market's second source, with the
/// primary's default limits (60 s, 2 %).
pub fn secondary_source(feed: Pubkey, feed_hash: [u8; 32]) -> SecondaryOracle {
    SecondaryOracle {
        feed,
        feed_hash,
        max_age_secs: 60,
        max_conf_bps: 200,
    }
}

/// The default pool liquidation parameters: 50% close factor, 100% below HF 0.90 or $10 of debt,
/// target HF 1.02, a 10-minute liquidation episode (`bonus_ramp_secs`: the bonus itself is flat
/// since issue 27), a 10-minute grace after liquidation resumes.
pub fn default_liquidation() -> LiquidationConfig {
    LiquidationConfig {
        close_factor_bps: 5_000,
        full_close_hf_bps: 9_000,
        dust_debt_usd: 10,
        target_hf_bps: 10_200,
        bonus_ramp_secs: 600,
        grace_secs: 600,
    }
}

/// Collateral weights (initial, maintenance; bps) of the volatile markets of the built-in Black
/// Thursday scenario, as the simulator's parameter frontier chose them on the calibrated model
/// (issue 30: p99 bad debt over 100 price paths within 0.1% of the traders' debt, none socialised),
/// with the command that produced them (`migrations/frontier/base.toml` is the built-in scenario
/// with every volatile market at 7500/8000, where the search starts):
///
/// ```text
/// keel simulate --scenario migrations/frontier/base.toml --frontier --seed 1 --frontier-paths 100 \
///     --budget-bps 10 --coarse-bps 500 --fine-bps 125
/// ```
/// (700 runs, 76 minutes on 2 cores beside other work; capital efficiency 0.476 at the start,
/// 0.516 chosen, p99 bad debt $0 at every point). Every market stopped at the most the program
/// accepts with its bonus (Aave v4's rule `(1 + max) w <= 1 - (max - min)`), not at a loss: the
/// bonus bounds these weights, and `keel simulate --stress` shows them through harsher cases.
/// Its listing is `migrations/black-thursday.toml`, its points `migrations/frontier/` (a test keeps
/// the listing and these weights equal). The generic `default_config` above stays: the test suites
/// pin their figures on it.
pub const FRONTIER_WEIGHTS: [(&str, u16, u16); 3] = [
    ("SOL", 7_954, 8_454),
    ("ETH", 8_250, 8_750),
    ("BTC", 8_425, 8_925),
];

/// The frontier's (initial, maintenance) collateral weights of `symbol`, if it chose them.
pub fn frontier_weights(symbol: &str) -> Option<(u16, u16)> {
    FRONTIER_WEIGHTS
        .iter()
        .find(|(s, _, _)| *s == symbol)
        .map(|(_, i, m)| (*i, *m))
}
