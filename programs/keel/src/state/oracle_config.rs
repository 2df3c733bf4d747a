//! Where a market's prices come from: its Pyth feed (the primary), an optional Switchboard pull
//! feed (the secondary), and how the two combine and widen the initial requirement
//! (oracle/rules.rs, math/volatility.rs).
use anchor_lang::prelude::*;

/// Which Pyth feed prices the market, from which account, and how fresh and tight it must be.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OracleConfig {
    /// Pyth feed id (32 bytes).
    pub feed_id: [u8; 32],
    /// The one `PriceUpdateV2` account the market reads (for Pyth's sponsored push feeds, the
    /// feed's PDA). Pinned, so that no caller can choose among updates: anyone may post an older
    /// or a wider update into an account of their own, never into this one.
    pub price_account: Pubkey,
    /// Oldest acceptable publish time, seconds before now.
    pub max_age_secs: u32,
    /// Widest acceptable confidence interval, bps of price.
    pub max_conf_bps: u16,
}

/// An optional second price source: a Switchboard On-Demand pull feed (oracle/switchboard.rs).
/// `feed == Pubkey::default()` means none.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct SecondaryOracle {
    /// The `PullFeedAccountData` account the market reads. Pinned, as the primary's is.
    pub feed: Pubkey,
    /// The feed's hash (its job definition), pinned too: a feed's authority can repoint it.
    pub feed_hash: [u8; 32],
    /// Oldest acceptable update, seconds before now.
    pub max_age_secs: u32,
    /// Widest acceptable standard deviation of the oracles' answers, bps of the value.
    pub max_conf_bps: u16,
}

impl SecondaryOracle {
    /// True when the market has a second source.
    pub fn is_set(&self) -> bool {
        self.feed != Pubkey::default()
    }
}

/// How the two sources combine, and how volatility widens the initial requirement
/// (oracle/rules.rs, math/volatility.rs).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace,
)]
pub struct OracleGuard {
    /// Largest gap between the two sources' prices still called agreement, bps of the lower.
    pub max_divergence_bps: u16,
    /// Haircut on a price from the secondary alone (the primary stale): off collateral, onto
    /// debt, bps.
    pub fallback_haircut_bps: u16,
    /// Volatility that costs nothing (the initial weight already prices calm markets), bps.
    pub vol_margin_floor_bps: u16,
    /// Extra initial haircut per unit of volatility past the floor, bps of 1x:
    /// extra = k * (volatility - floor).
    pub vol_margin_mult_bps: u16,
    /// Largest extra initial haircut volatility can add, bps.
    pub vol_margin_cap_bps: u16,
}
