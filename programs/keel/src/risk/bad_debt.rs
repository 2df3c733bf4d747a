//! Bad debt: debt left on an account with no collateral at all.
//!
//! ```text
//! debt      = borrow_shares * borrow_index            (exact, as a Wad of tokens)
//! covered   = min(insurance fund, debt)               insurance fund -= covered
//! socialised = debt - covered
//! deposit_index' = deposit_index * (D - socialised) / D   (floor: lenders bear at least the loss;
//!                  zero on a total loss, after which the market takes no deposits)
//! market.bad_debt_socialised += socialised            (the record that lets the index fall)
//! ```
//! The borrow shares are written off, so the books stay balanced: vault + debt >= deposits + fund.
//!
//! Dust collateral (`liquidate` on an insolvent account whose whole collateral is worth less than
//! DUST_COLLATERAL_USD): with collateral worth less than a base unit of debt, a liquidation's repay
//! rounds to zero debt shares, and settlement refuses while any collateral is left, so the debt
//! would stay and accrue forever. Instead the seize position is burned and its exact value
//! (s * deposit_index) joins that market's insurance fund: the tokens stay in the vault, so the
//! books do not move; once no collateral is left, the debt is settled as above.
use crate::errors::KeelError;
use crate::events::{BadDebtCovered, BadDebtSocialised};
use crate::math::fixed::{mul_div, Rounding, Wad};
use crate::math::interest::shares_value;
use crate::state::{MarginAccount, Market};
use anchor_lang::prelude::*;

/// Write off position `i`'s debt in `market`: insurance fund first, then the lenders.
pub fn settle_bad_debt(
    account: &mut MarginAccount,
    account_key: Pubkey,
    i: usize,
    market: &mut Market,
    market_key: Pubkey,
) -> Result<()> {
    require!(
        account.active().iter().all(|p| p.deposit_shares == 0),
        KeelError::AccountHasCollateral
    );
    let shares = account.positions[i].borrow_shares;
    require!(shares > 0, KeelError::NoDebt);
    // the loss is written off now: its provision is released (risk/provision.rs)
    crate::risk::provision::set_provision((account, account_key), i, (market, market_key), 0)?;
    let debt = shares_value(shares as u128, market.borrow_index)?;
    let covered = debt.min(market.insurance_fund);
    let socialised = debt.try_sub(covered)?;
    account.positions[i].borrow_shares = 0;
    market.sub_borrow_shares(shares)?;
    if covered > Wad::ZERO {
        market.insurance_fund = market.insurance_fund.try_sub(covered)?;
        crate::events::emit_event!(BadDebtCovered {
            margin_account: account_key,
            market: market_key,
            amount: covered,
            insurance_fund_after: market.insurance_fund,
        });
    }
    if socialised > Wad::ZERO {
        let deposits = market.total_deposits()?;
        let before = market.deposit_index;
        if deposits > Wad::ZERO {
            let left = deposits.saturating_sub(socialised);
            // a total loss takes the index to zero: the market then refuses deposits
            // (MarketWipedOut), so nothing divides by it
            market.deposit_index = Wad(mul_div(before.0, left.0, deposits.0, Rounding::Down)?);
        }
        market.bad_debt_socialised = market.bad_debt_socialised.try_add(socialised)?;
        crate::events::emit_event!(BadDebtSocialised {
            margin_account: account_key,
            market: market_key,
            amount: socialised,
            deposit_index_before: before,
            deposit_index_after: market.deposit_index,
        });
    }
    Ok(())
}

/// Burn position `i`'s deposit and book its exact value into `market`'s insurance fund (dust
/// collateral of an insolvent account); returns (shares, tokens as a Wad).
pub fn sweep_dust(
    account: &mut MarginAccount,
    i: usize,
    market: &mut Market,
) -> Result<(u64, Wad)> {
    let shares = account.positions[i].deposit_shares;
    let amount = shares_value(shares as u128, market.deposit_index)?;
    account.positions[i].deposit_shares = 0;
    market.sub_deposit_shares(shares)?;
    market.insurance_fund = market.insurance_fund.try_add(amount)?;
    Ok((shares, amount))
}
