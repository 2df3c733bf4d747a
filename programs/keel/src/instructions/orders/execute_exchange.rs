//! `execute_order`'s exchange (execute_order.rs has the formulas): the two sides at their spot
//! prices, what the order exchanges, the shares it burns (the payout at the withdraw index:
//! math/provision.rs), and the tidying after.
use crate::errors::KeelError;
use crate::math::fixed::Wad;
use crate::math::order::{order_exchange, order_fee, OrderSide};
use crate::math::shares::deposit_amount;
use crate::risk::account_health::PricedAccount;
use crate::risk::exchange::{burn_exchanged, Leg};
use crate::risk::provision::cap_provision;
use crate::state::{DeleverageOrder, MarginAccount, Market};
use anchor_lang::prelude::*;

/// After the exchange: the repaid debt's provision capped (risk/provision.rs), emptied positions
/// removed, the fee into the repay market's insurance fund (it is paid into the vault in
/// `settle`). Out of line: the caller's SBF frame is near its 4 KiB.
#[inline(never)]
pub(super) fn tidy(
    (account, account_key): (&mut MarginAccount, Pubkey),
    (ri, si): (usize, usize),
    (repay_market, repay_key): (&mut Market, Pubkey),
    fee: u64,
) -> Result<()> {
    cap_provision((account, account_key), ri, (repay_market, repay_key))?;
    account.remove_if_empty(ri.max(si));
    account.remove_if_empty(ri.min(si));
    repay_market.insurance_fund = repay_market.insurance_fund.try_add(Wad::from_int(fee))?;
    Ok(())
}

/// The seize market's withdraw index and what the account's deposit there is worth at it.
#[inline(never)]
pub(super) fn payout_index(
    account: &MarginAccount,
    (market, key): (&Market, Pubkey),
) -> Result<(Wad, u64)> {
    let index = market.withdraw_index()?;
    let held = account.positions[account.collateral_position(&key)?].deposit_shares;
    Ok((index, deposit_amount(held, index)?))
}

/// `[repay, seize, debt, deposit, fee]`: what the order exchanges (math/order.rs), the debt and
/// deposit it exchanges from (the deposit at most `deposit_cap`, its worth at the withdraw
/// index), and the protocol's share of the bonus.
#[inline(never)]
pub(super) fn exchange(
    priced: &PricedAccount,
    order: &DeleverageOrder,
    (repay_key, seize_key): (Pubkey, Pubkey),
    (asked, deposit_cap): (u64, u64),
    (bonus_bps, fee_bps): (u16, u16),
) -> Result<[u64; 5]> {
    let (r, mut s) = order_sides(priced, repay_key, seize_key)?;
    s.amount = s.amount.min(deposit_cap);
    let (repay, seize) = order_exchange(asked, order.remaining_repay, &r, &s, bonus_bps)?;
    require!(repay > 0, KeelError::NothingToExecute);
    let fee = order_fee(repay, seize, (&r, &s), fee_bps)?;
    Ok([repay, seize, r.amount, s.amount, fee])
}

/// The two sides of the exchange at their spot prices.
#[inline(never)]
pub(super) fn order_sides(
    priced: &PricedAccount,
    repay_key: Pubkey,
    seize_key: Pubkey,
) -> Result<(OrderSide, OrderSide)> {
    // a market the account holds nothing of (or not on that side) is refused as such
    let side = |key: &Pubkey, debt: bool, (none, unpriced): (KeelError, KeelError)| {
        let quote = priced.get(key).ok_or_else(|| error!(none))?;
        let q = &quote.input;
        let amount = if debt { q.debt } else { q.deposit };
        if amount == 0 {
            return Err(error!(none));
        }
        Ok(OrderSide {
            amount,
            price: quote.exchange_price(unpriced)?,
            decimals: q.decimals,
        })
    };
    Ok((
        side(
            &repay_key,
            true,
            (KeelError::NoDebt, KeelError::OracleStale),
        )?,
        side(
            &seize_key,
            false,
            (
                KeelError::NoCollateralInSeizeMarket,
                KeelError::SeizeMarketUnpriced,
            ),
        )?,
    ))
}

/// Burn the repaid debt shares and the paid-out deposit shares at `index` (risk/exchange.rs);
/// what the burnt shares were worth at par beyond the payout joins the seize market's insurance
/// fund (as a withdrawal's haircut), and in the slot of the account's latest deposit the seize
/// market stays within the borrow cap (withdraw.rs). Returns the two positions' indices and the
/// haircut.
#[inline(never)]
pub(super) fn move_shares(
    account: &mut MarginAccount,
    (repay_market, repay_key, all_debt): (&mut Market, Pubkey, bool),
    (seize_market, seize_key, all_deposit): (&mut Market, Pubkey, bool),
    (repay, seize, index): (u64, u64, Wad),
) -> Result<(usize, usize, Wad)> {
    let ri = account.debt_position(&repay_key)?;
    let si = account.collateral_position(&seize_key)?;
    let burnt = burn_exchanged(
        account,
        Leg {
            index: ri,
            market: repay_market,
            amount: repay,
            all: all_debt,
            per_share: Wad::ZERO,
        },
        Leg {
            index: si,
            market: seize_market,
            amount: seize,
            all: all_deposit,
            per_share: index,
        },
    )?;
    let haircut = seize_market.take_haircut(burnt, seize, index)?;
    // as a withdrawal: a deposit made in this slot leaves only within the borrow cap (an order
    // paying out a flash-loaned deposit lifted it: second attack review, issue 27)
    let recent = account.last_deposit_slot == Clock::get()?.slot;
    require!(
        !recent || seize_market.within_borrow_cap()?,
        KeelError::RecentDepositLiftsCap
    );
    Ok((ri, si, haircut))
}
