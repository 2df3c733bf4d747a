//! A scenario: the pool, its markets and risk parameters, the population, the price process, the
//! oracle, the liquidators and the network. Read from TOML (every section but `markets` and
//! `population` has defaults); `keel simulate --print-scenario` prints the built-in one.
//!
//! ```text
//! steps                 = duration_secs / step_secs
//! block space per slot  = network.max_liquidations_per_slot, shared by every bot
//! bot passes per step   = network.slots_per_step (each pass: read the chain, plan, send)
//! reaction delay        = a plan made at step t is sent at step t + reaction_delay_steps
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
    /// Liquidation bonus at the start of the ramp, bps.
    pub min_bonus_bps: u16,
    /// Liquidation bonus at the end of the ramp, bps.
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
    /// Chance that a market's update misses a step (the last one stays and ages).
    pub miss_probability: f64,
    /// Windows `[start, end)` in seconds with no updates at all.
    pub outages: Vec<(i64, i64)>,
    /// Confidence interval, bps of price.
    pub conf_bps: u64,
    /// Extra confidence per 1% move over the last step, bps (Pyth widens in fast markets).
    pub conf_bps_per_pct_move: u64,
    /// EMA half-life, seconds.
    pub ema_half_life_secs: i64,
}

impl Default for OracleScenario {
    fn default() -> OracleScenario {
        OracleScenario {
            latency_secs: 0,
            miss_probability: 0.0,
            outages: vec![],
            conf_bps: 10,
            conf_bps_per_pct_move: 5,
            ema_half_life_secs: 1_800,
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
}

fn default_defend_hf() -> f64 {
    1.1
}
fn default_defend_repay() -> f64 {
    0.5
}

/// The liquidator bots: the `keel-liquidator` library, unchanged.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Liquidators {
    /// Bots, taking turns first.
    pub count: usize,
    /// Inventory per bot in each market at the start, USD.
    pub inventory_usd: f64,
    /// Opportunities below this profit are left alone, USD.
    pub min_profit_usd: f64,
    /// A bot sells the volatile collateral it seized this many steps later (0: at the end of the
    /// same step), into the first stable market, at the market price (desk.rs); the sale refills
    /// its stable inventory and moves the price through the market's depth. None: bots keep
    /// what they seize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sell_after_steps: Option<usize>,
}

impl Default for Liquidators {
    fn default() -> Liquidators {
        Liquidators {
            count: 2,
            inventory_usd: 5_000_000.0,
            min_profit_usd: 0.0,
            sell_after_steps: None,
        }
    }
}

/// Network conditions.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Liquidation transactions that fit in a slot (all bots together; failed attempts count).
    pub max_liquidations_per_slot: usize,
    /// Slots per step in which the bots act (each bot reads, plans and sends once per slot).
    pub slots_per_step: usize,
    /// Steps between a bot's read of the chain and its transactions landing.
    pub reaction_delay_steps: usize,
}

impl Default for Network {
    fn default() -> Network {
        Network {
            max_liquidations_per_slot: 20,
            slots_per_step: 2,
            reaction_delay_steps: 0,
        }
    }
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
    /// Seconds for the bonus to ramp from min to max.
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
        config.bonus = BonusConfig {
            min_bonus_bps: self.min_bonus_bps,
            max_bonus_bps: self.max_bonus_bps,
            protocol_fee_bps: self.protocol_fee_bps,
        };
    }
}

/// A scenario that cannot run, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioError(pub String);

impl std::fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ScenarioError {}

fn fail<T>(msg: impl Into<String>) -> Result<T, ScenarioError> {
    Err(ScenarioError(msg.into()))
}

/// Parameters `--sweep` can vary, with what each one sets.
pub const SWEEPABLE: [(&str, &str); 11] = [
    (
        "liquidation_threshold",
        "maint_weight_bps of every volatile market",
    ),
    ("ltv", "init_weight_bps of every volatile market"),
    ("min_bonus", "min_bonus_bps of every market"),
    ("max_bonus", "max_bonus_bps of every market"),
    ("close_factor", "liquidation.close_factor_bps"),
    ("block_space", "network.max_liquidations_per_slot"),
    ("reaction_delay", "network.reaction_delay_steps"),
    ("oracle_latency", "oracle.latency_secs"),
    (
        "crash_depth",
        "scales every crash keyframe (1.0 = as given)",
    ),
    ("traders", "population.traders"),
    ("defenders", "population.defender_share"),
];

impl Scenario {
    /// Parse a TOML scenario and check it.
    pub fn from_toml(text: &str) -> Result<Scenario, ScenarioError> {
        let scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError(format!("invalid scenario: {e}")))?;
        scenario.validate()?;
        Ok(scenario)
    }

    /// The scenario as TOML.
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a scenario always serialises")
    }

    /// Number of steps.
    pub fn steps(&self) -> usize {
        (self.duration_secs / self.step_secs) as usize
    }

    /// Check everything the run relies on, with a message naming the bad field.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.step_secs <= 0 || self.duration_secs < self.step_secs {
            return fail("step_secs must be positive and at most duration_secs");
        }
        if self.steps() > 100_000 {
            return fail("more than 100,000 steps: raise step_secs");
        }
        if self.markets.len() < 2 || self.markets.len() > 8 {
            return fail("a scenario needs 2 to 8 markets");
        }
        if !self.markets.iter().any(|m| m.process.is_stable())
            || self.markets.iter().all(|m| m.process.is_stable())
        {
            return fail("a scenario needs at least one stable and one volatile market");
        }
        for (i, m) in self.markets.iter().enumerate() {
            if self.markets[..i].iter().any(|o| o.symbol == m.symbol) {
                return fail(format!("market symbol {} appears twice", m.symbol));
            }
            if !(m.price.is_finite() && m.price > 0.0) {
                return fail(format!("{}: price must be positive", m.symbol));
            }
            if m.decimals > 12 {
                return fail(format!("{}: at most 12 decimals", m.symbol));
            }
            let mut config = keel_localnet::world::default_config([1; 32]);
            m.apply(&mut config);
            if let Err(e) = config.validate() {
                return fail(format!(
                    "{}: the program would refuse this listing: {e}",
                    m.symbol
                ));
            }
            if let Some(depth) = &m.depth {
                depth.validate(&m.symbol).map_err(ScenarioError)?;
            }
            if matches!(m.process, PriceProcess::Csv) && self.price_csv.is_none() {
                return fail(format!("{}: process csv needs price_csv", m.symbol));
            }
        }
        let k = &self.crash.keyframes;
        if k.is_empty() || k[0].0 != 0.0 || k.windows(2).any(|w| w[1].0 <= w[0].0) {
            return fail("crash.keyframes must start at hour 0 and increase");
        }
        if k.iter().any(|(_, d)| !(*d > -1.0 && *d < 10.0)) {
            return fail("crash drawdowns must lie in (-1, 10)");
        }
        let p = &self.population;
        if p.traders == 0 || p.traders > 100_000 {
            return fail("population.traders must be 1 to 100,000");
        }
        if !(p.collateral_usd_median > 0.0 && p.collateral_usd_sigma >= 0.0) {
            return fail("population collateral must be positive");
        }
        if p.leverage.is_empty()
            || p.leverage
                .iter()
                .any(|(u, w)| !(*u > 0.0 && *u <= 0.99 && *w >= 0.0))
            || p.leverage.iter().map(|(_, w)| w).sum::<f64>() <= 0.0
        {
            return fail("population.leverage: fractions in (0, 0.99], weights >= 0, some > 0");
        }
        for (name, share) in [
            ("two_collateral_share", p.two_collateral_share),
            ("short_share", p.short_share),
        ] {
            if !(0.0..=1.0).contains(&share) {
                return fail(format!("population.{name} must lie in [0, 1]"));
            }
        }
        if !(0.0..=1.0).contains(&p.defender_share)
            || !(0.0..=1.0).contains(&p.defend_repay_share)
            || !(1.0..100.0).contains(&p.defend_below_hf)
        {
            return fail(
                "population: defender_share and defend_repay_share in [0, 1], defend_below_hf >= 1",
            );
        }
        if !(p.lender_utilisation > 0.0 && p.lender_utilisation <= 0.95) {
            return fail("population.lender_utilisation must lie in (0, 0.95]");
        }
        if self.liquidators.count == 0
            || !(self.liquidators.inventory_usd >= 0.0 && self.liquidators.inventory_usd < 1e12)
        {
            return fail("liquidators: at least one bot, inventory in [0, 10^12) USD");
        }
        if self
            .liquidators
            .sell_after_steps
            .is_some_and(|d| d > self.steps())
        {
            return fail("liquidators.sell_after_steps must be at most the number of steps");
        }
        if self.network.slots_per_step == 0 || self.network.slots_per_step > 64 {
            return fail("network.slots_per_step must be 1 to 64");
        }
        let o = &self.oracle;
        if o.latency_secs < 0 || !(0.0..=1.0).contains(&o.miss_probability) {
            return fail("oracle: latency >= 0, miss_probability in [0, 1]");
        }
        if o.ema_half_life_secs <= 0 {
            return fail("oracle.ema_half_life_secs must be positive");
        }
        if let Err(e) = self.liquidation.config().validate() {
            return fail(format!("liquidation: the program would refuse it: {e}"));
        }
        Ok(())
    }

    /// Set sweep parameter `name` to `value` (see [`SWEEPABLE`]); the result is validated.
    pub fn set_param(&mut self, name: &str, value: f64) -> Result<(), ScenarioError> {
        let bps = || -> Result<u16, ScenarioError> {
            if (0.0..=65_535.0).contains(&value) {
                Ok(value.round() as u16)
            } else {
                fail(format!("{name}={value}: not a bps value"))
            }
        };
        let count = || -> Result<usize, ScenarioError> {
            if value >= 0.0 && value.fract() == 0.0 && value <= 1e9 {
                Ok(value as usize)
            } else {
                fail(format!("{name}={value}: not a whole number"))
            }
        };
        let volatile = |s: &mut Scenario, set: &dyn Fn(&mut MarketScenario)| {
            s.markets
                .iter_mut()
                .filter(|m| !m.process.is_stable())
                .for_each(set)
        };
        match name {
            "liquidation_threshold" => {
                let v = bps()?;
                volatile(self, &|m| m.maint_weight_bps = v)
            }
            "ltv" => {
                let v = bps()?;
                volatile(self, &|m| m.init_weight_bps = v)
            }
            "min_bonus" => {
                let v = bps()?;
                self.markets.iter_mut().for_each(|m| m.min_bonus_bps = v)
            }
            "max_bonus" => {
                let v = bps()?;
                self.markets.iter_mut().for_each(|m| m.max_bonus_bps = v)
            }
            "close_factor" => self.liquidation.close_factor_bps = bps()?,
            "block_space" => self.network.max_liquidations_per_slot = count()?,
            "reaction_delay" => self.network.reaction_delay_steps = count()?,
            "oracle_latency" => self.oracle.latency_secs = count()? as i64,
            "traders" => self.population.traders = count()?,
            "defenders" => self.population.defender_share = value,
            "crash_depth" => {
                if !(value >= 0.0 && value.is_finite()) {
                    return fail(format!("crash_depth={value}: must be >= 0"));
                }
                self.crash
                    .keyframes
                    .iter_mut()
                    .for_each(|(_, d)| *d *= value)
            }
            _ => {
                let names: Vec<&str> = SWEEPABLE.iter().map(|(n, _)| *n).collect();
                return fail(format!(
                    "cannot sweep '{name}'; sweepable: {}",
                    names.join(", ")
                ));
            }
        }
        self.validate()
            .map_err(|e| ScenarioError(format!("{name}={value}: {e}")))
    }
}
