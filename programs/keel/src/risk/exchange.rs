//! Burning what an exchange took from a margin account (`liquidate`, `execute_order`): the
//! repaid debt shares and the paid-out deposit shares, from the account and its markets.
//!
//! ```text
//! debt shares burnt    = all of the position's when the whole debt is repaid, else
//!                        shares_for_repay(repay, borrow_index)       (rounded down: math/shares.rs)
//! deposit shares burnt = all of the position's when the whole deposit is taken, else
//!                        min(shares_for_withdraw(seize, index), held)   (rounded up)
//! index                = the seize leg's: the deposit index for a liquidation (which must
//!                        never be stopped), the withdraw index for an order (math/provision.rs:
//!                        an order paying its owner out is a withdrawal, issue 27 attack review)
//! ```
use crate::errors::KeelError;
use crate::math::shares::{debt_amount, deposit_amount, shares_for_repay, shares_for_withdraw};
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// One side of an exchange: the position's index, its market, the amount, and whether it is the
/// position's whole balance.
pub struct Leg<'a> {
    /// The position's index in the account.
    pub index: usize,
    /// Its market.
    pub market: &'a mut Market,
    /// Base units exchanged.
    pub amount: u64,
    /// The amount is the position's whole balance.
    pub all: bool,
    /// Tokens per deposit share the seize leg burns at (unused on the repay leg).
    pub per_share: crate::math::fixed::Wad,
}

/// The debt and deposit the two exchanged positions hold after the burn, from their real shares
/// (debt rounded up, deposit down): what the post-checks of liquidate and execute_order value,
/// so no rounding of the amounts exchanged leaves the account worse than checked.
pub fn left_after(
    account: &MarginAccount,
    (ri, repay_market): (usize, &Market),
    (si, seize_market): (usize, &Market),
) -> Result<(u64, u64)> {
    let debt_left = debt_amount(
        account.positions[ri].borrow_shares,
        repay_market.borrow_index,
    )?;
    let deposit_left = deposit_amount(
        account.positions[si].deposit_shares,
        seize_market.deposit_index,
    )?;
    Ok((debt_left, deposit_left))
}

/// Burn `repay`'s debt shares and `seize`'s deposit shares (ZeroShares when the repay rounds to
/// none); returns the deposit shares burnt.
pub fn burn_exchanged(account: &mut MarginAccount, repay: Leg, seize: Leg) -> Result<u64> {
    let debt_shares = account.positions[repay.index].borrow_shares;
    let repay_shares = match repay.all {
        true => debt_shares,
        false => shares_for_repay(repay.amount, repay.market.borrow_index)?,
    };
    require!(
        repay_shares > 0 && repay_shares <= debt_shares,
        KeelError::ZeroShares
    );
    account.positions[repay.index].borrow_shares = debt_shares - repay_shares;
    repay.market.sub_borrow_shares(repay_shares)?;
    let held = account.positions[seize.index].deposit_shares;
    let seize_shares = match seize.all {
        true => held,
        false => shares_for_withdraw(seize.amount, seize.per_share)?.min(held),
    };
    account.positions[seize.index].deposit_shares = held - seize_shares;
    seize.market.sub_deposit_shares(seize_shares)?;
    Ok(seize_shares)
}
