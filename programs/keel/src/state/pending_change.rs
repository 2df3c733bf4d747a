//! `PendingChange`: a loosening parameter change queued behind the pool's timelock.
use crate::math::liquidation::LiquidationConfig;
use crate::state::MarketConfig;
use anchor_lang::prelude::*;

/// What a queued change does when executed.
// The variants differ in size (a market configuration is 208 bytes), but the enum lives in a
// `PendingChange` account sized for its largest variant either way, and its Borsh layout must stay
// flat for clients: boxing would save nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace)]
pub enum ChangeKind {
    /// Replace a market's whole configuration.
    MarketConfig {
        /// The market.
        market: Pubkey,
        /// Its new configuration.
        config: MarketConfig,
    },
    /// Replace the pool's liquidation parameters.
    LiquidationConfig {
        /// The new parameters.
        config: LiquidationConfig,
    },
    /// Lower (or set) the timelock delay.
    TimelockDelay {
        /// The new delay, seconds.
        delay_secs: i64,
    },
    /// Lift the borrow pause.
    UnpauseBorrowing,
}

/// A queued change.
#[account]
#[derive(InitSpace)]
pub struct PendingChange {
    /// The pool it changes.
    pub pool: Pubkey,
    /// Its id (a PDA seed).
    pub id: u64,
    /// What it does.
    pub kind: ChangeKind,
    /// When it was queued.
    pub queued_at: i64,
    /// Earliest execution time (later if the timelock was raised since: `execute_change`).
    pub eta: i64,
    /// Hash of the state the change was queued against; it executes only while that state
    /// stands (governance/change_base.rs).
    pub base_hash: [u8; 32],
    /// Who paid its rent (refunded on execute or cancel).
    pub rent_payer: Pubkey,
    /// PDA bump.
    pub bump: u8,
}
