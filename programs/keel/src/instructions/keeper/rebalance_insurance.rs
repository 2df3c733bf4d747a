//! `rebalance_insurance`: refill a market whose provisioned loss exceeds its insurance fund from
//! another market's surplus, at oracle prices (permissionless; formulas: math/insurance.rs).
//!
//! ```text
//! pre:  both markets in the pool, distinct, no flash loan out in either; liquidation open
//!       need = needy.provisioned - needy.fund > 0       (NoInsuranceNeed otherwise)
//!       each price a fresh Pyth update (with its second source agreeing, if it has one):
//!       InsurancePriceNotFresh for held, second-source-only or diverging prices
//! then: in = min(amount, need) from the keeper into the needy vault and fund (an inflow)
//!       (no inflow credit: the fund is never lent)
//!       out = rebalance_out(in): the low end of the needy band, the high end of the donor's,
//!       less a 2 % spread (REBALANCE_SPREAD_BPS: a caller choosing among fresh updates within
//!       the feed's max age gains less than it; third attack review), no bonus (the needy
//!       market's lenders gain: their loss shrinks; a bonus paid anyone who could fake a need);
//!       each market records the publish times used; out <= donor.fund - donor.provisioned and
//!       <= the donor vault's balance (InsufficientInsuranceSurplus); out leaves the donor fund
//!       to the keeper outside the donor's outflow limit (the fund is not the lenders')
//! ```
//! Who holds what: anyone, with tokens of the needy market; it can move only a fund's surplus
//! over that market's own booked losses, only towards a booked loss, and earns nothing (it pays
//! the protocol's side of both bands). The funds' tokens are not lent (available liquidity excludes them), so no
//! lender's liquidity moves.
use crate::errors::KeelError;
use crate::events::InsuranceRebalanced;
use crate::instructions::market_accrual::accrue_market;
use crate::instructions::user::market_vault::*;
use crate::math::fixed::{Rounding, Wad};
use crate::math::health::OraclePrice;
use crate::math::insurance::rebalance_out;
use crate::oracle::rules::PriceSource;
use crate::oracle::{load_market_price, Sources};
use crate::state::{Market, Pool};
use crate::token::transfer::{transfer_from_vault, transfer_to_vault};
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// One side of a rebalance: a market, its vault, the keeper's token account and its prices.
#[derive(Accounts)]
pub struct InsuranceLeg<'info> {
    /// The market and its vault.
    pub market: MarketVault<'info>,
    /// The keeper's token account of the market's mint.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub keeper_token: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The market's Pyth price update (its pinned feed: checked by the oracle adapter).
    /// CHECK: validated in oracle/pyth.rs against the market's configuration.
    pub price: UncheckedAccount<'info>,
    /// The market's second source, when it names one.
    /// CHECK: validated in oracle/switchboard.rs against the market's configuration.
    pub secondary: Option<UncheckedAccount<'info>>,
}

/// Accounts of `rebalance_insurance`.
#[derive(Accounts)]
pub struct RebalanceInsurance<'info> {
    /// Whoever pays the needy market's tokens in and takes the donor's out.
    pub keeper: Signer<'info>,
    /// The pool both markets belong to.
    #[account(
        constraint = needy.market.market.key() != donor.market.market.key() @ KeelError::SameMarket,
        constraint = needy.market.market.pool == pool.key() @ KeelError::WrongPool,
        constraint = donor.market.market.pool == pool.key() @ KeelError::WrongPool
    )]
    pub pool: Box<Account<'info, Pool>>,
    /// The market whose fund is short of its provisioned loss.
    pub needy: InsuranceLeg<'info>,
    /// The market whose fund has a surplus.
    pub donor: InsuranceLeg<'info>,
}

/// Pay up to `amount` of the needy market's tokens into its fund; take the donor's in exchange.
pub fn rebalance_insurance(ctx: Context<RebalanceInsurance>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    let now = Clock::get()?.unix_timestamp;
    ctx.accounts.pool.require_liquidation_open(now)?;
    let a = ctx.accounts;
    let (needy_key, donor_key) = (a.needy.market.market.key(), a.donor.market.market.key());
    accrue_market(&mut a.needy.market.market, needy_key, now)?;
    accrue_market(&mut a.donor.market.market, donor_key, now)?;
    let (p_in, p_out) = both_prices(a, now)?;
    let vault_out = a.donor.market.vault.amount;
    let (paid_in, out) = book_rebalance(
        &mut a.needy.market.market,
        &mut a.donor.market.market,
        (&p_in, &p_out),
        (amount, vault_out, now),
    )?;
    let needy_after = a.needy.market.market.insurance_fund;
    let donor_after = a.donor.market.market.insurance_fund;
    let n = &a.needy.market;
    transfer_to_vault(
        &n.token_program,
        &a.needy.keeper_token,
        &n.vault,
        &n.mint,
        &a.keeper,
        paid_in,
    )?;
    let d = &a.donor.market;
    transfer_from_vault(
        &d.token_program,
        &d.vault,
        &a.donor.keeper_token,
        &d.mint,
        &d.market,
        out,
    )?;
    crate::events::emit_event!(InsuranceRebalanced {
        keeper: a.keeper.key(),
        needy_market: needy_key,
        donor_market: donor_key,
        paid_in,
        paid_out: out,
        needy_fund_after: needy_after,
        donor_fund_after: donor_after,
    });
    Ok(())
}

/// Check the need and the surplus, move the funds and count the flows; returns (in, out). Out
/// of line: the instruction's SBF frame is 4 KiB.
#[inline(never)]
fn book_rebalance(
    needy: &mut Market,
    donor: &mut Market,
    (p_in, p_out): (&OraclePrice, &OraclePrice),
    (amount, vault_out, now): (u64, u64, i64),
) -> Result<(u64, u64)> {
    require!(
        !needy.flash_loan.is_open() && !donor.flash_loan.is_open(),
        KeelError::FlashLoanNested
    );
    let need = needy
        .provisioned
        .saturating_sub(needy.insurance_fund.to_u64(Rounding::Up)?);
    require!(need > 0, KeelError::NoInsuranceNeed);
    let paid_in = amount.min(need);
    let out = rebalance_out(paid_in, (p_in, needy.decimals), (p_out, donor.decimals))?;
    let surplus = donor
        .insurance_fund
        .to_u64(Rounding::Down)?
        .saturating_sub(donor.provisioned);
    require!(
        out > 0 && out <= surplus && out <= vault_out,
        KeelError::InsufficientInsuranceSurplus
    );
    // the fund's tokens are never lent: no inflow credit for the lenders' outflow limit
    needy.insurance_fund = needy.insurance_fund.try_add(Wad::from_int(paid_in))?;
    // the fund's tokens are not the lenders': outside their outflow limit (it uses up inflow
    // credit, as a liquidation's seizure does: math/rate_limit.rs)
    donor.record_exempt_outflow(out, now)?;
    donor.insurance_fund = donor.insurance_fund.try_sub(Wad::from_int(out))?;
    Ok((paid_in, out))
}

/// Both legs' prices; no older update may set a later rate: each market remembers the newest it
/// used. Out of line: the instruction's SBF frame is 4 KiB.
#[inline(never)]
fn both_prices(a: &mut RebalanceInsurance, now: i64) -> Result<(OraclePrice, OraclePrice)> {
    let (p_in, t_in) = fresh_price(&a.needy, now)?;
    let (p_out, t_out) = fresh_price(&a.donor, now)?;
    a.needy.market.market.record_publish_times(t_in.0, t_in.1);
    a.donor.market.market.record_publish_times(t_out.0, t_out.1);
    Ok((p_in, p_out))
}

/// The leg's price for an exchange of funds: a fresh Pyth update, alone or with its second
/// source agreeing; anything else (held, second source alone, diverging) refuses.
#[inline(never)]
fn fresh_price(leg: &InsuranceLeg, now: i64) -> Result<(OraclePrice, (i64, i64))> {
    let market: &Market = &leg.market.market;
    let sources = Sources {
        primary: &market.config.oracle,
        primary_not_before: market.last_publish_time,
        secondary: &market.config.secondary,
        secondary_not_before: market.last_secondary_publish_time,
        strict_secondary: true,
        hold_last_price: false,
        guard: &market.config.guard,
    };
    let secondary = leg.secondary.as_ref().map(|s| s.as_ref());
    // a wrong key refuses as such; a feed that is stale, wide or unusable gives no rate
    let price = load_market_price(&sources, leg.price.as_ref(), secondary, now).map_err(|e| {
        match crate::oracle::pyth::is_quality_error(&e) {
            true => error!(KeelError::InsurancePriceNotFresh),
            false => e,
        }
    })?;
    match (price.sourced.source, price.sourced.price) {
        (PriceSource::Primary | PriceSource::PrimaryOnly, Some(p)) => {
            Ok((p, (price.primary_time, price.secondary_time)))
        }
        _ => Err(error!(KeelError::InsurancePriceNotFresh)),
    }
}
