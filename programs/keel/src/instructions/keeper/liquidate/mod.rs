//! `liquidate`: anyone repays an unhealthy account's debt in one market and receives its
//! collateral in another, with a bonus (amounts: math/liquidation/).
//!
//! ```text
//! pre:  liquidation not paused nor in its grace period (a borrow pause does not stop it)
//!       HF < 1 (maintenance; positions priced once from the remaining accounts, matched by key;
//!       a stale or too-wide feed is held at its last price, which values the account but is
//!       never a leg: HeldPriceNotExchangeable; a gone feed's collateral counts zero and cannot be
//!       the seize leg; a debt position needs a price: risk/account_health.rs)
//! post: math/liquidation/post.rs on the real post-state (the same prices, the moved shares):
//!       C_w - D_w improved; HF <= target (+ rounding units) unless dust or no debt left;
//!       value(seized) <= value(repaid) * (1 + max_bonus);  repaid <= debt
//! then: if no collateral is left anywhere, the repay market's remaining debt is bad debt
//!       (insurance fund, then socialised: risk/bad_debt.rs); other markets via `settle_bad_debt`
//! fee:  the protocol's share of the bonus is paid by the liquidator in the repay token, on top
//!       of the repay (repay + fee into the repay vault), and joins the REPAY market's insurance
//!       fund, where that market's bad debt is written off (math/liquidation/mod.rs, step 5)
//! paid: the whole seizure leaves the seize vault to the liquidator, or, with `deposit_into`
//!       (the liquidator's own margin account in the pool), is credited there as deposit shares
//!       (floor(amount / deposit_index)): a fully borrowed seize market never blocks liquidation
//! bonus: the seize market's max bonus, capped by the account's free equity (bonus.rs): flat,
//!       so waiting never pays more (issue 27). The episode clock (`liquidatable_since`) is
//!       started when a liquidation first sees the account liquidatable and cleared when an
//!       instruction sees it healthy; it no longer moves the bonus
//! flows: both legs are outside the outflow limit (a rate limit must not stop liquidations); the
//!       seizure paid as tokens uses up the seize market's inflow credit (math/rate_limit.rs)
//! dust: when the account is insolvent (C_raw < D_raw), every collateral position is priced, and
//!       its whole collateral is worth less than DUST_COLLATERAL_USD, nothing is exchanged: the
//!       seize position is swept into its market's insurance fund and, once no collateral is left,
//!       the repay market's debt is settled (risk/bad_debt.rs). Collateral worth less than a base
//!       unit of debt would otherwise block the account forever (the repay rounds to zero shares)
//! ```
mod apply;
mod dust;
mod input;
mod payout;

use crate::errors::KeelError;
use crate::events::{DustCollateralSwept, Liquidated};
use crate::instructions::market_accrual::accrue_market;
use crate::instructions::user::market_vault::*;
use crate::math::fixed::Wad;
use crate::math::liquidation::{LiquidationConfig, LiquidationPlan};
use crate::risk::account_health::{price_account, LoadedMarket, PriceMode, PricedAccount};
use crate::state::{MarginAccount, Market, Pool};
use crate::token::transfer::transfer_to_vault;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;
use apply::{apply_plan, maintenance_before, plan};
use dust::sweep_if_dust;
use input::liquidation_input;
use payout::pay_liquidator;

/// One side of a liquidation: a market (with its vault) and the liquidator's token account of it.
#[derive(Accounts)]
pub struct LiquidationLeg<'info> {
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The liquidator's token account of the market's mint (pays on the repay side, receives on
    /// the seize side unless the seizure is taken as a deposit).
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub liquidator_token: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Accounts of `liquidate`. Remaining accounts: (market, price update) pairs, one per position of
/// the liquidated account (any order; extra pairs allowed).
#[derive(Accounts)]
pub struct Liquidate<'info> {
    /// Anyone but the account's owner or its delegate (who chose its leverage and must not collect
    /// its bonus).
    pub liquidator: Signer<'info>,
    /// The account liquidated.
    #[account(
        mut,
        constraint = !margin_account.load()?.may_act(liquidator.key) @ KeelError::SelfLiquidation,
        constraint = margin_account.load()?.pool == pool.key() @ KeelError::WrongPool
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The account's pool (liquidation parameters); both markets belong to it.
    #[account(
        constraint = repay.market.market.key() != seize.market.market.key() @ KeelError::SameMarket,
        constraint = repay.market.market.pool == pool.key() @ KeelError::WrongPool,
        constraint = seize.market.market.pool == pool.key() @ KeelError::WrongPool
    )]
    pub pool: Box<Account<'info, Pool>>,
    /// The market whose debt is repaid.
    pub repay: LiquidationLeg<'info>,
    /// The market whose collateral is seized.
    pub seize: LiquidationLeg<'info>,
    /// Optional: the liquidator's own margin account in the pool, to take the seized collateral
    /// as a deposit there instead of as tokens.
    /// Checked in the handler (`is_liquidators_account`): its owner is the liquidator and its
    /// pool this pool.
    #[account(mut)]
    pub deposit_into: Option<AccountLoader<'info, MarginAccount>>,
}

/// What a booked liquidation did.
enum Outcome {
    /// A liquidation: the plan and the health factor before and after.
    Liquidated {
        plan: LiquidationPlan,
        hf_before: Wad,
        hf_after: Wad,
    },
    /// Dust collateral swept into the seize market's insurance fund.
    Swept(Box<DustCollateralSwept>),
}

/// Repay up to `max_repay` of the account's debt in `repay` and seize collateral in `seize`.
pub fn liquidate(ctx: Context<Liquidate>, max_repay: u64) -> Result<()> {
    require!(max_repay > 0, KeelError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.require_liquidation_open(now)?;
    let Context {
        accounts: a,
        remaining_accounts,
        ..
    } = ctx;
    let (repay, seize) = (&mut a.repay, &mut a.seize);
    let repay_key = repay.market.market.key();
    let seize_key = seize.market.market.key();
    accrue_market(&mut repay.market.market, repay_key, now)?;
    accrue_market(&mut seize.market.market, seize_key, now)?;
    let outcome = book_liquidation(
        &a.margin_account,
        (&mut repay.market.market, repay_key),
        (&mut seize.market.market, seize_key),
        &a.pool.liquidation,
        remaining_accounts,
        max_repay,
        now,
    )?;
    let (plan, hf_before, hf_after) = match outcome {
        Outcome::Liquidated {
            plan,
            hf_before,
            hf_after,
        } => (plan, hf_before, hf_after),
        Outcome::Swept(event) => {
            crate::events::emit_event!(*event);
            return Ok(());
        }
    };
    pay_liquidator(a, seize_key, plan.to_liquidator(), now)?;
    let r = &a.repay.market;
    transfer_to_vault(
        &r.token_program,
        &a.repay.liquidator_token,
        &r.vault,
        &r.mint,
        &a.liquidator,
        plan.paid()?,
    )?;
    crate::events::emit_event!(Liquidated {
        margin_account: a.margin_account.key(),
        liquidator: a.liquidator.key(),
        repay_market: repay_key,
        seize_market: seize_key,
        repaid: plan.repay,
        seized: plan.seized,
        bonus: plan.bonus_amount,
        fee: plan.fee,
        bonus_bps: plan.bonus_bps,
        health_factor_before: hf_before,
        health_factor_after: hf_after,
    });
    Ok(())
}

/// Price the account once, plan, move the shares, check the post-conditions on the same prices,
/// write off bad debt.
fn book_liquidation(
    margin_account: &AccountLoader<MarginAccount>,
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
    config: &LiquidationConfig,
    remaining: &[AccountInfo],
    max_repay: u64,
    now: i64,
) -> Result<Outcome> {
    let account_key = margin_account.key();
    let mut account = margin_account.load_mut()?;
    let mut priced = {
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
        price_account(&account, remaining, &loaded, now, PriceMode::Maintenance)?
    };
    settle_or_liquidate(
        &mut account,
        account_key,
        &mut priced,
        (repay_market, repay_key),
        (seize_market, seize_key),
        (config, max_repay, now),
    )
}

/// On the priced account (its maintenance health computed once for both paths): the dust path,
/// or plan, apply and check the liquidation. Its own frame: the SBF stack frame is 4 KiB.
#[inline(never)]
fn settle_or_liquidate(
    account: &mut MarginAccount,
    account_key: Pubkey,
    priced: &mut PricedAccount,
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
    (config, max_repay, now): (&LiquidationConfig, u64, i64),
) -> Result<Outcome> {
    // judged in the e-mode group it is priced in: a repay that clears the one debt outside the
    // group must not count the group's weights as the liquidation's own improvement
    priced.pin_emode();
    let (sums, before) = maintenance_before(priced)?;
    if let Some(swept) = sweep_if_dust(
        account,
        account_key,
        (priced, &before),
        (repay_market, repay_key),
        (seize_market, seize_key),
    )? {
        return Ok(Outcome::Swept(swept));
    }
    let (input, ri, si) = liquidation_input(
        account,
        (priced, before),
        (repay_key, seize_key),
        (config, seize_market.config.bonus),
        max_repay,
        now,
    )?;
    let (plan, hf_before) = plan(&input)?;
    require!(plan.repay > 0, KeelError::NothingToLiquidate);
    let hf_after = apply_plan(
        account,
        account_key,
        (priced, &sums),
        (ri, si),
        (repay_market, repay_key),
        (seize_market, seize_key),
        (&input, &plan, config),
    )?;
    Ok(Outcome::Liquidated {
        plan,
        hf_before,
        hf_after,
    })
}
