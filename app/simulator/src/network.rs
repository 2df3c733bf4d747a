//! The network: Solana's block limits as liquidations meet them (sources: `docs/calibration.md`).
//!
//! ```text
//! slots in a step      = step_secs * 1000 / slot_ms                         (750 at 5 min, 400 ms)
//! a bot's round        = max(reaction_ms, slot_ms): read, plan, send, see the result
//! rounds in a step     = (step_ms - reaction_ms) / round_ms; the bots stop early once a round
//!                        finds nothing to do (the price is the step's until the next one)
//! blocks in a round    = ceil(round_ms / slot_ms)
//! a transaction's cost = 720 (signature) + 300 * write locks + program CU + posted Pyth updates
//!                        (Agave's cost model: every writable account it locks is charged the whole)
//! a round's space      = account_cu_limit a block on every Keel market account it writes, and
//!                        block_cu_limit * block_share a block for all of them together; a bot
//!                        sends its whole plan, which fills as many blocks as it needs (at least
//!                        a round's, at most what is left of the step)
//! landing              = each admitted transaction is dropped with the failure rate of its time
//!                        (congestion windows override it) and is sent again the next round
//! ```
//! A liquidation writes its repay and its seize market (and their vaults): the per-account limit
//! on a market, divided by a liquidation's cost, caps that market's liquidations per block. So
//! fewer compute units per liquidation is more liquidations per block (issue 31).
use keel_liquidator::Plan;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Network conditions.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Network {
    /// Slot time, ms.
    pub slot_ms: u64,
    /// Compute units a block may hold.
    pub block_cu_limit: u64,
    /// Compute units a block may charge to one writable account.
    pub account_cu_limit: u64,
    /// Share of a block's compute units Keel's liquidations win against the rest of the
    /// network's transactions (priority fees), in normal times.
    pub block_share: f64,
    /// Chance that a sent transaction does not land (dropped by the leader or expired), in
    /// normal times; it is sent again the next round.
    pub failure_rate: f64,
    /// Windows of congestion with their own share of the block and failure rate.
    pub congestion: Vec<Congestion>,
    /// `liquidate`'s compute units: fixed part.
    pub liquidation_cu_base: u64,
    /// `liquidate`'s compute units: each position of the liquidated account.
    pub liquidation_cu_per_position: u64,
    /// `execute_order`'s compute units: fixed part (a position costs what a liquidation's does).
    pub order_cu_base: u64,
    /// Compute units of posting one Pyth update in the liquidator's transaction (pull oracle):
    /// the repay and the seize leg each post one.
    pub oracle_post_cu: u64,
    /// Accounts a liquidation write-locks (margin account, two markets, two vaults, the
    /// liquidator's two token accounts, the insurance vault, two price updates).
    pub write_locks: u64,
    /// Time between a price and a bot's transaction on it, ms (its read, plan and send).
    pub reaction_ms: u64,
    /// Steps between a bot's read of the chain and its transactions landing (a bot minutes
    /// late); such a bot reads once a step.
    pub reaction_delay_steps: usize,
}

/// A window `[start_secs, end_secs)` of congestion.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Congestion {
    /// Start, seconds into the scenario.
    pub start_secs: i64,
    /// End (exclusive), seconds into the scenario.
    pub end_secs: i64,
    /// Share of a block Keel's liquidations win in it.
    pub block_share: f64,
    /// Chance that a transaction does not land in it.
    pub failure_rate: f64,
}

/// Agave 4.3's cost model (`solana-cost-model` 4.3.2, `block_cost_limits.rs`).
const SIGNATURE_CU: u64 = 720;
/// See [`SIGNATURE_CU`].
const WRITE_LOCK_CU: u64 = 300;

impl Default for Network {
    /// Solana mainnet as of Agave 4.3, with the liquidation's cost from Keel's CU suite
    /// (`cu/`, issue 31: `liquidate` 51,390 CU at 2 positions, 2,212 a position more;
    /// `execute_order` 44,790 at 2); congestion is the scenario's (docs/calibration.md).
    fn default() -> Network {
        Network {
            slot_ms: 400,
            block_cu_limit: 60_000_000,
            account_cu_limit: 24_000_000,
            block_share: 0.25,
            failure_rate: 0.1,
            congestion: vec![],
            liquidation_cu_base: 47_000,
            liquidation_cu_per_position: 2_212,
            order_cu_base: 40_400,
            oracle_post_cu: 150_000,
            write_locks: 10,
            reaction_ms: 600,
            reaction_delay_steps: 0,
        }
    }
}

impl Network {
    /// A round's length, ms.
    fn round_ms(&self) -> u64 {
        self.reaction_ms.max(self.slot_ms)
    }

    /// The bots' rounds in a step of `step_secs` (at least one).
    pub fn rounds_per_step(&self, step_secs: i64) -> usize {
        let step_ms = (step_secs.max(0) as u64).saturating_mul(1_000);
        (step_ms.saturating_sub(self.reaction_ms) / self.round_ms()).max(1) as usize
    }

    /// Slots in a step of `step_secs`.
    pub fn slots_per_step(&self, step_secs: i64) -> u64 {
        (step_secs.max(0) as u64).saturating_mul(1_000) / self.slot_ms
    }

    /// Slots a bot needs to react to a step's price (its read, plan and send).
    pub fn reaction_slots(&self) -> u64 {
        self.reaction_ms.div_ceil(self.slot_ms)
    }

    /// Blocks a round spans at least.
    pub fn blocks_per_round(&self) -> u64 {
        self.round_ms().div_ceil(self.slot_ms)
    }

    /// (block share, failure rate) at `secs` into the scenario.
    pub fn conditions(&self, secs: i64) -> (f64, f64) {
        self.congestion
            .iter()
            .find(|c| (c.start_secs..c.end_secs).contains(&secs))
            .map_or((self.block_share, self.failure_rate), |c| {
                (c.block_share, c.failure_rate)
            })
    }

    /// A transaction's cost to the block and to each account it writes: signature, write locks,
    /// two posted Pyth updates and the program's own compute units (`base` plus a position's
    /// share for each of the account's `positions`).
    pub fn transaction_cu(&self, base: u64, positions: usize) -> u64 {
        SIGNATURE_CU
            + WRITE_LOCK_CU * self.write_locks
            + 2 * self.oracle_post_cu
            + base
            + self.liquidation_cu_per_position * positions as u64
    }

    /// Checks (`Scenario::validate`).
    pub fn validate(&self) -> Result<(), String> {
        if self.slot_ms == 0 || self.block_cu_limit == 0 || self.account_cu_limit == 0 {
            return Err("network: slot_ms, block_cu_limit and account_cu_limit must be > 0".into());
        }
        let share = |s: f64| s > 0.0 && s <= 1.0;
        let rate = |r: f64| (0.0..1.0).contains(&r);
        if !share(self.block_share) || !rate(self.failure_rate) {
            return Err("network: block_share in (0, 1], failure_rate in [0, 1)".into());
        }
        for c in &self.congestion {
            if c.start_secs >= c.end_secs || !share(c.block_share) || !rate(c.failure_rate) {
                return Err(
                    "network.congestion: start < end, block_share in (0, 1], failure_rate in [0, 1)"
                        .into(),
                );
            }
        }
        Ok(())
    }
}

/// A round's block space: on each market account and on the block, over the blocks the round
/// may take. A bot sends its whole plan at once; the leaders pack it into as many blocks as it
/// needs (at least the round's), so a round lasts the blocks its transactions fill.
pub struct BlockSpace {
    per_block_market: u64,
    per_block: u64,
    market_used: Vec<u64>,
    block_used: u64,
    blocks: u64,
}

impl BlockSpace {
    /// Space over `blocks` blocks at `secs` into the scenario, for `markets` markets.
    pub fn new(network: &Network, markets: usize, secs: i64, blocks: u64) -> BlockSpace {
        let (share, _) = network.conditions(secs);
        BlockSpace {
            per_block_market: network.account_cu_limit,
            per_block: (network.block_cu_limit as f64 * share) as u64,
            market_used: vec![0; markets],
            block_used: 0,
            blocks,
        }
    }

    /// Take `cu` on the block and on each market in `markets` if all have room.
    pub fn admit(&mut self, markets: &[usize], cu: u64) -> bool {
        let room = |used: u64, per_block: u64| {
            used.saturating_add(cu) <= self.blocks.saturating_mul(per_block)
        };
        if !room(self.block_used, self.per_block)
            || markets
                .iter()
                .any(|m| !room(self.market_used[*m], self.per_block_market))
        {
            return false;
        }
        self.block_used += cu;
        for (i, m) in markets.iter().enumerate() {
            // a market written twice (repay = seize) is charged once, as the cost model does
            if !markets[..i].contains(m) {
                self.market_used[*m] += cu;
            }
        }
        true
    }

    /// Blocks the round's transactions fill, at least `min`.
    pub fn blocks_used(&self, min: u64) -> u64 {
        let fill = |used: u64, per_block: u64| used.div_ceil(per_block.max(1));
        self.market_used
            .iter()
            .map(|u| fill(*u, self.per_block_market))
            .chain([fill(self.block_used, self.per_block), min])
            .max()
            .unwrap_or(min)
    }
}

/// Cut `plan` to what lands this round: each order and liquidation, most urgent first, is
/// dropped with `failure_rate` (it costs no block space) or takes its cost on the block and its two
/// markets, or waits for the next round when they are full. Returns (dropped, deferred).
pub fn admit(
    plan: &mut Plan,
    network: &Network,
    space: &mut BlockSpace,
    failure_rate: f64,
    rng: &mut impl Rng,
) -> (u64, u64) {
    let (mut dropped, mut deferred) = (0u64, 0u64);
    let mut lands = |markets: [usize; 2], cu: u64| {
        if rng.random::<f64>() < failure_rate {
            dropped += 1;
            false
        } else if space.admit(&markets, cu) {
            true
        } else {
            deferred += 1;
            false
        }
    };
    plan.orders.retain(|o| {
        let cu = network.transaction_cu(network.order_cu_base, o.account.active().len());
        lands([o.repay, o.seize], cu)
    });
    plan.liquidations.retain(|(candidate, choice)| {
        let positions = candidate.account.active().len();
        let cu = network.transaction_cu(network.liquidation_cu_base, positions);
        lands([choice.repay, choice.seize], cu)
    });
    (dropped, deferred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_five_minute_step_holds_hundreds_of_rounds_and_the_account_limit_binds_per_market() {
        let mut n = Network::default();
        assert_eq!(n.rounds_per_step(300), 499);
        assert_eq!(n.slots_per_step(300), 750);
        assert_eq!(n.blocks_per_round(), 2);
        let cu = n.transaction_cu(n.liquidation_cu_base, 2);
        assert_eq!(cu, 720 + 3_000 + 300_000 + 47_000 + 4_424);
        // with the whole block: 24M CU a block on one market, 135 liquidations of it in two blocks
        n.block_share = 1.0;
        let mut space = BlockSpace::new(&n, 2, 0, 2);
        let landed = (0..1_000).take_while(|_| space.admit(&[0, 1], cu)).count();
        assert_eq!(landed as u64, 2 * 24_000_000 / cu);
        assert_eq!(space.blocks_used(2), 2);
        // cheaper liquidations, more of them
        let mut space = BlockSpace::new(&n, 2, 0, 2);
        let cheaper = n.transaction_cu(n.liquidation_cu_base / 2, 2);
        let more = (0..1_000)
            .take_while(|_| space.admit(&[0, 1], cheaper))
            .count();
        assert!(more > landed);
        // a round of one liquidation still takes its two blocks; one of 100 takes what it fills
        let mut space = BlockSpace::new(&n, 2, 0, 750);
        assert!(space.admit(&[0, 1], cu));
        assert_eq!(space.blocks_used(2), 2);
        (0..99).for_each(|_| assert!(space.admit(&[0, 1], cu)));
        assert_eq!(space.blocks_used(2), (100 * cu).div_ceil(24_000_000));
    }

    #[test]
    fn congestion_shrinks_the_block_and_drops_transactions() {
        let mut n = Network::default();
        n.congestion.push(Congestion {
            start_secs: 100,
            end_secs: 200,
            block_share: 0.01,
            failure_rate: 0.75,
        });
        assert_eq!(n.conditions(99), (0.25, 0.1));
        assert_eq!(n.conditions(100), (0.01, 0.75));
        assert_eq!(n.conditions(200), (0.25, 0.1));
        let cu = n.transaction_cu(n.liquidation_cu_base, 2);
        let mut space = BlockSpace::new(&n, 4, 150, 2);
        // 1% of two 60M blocks: 1.2M CU, three liquidations whatever market they touch
        let landed = (0..100)
            .take_while(|i| space.admit(&[i % 4, (i + 1) % 4], cu))
            .count();
        assert_eq!(landed as u64, 1_200_000 / cu);
        assert!(n.validate().is_ok());
        n.congestion[0].failure_rate = 1.0;
        assert!(n.validate().is_err());
    }
}
