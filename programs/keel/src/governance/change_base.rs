//! The state a queued change was queued against, as a hash of version counters: a change executes
//! only while that state still stands (a compare-and-swap), so a matured change can never
//! overwrite a later decision.
//!
//! ```text
//! MarketConfig { market }   sha256("market", market, market.config_version, pool.admin_epoch)
//! LiquidationConfig         sha256("liquidation", pool.liquidation_version, pool.admin_epoch)
//! TimelockDelay             sha256("timelock", pool.timelock_version, pool.admin_epoch)
//! UnpauseBorrowing          sha256("pause", pool.borrow_pause_count, pool.admin_epoch)
//! ```
//! Counters, not values: a change voided by a later decision stays void even if the values come
//! back (no A-B-A revival of a change the guardian vetoed). So: any later change to the market's
//! configuration (a tightening included) voids a queued market change; a later pause voids a
//! queued un-pause; an admin hand-over voids everything the previous admin queued. Of two changes
//! queued against the same state, whichever executes first voids the other.
use crate::errors::KeelError;
use crate::state::{ChangeKind, Market, Pool};
use anchor_lang::prelude::*;
use solana_sha256_hasher::hashv;

/// The base hash of `kind` against the pool and (for a market change) the market.
pub fn change_base(
    kind: &ChangeKind,
    pool: &Pool,
    market: Option<(Pubkey, &Market)>,
) -> Result<[u8; 32]> {
    let epoch = pool.admin_epoch.to_le_bytes();
    let hash = match kind {
        ChangeKind::MarketConfig { market: target, .. } => {
            let (key, m) = market
                .filter(|(key, _)| key == target)
                .ok_or_else(|| error!(KeelError::ChangeMarketMismatch))?;
            hashv(&[
                b"market",
                key.as_ref(),
                &m.config_version.to_le_bytes(),
                &epoch,
            ])
        }
        ChangeKind::LiquidationConfig { .. } => hashv(&[
            b"liquidation",
            &pool.liquidation_version.to_le_bytes(),
            &epoch,
        ]),
        ChangeKind::TimelockDelay { .. } => {
            hashv(&[b"timelock", &pool.timelock_version.to_le_bytes(), &epoch])
        }
        ChangeKind::UnpauseBorrowing => {
            hashv(&[b"pause", &pool.borrow_pause_count.to_le_bytes(), &epoch])
        }
    };
    Ok(hash.to_bytes())
}
