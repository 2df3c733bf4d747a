//! `add_market`: list a token in a pool, creating its market and PDA vault.
// Anchor's `init` codegen (the create-account closures of `try_accounts`) measures above the
// 4 KiB threshold in host MIR; it is generated code this crate cannot restructure. The SBF
// build's real frames are checked by `anchor build` (stack-offset warnings); see the notes.
#![allow(clippy::large_stack_frames)]
use crate::constants::*;
use crate::errors::KeelError;
use crate::events::MarketAdded;
use crate::governance::nonce_guard::not_durable_nonce;
use crate::math::interest::INITIAL_INDEX;
use crate::state::{Market, MarketConfig, Pool};
use crate::token::mint_policy::check_mint_supported;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

/// Accounts of `add_market`.
#[derive(Accounts)]
pub struct AddMarket<'info> {
    /// The pool admin.
    pub admin: Signer<'info>,
    /// Pays rent for the market and its vault.
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool.
    #[account(mut, has_one = admin @ KeelError::NotPoolAdmin)]
    pub pool: Box<Account<'info, Pool>>,
    /// The token's mint (SPL Token or Token-2022).
    #[account(mint::token_program = token_program)]
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// The new market.
    #[account(
        init,
        payer = payer,
        space = 8 + Market::INIT_SPACE,
        seeds = [MARKET_SEED, pool.key().as_ref(), mint.key().as_ref()],
        bump
    )]
    pub market: Box<Account<'info, Market>>,
    /// The market's vault: a token account owned by the market PDA.
    #[account(
        init,
        payer = payer,
        seeds = [VAULT_SEED, market.key().as_ref()],
        bump,
        token::mint = mint,
        token::authority = market,
        token::token_program = token_program
    )]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// The mint's token program.
    pub token_program: Interface<'info, TokenInterface>,
    /// System program.
    pub system_program: Program<'info, System>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(
        address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar,
        constraint = not_durable_nonce(&instructions_sysvar)? @ KeelError::DurableNonceRefused
    )]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

/// List `mint` in the pool with `config`, after checking every parameter's bounds. A new market
/// is a loosening: it takes effect (deposits, borrows) only after the pool's timelock delay.
/// A listing is not a queued change, so it cannot be cancelled; before `active_after` the guardian
/// neutralises it by tightening its caps and initial weight to zero (`tighten_market`).
pub fn add_market(ctx: Context<AddMarket>, config: MarketConfig) -> Result<()> {
    config.validate()?;
    let mint = &ctx.accounts.mint;
    check_mint_supported(&mint.to_account_info(), mint.decimals)?;
    let now = Clock::get()?.unix_timestamp;
    let market = &mut ctx.accounts.market;
    market.pool = ctx.accounts.pool.key();
    market.mint = mint.key();
    market.token_program = ctx.accounts.token_program.key();
    market.vault = ctx.accounts.vault.key();
    market.decimals = mint.decimals;
    market.bump = ctx.bumps.market;
    market.vault_bump = ctx.bumps.vault;
    market.config = config;
    market.deposit_index = INITIAL_INDEX;
    market.borrow_index = INITIAL_INDEX;
    market.last_accrual_ts = now;
    market.active_after = now
        .checked_add(ctx.accounts.pool.timelock_delay_secs)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    let pool = &mut ctx.accounts.pool;
    pool.market_count = pool
        .market_count
        .checked_add(1)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    crate::events::emit_event!(MarketAdded {
        pool: pool.key(),
        market: market.key(),
        mint: market.mint,
        token_program: market.token_program,
        vault: market.vault,
        config,
        active_after: market.active_after,
    });
    Ok(())
}
