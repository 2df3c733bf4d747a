//! `MarketVault`: the market, its vault, its mint and its token program, checked against each other.
//! Shared by every instruction that moves tokens in or out of a market.
use crate::errors::KeelError;
use crate::state::Market;
use crate::token::transfer::transfer_from_vault;
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

impl<'info> MarketVault<'info> {
    /// Pay `amount` out of the vault to `to` (nothing for 0), refusing past the liquidity the
    /// vault can lend (its balance less the insurance fund: InsufficientLiquidity).
    pub fn pay_out(&self, to: &InterfaceAccount<'info, TokenAccount>, amount: u64) -> Result<()> {
        require!(
            amount <= self.market.available_liquidity(self.vault.amount)?,
            KeelError::InsufficientLiquidity
        );
        if amount == 0 {
            return Ok(());
        }
        transfer_from_vault(
            &self.token_program,
            &self.vault,
            to,
            &self.mint,
            &self.market,
            amount,
        )
    }
}
