//! The keeper's and the defenders' part of a step: interest accrual, bad-debt settlement, and
//! which defending traders repay.
use crate::metrics;
use crate::scenario::Scenario;
use crate::setup;
use crate::SimError;
use anchor_lang::prelude::Pubkey;
use keel_liquidator::snapshot::Snapshot;
use keel_localnet::bank_chain::BankChain;
use keel_localnet::world::World;
use keel_sdk::chain::Chain;
use keel_sdk::instructions as kix;
use keel_sdk::risk::{account_health, position_amounts};

/// Compute units for the keeper's transactions.
const KEEPER_COMPUTE_UNITS: u32 = 400_000;

/// The keeper accrues interest on every market, in one transaction.
pub async fn accrue(keeper: &BankChain, world: &World) -> Result<(), SimError> {
    let ixs: Vec<_> = world
        .markets
        .iter()
        .map(|f| kix::accrue(f.keys.market))
        .collect();
    keeper
        .send(&ixs, &[], KEEPER_COMPUTE_UNITS)
        .await
        .map(|_| ())
        .map_err(|e| SimError(format!("accrue failed: {e}")))
}

/// The keeper writes off the debt of every account left with debt and no collateral (as
/// `snapshot` shows them); returns how many accounts it settled.
pub async fn settle_bad_debt(keeper: &BankChain, snapshot: &Snapshot) -> Result<usize, SimError> {
    let mut settled = 0;
    for (key, account) in &snapshot.accounts {
        let active = account.active();
        if active.iter().any(|p| p.deposit_shares > 0)
            || active.iter().all(|p| p.borrow_shares == 0)
        {
            continue;
        }
        let ixs: Vec<_> = active
            .iter()
            .filter(|p| p.borrow_shares > 0)
            .map(|p| kix::settle_bad_debt(*key, p.market))
            .collect();
        keeper
            .send(&ixs, &[], KEEPER_COMPUTE_UNITS)
            .await
            .map_err(|e| SimError(format!("settle_bad_debt of {key} failed: {e}")))?;
        settled += 1;
    }
    Ok(settled)
}

/// Defenders whose health factor is under `defend_below_hf` in `snapshot`, with what they repay
/// (their planned amount, at most their debt).
pub fn to_defend(
    scenario: &Scenario,
    defenders: &[setup::Defender],
    snapshot: &Snapshot,
) -> Vec<(usize, u64)> {
    if defenders.iter().all(|d| d.done) {
        return vec![];
    }
    let accounts: std::collections::BTreeMap<Pubkey, &keel::state::MarginAccount> =
        snapshot.accounts.iter().map(|(k, a)| (*k, a)).collect();
    let threshold = scenario.population.defend_below_hf;
    let mut out = vec![];
    for (i, d) in defenders.iter().enumerate() {
        let Some(account) = accounts.get(&d.margin).filter(|_| !d.done) else {
            continue;
        };
        let Ok(health) = account_health(account, &snapshot.markets, snapshot.now) else {
            continue;
        };
        if health.debt_maint.0 == 0 || metrics::health_factor(&health) >= threshold {
            continue;
        }
        let debt = position_amounts(account, &snapshot.markets, snapshot.now)
            .ok()
            .and_then(|amounts| {
                amounts
                    .iter()
                    .find(|a| a.market == d.market_key)
                    .map(|a| a.debt)
            })
            .unwrap_or(0);
        if debt > 0 {
            out.push((i, d.repay.min(debt)));
        }
    }
    out
}
