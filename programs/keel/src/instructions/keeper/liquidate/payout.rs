//! Paying the liquidator: tokens out of the seize vault, or deposit shares in its own margin
//! account (`deposit_into`), which works even when the seize market is fully borrowed.
//!
//! `deposit_into` must be the liquidator's own margin account in the pool (checked here, before
//! anything moves: an optional account's constraints cost the accounts struct a frame the SBF
//! limit does not have). As a liquidation, the credit opens a position even while borrowing is
//! paused (liquidations go on during a pause); it refuses a wiped-out market (MarketWipedOut),
//! like a deposit.
use super::Liquidate;
use crate::errors::KeelError;
use crate::events::CollateralTakenAsDeposit;
use crate::math::shares::shares_for_deposit;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// The liquidator's share of the seizure: tokens out of the seize vault, or deposit shares in its
/// own margin account when it passed one.
#[inline(never)]
pub(super) fn pay_liquidator(
    a: &mut Liquidate,
    seize_key: Pubkey,
    amount: u64,
    now: i64,
) -> Result<()> {
    if let Some(dest) = &a.deposit_into {
        require_liquidators_account(dest, a.liquidator.key, &a.pool.key())?;
        return credit_as_deposit(
            dest,
            a.margin_account.key(),
            &mut a.seize.market.market,
            seize_key,
            amount,
        );
    }
    // never refused, but it takes the credit of inflows with it (math/rate_limit.rs)
    a.seize.market.market.record_exempt_outflow(amount, now)?;
    a.seize.market.pay_out(&a.seize.liquidator_token, amount)?;
    Ok(())
}

/// Credit `amount` of the seize market's token to the liquidator's margin account as deposit
/// shares (the tokens stay in the vault).
pub(super) fn credit_as_deposit(
    dest: &AccountLoader<MarginAccount>,
    liquidated: Pubkey,
    market: &mut Market,
    market_key: Pubkey,
    amount: u64,
) -> Result<()> {
    market.require_not_wiped_out()?;
    let shares = shares_for_deposit(amount, market.deposit_index)?;
    require!(shares > 0, KeelError::ZeroShares);
    let mut account = dest.load_mut()?;
    account.credit_deposit(&market_key, shares)?;
    market.add_deposit_shares(shares)?;
    crate::events::emit_event!(CollateralTakenAsDeposit {
        margin_account: liquidated,
        liquidator_account: dest.key(),
        market: market_key,
        amount,
        shares,
    });
    Ok(())
}

/// Refuse unless `account` is the liquidator's own margin account in this pool.
pub(super) fn require_liquidators_account(
    account: &AccountLoader<MarginAccount>,
    liquidator: &Pubkey,
    pool: &Pubkey,
) -> Result<()> {
    let a = account.load()?;
    require_keys_eq!(a.pool, *pool, KeelError::WrongPool);
    require_keys_eq!(a.owner, *liquidator, KeelError::NotAccountOwner);
    Ok(())
}
