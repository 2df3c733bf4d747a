//! `set_delegate`: the owner names a key that may act on the margin account with an enumerated set
//! of powers (state/delegate.rs: deposit, borrow and withdraw to the owner's own token accounts,
//! bonus-free orders), or clears it with the default key; effective at once, so a revocation
//! lands in the next instruction.
//!
//! ```text
//! signer = owner (never the delegate)                     else NotAccountOwner
//! delegate != owner                                       else InvalidDelegate
//! powers within {deposit, borrow, withdraw, orders}; none when clearing   else InvalidDelegatePowers
//! effects: delegate and powers set, delegate_epoch + 1 (every order a delegate posted before
//!          stops executing: naming, replacing, re-powering or clearing all void them)
//! ```
use crate::errors::KeelError;
use crate::events::DelegateSet;
use crate::state::{MarginAccount, ALL_DELEGATE_POWERS};
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

/// Name `delegate` with `powers` (the default key and no powers: none).
pub fn set_delegate(ctx: Context<SetDelegate>, delegate: Pubkey, powers: u8) -> Result<()> {
    require_keys_neq!(
        delegate,
        ctx.accounts.owner.key(),
        KeelError::InvalidDelegate
    );
    require!(
        powers & !ALL_DELEGATE_POWERS == 0 && (delegate != Pubkey::default() || powers == 0),
        KeelError::InvalidDelegatePowers
    );
    let (previous, epoch) = {
        let mut account = ctx.accounts.margin_account.load_mut()?;
        account.delegate_powers = powers;
        account.delegate_epoch = account.delegate_epoch.wrapping_add(1);
        (
            std::mem::replace(&mut account.delegate, delegate),
            account.delegate_epoch,
        )
    };
    crate::events::emit_event!(DelegateSet {
        margin_account: ctx.accounts.margin_account.key(),
        owner: ctx.accounts.owner.key(),
        previous,
        delegate,
        powers,
        epoch,
    });
    Ok(())
}
