//! Checking a scenario (`Scenario::validate`, `from_toml`) and changing one parameter by name
//! (`Scenario::set_param`, what `--sweep` varies).
use crate::scenario::{MarketScenario, PriceProcess, Scenario};

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
pub const SWEEPABLE: [(&str, &str); 17] = [
    (
        "liquidation_threshold",
        "maint_weight_bps of every volatile market",
    ),
    ("ltv", "init_weight_bps of every volatile market"),
    ("min_bonus", "min_bonus_bps of every market"),
    ("max_bonus", "max_bonus_bps of every market"),
    ("close_factor", "liquidation.close_factor_bps"),
    (
        "block_share",
        "network.block_share (and every congestion window's)",
    ),
    (
        "failure_rate",
        "network.failure_rate (and every congestion window's)",
    ),
    (
        "liquidation_cu",
        "network.liquidation_cu_base (and order_cu_base, by the same factor)",
    ),
    ("oracle_post_cu", "network.oracle_post_cu"),
    ("reaction_ms", "network.reaction_ms"),
    ("reaction_delay", "network.reaction_delay_steps"),
    ("oracle_latency", "oracle.latency_secs"),
    (
        "crash_depth",
        "scales every crash keyframe (1.0 = as given)",
    ),
    ("traders", "population.traders"),
    ("defenders", "population.defender_share"),
    (
        "top_leverage",
        "the share of traders in the highest leverage bucket (the others scaled to the rest)",
    ),
    ("orders", "population.order_share"),
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
        let max_bonus = self
            .markets
            .iter()
            .map(|m| m.max_bonus_bps)
            .min()
            .unwrap_or(0);
        let orders_ok = (0.0..=1.0).contains(&p.order_share)
            && p.order_repay_share > 0.0
            && p.order_repay_share <= 1.0
            && p.order_trigger_hf > 1.0
            && p.order_trigger_hf <= 3.0
            && p.order_min_bonus_bps <= p.order_max_bonus_bps
            && (p.order_share == 0.0 || p.order_max_bonus_bps <= max_bonus);
        if !orders_ok {
            return fail(format!(
                "population: order_share in [0, 1], order_repay_share in (0, 1], order_trigger_hf in (1, 3], order_min_bonus_bps <= order_max_bonus_bps <= every market's max_bonus_bps ({max_bonus})"
            ));
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
        self.network.validate().map_err(ScenarioError)?;
        let o = &self.oracle;
        if o.latency_secs < 0 || !(0.0..=1.0).contains(&o.miss_probability) {
            return fail("oracle: latency >= 0, miss_probability in [0, 1]");
        }
        if o.ema_half_life_secs <= 0 {
            return fail("oracle.ema_half_life_secs must be positive");
        }
        if let Some(s) = &o.secondary {
            if s.latency_secs < 0 || !(0.0..=1.0).contains(&s.miss_probability) {
                return fail("oracle.secondary: latency >= 0, miss_probability in [0, 1]");
            }
            if s.std_dev_bps > 10_000 {
                return fail("oracle.secondary.std_dev_bps must be at most 10000");
            }
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
            "block_share" => {
                self.network.block_share = value;
                self.network
                    .congestion
                    .iter_mut()
                    .for_each(|c| c.block_share = value)
            }
            "failure_rate" => {
                self.network.failure_rate = value;
                self.network
                    .congestion
                    .iter_mut()
                    .for_each(|c| c.failure_rate = value)
            }
            "liquidation_cu" => {
                let n = &mut self.network;
                let cu = count()? as u64;
                n.order_cu_base = n.order_cu_base * cu / n.liquidation_cu_base.max(1);
                n.liquidation_cu_base = cu;
            }
            "oracle_post_cu" => self.network.oracle_post_cu = count()? as u64,
            "reaction_ms" => self.network.reaction_ms = count()? as u64,
            "top_leverage" => {
                if !(0.0..=1.0).contains(&value) {
                    return fail(format!("top_leverage={value}: a share in [0, 1]"));
                }
                let buckets = &mut self.population.leverage;
                let Some(((_, top), rest)) = buckets.split_last_mut() else {
                    return fail("top_leverage: the population has no leverage buckets");
                };
                let others: f64 = rest.iter().map(|(_, s)| s).sum();
                if others <= 0.0 && value < 1.0 {
                    return fail("top_leverage: no other bucket to take the rest");
                }
                rest.iter_mut()
                    .for_each(|(_, s)| *s *= (1.0 - value) / others.max(f64::MIN_POSITIVE));
                *top = value;
            }
            "reaction_delay" => self.network.reaction_delay_steps = count()?,
            "oracle_latency" => self.oracle.latency_secs = count()? as i64,
            "traders" => self.population.traders = count()?,
            "defenders" => self.population.defender_share = value,
            "orders" => self.population.order_share = value,
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
