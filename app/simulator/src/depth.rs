//! Endogenous price impact: what liquidators sell moves the price the oracle reports next.
//!
//! ```text
//! market price(t)  = path(t) * (1 - I(t))                  I: the market's impact level, [0, 1)
//! depth(t)         = depth_usd * (market price(t) / start price)^thinning
//!                    (the book thins as the crash deepens: half the price, 2^-thinning the depth)
//! each step, before the oracle publishes:
//!   I <- I * 2^(-step_secs / recovery_half_life_secs)     arbitrage refills the book
//! after the step's sales S (USD at the market price):
//!   I <- 1 - (1 - I) * (1 - min(S / depth(t), MAX_STEP_IMPACT))
//! ```
//! A market without `depth` has no impact: its level stays exactly 0, so its price is the path's
//! to the bit (`p * (1 - 0.0) == p`), and a scenario without depth runs as it did before the
//! model existed. The sale itself fills at the market price of the step it is sent in; the move
//! it causes is seen by everyone from the next step on (the oracle publishes once per step).
use crate::scenario::Scenario;
use serde::{Deserialize, Serialize};

/// Most one step's sales can move a price (the rest of the book is assumed to hold).
pub const MAX_STEP_IMPACT: f64 = 0.5;

/// A market's order-book depth.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Depth {
    /// USD of market sells that would move the price by 100% at the start price (impact is
    /// linear: selling 1% of it moves the price 1%).
    pub usd: f64,
    /// How fast the depth thins as the price falls: depth scales with (price / start)^thinning.
    #[serde(default = "default_thinning")]
    pub thinning: f64,
    /// Half-life of an impact once sales stop, seconds.
    #[serde(default = "default_recovery")]
    pub recovery_half_life_secs: i64,
}

fn default_thinning() -> f64 {
    2.0
}
fn default_recovery() -> i64 {
    3_600
}

impl Depth {
    /// Check the fields, naming the market.
    pub fn validate(&self, symbol: &str) -> Result<(), String> {
        if !(self.usd.is_finite() && self.usd > 0.0) {
            return Err(format!("{symbol}: depth.usd must be positive"));
        }
        if !(self.thinning.is_finite() && (0.0..=10.0).contains(&self.thinning)) {
            return Err(format!("{symbol}: depth.thinning must lie in [0, 10]"));
        }
        if self.recovery_half_life_secs <= 0 {
            return Err(format!(
                "{symbol}: depth.recovery_half_life_secs must be positive"
            ));
        }
        Ok(())
    }
}

/// Every market's impact level and what moved it.
#[derive(Clone, Debug)]
pub struct Impact {
    level: Vec<f64>,
    /// Deepest level each market reached.
    pub peak: Vec<f64>,
}

impl Impact {
    /// No impact anywhere.
    pub fn new(markets: usize) -> Impact {
        Impact {
            level: vec![0.0; markets],
            peak: vec![0.0; markets],
        }
    }

    /// The market price: `path_price` moved by market `m`'s impact.
    pub fn price(&self, m: usize, path_price: f64) -> f64 {
        path_price * (1.0 - self.level[m])
    }

    /// Market `m`'s impact level, as a fraction of the path price.
    pub fn level(&self, m: usize) -> f64 {
        self.level[m]
    }

    /// A step passes: every impact decays toward zero.
    pub fn recover(&mut self, scenario: &Scenario) {
        for (m, market) in scenario.markets.iter().enumerate() {
            if let Some(depth) = &market.depth {
                let decay =
                    0.5f64.powf(scenario.step_secs as f64 / depth.recovery_half_life_secs as f64);
                self.level[m] *= decay;
            }
        }
    }

    /// Market `m` absorbs `sold_usd` of sells at `market_price` (start price `start`); returns
    /// the impact this sale added (0 for a market without depth).
    pub fn absorb(
        &mut self,
        scenario: &Scenario,
        m: usize,
        sold_usd: f64,
        market_price: f64,
    ) -> f64 {
        let market = &scenario.markets[m];
        let Some(depth) = &market.depth else {
            return 0.0;
        };
        if sold_usd <= 0.0 {
            return 0.0;
        }
        let thinned = depth.usd * (market_price / market.price).powf(depth.thinning);
        let step = (sold_usd / thinned).min(MAX_STEP_IMPACT);
        let before = self.level[m];
        self.level[m] = 1.0 - (1.0 - before) * (1.0 - step);
        self.peak[m] = self.peak[m].max(self.level[m]);
        self.level[m] - before
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::builtin::black_thursday;

    fn scenario(depth_usd: f64) -> Scenario {
        let mut s = black_thursday();
        s.markets[1].depth = Some(Depth {
            usd: depth_usd,
            thinning: 2.0,
            recovery_half_life_secs: 3_600,
        });
        s
    }

    #[test]
    fn no_depth_means_no_impact_to_the_bit() {
        let mut s = black_thursday();
        s.markets[1].depth = None;
        let mut i = Impact::new(s.markets.len());
        assert_eq!(i.absorb(&s, 1, 1e12, 150.0), 0.0);
        i.recover(&s);
        for p in [150.0, 0.123_456_7, 98_765.432_1] {
            assert_eq!(i.price(1, p).to_bits(), p.to_bits());
        }
    }

    #[test]
    fn sales_move_the_price_linearly_and_thinner_books_move_more() {
        let s = scenario(10_000_000.0);
        let mut i = Impact::new(s.markets.len());
        // $100k into $10M of depth at the start price: 1%
        let added = i.absorb(&s, 1, 100_000.0, 150.0);
        assert!((added - 0.01).abs() < 1e-12, "{added}");
        assert!((i.price(1, 150.0) - 148.5).abs() < 1e-9);
        // at half the price the book is a quarter as deep (thinning 2): the same sale moves 4x
        let mut j = Impact::new(s.markets.len());
        let added = j.absorb(&s, 1, 100_000.0, 75.0);
        assert!((added - 0.04).abs() < 1e-12, "{added}");
        // one step's sales move the price at most MAX_STEP_IMPACT
        let mut k = Impact::new(s.markets.len());
        k.absorb(&s, 1, 1e15, 150.0);
        assert!((k.level(1) - MAX_STEP_IMPACT).abs() < 1e-12);
    }

    #[test]
    fn impact_recovers_with_its_half_life() {
        let s = scenario(10_000_000.0);
        let mut i = Impact::new(s.markets.len());
        i.absorb(&s, 1, 1_000_000.0, 150.0);
        let start = i.level(1);
        // 12 five-minute steps = one half-life
        for _ in 0..12 {
            i.recover(&s);
        }
        assert!((i.level(1) - start / 2.0).abs() < 1e-12);
        assert_eq!(i.peak[1], start);
    }
}
