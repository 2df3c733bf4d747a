//! `Pool`: an isolated lending pool. Its markets and margin accounts never touch another pool's.
use crate::constants::*;
use crate::errors::KeelError;
use crate::math::liquidation::LiquidationConfig;
use anchor_lang::prelude::*;

/// An isolated pool and its authorities.
#[account]
#[derive(InitSpace)]
pub struct Pool {
    /// Who created the pool (a PDA seed).
    pub creator: Pubkey,
    /// Creator-chosen id (a PDA seed).
    pub pool_id: u64,
    /// Governance authority (typically a multisig vault); signs every parameter change.
    pub admin: Pubkey,
    /// Proposed next admin (two-step hand-over); default when none.
    pub pending_admin: Pubkey,
    /// Emergency authority: may only tighten or pause.
    pub guardian: Pubkey,
    /// Delay, in seconds, before a loosening change can be executed.
    pub timelock_delay_secs: i64,
    /// Liquidation parameters shared by the pool's accounts.
    pub liquidation: LiquidationConfig,
    /// Number of markets listed.
    pub market_count: u16,
    /// PDA bump.
    pub bump: u8,
    /// Space for future fields without a migration.
    pub reserved: [u8; 64],
}

impl LiquidationConfig {
    /// Check every parameter against the protocol's hard bounds.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.close_factor_bps > 0
                && self.close_factor_bps <= 10_000
                && self.full_close_hf_bps <= 10_000
                && (10_000..=MAX_TARGET_HF_BPS).contains(&self.target_hf_bps)
                && self.bonus_ramp_secs <= MAX_BONUS_RAMP_SECS,
            KeelError::InvalidLiquidationConfig
        );
        Ok(())
    }
}
