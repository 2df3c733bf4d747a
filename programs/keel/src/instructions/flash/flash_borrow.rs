//! `flash_borrow`: lend tokens out of a market's vault for the rest of the transaction.
//!
//! ```text
//! fee  = ceil(amount * flash_fee_bps / 10_000)              (math/flash.rs)
//! pre:  top-level; the market is active and has no loan out; amount <= vault - insurance fund
//!       the transaction repays amount + fee to this market after this instruction (scan.rs)
//! then: market.flash_loan = (amount, fee); amount leaves the vault to `destination`
//! ```
//! Outside the outflow limit: the tokens are back before the transaction ends, so the loan is no
//! net outflow (the limit bounds what leaves for good). Allowed while borrowing is paused: it
//! creates no debt past the transaction, and a pause leaves liquidations open, which flash loans
//! let anyone carry out without inventory.
use super::scan::{require_repaid_later, require_top_level};
use crate::errors::KeelError;
use crate::events::FlashBorrowed;
use crate::instructions::user::market_vault::*;
use crate::math::flash::flash_fee;
use crate::state::{FlashLoan, Market};
use crate::token::transfer::transfer_from_vault;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::TokenAccount;

/// Accounts of `flash_borrow`.
#[derive(Accounts)]
pub struct FlashBorrow<'info> {
    /// Whoever borrows (and signs the transaction that repays).
    pub borrower: Signer<'info>,
    /// The market lending and its vault.
    pub market: MarketVault<'info>,
    /// Where the tokens go.
    #[account(mut, token::mint = market.mint, token::token_program = market.token_program)]
    pub destination: Box<InterfaceAccount<'info, TokenAccount>>,
    /// CHECK: address-checked; read for the repayment (scan.rs).
    #[account(address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

/// Lend `amount` base units until this transaction's `flash_repay`.
pub fn flash_borrow(ctx: Context<FlashBorrow>, amount: u64) -> Result<()> {
    require!(amount > 0, KeelError::ZeroAmount);
    require_top_level()?;
    let now = Clock::get()?.unix_timestamp;
    let market_key = ctx.accounts.market.market.key();
    let vault_balance = ctx.accounts.market.vault.amount;
    let loan = open_loan(
        &mut ctx.accounts.market.market,
        market_key,
        vault_balance,
        &ctx.accounts.instructions_sysvar,
        amount,
        now,
    )?;
    let m = &ctx.accounts.market;
    transfer_from_vault(
        &m.token_program,
        &m.vault,
        &ctx.accounts.destination,
        &m.mint,
        &m.market,
        amount,
    )?;
    crate::events::emit_event!(FlashBorrowed {
        market: market_key,
        borrower: ctx.accounts.borrower.key(),
        destination: ctx.accounts.destination.key(),
        amount,
        fee: loan.fee,
    });
    Ok(())
}

/// Check the loan may be made and is repaid later in the transaction; record it.
fn open_loan(
    market: &mut Market,
    market_key: Pubkey,
    vault_balance: u64,
    instructions_sysvar: &AccountInfo,
    amount: u64,
    now: i64,
) -> Result<FlashLoan> {
    market.require_active(now)?;
    require!(!market.flash_loan.is_open(), KeelError::FlashLoanNested);
    require!(
        amount <= market.available_liquidity(vault_balance)?,
        KeelError::InsufficientLiquidity
    );
    let loan = FlashLoan {
        principal: amount,
        fee: flash_fee(amount, market.config.flash_fee_bps)?,
    };
    require_repaid_later(
        &instructions_sysvar.try_borrow_data()?,
        market_key,
        loan.owed()?,
    )?;
    market.flash_loan = loan;
    Ok(loan)
}
