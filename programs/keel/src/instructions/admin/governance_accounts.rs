//! `Governance`: the signer, the pool and the instructions sysvar of every admin or guardian
//! instruction, with the role checks and the durable-nonce guard (governance/nonce_guard.rs).
use crate::errors::KeelError;
use crate::governance::nonce_guard::refuse_durable_nonce;
use crate::state::Pool;
use anchor_lang::prelude::*;

/// Accounts shared by governance instructions.
#[derive(Accounts)]
pub struct Governance<'info> {
    /// The admin, or the guardian where the instruction allows it.
    pub authority: Signer<'info>,
    /// The pool governed.
    #[account(mut)]
    pub pool: Box<Account<'info, Pool>>,
    /// CHECK: address-checked; read to refuse durable-nonce transactions.
    #[account(address = solana_instructions_sysvar::ID @ KeelError::InvalidInstructionsSysvar)]
    pub instructions_sysvar: UncheckedAccount<'info>,
}

impl Governance<'_> {
    /// The signer must be the admin; not in a durable-nonce transaction.
    pub fn require_admin(&self) -> Result<()> {
        require_keys_eq!(
            self.authority.key(),
            self.pool.admin,
            KeelError::NotPoolAdmin
        );
        refuse_durable_nonce(&self.instructions_sysvar)
    }

    /// The signer must be the admin or the guardian; not in a durable-nonce transaction.
    pub fn require_admin_or_guardian(&self) -> Result<()> {
        require!(
            self.pool.is_admin_or_guardian(&self.authority.key()),
            KeelError::NotAdminOrGuardian
        );
        refuse_durable_nonce(&self.instructions_sysvar)
    }
}
