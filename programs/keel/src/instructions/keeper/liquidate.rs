//! `liquidate`: anyone repays an unhealthy account's debt in one market and receives its
//! collateral in another, with a bonus (amounts: math/liquidation.rs).
//!
//! ```text
//! pre:  liquidation not paused nor in its grace period (a borrow pause does not stop it)
//!       HF < 1 (maintenance, every position priced: remaining accounts as for `health`)
//! post: C_w - D_w improved;  HF <= target unless the debt was dust or is gone, as
//!       C_w <= (target + 1 bp) * (D_w + u_d) + u_c   (u: LIQUIDATION_ROUNDING_UNITS base units of
//!       each token, weighted: near a full close the plan's rounding is a visible share of the rest)
//!       repaid <= debt (no debt turns into a deposit);
//!       value(seized) <= value(repaid) * (1 + max_bonus)      (spot prices)
//! then: if no collateral is left anywhere, the repay market's remaining debt is bad debt
//!       (insurance fund, then socialised: risk/bad_debt.rs); other markets via `settle_bad_debt`.
//! ```
use crate::constants::{LIQUIDATION_ROUNDING_UNITS, TARGET_HF_TOLERANCE_BPS};
use crate::errors::KeelError;
use crate::events::Liquidated;
use crate::instructions::market_accrual::accrue_market;
use crate::instructions::user::market_vault::*;
use crate::math::fixed::{Rounding, Wad};
use crate::math::health::{token_value, Health};
use crate::math::liquidation::{
    plan_liquidation, LiquidationConfig, LiquidationInput, LiquidationPlan, Side,
};
use crate::math::shares::{debt_amount, deposit_amount, shares_for_repay, shares_for_withdraw};
use crate::oracle::pyth::load_pyth_price;
use crate::risk::account_health::{account_health, LoadedMarket, PriceMode};
use crate::risk::bad_debt::settle_bad_debt;
use crate::state::{MarginAccount, Market, Pool};
use crate::token::transfer::{transfer_from_vault, transfer_to_vault};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// One side of a liquidation: a market (with its vault) and the liquidator's token account of it.
#[derive(Accounts)]
pub struct LiquidationLeg<'info> {
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The liquidator's token account of the market's mint (pays on the repay side, receives on
    /// the seize side).
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub liquidator_token: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Accounts of `liquidate`. Remaining accounts: (market, price update) per position.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    /// Anyone but the account's owner.
    pub liquidator: Signer<'info>,
    /// The account liquidated.
    #[account(
        mut,
        constraint = margin_account.load()?.owner != liquidator.key() @ KeelError::SelfLiquidation,
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
}

/// What a booked liquidation did.
struct Outcome {
    plan: LiquidationPlan,
    hf_before: Wad,
    hf_after: Wad,
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
    let plan = outcome.plan;
    let (r, s) = (&a.repay.market, &a.seize.market);
    require!(
        plan.to_liquidator() <= s.market.available_liquidity(s.vault.amount)?,
        KeelError::InsufficientLiquidity
    );
    transfer_to_vault(
        &r.token_program,
        &a.repay.liquidator_token,
        &r.vault,
        &r.mint,
        &a.liquidator,
        plan.repay,
    )?;
    if plan.to_liquidator() > 0 {
        transfer_from_vault(
            &s.token_program,
            &s.vault,
            &a.seize.liquidator_token,
            &s.mint,
            &s.market,
            plan.to_liquidator(),
        )?;
    }
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
        health_factor_before: outcome.hf_before,
        health_factor_after: outcome.hf_after,
    });
    Ok(())
}

/// Price the account, plan, move the shares, check the post-conditions, write off bad debt.
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
    let markets = [(repay_key, &*repay_market), (seize_key, &*seize_market)];
    let (input, ri, si) =
        liquidation_input(&mut account, &markets, config, remaining, max_repay, now)?;
    let plan = plan_liquidation(&input)?;
    require!(plan.repay > 0, KeelError::NothingToLiquidate);
    let hf_after = apply_plan(
        &mut account,
        account_key,
        (ri, si),
        (repay_market, repay_key),
        (seize_market, seize_key),
        (&input, &plan),
        config,
        remaining,
        now,
    )?;
    Ok(Outcome {
        plan,
        hf_before: input.health.health_factor()?,
        hf_after,
    })
}

/// Move the shares, check the post-conditions on the real post-state, write off bad debt and
/// drop emptied positions; returns the health factor after.
#[allow(clippy::too_many_arguments)]
fn apply_plan(
    account: &mut MarginAccount,
    account_key: Pubkey,
    (ri, si): (usize, usize),
    (repay_market, repay_key): (&mut Market, Pubkey),
    (seize_market, seize_key): (&mut Market, Pubkey),
    (input, plan): (&LiquidationInput, &LiquidationPlan),
    config: &LiquidationConfig,
    remaining: &[AccountInfo],
    now: i64,
) -> Result<Wad> {
    move_shares(account, ri, si, repay_market, seize_market, input, plan)?;
    let markets = [(repay_key, &*repay_market), (seize_key, &*seize_market)];
    let after = health_with(account, remaining, &markets, now)?;
    check_post_conditions(&input.health, &after, input, plan, config)?;
    if !after.is_liquidatable() {
        account.liquidatable_since = 0;
    }
    let no_collateral = account.active().iter().all(|p| p.deposit_shares == 0);
    if no_collateral && account.positions[ri].borrow_shares > 0 {
        settle_bad_debt(account, account_key, ri, repay_market, repay_key)?;
    }
    account.remove_if_empty(ri.max(si));
    account.remove_if_empty(ri.min(si));
    after.health_factor()
}

/// Check the account is liquidatable, start its bonus clock, and gather the plan's input;
/// returns it with the repay and seize position indices.
fn liquidation_input(
    account: &mut MarginAccount,
    markets: &[(Pubkey, &Market); 2],
    config: &LiquidationConfig,
    remaining: &[AccountInfo],
    max_repay: u64,
    now: i64,
) -> Result<(LiquidationInput, usize, usize)> {
    let before = health_with(account, remaining, markets, now)?;
    require!(before.is_liquidatable(), KeelError::NotLiquidatable);
    if account.liquidatable_since == 0 {
        account.liquidatable_since = now;
    }
    let elapsed = now.saturating_sub(account.liquidatable_since).max(0) as u64;
    let [(repay_key, repay_market), (seize_key, seize_market)] = *markets;
    let ri = account
        .find(&repay_key)
        .filter(|i| account.positions[*i].borrow_shares > 0)
        .ok_or_else(|| error!(KeelError::NoDebt))?;
    let si = account
        .find(&seize_key)
        .filter(|i| account.positions[*i].deposit_shares > 0)
        .ok_or_else(|| error!(KeelError::NoCollateralInSeizeMarket))?;
    let input = LiquidationInput {
        health: before,
        repay: side(account, ri, repay_market, remaining, now, true)?,
        seize: side(account, si, seize_market, remaining, now, false)?,
        bonus: seize_market.config.bonus,
        pool: *config,
        elapsed_secs: elapsed,
        max_repay,
    };
    Ok((input, ri, si))
}

/// Strict maintenance health with the two in-memory markets.
fn health_with(
    account: &MarginAccount,
    remaining: &[AccountInfo],
    markets: &[(Pubkey, &Market); 2],
    now: i64,
) -> Result<Health> {
    let loaded = [
        LoadedMarket {
            key: markets[0].0,
            market: markets[0].1,
        },
        LoadedMarket {
            key: markets[1].0,
            market: markets[1].1,
        },
    ];
    account_health(account, remaining, &loaded, now, PriceMode::Strict)
}

/// One side of the liquidation: the position's amount, its price (from its remaining pair),
/// decimals and maintenance weight.
fn side(
    account: &MarginAccount,
    i: usize,
    market: &Market,
    remaining: &[AccountInfo],
    now: i64,
    is_debt: bool,
) -> Result<Side> {
    let position = &account.positions[i];
    let price = load_pyth_price(&remaining[2 * i + 1], &market.config.oracle, now)?;
    let w = market.config.weights;
    let (amount, weight_bps) = if is_debt {
        (
            debt_amount(position.borrow_shares, market.borrow_index)?,
            w.maint_liab_weight_bps,
        )
    } else {
        (
            deposit_amount(position.deposit_shares, market.deposit_index)?,
            w.maint_asset_weight_bps,
        )
    };
    Ok(Side {
        amount,
        price,
        decimals: market.decimals,
        weight_bps,
    })
}

/// Burn the repaid debt shares and the seized deposit shares; the fee joins the insurance fund.
fn move_shares(
    account: &mut MarginAccount,
    ri: usize,
    si: usize,
    repay_market: &mut Market,
    seize_market: &mut Market,
    input: &LiquidationInput,
    plan: &LiquidationPlan,
) -> Result<()> {
    let debt_shares = account.positions[ri].borrow_shares;
    let repay_shares = if plan.repay >= input.repay.amount {
        debt_shares
    } else {
        shares_for_repay(plan.repay, repay_market.borrow_index)?
    };
    require!(
        repay_shares > 0 && repay_shares <= debt_shares,
        KeelError::ZeroShares
    );
    account.positions[ri].borrow_shares = debt_shares - repay_shares;
    repay_market.sub_borrow_shares(repay_shares)?;

    let held = account.positions[si].deposit_shares;
    let seize_shares = if plan.seized >= input.seize.amount {
        held
    } else {
        shares_for_withdraw(plan.seized, seize_market.deposit_index)?.min(held)
    };
    account.positions[si].deposit_shares = held - seize_shares;
    seize_market.sub_deposit_shares(seize_shares)?;
    seize_market.insurance_fund = seize_market
        .insurance_fund
        .try_add(Wad::from_int(plan.fee))?;
    Ok(())
}

/// Enforce the post-conditions on the real post-state.
fn check_post_conditions(
    before: &Health,
    after: &Health,
    input: &LiquidationInput,
    plan: &LiquidationPlan,
    config: &LiquidationConfig,
) -> Result<()> {
    require!(before.improved_by(after), KeelError::HealthNotImproved);
    if !plan.dust && after.debt_maint > Wad::ZERO {
        // C_after <= ceiling * (D_after + u_d) + u_c: the target, with a few base units of each
        // token (u_c, u_d: their weighted maintenance values) allowed for rounding
        let ceiling = Wad::from_bps(config.target_hf_bps as u64 + TARGET_HF_TOLERANCE_BPS);
        let (r, s) = (&input.repay, &input.seize);
        let unit_c = token_value(
            LIQUIDATION_ROUNDING_UNITS,
            s.price.maintenance_band().low,
            s.price.expo,
            s.decimals,
            Rounding::Up,
        )?
        .mul_bps(s.weight_bps as u64, Rounding::Up)?;
        let unit_d = token_value(
            LIQUIDATION_ROUNDING_UNITS,
            r.price.maintenance_band().high,
            r.price.expo,
            r.decimals,
            Rounding::Up,
        )?
        .mul_bps(r.weight_bps as u64, Rounding::Up)?;
        let allowed = ceiling
            .mul(after.debt_maint.try_add(unit_d)?, Rounding::Up)?
            .try_add(unit_c)?;
        require!(
            after.collateral_maint <= allowed,
            KeelError::OverLiquidation
        );
    }
    let (r, s) = (&input.repay, &input.seize);
    let repaid = token_value(
        plan.repay,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Up,
    )?;
    let seized = token_value(
        plan.seized,
        s.price.price,
        s.price.expo,
        s.decimals,
        Rounding::Down,
    )?;
    let bound = repaid.mul_bps(10_000 + input.bonus.max_bonus_bps as u64, Rounding::Up)?;
    require!(seized <= bound, KeelError::SeizeExceedsBound);
    Ok(())
}
