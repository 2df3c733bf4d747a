//! The oracle: turns the true price paths into Pyth `PriceUpdateV2` accounts, with latency,
//! missed updates, outages, a confidence interval that widens in fast markets, and an EMA.
//!
//! ```text
//! observed(t)  = path(t - latency) * (1 - impact now)       published at t - latency
//!                (impact: what liquidators' sales did to the market price, depth.rs)
//! conf         = observed * (conf_bps + conf_bps_per_pct_move * |move over the step in %|) / 10^4
//! ema         += (observed - ema) * (1 - 2^(-step_secs / ema_half_life_secs))
//! mantissa     = round(price * 10^8), exponent -8
//! ```
//! An update is skipped inside an outage window or, push only (`pull_updates = false`), with
//! probability `miss_probability`; the account then keeps its last update, which ages until the
//! program calls it stale. With pull updates (the default) a liquidator posts the current update
//! in its own transaction (its cost is in network.rs), so a missed push holds nothing back. Step 0, when
//! the positions open before the stress, is always published, fresh.
//!
//! With `oracle.secondary`, every market also has a Switchboard pull feed as its second source,
//! with its own latency, misses (its own random stream: the primary's draws do not change) and
//! outages:
//! ```text
//! observed2(t) = path(t - latency2) * (1 - impact now)       updated at t - latency2
//! std_dev      = observed2 * (std_dev_bps + conf_bps_per_pct_move * |move in %|) / 10^4
//! value        = observed2 * 10^18                            (a pull feed's 18 decimals)
//! ```
use crate::depth::Impact;
use crate::price_path::PricePaths;
use crate::scenario::Scenario;
use keel_localnet::pyth::PriceSpec;
use keel_localnet::world::{World, EXPO};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// A second price source on every market: a Switchboard pull feed with its own delays.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct SecondaryOracleScenario {
    /// Its update describes the true price this many seconds ago (and says so).
    pub latency_secs: i64,
    /// Chance that a market's update misses a step.
    pub miss_probability: f64,
    /// Windows `[start, end)` in seconds with no updates from it.
    pub outages: Vec<(i64, i64)>,
    /// Standard deviation of its oracles' answers in a calm market, bps of price.
    pub std_dev_bps: u64,
}

impl Default for SecondaryOracleScenario {
    fn default() -> SecondaryOracleScenario {
        SecondaryOracleScenario {
            latency_secs: 5,
            miss_probability: 0.0,
            outages: vec![],
            std_dev_bps: 20,
        }
    }
}

/// Scale of a price mantissa at exponent `EXPO`.
const SCALE: f64 = 100_000_000.0;

/// Per-market oracle state.
pub struct Oracle {
    ema: Vec<f64>,
    last_observed: Vec<f64>,
    /// Last published spot price of each market, USD.
    pub published: Vec<f64>,
    /// Updates skipped so far (misses and outages), over all markets.
    pub skipped_updates: u64,
    /// Second-source updates skipped so far.
    pub skipped_secondary: u64,
}

impl Oracle {
    /// An oracle whose EMA starts at the paths' first prices.
    pub fn new(paths: &PricePaths) -> Oracle {
        let first: Vec<f64> = paths.prices.iter().map(|p| p[0]).collect();
        Oracle {
            ema: first.clone(),
            last_observed: first.clone(),
            published: first,
            skipped_updates: 0,
            skipped_secondary: 0,
        }
    }

    /// Publish every market's price for step `step` at unix time `now`.
    pub fn publish(
        &mut self,
        world: &mut World,
        (scenario, paths, impact): (&Scenario, &PricePaths, &Impact),
        step: usize,
        now: i64,
        (rng, rng2): (&mut impl Rng, &mut impl Rng),
    ) {
        let o = &scenario.oracle;
        // step 0 is the calm before the stress, when positions open: published fresh
        let setup = step == 0;
        let latency = if setup { 0 } else { o.latency_secs };
        let t = step as i64 * scenario.step_secs;
        let observed_at = t - latency;
        let alpha = 1.0 - 0.5f64.powf(scenario.step_secs as f64 / o.ema_half_life_secs as f64);
        let in_outage = o.outages.iter().any(|(a, b)| (*a..*b).contains(&t));
        for m in 0..paths.prices.len() {
            let observed = impact.price(
                m,
                paths.at(m, observed_at as f64 / scenario.step_secs as f64),
            );
            self.ema[m] += (observed - self.ema[m]) * alpha;
            let moved_pct = ((observed / self.last_observed[m]) - 1.0).abs() * 100.0;
            self.last_observed[m] = observed;
            // with pull updates a missed push is posted by the liquidator that needs it
            let missed = rng.random::<f64>() < o.miss_probability && !o.pull_updates;
            if !setup && (in_outage || missed) {
                self.skipped_updates += 1;
                continue;
            }
            let conf_bps = o.conf_bps as f64 + o.conf_bps_per_pct_move as f64 * moved_pct;
            let mut spec = PriceSpec::new(world.markets[m].feed_id, mantissa(observed), now);
            spec.expo = EXPO;
            spec.conf = (observed * conf_bps / 10_000.0 * SCALE).round() as u64;
            spec.ema_price = mantissa(self.ema[m]);
            spec.ema_conf = spec.conf;
            spec.publish_time = now - latency;
            world.write_price(m, &spec);
            self.published[m] = observed;
        }
        if let Some(second) = &o.secondary {
            self.publish_secondary(world, (scenario, paths, impact), second, step, now, rng2);
        }
    }

    /// Publish every market's second source for step `step` at unix time `now`.
    fn publish_secondary(
        &mut self,
        world: &mut World,
        (scenario, paths, impact): (&Scenario, &PricePaths, &Impact),
        o: &SecondaryOracleScenario,
        step: usize,
        now: i64,
        rng: &mut impl Rng,
    ) {
        let setup = step == 0;
        let latency = if setup { 0 } else { o.latency_secs };
        let t = step as i64 * scenario.step_secs;
        let observed_at = t - latency;
        let in_outage = o.outages.iter().any(|(a, b)| (*a..*b).contains(&t));
        let previous_at = observed_at - scenario.step_secs;
        for m in 0..paths.prices.len() {
            let at = |secs: i64| {
                impact.price(
                    m,
                    paths.at(m, secs.max(0) as f64 / scenario.step_secs as f64),
                )
            };
            let observed = at(observed_at);
            let missed = rng.random::<f64>() < o.miss_probability;
            if !setup && (in_outage || missed) {
                self.skipped_secondary += 1;
                continue;
            }
            let moved_pct = ((observed / at(previous_at)) - 1.0).abs() * 100.0;
            let bps =
                o.std_dev_bps as f64 + scenario.oracle.conf_bps_per_pct_move as f64 * moved_pct;
            let price = mantissa(observed);
            let mut spec = world.feed_spec_at(m, price, now - latency);
            spec.std_dev = spec.value / 10_000 * bps.round() as i128;
            world.write_feed(m, &spec);
        }
    }
}

/// A USD price as a mantissa at exponent -8 (at least 1).
pub fn mantissa(price: f64) -> i64 {
    ((price * SCALE).round() as i64).max(1)
}
