//! `open_account`: create an empty margin account for `owner` in a pool.
// Anchor's `init` codegen (the create-account closures of `try_accounts`) measures above the
// 4 KiB threshold in host MIR; it is generated code this crate cannot restructure. The SBF
// build's real frames are checked by `anchor build` (stack-offset warnings); see the notes.
#![allow(clippy::large_stack_frames)]
use crate::constants::*;
use crate::events::AccountOpened;
use crate::state::{MarginAccount, Pool};
use anchor_lang::prelude::*;

/// Accounts of `open_account`.
#[derive(Accounts)]
#[instruction(account_id: u64)]
pub struct OpenAccount<'info> {
    /// The trader who will own the account.
    pub owner: Signer<'info>,
    /// Pays the account's rent (returned to the owner on close).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The pool.
    pub pool: Box<Account<'info, Pool>>,
    /// The new margin account.
    #[account(
        init,
        payer = payer,
        space = 8 + std::mem::size_of::<MarginAccount>(),
        seeds = [MARGIN_SEED, pool.key().as_ref(), owner.key().as_ref(), &account_id.to_le_bytes()],
        bump
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Open margin account number `account_id` of the owner in the pool.
pub fn open_account(ctx: Context<OpenAccount>, account_id: u64) -> Result<()> {
    ctx.accounts.pool.require_not_paused()?;
    let mut account = ctx.accounts.margin_account.load_init()?;
    account.owner = ctx.accounts.owner.key();
    account.pool = ctx.accounts.pool.key();
    account.account_id = account_id;
    account.bump = ctx.bumps.margin_account;
    crate::events::emit_event!(AccountOpened {
        pool: account.pool,
        margin_account: ctx.accounts.margin_account.key(),
        owner: account.owner,
        account_id,
    });
    Ok(())
}
