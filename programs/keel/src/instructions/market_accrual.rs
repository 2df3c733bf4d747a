//! Accrue a market's interest and emit the event: the first step of every instruction that
//! touches a market.
use crate::events::InterestAccrued;
use crate::state::Market;
use anchor_lang::prelude::*;

/// Bring `market` (at address `key`) up to `now`, emitting `InterestAccrued` when time advanced.
pub fn accrue_market(market: &mut Market, key: Pubkey, now: i64) -> Result<()> {
    if now <= market.last_accrual_ts {
        return Ok(());
    }
    let step = market.accrue_to(now)?;
    crate::events::emit_event!(InterestAccrued {
        market: key,
        interest: step.interest,
        protocol_fee: step.protocol_fee,
        deposit_index: market.deposit_index,
        borrow_index: market.borrow_index,
        timestamp: now,
    });
    Ok(())
}
