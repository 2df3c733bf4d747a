//! `DeleverageOrder`: an order an account's owner (or a delegate holding the Orders power, with
//! no bonus) posts on the account, executed by anyone once triggered (instructions/orders/). One
//! PDA per order: `[ORDER_SEED, margin_account, order_id]`, at most `MAX_ORDERS` per account, counted on the account (`open_orders`) so that
//! an account with orders cannot be closed (a re-opened account at the same address would
//! otherwise inherit them).
//!
//! Layout (after the 8-byte discriminator): margin account at byte 8 and pool at byte 40, so
//! that bots find a pool's orders with a memcmp filter.
use crate::math::fixed::Wad;
use anchor_lang::prelude::*;

/// Byte offset of `margin_account` in the order's data.
pub const ORDER_ACCOUNT_OFFSET: usize = 8;
/// Byte offset of `pool` in the order's data.
pub const ORDER_POOL_OFFSET: usize = 40;

/// When an order may execute.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize, InitSpace)]
pub enum OrderTrigger {
    /// The account's maintenance health factor is below `hf_bps` (bps of 1.0; > 10,000).
    HealthBelow {
        /// The threshold.
        hf_bps: u32,
    },
    /// The spot price of `market` (one of the order's two) is at or below `price` (USD per whole
    /// token, 18 decimals): a stop-loss.
    PriceAtOrBelow {
        /// The market watched.
        market: Pubkey,
        /// The threshold.
        price: Wad,
    },
    /// The spot price of `market` is at or above `price`: a take-profit.
    PriceAtOrAbove {
        /// The market watched.
        market: Pubkey,
        /// The threshold.
        price: Wad,
    },
}

/// What the owner asks for when posting.
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct OrderParams {
    /// When it may execute.
    pub trigger: OrderTrigger,
    /// Most debt to repay over the order's life, base units of the repay market's token.
    pub max_repay: u64,
    /// The executor's bonus where the trigger is met (bps of the repaid value).
    pub min_bonus_bps: u16,
    /// The executor's bonus as health reaches 1.0 (health orders; price orders pay this one).
    pub max_bonus_bps: u16,
    /// Unix time after which it no longer executes (0: never).
    pub expires_at: i64,
}

/// A posted deleverage order.
#[account]
#[derive(InitSpace, Debug)]
pub struct DeleverageOrder {
    /// The margin account it deleverages.
    pub margin_account: Pubkey,
    /// The account's pool.
    pub pool: Pubkey,
    /// Who paid the rent (it goes back there when the order is cancelled or used up).
    pub payer: Pubkey,
    /// The market whose debt is repaid.
    pub repay_market: Pubkey,
    /// The market whose collateral pays for it.
    pub seize_market: Pubkey,
    /// When it may execute.
    pub trigger: OrderTrigger,
    /// Debt still to repay, base units.
    pub remaining_repay: u64,
    /// Bonus at the trigger, bps.
    pub min_bonus_bps: u16,
    /// Bonus at health 1.0, bps.
    pub max_bonus_bps: u16,
    /// Expiry (0: never).
    pub expires_at: i64,
    /// When posted.
    pub created_at: i64,
    /// The account-chosen id (a PDA seed).
    pub order_id: u8,
    /// PDA bump.
    pub bump: u8,
    /// Who posted it: the owner, or the delegate of `delegate_epoch` (it executes only while that
    /// key still stands behind it: `MarginAccount::order_authority_stands`).
    pub posted_by: Pubkey,
    /// The account's delegate epoch when it was posted.
    pub delegate_epoch: u32,
}

impl DeleverageOrder {
    /// True when the order has an expiry and `now` is past it.
    pub fn expired(&self, now: i64) -> bool {
        self.expires_at != 0 && now > self.expires_at
    }

    /// The executor's bonus when the trigger is met at maintenance health factor `hf`, `None`
    /// when it is not (math/order.rs: `max_bonus_bps`, flat; a health order pays `min_bonus_bps`
    /// when `delegate_moves_health`: the account's delegate may borrow or withdraw); `band` gives
    /// a market's price band per whole token (low, high), read only by price orders, whose
    /// trigger needs the whole band past it. The program and the SDK both decide with this.
    pub fn triggered_bonus<E>(
        &self,
        hf: Wad,
        delegate_moves_health: bool,
        band: impl Fn(&Pubkey) -> core::result::Result<(Wad, Wad), E>,
    ) -> core::result::Result<Option<u16>, E> {
        let (min_b, max_b) = (self.min_bonus_bps, self.max_bonus_bps);
        Ok(match self.trigger {
            OrderTrigger::HealthBelow { hf_bps } => (hf < Wad::from_bps(hf_bps as u64))
                .then_some(if delegate_moves_health { min_b } else { max_b }),
            OrderTrigger::PriceAtOrBelow { market, price } => {
                let (_, high) = band(&market)?;
                (high <= price).then_some(max_b)
            }
            OrderTrigger::PriceAtOrAbove { market, price } => {
                let (low, _) = band(&market)?;
                (low >= price).then_some(max_b)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchor_lang::AccountSerialize;

    #[test]
    fn account_and_pool_offsets_are_fixed() {
        let o = DeleverageOrder {
            margin_account: Pubkey::new_unique(),
            pool: Pubkey::new_unique(),
            payer: Pubkey::default(),
            repay_market: Pubkey::default(),
            seize_market: Pubkey::default(),
            trigger: OrderTrigger::HealthBelow { hf_bps: 11_000 },
            remaining_repay: 1,
            min_bonus_bps: 0,
            max_bonus_bps: 0,
            expires_at: 0,
            created_at: 0,
            order_id: 0,
            bump: 0,
            posted_by: Pubkey::default(),
            delegate_epoch: 0,
        };
        let mut data = vec![];
        o.try_serialize(&mut data).unwrap();
        assert_eq!(
            &data[ORDER_ACCOUNT_OFFSET..ORDER_ACCOUNT_OFFSET + 32],
            o.margin_account.as_ref()
        );
        assert_eq!(
            &data[ORDER_POOL_OFFSET..ORDER_POOL_OFFSET + 32],
            o.pool.as_ref()
        );
        assert!(data.len() <= 8 + DeleverageOrder::INIT_SPACE);
    }
}
