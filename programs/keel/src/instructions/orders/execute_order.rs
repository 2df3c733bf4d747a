//! `execute_order`: anyone executes a triggered deleverage order (amounts: math/order.rs).
//!
//! ```text
//! pre:  liquidation open (an oracle incident stops orders too); the order not expired
//!       its poster still stands behind it: the owner, or the delegate of the epoch it was
//!       posted in with the Orders power (state/delegate.rs)         else OrderAuthorityRevoked
//!       executor is neither the account's owner nor its delegate      else OrderSelfExecution
//!       positions priced once from the remaining accounts (maintenance, as liquidate), the
//!       account's e-mode group pinned for the instruction
//!       HF >= 1 (below, `liquidate` applies)                        else OrderAccountLiquidatable
//!       trigger met: HF < h, or the watched market's spot at or below / above p
//!       (a price trigger needs the whole price band past p, on a Pyth price:
//!       PriceTriggerNeedsPrimary when the second source alone prices it)
//! bonus b: max_b, flat (issue 27); a health order pays min_b while a delegate may borrow or
//!       withdraw (it could push the account to the trigger); never above the seize market's max
//!       liquidation bonus now
//! fee:  the seize market's protocol share of the bonus, paid by the executor in the repay token
//!       on top of the repay, into the repay market's insurance fund (math/order.rs)
//! exchange: repay = min(asked, remaining, debt); seize = value(repay) * (1 + b) at spot, capped
//!       by the deposit (math/order.rs)
//! post: C_w - D_w strictly improved on the post-state (the positions' real shares after the
//!       burn, at the same prices)                                    else HealthNotImproved
//! then: the executor pays `repay + fee` into the repay vault and receives `seize` from the seize
//!       vault;
//!       both count against the markets' outflow limits as a repay and a withdrawal do (an order
//!       is no liquidation: only liquidation is exempt, math/rate_limit.rs); remaining -= repay;
//!       at 0 the order closes (rent to its payer) and account.open_orders - 1
//! ```
use super::execute_exchange::*;
use crate::errors::KeelError;
use crate::events::OrderExecuted;
use crate::instructions::keeper::liquidate::*;
use crate::instructions::market_accrual::accrue_market;
use crate::math::fixed::Wad;
use crate::math::health::Health;
use crate::math::order::unit_band;
use crate::risk::account_health::{price_account, LoadedMarket, PriceMode, PricedAccount};
use crate::risk::exchange::left_after;
use crate::state::{DeleverageOrder, MarginAccount, Market, Pool};
use crate::token::transfer::transfer_to_vault;
use anchor_lang::prelude::*;

/// Accounts of `execute_order`. Remaining accounts: the account's price groups, as `liquidate`.
#[derive(Accounts)]
pub struct ExecuteOrder<'info> {
    /// Anyone but the account's owner or delegate.
    pub executor: Signer<'info>,
    /// The account deleveraged.
    #[account(
        mut,
        constraint = !margin_account.load()?.may_act(executor.key) @ KeelError::OrderSelfExecution,
        constraint = margin_account.load()?.pool == pool.key() @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The account's pool.
    pub pool: Box<Account<'info, Pool>>,
    /// The order (its account, payer and markets are checked against the others in `book`).
    #[account(mut)]
    pub order: Box<Account<'info, DeleverageOrder>>,
    /// The order's rent payer (receives the rent when the order is used up).
    /// CHECK: only lamports are credited to it; `book` pins it to the order's payer.
    #[account(mut)]
    pub payer: UncheckedAccount<'info>,
    /// The market whose debt is repaid, and the executor's token account paying it.
    pub repay: LiquidationLeg<'info>,
    /// The market whose collateral is paid out, and the executor's token account receiving it.
    pub seize: LiquidationLeg<'info>,
}

/// What an execution did.
struct Executed {
    repay: u64,
    seize: u64,
    /// The protocol's share of the bonus, repay-token base units, paid on top of `repay`.
    fee: u64,
    bonus_bps: u16,
    hf_before: Wad,
    hf_after: Wad,
    /// The payout's share of the seize market's provisioned loss, into its insurance fund.
    haircut: Wad,
}

/// Execute the order for up to `repay_amount` of its debt.
pub fn execute_order(ctx: Context<ExecuteOrder>, repay_amount: u64) -> Result<()> {
    require!(repay_amount > 0, KeelError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    let Context {
        accounts: a,
        remaining_accounts,
        ..
    } = ctx;
    let done = book(a, remaining_accounts, repay_amount, now)?;
    settle(a, &done)?;
    let remaining = a.order.remaining_repay - done.repay; // repay <= remaining (math/order.rs)
    a.order.remaining_repay = remaining;
    crate::events::emit_event!(OrderExecuted {
        order: a.order.key(),
        margin_account: a.margin_account.key(),
        executor: a.executor.key(),
        repay_market: a.order.repay_market,
        seize_market: a.order.seize_market,
        repaid: done.repay,
        seized: done.seize,
        bonus_bps: done.bonus_bps,
        fee: done.fee,
        haircut: done.haircut,
        health_factor_before: done.hf_before,
        health_factor_after: done.hf_after,
        remaining_repay: remaining,
    });
    if remaining == 0 {
        a.margin_account.load_mut()?.open_orders -= 1; // >= 1 while this order exists
        a.order.close(a.payer.to_account_info())?;
    }
    Ok(())
}

/// The checks before pricing, accrual, and the booking on the account.
#[inline(never)]
fn book(
    a: &mut ExecuteOrder,
    remaining: &[AccountInfo],
    asked: u64,
    now: i64,
) -> Result<Box<Executed>> {
    a.pool.require_liquidation_open(now)?;
    let o = &a.order;
    require!(!o.expired(now), KeelError::OrderExpired);
    let repay_key = a.repay.market.market.key();
    let seize_key = a.seize.market.market.key();
    require!(
        o.margin_account == a.margin_account.key()
            && o.payer == a.payer.key()
            && o.repay_market == repay_key
            && o.seize_market == seize_key,
        KeelError::OrderMismatch
    );
    require!(
        a.margin_account.load()?.order_authority_stands(o),
        KeelError::OrderAuthorityRevoked
    );
    accrue_market(&mut a.repay.market.market, repay_key, now)?;
    accrue_market(&mut a.seize.market.market, seize_key, now)?;
    let done = book_execution(
        &a.margin_account,
        &a.order,
        (&mut a.repay.market.market, repay_key),
        (&mut a.seize.market.market, seize_key),
        remaining,
        (asked, now),
    )?;
    a.seize.market.market.record_outflow(done.seize, now)?;
    a.repay.market.market.record_inflow(done.repay, now)?;
    Ok(done)
}

/// The executor pays the repay into the repay vault and receives the seizure.
#[inline(never)]
fn settle(a: &ExecuteOrder, done: &Executed) -> Result<()> {
    let r = &a.repay.market;
    transfer_to_vault(
        &r.token_program,
        &a.repay.liquidator_token,
        &r.vault,
        &r.mint,
        &a.executor,
        done.repay
            .checked_add(done.fee)
            .ok_or_else(|| error!(KeelError::MathOverflow))?,
    )?;
    a.seize
        .market
        .pay_out(&a.seize.liquidator_token, done.seize)
}

/// Price the account once, check the trigger, exchange, move the shares and check the
/// post-condition on the same prices. Its own frame: the SBF stack frame is 4 KiB.
#[inline(never)]
fn book_execution(
    margin_account: &AccountLoader<MarginAccount>,
    order: &DeleverageOrder,
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
    remaining: &[AccountInfo],
    (asked, now): (u64, i64),
) -> Result<Box<Executed>> {
    let mut account = margin_account.load_mut()?;
    let (mut priced, before) = price_pinned(
        &account,
        remaining,
        (repay_market, repay_key),
        (seize_market, seize_key),
        now,
    )?;
    let hf_before = before.health_factor()?;
    let moves = account.delegate_moves_health();
    let bonus_bps = triggered_bonus(order, &priced, hf_before, moves)?
        .min(seize_market.config.bonus.max_bonus_bps);
    let fee_bps = seize_market.config.bonus.protocol_fee_bps;
    // an order paying its owner out is a withdrawal: at the withdraw index, so a lender cannot
    // leave ahead of a provisioned loss through its own order (math/provision.rs)
    let (index, cap) = payout_index(&account, (seize_market, seize_key))?;
    let [repay, seize, debt, deposit, fee] = exchange(
        &priced,
        order,
        (repay_key, seize_key),
        (asked, cap),
        (bonus_bps, fee_bps),
    )?;
    let (ri, si, haircut) = move_shares(
        &mut account,
        (repay_market, repay_key, repay >= debt),
        (seize_market, seize_key, seize >= deposit),
        (repay, seize, index),
    )?;
    let left = left_after(&account, (ri, repay_market), (si, seize_market))?;
    let hf_after = check_improved(
        &mut priced,
        &before,
        (repay_key, left.0),
        (seize_key, left.1),
    )?;
    priced.record_publish_time(&repay_key, repay_market);
    priced.record_publish_time(&seize_key, seize_market);
    tidy(
        (&mut account, margin_account.key()),
        (ri, si),
        (repay_market, repay_key),
        fee,
    )?;
    Ok(Box::new(Executed {
        repay,
        seize,
        fee,
        bonus_bps,
        hf_before,
        hf_after,
        haircut,
    }))
}

/// The account priced once (maintenance, as liquidate) in its e-mode group, pinned, and its
/// health (not liquidatable: else OrderAccountLiquidatable).
#[inline(never)]
fn price_pinned(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    (repay_market, repay_key): (&Market, Pubkey),
    (seize_market, seize_key): (&Market, Pubkey),
    now: i64,
) -> Result<(PricedAccount, Box<Health>)> {
    let loaded = [
        LoadedMarket {
            key: repay_key,
            market: repay_market,
        },
        LoadedMarket {
            key: seize_key,
            market: seize_market,
        },
    ];
    let mut priced = price_account(account, remaining, &loaded, now, PriceMode::Maintenance)?;
    priced.pin_emode();
    let before = Box::new(priced.maintenance_health()?);
    require!(
        !before.is_liquidatable(),
        KeelError::OrderAccountLiquidatable
    );
    Ok((priced, before))
}

/// The executor's bonus when the order's trigger is met (else OrderNotTriggered).
#[inline(never)]
fn triggered_bonus(
    order: &DeleverageOrder,
    priced: &PricedAccount,
    hf: Wad,
    delegate_moves_health: bool,
) -> Result<u16> {
    let band = |market: &Pubkey| -> Result<(Wad, Wad)> {
        let q = priced
            .get(market)
            .ok_or_else(|| error!(KeelError::MissingPositionPair))?;
        // a price order fires on Pyth's price: not on a second source alone, which anyone cranks
        require!(
            q.source != crate::oracle::rules::PriceSource::Secondary,
            KeelError::PriceTriggerNeedsPrimary
        );
        let p = q
            .input
            .price
            .ok_or_else(|| error!(KeelError::OracleStale))?;
        unit_band(&p, q.input.decimals)
    };
    order
        .triggered_bonus(hf, delegate_moves_health, band)?
        .ok_or_else(|| error!(KeelError::OrderNotTriggered))
}

/// Re-quote the two moved positions and require `C_w - D_w` strictly improved; the HF after.
#[inline(never)]
fn check_improved(
    priced: &mut PricedAccount,
    before: &Health,
    (repay_key, debt_left): (Pubkey, u64),
    (seize_key, deposit_left): (Pubkey, u64),
) -> Result<Wad> {
    if let Some(q) = priced.get_mut(&repay_key) {
        q.input.debt = debt_left;
    }
    if let Some(q) = priced.get_mut(&seize_key) {
        q.input.deposit = deposit_left;
    }
    let after = priced.maintenance_health()?;
    require!(before.improved_by(&after), KeelError::HealthNotImproved);
    after.health_factor()
}
