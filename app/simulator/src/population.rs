//! The traders a run opens, drawn from the scenario's population.
//!
//! ```text
//! collateral (USD)  ~ LogNormal(ln(median), sigma)
//! leverage u        = bucket fraction * (1 - U(0, 0.05)),  bucket drawn by weight
//! long:   posts 1 volatile collateral (2 with two_collateral_share, split U(0.3, 0.7)),
//!         borrows a stablecoin
//! short:  posts a stablecoin, borrows a volatile asset
//! borrow (USD)      = u * C_init / liab_init_weight     (C_init: collateral at the initial band)
//! defender          ~ Bernoulli(defender_share), from a separate stream
//! order             ~ Bernoulli(order_share), from another
//! ```
use crate::scenario::Scenario;
use rand::seq::IndexedRandom;
use rand::Rng;
use rand_distr::{Distribution, LogNormal};

/// One trader to open.
#[derive(Clone, Debug, PartialEq)]
pub struct TraderPlan {
    /// Collateral: (market index, USD).
    pub collateral: Vec<(usize, f64)>,
    /// Market borrowed from.
    pub debt_market: usize,
    /// Fraction of initial borrowing power used.
    pub leverage: f64,
    /// Repays part of its debt when its health factor runs low (see [`mark_defenders`]).
    pub defender: bool,
    /// Posts a deleverage order when it opens (see [`mark_orders`]).
    pub order: bool,
}

/// Mark each trader as posting a deleverage order with probability `population.order_share`,
/// from its own random stream (the rest of the population does not change with the share).
pub fn mark_orders(scenario: &Scenario, traders: &mut [TraderPlan], rng: &mut impl Rng) {
    for t in traders {
        t.order = rng.random::<f64>() < scenario.population.order_share;
    }
}

/// Mark each trader a defender with probability `population.defender_share`, from its own
/// random stream so that the rest of the population does not change with the share.
pub fn mark_defenders(scenario: &Scenario, traders: &mut [TraderPlan], rng: &mut impl Rng) {
    for t in traders {
        t.defender = rng.random::<f64>() < scenario.population.defender_share;
    }
}

/// Draw `scenario.population.traders` traders.
pub fn draw(scenario: &Scenario, rng: &mut impl Rng) -> Vec<TraderPlan> {
    let p = &scenario.population;
    let stable: Vec<usize> = (0..scenario.markets.len())
        .filter(|m| scenario.markets[*m].process.is_stable())
        .collect();
    let volatile: Vec<usize> = (0..scenario.markets.len())
        .filter(|m| !scenario.markets[*m].process.is_stable())
        .collect();
    let size = LogNormal::new(p.collateral_usd_median.ln(), p.collateral_usd_sigma)
        .expect("validated: median > 0, sigma >= 0");
    let total_weight: f64 = p.leverage.iter().map(|(_, w)| w).sum();
    (0..p.traders)
        .map(|_| {
            let usd = size.sample(rng);
            let mut pick = rng.random::<f64>() * total_weight;
            let mut bucket = p.leverage[p.leverage.len() - 1].0;
            for (u, w) in &p.leverage {
                if pick < *w {
                    bucket = *u;
                    break;
                }
                pick -= w;
            }
            let leverage = bucket * (1.0 - rng.random::<f64>() * 0.05);
            let short = rng.random::<f64>() < p.short_share;
            let two = rng.random::<f64>() < p.two_collateral_share && volatile.len() > 1;
            if short {
                TraderPlan {
                    collateral: vec![(*stable.choose(rng).expect("a stable market"), usd)],
                    debt_market: *volatile.choose(rng).expect("a volatile market"),
                    leverage,
                    defender: false,
                    order: false,
                }
            } else {
                let collateral = if two {
                    let pair: Vec<usize> = volatile.choose_multiple(rng, 2).copied().collect();
                    let split = 0.3 + 0.4 * rng.random::<f64>();
                    vec![(pair[0], usd * split), (pair[1], usd * (1.0 - split))]
                } else {
                    vec![(*volatile.choose(rng).expect("a volatile market"), usd)]
                };
                TraderPlan {
                    collateral,
                    debt_market: *stable.choose(rng).expect("a stable market"),
                    leverage,
                    defender: false,
                    order: false,
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn population_has_the_mix_it_is_given() {
        let s = crate::builtin::black_thursday();
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(3);
        let traders = draw(&s, &mut rng);
        assert_eq!(traders.len(), 2_000);
        let shorts = traders
            .iter()
            .filter(|t| s.markets[t.collateral[0].0].process.is_stable())
            .count();
        // 10% short: 200 expected, sd ~13
        assert!((140..=260).contains(&shorts), "{shorts} shorts");
        assert!(traders
            .iter()
            .all(|t| t.leverage > 0.0 && t.leverage <= 0.95));
        assert!(traders
            .iter()
            .all(|t| t.collateral.iter().all(|(m, _)| *m != t.debt_market)));
        let again = draw(&s, &mut rand_chacha::ChaCha8Rng::seed_from_u64(3));
        assert_eq!(traders, again);
    }
}
