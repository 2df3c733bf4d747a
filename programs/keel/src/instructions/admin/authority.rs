//! Two-step hand-over of the admin and guardian roles: the admin proposes (`set_pending_authority`
//! with a key), the proposed key accepts by signing (`accept_authority`), the admin may cancel
//! before that (`set_pending_authority` with `None`).
//!
//! A new admin taking over drops the old admin's pending guardian proposal and voids the changes
//! the old admin queued: they were that admin's intent, and must not outlive its authority.
use super::governance_accounts::*;
use crate::errors::KeelError;
use crate::events::AuthorityChanged;
use crate::state::Pool;
pub use crate::state::{AuthorityAction, Role};
use anchor_lang::prelude::*;

fn slots(pool: &mut Pool, role: Role) -> (&mut Pubkey, &mut Pubkey) {
    match role {
        Role::Admin => (&mut pool.admin, &mut pool.pending_admin),
        Role::Guardian => (&mut pool.guardian, &mut pool.pending_guardian),
    }
}

/// Accounts of `set_pending_authority`.
#[derive(Accounts)]
pub struct SetPendingAuthority<'info> {
    /// Signer (admin), pool, instructions sysvar.
    pub gov: AdminOnly<'info>,
}

/// Propose `Some(key)` for `role`, or withdraw the pending proposal with `None` (admin).
pub fn set_pending_authority(
    ctx: Context<SetPendingAuthority>,
    role: Role,
    new: Option<Pubkey>,
) -> Result<()> {
    let pool = &mut ctx.accounts.gov.pool;
    let key = pool.key();
    let (current, pending) = slots(pool, role);
    let (action, new) = match new {
        Some(new) => {
            *pending = new;
            (AuthorityAction::Proposed, new)
        }
        None => {
            require!(*pending != Pubkey::default(), KeelError::NoPendingAuthority);
            (AuthorityAction::Cancelled, std::mem::take(pending))
        }
    };
    crate::events::emit_event!(AuthorityChanged {
        pool: key,
        role,
        action,
        old: *current,
        new,
    });
    Ok(())
}

/// Accounts of `accept_authority`.
#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    /// Signer (the pending key of the role), pool, instructions sysvar.
    pub gov: Candidate<'info>,
}

/// Accept `role`: the signer must be its pending key.
pub fn accept_authority(ctx: Context<AcceptAuthority>, role: Role) -> Result<()> {
    let signer = ctx.accounts.gov.authority.key();
    let pool = &mut ctx.accounts.gov.pool;
    let key = pool.key();
    let (current, pending) = slots(pool, role);
    let old = std::mem::replace(current, signer);
    *pending = Pubkey::default();
    crate::events::emit_event!(AuthorityChanged {
        pool: key,
        role,
        action: AuthorityAction::Accepted,
        old,
        new: signer,
    });
    if role == Role::Admin {
        // changes queued by the previous admin no longer execute (governance/change_base.rs)
        pool.admin_epoch = pool.admin_epoch.wrapping_add(1);
        if pool.pending_guardian != Pubkey::default() {
            let dropped = std::mem::take(&mut pool.pending_guardian);
            crate::events::emit_event!(AuthorityChanged {
                pool: key,
                role: Role::Guardian,
                action: AuthorityAction::Dropped,
                old: pool.guardian,
                new: dropped,
            });
        }
    }
    Ok(())
}
