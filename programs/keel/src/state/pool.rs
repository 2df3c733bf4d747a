//! `Pool`: an isolated lending pool. Its markets and margin accounts never touch another pool's.
use crate::constants::*;
use crate::errors::KeelError;
use crate::math::liquidation::LiquidationConfig;
use crate::state::Role;
use anchor_lang::prelude::*;

/// An isolated pool and its authorities.
#[account]
#[derive(InitSpace, Debug)]
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
    /// Proposed next guardian (two-step hand-over); default when none.
    pub pending_guardian: Pubkey,
    /// Delay, in seconds, before a loosening change can be executed.
    pub timelock_delay_secs: i64,
    /// Liquidation parameters shared by the pool's accounts.
    pub liquidation: LiquidationConfig,
    /// Number of markets listed.
    pub market_count: u16,
    /// Borrow, new accounts, new positions and withdrawals by accounts with debt refused (deposit,
    /// repay, liquidate and a debt-free account's withdrawal go on).
    pub borrow_paused: bool,
    /// Liquidation refused (for an oracle incident).
    pub liquidation_paused: bool,
    /// When liquidation last resumed (the grace period runs from here).
    pub liquidation_resumed_at: i64,
    /// Id of the next queued change (its PDA seed).
    pub next_change_id: u64,
    /// PDA bump.
    pub bump: u8,
    /// How many times borrowing was paused: a queued un-pause only lifts the pause it was queued
    /// against, never a newer one.
    pub borrow_pause_count: u64,
    /// Bumped by every change of `liquidation` (a queued change's base).
    pub liquidation_version: u64,
    /// Bumped by every change of `timelock_delay_secs` (a queued change's base).
    pub timelock_version: u64,
    /// Bumped by every admin hand-over: changes queued by an earlier admin do not execute.
    pub admin_epoch: u64,
    /// When the proposed guardian may accept: the proposal's time plus the timelock delay (so
    /// the sitting guardian keeps its veto over anything queued meanwhile).
    pub pending_guardian_eta: i64,
    /// When a liquidation pause the guardian alone set lapses (0: none, or the admin's pause,
    /// which lasts until `resume_liquidation`).
    pub liquidation_pause_expires_at: i64,
    /// The guardian may set a liquidation pause again only from here (its last pause's lapse,
    /// the grace period and a day more; not cleared by `resume_liquidation`).
    pub guardian_pause_allowed_at: i64,
    /// The sitting guardian vetoed a hand-over: the admin's next proposal waits twice the
    /// timelock and cannot be vetoed (a veto delays a new guardian, never blocks one for good).
    pub guardian_veto_spent: bool,
    /// Space for future fields without a migration.
    pub reserved: [u8; 7],
}

impl LiquidationConfig {
    /// Check every parameter against the protocol's hard bounds.
    pub fn validate(&self) -> Result<()> {
        require!(
            self.close_factor_bps >= MIN_CLOSE_FACTOR_BPS
                && self.close_factor_bps <= 10_000
                && self.full_close_hf_bps <= 10_000
                && (10_000..=MAX_TARGET_HF_BPS).contains(&self.target_hf_bps)
                && self.dust_debt_usd <= MAX_DUST_DEBT_USD
                && self.bonus_ramp_secs <= MAX_BONUS_RAMP_SECS
                && self.grace_secs <= MAX_LIQUIDATION_GRACE_SECS,
            KeelError::InvalidLiquidationConfig
        );
        Ok(())
    }
}

impl Pool {
    /// The pending key of `role` (default when none).
    pub fn pending(&self, role: Role) -> Pubkey {
        match role {
            Role::Admin => self.pending_admin,
            Role::Guardian => self.pending_guardian,
        }
    }

    /// True when `key` may make immediate (tightening) changes: the admin or the guardian.
    pub fn is_admin_or_guardian(&self, key: &Pubkey) -> bool {
        *key == self.admin || *key == self.guardian
    }

    /// Refuse while borrowing is paused.
    pub fn require_not_paused(&self) -> Result<()> {
        require!(!self.borrow_paused, KeelError::Paused);
        Ok(())
    }

    /// Refuse while liquidation is paused or within the grace period after it resumed. A pause the
    /// guardian alone set lapses at `liquidation_pause_expires_at`, and the grace period then runs
    /// from there, as after a resume.
    pub fn require_liquidation_open(&self, now: i64) -> Result<()> {
        let expires = self.liquidation_pause_expires_at;
        let lapsed = self.liquidation_paused && expires != 0 && now >= expires;
        require!(
            !self.liquidation_paused || lapsed,
            KeelError::LiquidationPaused
        );
        let resumed_at = match lapsed {
            true => self.liquidation_resumed_at.max(expires),
            false => self.liquidation_resumed_at,
        };
        let open_at = resumed_at.saturating_add(self.liquidation.grace_secs as i64);
        require!(
            resumed_at == 0 || now >= open_at,
            KeelError::LiquidationGracePeriod
        );
        Ok(())
    }
}
