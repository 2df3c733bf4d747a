//! `set_delegate`: the owner names a key that may act on the margin account (deposit, repay,
//! borrow and withdraw to the owner's own token accounts: owner_transfer.rs), or clears it with
//! the default key; effective at once, so a revocation lands in the next instruction.
//!
//! ```text
//! signer = owner (never the delegate)          else NotAccountOwner
//! delegate != owner                            else InvalidDelegate
//! ```
use crate::errors::KeelError;
use crate::events::DelegateSet;
use crate::state::MarginAccount;
use anchor_lang::prelude::*;

/// Accounts of `set_delegate`.
#[derive(Accounts)]
pub struct SetDelegate<'info> {
    /// The account's owner.
    pub owner: Signer<'info>,
    /// The margin account.
    #[account(mut, has_one = owner @ KeelError::NotAccountOwner)]
    pub margin_account: AccountLoader<'info, MarginAccount>,
}

/// Name `delegate` (the default key: none).
pub fn set_delegate(ctx: Context<SetDelegate>, delegate: Pubkey) -> Result<()> {
    require_keys_neq!(
        delegate,
        ctx.accounts.owner.key(),
        KeelError::InvalidDelegate
    );
    let previous = {
        let mut account = ctx.accounts.margin_account.load_mut()?;
        std::mem::replace(&mut account.delegate, delegate)
    };
    crate::events::emit_event!(DelegateSet {
        margin_account: ctx.accounts.margin_account.key(),
        owner: ctx.accounts.owner.key(),
        previous,
        delegate,
    });
    Ok(())
}
