//! A scenario: the pool, its markets and risk parameters, the population, the price process, the
//! oracle, the liquidators and the network. Read from TOML (every section but `markets` and
//! `population` has defaults); `keel simulate --print-scenario` prints the built-in one.
//!
//! ```text
//! steps                 = duration_secs / step_secs
//! block space          = Solana's compute-unit limits per block and per writable account,
//!                        shared by every bot, less the transactions dropped (network.rs)
//! bot rounds per step  = the step's length over a bot's reaction time, until one finds nothing
//! reaction delay       = a plan made at step t is sent at step t + reaction_delay_steps
//! oracle price at time t = path(t - oracle.latency_secs), published at t - latency
//! ```
use crate::depth::Depth;
use keel::math::health::RiskWeights;
use keel::math::liquidation::{BonusConfig, LiquidationConfig};
use keel::state::{MarketConfig, OracleConfig};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// A whole scenario.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A name for reports.
    pub name: String,
    /// Simulated time.
    pub duration_secs: i64,
    /// Time between steps (price ticks).
    pub step_secs: i64,
    /// The pool's markets; at least one stable and one volatile.
    pub markets: Vec<MarketScenario>,
    /// The drawdown profile that `crash` markets follow.
    #[serde(default)]
    pub crash: CrashProfile,
    /// A CSV price path (`secs,SYMBOL,...`) that `csv` markets follow; relative to the file.
    #[serde(default)]
    pub price_csv: Option<PathBuf>,
    /// Oracle behaviour.
    #[serde(default)]
    pub oracle: OracleScenario,
    /// Traders and lenders.
    pub population: Population,
    /// Liquidator bots.
    #[serde(default)]
    pub liquidators: Liquidators,
    /// Network conditions.
    #[serde(default)]
    pub network: Network,
    /// Pool liquidation parameters.
    #[serde(default)]
    pub liquidation: LiquidationParams,
}

/// One market.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarketScenario {
    /// Ticker, e.g. "SOL"; names the market in reports and CSV columns.
    pub symbol: String,
    /// List under Token-2022 instead of SPL Token.
    #[serde(default)]
    pub token_2022: bool,
    /// Mint decimals.
    pub decimals: u8,
    /// Starting price, USD.
    pub price: f64,
    /// How its price moves.
    pub process: PriceProcess,
    /// Collateral weight for opening positions (the LTV), bps.
    pub init_weight_bps: u16,
    /// Collateral weight for staying open (the liquidation threshold), bps.
    pub maint_weight_bps: u16,
    /// Borrow weight for opening, bps (>= 10,000).
    #[serde(default = "full_weight")]
    pub liab_init_weight_bps: u16,
    /// Borrow weight for staying open, bps (>= 10,000).
    #[serde(default = "full_weight")]
    pub liab_maint_weight_bps: u16,
    /// Liquidation bonus an account without free equity pays, bps.
    pub min_bonus_bps: u16,
    /// Liquidation bonus, bps: flat, capped by the account's free equity (issue 27).
    pub max_bonus_bps: u16,
    /// Share of the bonus to the insurance fund, bps.
    #[serde(default = "default_protocol_fee")]
    pub protocol_fee_bps: u16,
    /// Oracle max age, seconds.
    #[serde(default = "default_max_age")]
    pub max_age_secs: u32,
    /// Oracle max confidence, bps of price.
    #[serde(default = "default_max_conf")]
    pub max_conf_bps: u16,
    /// Order-book depth outside the protocol: liquidators' sales move the price (depth.rs).
    /// None: no impact (the price is the path's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub depth: Option<Depth>,
}

fn full_weight() -> u16 {
    10_000
}
fn default_protocol_fee() -> u16 {
    2_500
}
fn default_max_age() -> u32 {
    60
}
fn default_max_conf() -> u16 {
    200
}

/// A market's price process.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PriceProcess {
    /// Constant (a stablecoin).
    Stable,
    /// The scenario's crash profile scaled by `beta` in log terms, plus GBM noise and jumps.
    Crash {
        /// Sensitivity to the profile: ln(p/p0) = beta * ln(1 + drawdown(t)) + noise.
        beta: f64,
        /// Annualised volatility of the noise.
        sigma: f64,
        /// Jumps per day (Poisson).
        #[serde(default)]
        jumps_per_day: f64,
        /// Mean jump, in log terms (e.g. -0.03).
        #[serde(default)]
        jump_mean: f64,
        /// Jump standard deviation, in log terms.
        #[serde(default)]
        jump_std: f64,
    },
    /// Geometric Brownian motion with Poisson jumps (Merton).
    Gbm {
        /// Annualised drift.
        mu: f64,
        /// Annualised volatility.
        sigma: f64,
        /// Jumps per day.
        #[serde(default)]
        jumps_per_day: f64,
        /// Mean jump, in log terms.
        #[serde(default)]
        jump_mean: f64,
        /// Jump standard deviation, in log terms.
        #[serde(default)]
        jump_std: f64,
    },
    /// The column named after the market's symbol in `price_csv`.
    Csv,
}

impl PriceProcess {
    /// True for a stablecoin (what longs borrow and shorts post).
    pub fn is_stable(&self) -> bool {
        matches!(self, PriceProcess::Stable)
    }
}

/// Drawdown keyframes: (hour, drawdown as a fraction, e.g. -0.4), linear in between.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CrashProfile {
    /// Keyframes sorted by hour, starting at hour 0.
    pub keyframes: Vec<(f64, f64)>,
}

impl Default for CrashProfile {
    /// Black Thursday (12 March 2020): a slide through the morning, a sharp leg down of about
    /// 25% in three hours, a partial bounce and a second test of the low.
    fn default() -> CrashProfile {
        CrashProfile {
            keyframes: vec![
                (0.0, 0.0),
                (6.0, -0.05),
                (9.0, -0.10),
                (11.0, -0.18),
                (12.0, -0.30),
                (13.0, -0.38),
                (14.0, -0.45),
                (16.0, -0.40),
                (20.0, -0.44),
                (24.0, -0.42),
            ],
        }
    }
}

/// How prices reach the chain.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OracleScenario {
    /// The published price is the true price this many seconds ago (and says so in its
    /// publish time, so a latency beyond the market's max age makes it stale).
    pub latency_secs: i64,
    /// Chance that a market's scheduled update misses a step (the last one stays and ages).
    pub miss_probability: f64,
    /// Pyth pull: a liquidator posts the current update in its own transaction, so a missed
    /// scheduled update does not hold a market's price from liquidation (Hermes still serves it);
    /// an outage (no updates at all) still does. False: push only, a miss ages the price.
    pub pull_updates: bool,
    /// Windows `[start, end)` in seconds with no updates at all.
    pub outages: Vec<(i64, i64)>,
    /// Confidence interval, bps of price.
    pub conf_bps: u64,
    /// Extra confidence per 1% move over the last step, bps (Pyth widens in fast markets).
    pub conf_bps_per_pct_move: u64,
    /// EMA half-life, seconds.
    pub ema_half_life_secs: i64,
    /// A second source (Switchboard) on every market; none when absent.
    pub secondary: Option<crate::oracle::SecondaryOracleScenario>,
}

impl Default for OracleScenario {
    fn default() -> OracleScenario {
        OracleScenario {
            latency_secs: 0,
            miss_probability: 0.0,
            pull_updates: true,
            outages: vec![],
            conf_bps: 10,
            conf_bps_per_pct_move: 5,
            ema_half_life_secs: 1_800,
            secondary: None,
        }
    }
}

/// Who uses the pool.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// Borrowers (each one margin account).
    pub traders: usize,
    /// Median collateral per trader, USD (log-normal).
    pub collateral_usd_median: f64,
    /// Log-normal sigma of collateral per trader.
    pub collateral_usd_sigma: f64,
    /// Leverage buckets: (fraction of initial borrowing power used, share of traders). Each
    /// trader's fraction is its bucket's minus up to 5% (uniform).
    pub leverage: Vec<(f64, f64)>,
    /// Share of traders posting two volatile collaterals instead of one (cross margin).
    pub two_collateral_share: f64,
    /// Share of traders who are short: they post a stablecoin and borrow a volatile asset.
    pub short_share: f64,
    /// Lenders supply each market's borrow demand divided by this utilisation.
    pub lender_utilisation: f64,
    /// Share of traders who defend their position: once their health factor falls below
    /// `defend_below_hf` at the end of a step, they repay `defend_repay_share` of what they
    /// borrowed (from the borrowed tokens still in their wallet) at the start of the next.
    #[serde(default)]
    pub defender_share: f64,
    /// Health factor under which defenders act.
    #[serde(default = "default_defend_hf")]
    pub defend_below_hf: f64,
    /// Share of the borrowed amount a defender repays.
    #[serde(default = "default_defend_repay")]
    pub defend_repay_share: f64,
    /// Share of traders who post a deleverage order when they open (instructions/orders/):
    /// below `order_trigger_hf`, anyone may repay up to `order_repay_share` of their debt with
    /// their largest collateral, for a bonus from `order_min_bonus_bps` at the trigger to
    /// `order_max_bonus_bps` at health 1.0. The bots execute triggered orders before liquidating.
    #[serde(default)]
    pub order_share: f64,
    /// Health factor under which an order triggers.
    #[serde(default = "default_order_hf")]
    pub order_trigger_hf: f64,
    /// Share of the borrowed amount an order may repay over its life.
    #[serde(default = "default_defend_repay")]
    pub order_repay_share: f64,
    /// The executor's bonus at the trigger, bps.
    #[serde(default = "default_order_min_bonus")]
    pub order_min_bonus_bps: u16,
    /// The executor's bonus at health 1.0, bps.
    #[serde(default = "default_order_max_bonus")]
    pub order_max_bonus_bps: u16,
}

fn default_order_hf() -> f64 {
    1.1
}
fn default_order_min_bonus() -> u16 {
    50
}
fn default_order_max_bonus() -> u16 {
    250
}

fn default_defend_hf() -> f64 {
    1.1
}
fn default_defend_repay() -> f64 {
    0.5
}

/// Pool liquidation parameters (`LiquidationConfig`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LiquidationParams {
    /// Share of the debt one liquidation may repay, bps.
    pub close_factor_bps: u16,
    /// Below this health factor the whole debt may be repaid, bps.
    pub full_close_hf_bps: u16,
    /// Debt below this (USD) may be repaid at once.
    pub dust_debt_usd: u32,
    /// Liquidations stop at this health factor, bps.
    pub target_hf_bps: u16,
    /// Seconds without a liquidation that end an account's liquidation episode (the bonus is
    /// flat: issue 27).
    pub bonus_ramp_secs: u32,
}

impl Default for LiquidationParams {
    fn default() -> LiquidationParams {
        LiquidationParams {
            close_factor_bps: 5_000,
            full_close_hf_bps: 9_000,
            dust_debt_usd: 10,
            target_hf_bps: 10_200,
            bonus_ramp_secs: 600,
        }
    }
}

impl LiquidationParams {
    /// The program's config.
    pub fn config(&self) -> LiquidationConfig {
        LiquidationConfig {
            close_factor_bps: self.close_factor_bps,
            full_close_hf_bps: self.full_close_hf_bps,
            dust_debt_usd: self.dust_debt_usd,
            target_hf_bps: self.target_hf_bps,
            bonus_ramp_secs: self.bonus_ramp_secs,
            grace_secs: 600,
        }
    }
}

impl MarketScenario {
    /// Apply this market's risk parameters to a listing config.
    pub fn apply(&self, config: &mut MarketConfig) {
        config.oracle = OracleConfig {
            feed_id: config.oracle.feed_id,
            price_account: config.oracle.price_account,
            max_age_secs: self.max_age_secs,
            max_conf_bps: self.max_conf_bps,
        };
        config.weights = RiskWeights {
            init_asset_weight_bps: self.init_weight_bps,
            maint_asset_weight_bps: self.maint_weight_bps,
            init_liab_weight_bps: self.liab_init_weight_bps,
            maint_liab_weight_bps: self.liab_maint_weight_bps,
        };
        config.bonus = self.bonus();
    }

    /// This market's liquidation bonus as the program's config.
    pub fn bonus(&self) -> BonusConfig {
        BonusConfig {
            min_bonus_bps: self.min_bonus_bps,
            max_bonus_bps: self.max_bonus_bps,
            protocol_fee_bps: self.protocol_fee_bps,
        }
    }

    /// The highest maintenance weight the program accepts with this market's bonus, bps.
    pub fn max_maint_weight_bps(&self) -> u16 {
        keel::state::max_maint_asset_weight_bps(&self.bonus())
    }
}

pub use crate::liquidators::{LiquidatorMode, Liquidators};
pub use crate::network::{Congestion, Network};
pub use crate::scenario_checks::{ScenarioError, SWEEPABLE};
