//! Two-step hand-over of the admin and guardian roles: the admin proposes (`set_pending_authority`
//! with a key), the proposed key accepts by signing (`accept_authority`), the admin may cancel
//! before that (`set_pending_authority` with `None`).
use super::governance_accounts::*;
use crate::errors::KeelError;
use crate::events::AuthorityChanged;
use crate::governance::nonce_guard::refuse_durable_nonce;
use crate::state::Pool;
use anchor_lang::prelude::*;

/// A pool role that can be handed over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum Role {
    /// The governance authority.
    Admin,
    /// The emergency authority.
    Guardian,
}

/// Step of a hand-over.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum AuthorityAction {
    /// The admin proposed a new key.
    Proposed,
    /// The proposed key accepted.
    Accepted,
    /// The admin withdrew the proposal.
    Cancelled,
}

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
    pub gov: Governance<'info>,
}

/// Propose `Some(key)` for `role`, or withdraw the pending proposal with `None` (admin).
pub fn set_pending_authority(
    ctx: Context<SetPendingAuthority>,
    role: Role,
    new: Option<Pubkey>,
) -> Result<()> {
    ctx.accounts.gov.require_admin()?;
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
    /// Signer (the pending key), pool, instructions sysvar.
    pub gov: Governance<'info>,
}

/// Accept `role`: the signer must be its pending key.
pub fn accept_authority(ctx: Context<AcceptAuthority>, role: Role) -> Result<()> {
    refuse_durable_nonce(&ctx.accounts.gov.instructions_sysvar)?;
    let signer = ctx.accounts.gov.authority.key();
    let pool = &mut ctx.accounts.gov.pool;
    let key = pool.key();
    let (current, pending) = slots(pool, role);
    require!(*pending != Pubkey::default(), KeelError::NoPendingAuthority);
    require_keys_eq!(signer, *pending, KeelError::NotPendingAuthority);
    let old = std::mem::replace(current, signer);
    *pending = Pubkey::default();
    crate::events::emit_event!(AuthorityChanged {
        pool: key,
        role,
        action: AuthorityAction::Accepted,
        old,
        new: signer,
    });
    Ok(())
}
