//! `init_pool`: create an isolated pool with its admin, guardian and timelock delay.
// Anchor's `init` codegen (the create-account closures of `try_accounts`) measures above the
// 4 KiB threshold in host MIR; it is generated code this crate cannot restructure. The SBF
// build's real frames are checked by `anchor build` (stack-offset warnings); see the notes.
#![allow(clippy::large_stack_frames)]
use crate::constants::*;
use crate::errors::KeelError;
use crate::events::PoolInitialized;
use crate::math::liquidation::LiquidationConfig;
use crate::state::Pool;
use anchor_lang::prelude::*;

/// Accounts of `init_pool`.
#[derive(Accounts)]
#[instruction(pool_id: u64)]
pub struct InitPool<'info> {
    /// Pays for the pool and seeds its address.
    #[account(mut)]
    pub creator: Signer<'info>,
    /// The new pool.
    #[account(
        init,
        payer = creator,
        space = 8 + Pool::INIT_SPACE,
        seeds = [POOL_SEED, creator.key().as_ref(), &pool_id.to_le_bytes()],
        bump
    )]
    pub pool: Box<Account<'info, Pool>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Create the pool; `admin` and `guardian` may be any keys (e.g. multisig vaults).
pub fn init_pool(
    ctx: Context<InitPool>,
    pool_id: u64,
    admin: Pubkey,
    guardian: Pubkey,
    timelock_delay_secs: i64,
    liquidation: LiquidationConfig,
) -> Result<()> {
    liquidation.validate()?;
    require!(
        (0..=MAX_TIMELOCK_DELAY_SECS).contains(&timelock_delay_secs),
        KeelError::InvalidTimelockDelay
    );
    let pool = &mut ctx.accounts.pool;
    pool.creator = ctx.accounts.creator.key();
    pool.pool_id = pool_id;
    pool.admin = admin;
    pool.pending_admin = Pubkey::default();
    pool.guardian = guardian;
    pool.timelock_delay_secs = timelock_delay_secs;
    pool.liquidation = liquidation;
    pool.market_count = 0;
    pool.bump = ctx.bumps.pool;
    crate::events::emit_event!(PoolInitialized {
        pool: pool.key(),
        creator: pool.creator,
        pool_id,
        admin,
        guardian,
        timelock_delay_secs,
        liquidation,
    });
    Ok(())
}
