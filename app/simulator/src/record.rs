//! A row of the run's time series, from a fresh read of the pool.
use crate::metrics::{self, StepRecord};
use crate::oracle::Oracle;
use crate::SimError;
use anchor_lang::prelude::Pubkey;
use keel_liquidator::snapshot::Snapshot;
use keel_liquidator::Config;
use keel_localnet::bank_chain::BankChain;
use keel_localnet::world::World;

/// The index of `market` among the world's markets (every event names a listed market).
pub fn market_index(world: &World, market: &Pubkey) -> usize {
    world
        .market_index(market)
        .expect("an event of a listed market")
}

/// A row of the time series from a fresh read of the pool at the market `prices` (event columns
/// left at zero), and the read.
pub async fn record(
    keeper: &BankChain,
    config: &Config,
    world: &World,
    prices: &[f64],
    oracle: &Oracle,
    step: usize,
    time_secs: i64,
) -> Result<(StepRecord, Snapshot), SimError> {
    let snapshot = Snapshot::load(keeper, config)
        .await
        .map_err(|e| SimError(format!("read failed: {e}")))?;
    let index: Vec<usize> = snapshot
        .markets
        .iter()
        .map(|m| market_index(world, &m.key))
        .collect();
    let in_snapshot_order: Vec<f64> = index.iter().map(|i| prices[*i]).collect();
    let mut row = StepRecord {
        step,
        time_secs,
        prices: prices.to_vec(),
        oracle_prices: oracle.published.clone(),
        ..StepRecord::with_markets(prices.len())
    };
    metrics::add_books(&mut row, &snapshot, &in_snapshot_order, &index);
    if step == 0 {
        metrics::add_health(&mut row, &snapshot);
    }
    Ok((row, snapshot))
}
