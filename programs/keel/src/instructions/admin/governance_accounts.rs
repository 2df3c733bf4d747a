//! Governance accounts types: the role is part of the type. An instruction whose accounts embed
//! `AdminOnly` cannot run unless the pool's admin signed; `AdminOrGuardian` likewise for either
//! role, `GuardianOnly` for the guardian; `Candidate` for the key a hand-over proposed. Each also refuses durable-nonce
//! transactions (governance/nonce_guard.rs). The checks are Anchor constraints, evaluated before
//! the handler runs, so no handler can forget them (Squads v4 validates roles the same way).
use crate::errors::KeelError;
use crate::governance::nonce_guard::not_durable_nonce;
use crate::state::{Pool, Role};
use anchor_lang::prelude::*;

/// The pool's admin signs.
#[derive(Accounts)]
pub struct AdminOnly<'info> {
    /// The admin.
    #[account(address = pool.admin @ KeelError::NotPoolAdmin)]
    pub authority: Signer<'info>,
    /// The pool governed.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(
        address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar,
        constraint = not_durable_nonce(&instructions_sysvar)? @ KeelError::DurableNonceRefused
    )]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

/// The pool's admin or its guardian signs (actions that only reduce risk).
#[derive(Accounts)]
pub struct AdminOrGuardian<'info> {
    /// The admin or the guardian.
    #[account(
        constraint = pool.is_admin_or_guardian(authority.key) @ KeelError::NotAdminOrGuardian
    )]
    pub authority: Signer<'info>,
    /// The pool governed.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(
        address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar,
        constraint = not_durable_nonce(&instructions_sysvar)? @ KeelError::DurableNonceRefused
    )]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

/// The pool's guardian signs (its veto of a guardian hand-over: the admin must not be able to
/// spend it).
#[derive(Accounts)]
pub struct GuardianOnly<'info> {
    /// The guardian.
    #[account(address = pool.guardian @ KeelError::NotGuardian)]
    pub authority: Signer<'info>,
    /// The pool governed.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(
        address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar,
        constraint = not_durable_nonce(&instructions_sysvar)? @ KeelError::DurableNonceRefused
    )]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

/// The key proposed for `role` signs (accepting a hand-over).
#[derive(Accounts)]
#[instruction(role: Role)]
pub struct Candidate<'info> {
    /// The proposed key.
    #[account(
        constraint = pool.pending(role) != Pubkey::default() @ KeelError::NoPendingAuthority,
        constraint = pool.pending(role) == authority.key() @ KeelError::NotPendingAuthority
    )]
    pub authority: Signer<'info>,
    /// The pool governed.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(
        address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar,
        constraint = not_durable_nonce(&instructions_sysvar)? @ KeelError::DurableNonceRefused
    )]
    pub instructions_sysvar: UncheckedAccount<'info>,
}
