//! The state a queued change was queued against, as a hash: a change executes only while that
//! state still stands (a compare-and-swap), so a matured change can never overwrite a later
//! decision.
//!
//! ```text
//! MarketConfig { market }   sha256("market", market, borsh(market.config))
//! LiquidationConfig         sha256("liquidation", borsh(pool.liquidation))
//! TimelockDelay             sha256("timelock", pool.timelock_delay_secs)
//! UnpauseBorrowing          sha256("pause", pool.borrow_pause_count)
//! ```
//! So: a later tightening of the market (or any other change to it) voids a queued market change;
//! a later pause voids a queued un-pause (it lifts only the pause it was queued against); of two
//! changes queued against the same state, the first executed voids the other, so the order of
//! execution is not the executor's choice.
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
    let hash = match kind {
        ChangeKind::MarketConfig { market: target, .. } => {
            let (key, m) = market
                .filter(|(key, _)| key == target)
                .ok_or_else(|| error!(KeelError::ChangeMarketMismatch))?;
            let config = borsh::to_vec(&m.config)?;
            hashv(&[b"market", key.as_ref(), &config])
        }
        ChangeKind::LiquidationConfig { .. } => {
            hashv(&[b"liquidation", &borsh::to_vec(&pool.liquidation)?])
        }
        ChangeKind::TimelockDelay { .. } => {
            hashv(&[b"timelock", &pool.timelock_delay_secs.to_le_bytes()])
        }
        ChangeKind::UnpauseBorrowing => hashv(&[b"pause", &pool.borrow_pause_count.to_le_bytes()]),
    };
    Ok(hash.to_bytes())
}
