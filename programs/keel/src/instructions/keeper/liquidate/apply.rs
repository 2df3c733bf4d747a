//! Applying a plan: move the shares, re-check on the post-state at the same prices, record the
//! publish times used, write off bad debt.
use crate::errors::KeelError;
use crate::math::fixed::Wad;
use crate::math::health::Health;
use crate::math::health_sums::HealthSums;
use crate::math::liquidation::post::check_post_conditions;
use crate::math::liquidation::{
    plan_liquidation_at, LiquidationConfig, LiquidationInput, LiquidationPlan,
};
use crate::risk::account_health::{PricedAccount, Quote, MAINTENANCE};
use crate::risk::bad_debt::settle_bad_debt;
use crate::risk::exchange::{burn_exchanged, left_after, Leg};
use crate::risk::provision::{book_provision, booking, cap_provision, Booking};
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Move the shares, check the post-conditions on the post-state at the same prices (only the two
/// moved positions change: the health after is the sums before, `before`, with the two legs'
/// terms replaced, exactly what a recomputation over every position gives), record the publish
/// times, write off bad debt, drop emptied positions; returns the health factor after.
#[inline(never)]
pub(super) fn apply_plan(
    account: &mut MarginAccount,
    account_key: Pubkey,
    (priced, before): (&mut PricedAccount, &HealthSums),
    (ri, si): (usize, usize),
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
    (input, plan, config): (&LiquidationInput, &LiquidationPlan, &LiquidationConfig),
) -> Result<Wad> {
    move_shares(account, (ri, si), repay_market, seize_market, input, plan)?;
    let left = left_after(account, (ri, repay_market), (si, seize_market))?;
    let after = health_after(priced, before, (&repay_key, &seize_key), left)?;
    check_post_conditions(&input.health, &after, input, plan, config)?;
    // both markets remember the newest publish time this liquidation used
    priced.record_publish_time(&repay_key, repay_market);
    priced.record_publish_time(&seize_key, seize_market);
    if !after.is_liquidatable() {
        crate::instructions::user::health_guard::clear_bonus_clock(account, account_key);
    }
    // the repay market carries the account's loss from now on (risk/provision.rs): booked on
    // the post-state when every price is fresh, else capped at the debt left
    match booking(priced) {
        Booking::Refused => cap_provision((account, account_key), ri, (repay_market, repay_key))?,
        how => book_provision(
            (account, account_key),
            ri,
            (repay_market, repay_key),
            (&after, how),
        )?,
    }
    settle_and_tidy(account, account_key, (ri, si), (repay_market, repay_key))?;
    after.health_factor()
}

/// The account's maintenance sums before the liquidation (kept for [`health_after`]) and its
/// maintenance health (its own frame: SBF's 4 KiB).
#[inline(never)]
pub(super) fn maintenance_before(priced: &PricedAccount) -> Result<(Box<HealthSums>, Health)> {
    let sums = priced.sums_of(None, MAINTENANCE)?;
    let health = sums.finish()?;
    Ok((Box::new(sums), health))
}

/// The plan and the health factor it was planned at (its own frame: SBF's 4 KiB).
#[inline(never)]
pub(super) fn plan(input: &LiquidationInput) -> Result<(LiquidationPlan, Wad)> {
    let hf = input.health.health_factor()?;
    Ok((plan_liquidation_at(input, hf)?, hf))
}

/// The maintenance health after the two legs changed to `(debt_left, deposit_left)`: the sums
/// `before` with the legs' terms replaced (math/health_sums.rs), exactly the recomputation's
/// (the account's e-mode group is pinned, so every other position weighs as it did before).
/// `before` must be the sums of `priced` as it stands: nothing may requote a position between
/// `maintenance_before` and here (debug builds, which every test runs, check it).
#[inline(never)]
fn health_after(
    priced: &mut PricedAccount,
    before: &HealthSums,
    (repay_key, seize_key): (&Pubkey, &Pubkey),
    (debt_left, deposit_left): (u64, u64),
) -> Result<Health> {
    debug_assert!(priced.sums_of(None, MAINTENANCE).ok().as_ref() == Some(before));
    let legs = Some([repay_key, seize_key]);
    let old = priced.sums_of(legs, MAINTENANCE)?;
    requote(priced, repay_key, |q| q.input.debt = debt_left)?;
    requote(priced, seize_key, |q| q.input.deposit = deposit_left)?;
    let new = priced.sums_of(legs, MAINTENANCE)?;
    before.replace(&old, &new)?.finish()
}

/// After a seizure: with no collateral left anywhere, the repay market's remaining debt is bad
/// debt (risk/bad_debt.rs); then the emptied positions go (the later index first).
pub(super) fn settle_and_tidy(
    account: &mut MarginAccount,
    account_key: Pubkey,
    (ri, si): (usize, usize),
    (repay_market, repay_key): (&mut Market, Pubkey),
) -> Result<()> {
    let no_collateral = account.active().iter().all(|p| p.deposit_shares == 0);
    if no_collateral && account.positions[ri].borrow_shares > 0 {
        settle_bad_debt(account, account_key, ri, repay_market, repay_key)?;
    }
    account.remove_if_empty(ri.max(si));
    account.remove_if_empty(ri.min(si));
    Ok(())
}

pub(super) fn requote(
    priced: &mut PricedAccount,
    market: &Pubkey,
    f: impl FnOnce(&mut Quote),
) -> Result<()> {
    let q = priced
        .get_mut(market)
        .ok_or_else(|| error!(KeelError::MissingPositionPair))?;
    f(q);
    Ok(())
}

/// Burn the repaid debt shares and the seized deposit shares (risk/exchange.rs); the fee joins
/// the repay market's insurance fund.
pub(super) fn move_shares(
    account: &mut MarginAccount,
    (ri, si): (usize, usize),
    repay_market: &mut Market,
    seize_market: &mut Market,
    input: &LiquidationInput,
    plan: &LiquidationPlan,
) -> Result<()> {
    let seize_index = seize_market.deposit_index;
    burn_exchanged(
        account,
        Leg {
            index: ri,
            market: repay_market,
            amount: plan.repay,
            all: plan.repay >= input.repay.amount,
            per_share: Wad::ZERO,
        },
        Leg {
            index: si,
            market: seize_market,
            amount: plan.seized,
            all: plan.seized >= input.seize.amount,
            // at par: a provision in the seize market must never stop a liquidation
            per_share: seize_index,
        },
    )?;
    // the fee is paid in the repay token on top of the repay (math/liquidation/mod.rs, step 5)
    repay_market.insurance_fund = repay_market
        .insurance_fund
        .try_add(Wad::from_int(plan.fee))?;
    Ok(())
}
