//! Two-step hand-over of the admin and guardian roles: the admin proposes (`set_pending_authority`
//! with a key), the proposed key accepts by signing (`accept_authority`), the admin may cancel
//! before that (`set_pending_authority` with `None`).
//!
//! ```text
//! admin:     accept at once; a new admin drops the old admin's pending guardian proposal and
//!            voids the changes the old admin queued (they were its intent, and must not outlive
//!            its authority)
//! guardian:  accept no earlier than the proposal + the pool's timelock delay (eta fixed at the
//!            proposal)                                        else GuardianHandoverTimelocked
//!            the sitting guardian may veto the proposal (`veto_guardian_handover`) once: the
//!            admin's next proposal then waits twice the delay and cannot be vetoed (a veto delays
//!            a new guardian, it never keeps a rogue one seated for good: GuardianVetoSpent)
//! ```
//! Why the guardian waits: its veto (`cancel_change`, `tighten_market`, `pause`) is the check on
//! the admin's timelock. A hijacked admin that could seat its own guardian at once would queue a
//! loosening and remove the one key able to cancel it in the same block (issue 26). With the
//! delay, every change queued before or with the proposal matures no earlier than the new
//! guardian's seat, and the sitting guardian can cancel both.
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
    if role == Role::Guardian {
        pool.pending_guardian_eta = match new {
            Some(_) => guardian_eta(pool)?,
            None => 0,
        };
    }
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

/// When a guardian proposed now may accept: the timelock delay from now, twice that once the
/// sitting guardian has spent its veto.
fn guardian_eta(pool: &Pool) -> Result<i64> {
    let delay = match pool.guardian_veto_spent {
        true => pool.timelock_delay_secs.saturating_mul(2),
        false => pool.timelock_delay_secs,
    };
    Ok(Clock::get()?.unix_timestamp.saturating_add(delay))
}

/// Accounts of `accept_authority`.
#[derive(Accounts)]
pub struct AcceptAuthority<'info> {
    /// Signer (the pending key of the role), pool, instructions sysvar.
    pub gov: Candidate<'info>,
}

/// Accept `role`: the signer must be its pending key; a guardian only from its eta.
pub fn accept_authority(ctx: Context<AcceptAuthority>, role: Role) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let signer = ctx.accounts.gov.authority.key();
    let pool = &mut ctx.accounts.gov.pool;
    let key = pool.key();
    if role == Role::Guardian {
        require!(
            now >= pool.pending_guardian_eta,
            KeelError::GuardianHandoverTimelocked
        );
        pool.pending_guardian_eta = 0;
        pool.guardian_veto_spent = false;
    }
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
            pool.pending_guardian_eta = 0;
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

/// Accounts of `veto_guardian_handover`.
#[derive(Accounts)]
pub struct VetoGuardianHandover<'info> {
    /// Signer (the guardian: the admin withdraws its own proposals with
    /// `set_pending_authority(None)`, and must not be able to spend the guardian's veto), pool,
    /// instructions sysvar.
    pub gov: GuardianOnly<'info>,
}

/// Drop the proposed new guardian (the sitting guardian's veto, once).
pub fn veto_guardian_handover(ctx: Context<VetoGuardianHandover>) -> Result<()> {
    let pool = &mut ctx.accounts.gov.pool;
    require!(
        pool.pending_guardian != Pubkey::default(),
        KeelError::NoPendingAuthority
    );
    require!(!pool.guardian_veto_spent, KeelError::GuardianVetoSpent);
    pool.guardian_veto_spent = true;
    let dropped = std::mem::take(&mut pool.pending_guardian);
    pool.pending_guardian_eta = 0;
    crate::events::emit_event!(AuthorityChanged {
        pool: pool.key(),
        role: Role::Guardian,
        action: AuthorityAction::Vetoed,
        old: pool.guardian,
        new: dropped,
    });
    Ok(())
}
