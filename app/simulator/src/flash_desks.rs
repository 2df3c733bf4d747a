//! Flash mode's sale venues: one swap desk (the embedded chain's stand-in for a DEX) for every
//! ordered pair of markets, quoting the step's market price (the path moved by impact, depth.rs).
//! A flash-mode bot sells a seizure there inside its liquidation transaction; the run then
//! absorbs those sales into the market's depth, so the next step's price carries their impact,
//! as the delayed sales of inventory-bound bots do (desk.rs).
//!
//! ```text
//! rate(m -> r) = p_m / p_r * 10^(decimals_r - decimals_m)   base units of r per base unit of m,
//!                                                            WAD-scaled, set before the bots act
//! reserves: VENUE_USD of every token, written once
//! ```
use crate::metrics::{self, Event};
use crate::scenario::Scenario;
use anchor_lang::prelude::Pubkey;
use keel::math::fixed::WAD;
use keel_liquidator::flash::{RouteAccount, SwapRoute};
use keel_localnet::swap::{Desk, SWAP_PROGRAM_ID};
use keel_localnet::world::World;

/// What each desk holds of the token it sells at the start, USD.
const VENUE_USD: f64 = 1e11;

/// The route template that sells on `desk` (what an operator writes in the bot's config).
pub fn desk_route(desk: &Desk) -> SwapRoute {
    let acc = |key: &str, signer: bool, writable: bool| RouteAccount {
        key: key.to_string(),
        signer,
        writable,
    };
    SwapRoute {
        sell: desk.mint_in,
        buy: desk.mint_out,
        program: SWAP_PROGRAM_ID,
        accounts: vec![
            acc("{liquidator}", true, false),
            acc("{seize_token}", false, true),
            acc("{repay_token}", false, true),
            acc(&desk.desk.to_string(), false, false),
            acc(&desk.reserve_in.to_string(), false, true),
            acc(&desk.reserve_out.to_string(), false, true),
            acc("{seize_mint}", false, false),
            acc("{repay_mint}", false, false),
            acc("{seize_token_program}", false, false),
            acc("{repay_token_program}", false, false),
        ],
        data: vec!["amount_in".into(), "min_out".into()],
    }
}

/// The desks of a flash-mode run.
pub struct FlashDesks {
    /// (sold market, bought market, desk).
    desks: Vec<(usize, usize, Desk)>,
}

impl FlashDesks {
    /// Write a desk for every ordered pair of markets, quoting the opening prices.
    pub async fn open(world: &mut World, scenario: &Scenario) -> FlashDesks {
        let mut desks = vec![];
        for m in 0..world.markets.len() {
            for r in (0..world.markets.len()).filter(|r| *r != m) {
                let (km, kr) = (world.markets[m].keys, world.markets[r].keys);
                let desk = Desk::new(km.mint, kr.mint, (km.token_program, kr.token_program));
                let (pm, pr) = (scenario.markets[m].price, scenario.markets[r].price);
                let scale = 10f64.powi(scenario.markets[r].decimals as i32);
                let reserve = (VENUE_USD / pr * scale).min(1e18) as u64;
                desk.write(&mut world.env, reserve, rate(scenario, (m, r), (pm, pr)))
                    .await;
                desks.push((m, r, desk));
            }
        }
        FlashDesks { desks }
    }

    /// Quote this step's market `prices` on every desk.
    pub async fn quote(&self, world: &mut World, scenario: &Scenario, prices: &[f64]) {
        for (m, r, desk) in &self.desks {
            let rate = rate(scenario, (*m, *r), (prices[*m], prices[*r]));
            desk.set_rate(&mut world.env, rate).await;
        }
    }

    /// The routes the bots are configured with.
    pub fn routes(&self) -> Vec<SwapRoute> {
        self.desks.iter().map(|(_, _, d)| desk_route(d)).collect()
    }
}

/// The desk rate selling market `m` for market `r` at prices `(p_m, p_r)`.
fn rate(scenario: &Scenario, (m, r): (usize, usize), (pm, pr): (f64, f64)) -> u128 {
    let decimals = scenario.markets[r].decimals as i32 - scenario.markets[m].decimals as i32;
    let rate = pm / pr * 10f64.powi(decimals) * WAD as f64;
    if rate.is_finite() && rate > 0.0 {
        rate.min(u128::MAX as f64 / 2.0) as u128
    } else {
        0
    }
}

/// The USD each market's seizures sold for in flash-mode liquidations among `events`, at the
/// step's `prices` (stable markets are not sold: they are what the bots repay with).
pub fn sales(
    events: &[Event],
    scenario: &Scenario,
    prices: &[f64],
    market_index: impl Fn(&Pubkey) -> usize,
) -> Vec<f64> {
    let mut sold = vec![0.0; prices.len()];
    for e in events {
        if let Event::Liquidated(l) = e {
            let m = market_index(&l.seize_market);
            if !scenario.markets[m].process.is_stable() {
                sold[m] += metrics::usd(l.seized as f64, scenario.markets[m].decimals, prices[m]);
            }
        }
    }
    sold
}
