//! `MarketVault`: the market, its vault, its mint and its token program, checked against each other.
//! Shared by every instruction that moves tokens in or out of a market.
use crate::state::Market;
use anchor_lang::prelude::*;
use anchor_spl::token_interface::{Mint, TokenAccount, TokenInterface};

/// A market with the accounts it moves tokens through.
#[derive(Accounts)]
pub struct MarketVault<'info> {
    /// The market (interest is accrued on it).
    #[account(mut, has_one = vault, has_one = mint, has_one = token_program)]
    pub market: Box<Account<'info, Market>>,
    /// Its PDA vault.
    #[account(mut)]
    pub vault: Box<InterfaceAccount<'info, TokenAccount>>,
    /// Its mint.
    pub mint: Box<InterfaceAccount<'info, Mint>>,
    /// Its token program.
    pub token_program: Interface<'info, TokenInterface>,
}
