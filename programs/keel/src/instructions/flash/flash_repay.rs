//! `flash_repay`: bring a flash loan back to the vault, fee included.
//!
//! ```text
//! pre:  top-level; the market has a loan out; amount == principal + fee (what `flash_borrow`
//!       recorded: a change to the fee rate in between does not change what is owed)
//! then: amount enters the vault from `source`; the fee joins the insurance fund;
//!       market.flash_loan = none
//! ```
//! Outside the outflow limit, like the borrow (its inflow is no credit for later outflows).
use super::scan::require_top_level;
use crate::errors::KeelError;
use crate::events::FlashRepaid;
use crate::instructions::user::market_vault::*;
use crate::math::fixed::Wad;
use crate::state::{FlashLoan, Market};
use crate::token::transfer::transfer_to_vault;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `flash_repay`. The market's position (second) is read by `flash_borrow` from the
/// instructions sysvar (scan.rs `REPAY_MARKET_ACCOUNT`).
#[derive(Accounts)]
pub struct FlashRepay<'info> {
    /// Whoever pays; need not be the borrower.
    pub payer: Signer<'info>,
    /// The market the loan came from and its vault.
    pub market: MarketVault<'info>,
    /// The payer's token account.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub source: Box<InterfaceAccount<'info, TokenAccount>>,
}

/// Repay the market's flash loan: `amount` must be its principal plus fee.
pub fn flash_repay(ctx: Context<FlashRepay>, amount: u64) -> Result<()> {
    require_top_level()?;
    let market_key = ctx.accounts.market.market.key();
    let loan = close_loan(&mut ctx.accounts.market.market, amount)?;
    let m = &ctx.accounts.market;
    transfer_to_vault(
        &m.token_program,
        &ctx.accounts.source,
        &m.vault,
        &m.mint,
        &ctx.accounts.payer,
        amount,
    )?;
    crate::events::emit_event!(FlashRepaid {
        market: market_key,
        payer: ctx.accounts.payer.key(),
        amount: loan.principal,
        fee: loan.fee,
    });
    Ok(())
}

/// Check `amount` repays the loan out; clear it and book the fee.
fn close_loan(market: &mut Market, amount: u64) -> Result<FlashLoan> {
    let loan = market.flash_loan;
    require!(loan.is_open(), KeelError::NoFlashLoan);
    require_eq!(amount, loan.owed()?, KeelError::FlashRepayMismatch);
    market.flash_loan = FlashLoan::default();
    market.insurance_fund = market.insurance_fund.try_add(Wad::from_int(loan.fee))?;
    Ok(loan)
}
