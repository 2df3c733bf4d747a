//! `MarginAccount`: a trader's cross-margin account in one pool, zero-copy and fixed size.
//!
//! Layout (after the 8-byte discriminator): owner at byte 8 and pool at byte 40, so that bots can
//! find a pool's accounts, or an owner's, with a memcmp filter. Active positions are packed at the
//! front of `positions`, in the order they were opened; a position is removed (and the rest shift
//! down) when both its deposit and its debt reach zero.
use crate::constants::MAX_POSITIONS;
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// Byte offset of `owner` in the account data (after the discriminator).
pub const OWNER_OFFSET: usize = 8;
/// Byte offset of `pool` in the account data.
pub const POOL_OFFSET: usize = 40;

/// One market's balance in a margin account.
#[zero_copy]
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// The market.
    pub market: Pubkey,
    /// Deposit shares of the market.
    pub deposit_shares: u64,
    /// Borrow shares of the market.
    pub borrow_shares: u64,
    /// Tokens of this debt booked as the expected loss of an insolvent account (math/provision.rs):
    /// its share of `Market::provisioned`; zero while the account is solvent.
    pub provisioned: u64,
}

/// A trader's cross-margin account.
#[account(zero_copy)]
#[derive(Debug)]
pub struct MarginAccount {
    /// The trader; only this key may withdraw, borrow or close.
    pub owner: Pubkey,
    /// The pool; every position's market belongs to it.
    pub pool: Pubkey,
    /// Owner-chosen id (a PDA seed), so one owner can hold several accounts in a pool.
    pub account_id: u64,
    /// Start of the bonus clock: when a liquidation first saw the account liquidatable in this
    /// episode (0: no episode; cleared by any instruction that sees the account healthy).
    pub liquidatable_since: i64,
    /// PDA bump.
    pub bump: u8,
    /// Number of active positions at the front of `positions`.
    pub position_count: u8,
    /// Alignment padding.
    pub padding: [u8; 6],
    /// Unix time of the last liquidation of the account. An episode in which no liquidation has
    /// happened for a whole bonus ramp is over (the account may have recovered meanwhile, which
    /// the program cannot see without an instruction): the next liquidation starts a new clock.
    pub last_liquidated_at: i64,
    /// A key the owner lets act on the account with the powers in `delegate_powers`
    /// (state/delegate.rs); default: none. Set and cleared by the owner alone.
    pub delegate: Pubkey,
    /// Deleverage orders posted on the account and not yet cancelled or used up (state/order.rs):
    /// the account cannot close while any is open.
    pub open_orders: u8,
    /// The delegate's powers, one bit each (`DelegatePower`).
    pub delegate_powers: u8,
    /// Alignment padding.
    pub padding2: [u8; 2],
    /// Bumped by every `set_delegate`: a delegate's orders carry the epoch they were posted in and
    /// die with it.
    pub delegate_epoch: u32,
    /// The slot of the account's latest deposit: a withdrawal in that slot may not leave its
    /// market above the borrow cap (a flash-loaned deposit cannot lift the cap for a borrow and
    /// leave in one transaction; issue 27 attack review: instructions/user/withdraw.rs).
    pub last_deposit_slot: u64,
    /// Space for future fields without a migration.
    pub reserved: [u64; 1],
    /// Positions; only the first `position_count` are active.
    pub positions: [Position; MAX_POSITIONS],
}

impl MarginAccount {
    /// The active positions, in order.
    pub fn active(&self) -> &[Position] {
        &self.positions[..self.position_count as usize]
    }

    /// Index of the position in `market`, if any.
    pub fn find(&self, market: &Pubkey) -> Option<usize> {
        self.active().iter().position(|p| p.market == *market)
    }

    /// Index of the position in `market` when it holds debt (else NoDebt).
    pub fn debt_position(&self, market: &Pubkey) -> Result<usize> {
        self.find(market)
            .filter(|i| self.positions[*i].borrow_shares > 0)
            .ok_or_else(|| error!(KeelError::NoDebt))
    }

    /// Index of the position in `market` when it holds a deposit (else
    /// NoCollateralInSeizeMarket).
    pub fn collateral_position(&self, market: &Pubkey) -> Result<usize> {
        self.find(market)
            .filter(|i| self.positions[*i].deposit_shares > 0)
            .ok_or_else(|| error!(KeelError::NoCollateralInSeizeMarket))
    }

    /// Index of the position in `market`, opening one at the end if there is none.
    pub fn find_or_open(&mut self, market: &Pubkey) -> Result<usize> {
        if let Some(i) = self.find(market) {
            return Ok(i);
        }
        let i = self.position_count as usize;
        require!(i < MAX_POSITIONS, KeelError::TooManyPositions);
        self.positions[i] = Position {
            market: *market,
            deposit_shares: 0,
            borrow_shares: 0,
            provisioned: 0,
        };
        self.position_count += 1;
        Ok(i)
    }

    /// Remove position `i` if it holds nothing, shifting later positions down to keep their order.
    pub fn remove_if_empty(&mut self, i: usize) {
        let p = self.positions[i];
        if p.deposit_shares != 0 || p.borrow_shares != 0 {
            return;
        }
        let n = self.position_count as usize;
        self.positions.copy_within(i + 1..n, i);
        self.positions[n - 1] = Position::default();
        self.position_count -= 1;
    }

    /// Add `shares` of deposit in `market`, opening the position if needed; a position never
    /// both lends and borrows (`DepositWhileBorrowing`).
    pub fn credit_deposit(&mut self, market: &Pubkey, shares: u64) -> Result<()> {
        let i = self.find_or_open(market)?;
        let position = &mut self.positions[i];
        require!(
            position.borrow_shares == 0,
            KeelError::DepositWhileBorrowing
        );
        position.deposit_shares = position
            .deposit_shares
            .checked_add(shares)
            .ok_or_else(|| error!(KeelError::MathOverflow))?;
        Ok(())
    }

    /// True when some position has debt.
    pub fn has_debt(&self) -> bool {
        self.active().iter().any(|p| p.borrow_shares > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::{offset_of, size_of};

    /// Bots filter with memcmp at these offsets: they must not move.
    #[test]
    fn owner_and_pool_offsets_are_fixed() {
        assert_eq!(8 + offset_of!(MarginAccount, owner), OWNER_OFFSET);
        assert_eq!(8 + offset_of!(MarginAccount, pool), POOL_OFFSET);
        assert_eq!(8 + size_of::<MarginAccount>(), 1056);
    }

    #[test]
    fn positions_stay_packed_in_order() {
        let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
        let markets: Vec<Pubkey> = (0..3).map(|_| Pubkey::new_unique()).collect();
        for m in &markets {
            let i = a.find_or_open(m).unwrap();
            a.positions[i].deposit_shares = 1;
        }
        a.positions[1].deposit_shares = 0;
        a.remove_if_empty(1);
        assert_eq!(a.position_count, 2);
        assert_eq!(a.positions[0].market, markets[0]);
        assert_eq!(a.positions[1].market, markets[2]);
        assert_eq!(a.positions[2], Position::default());
        for _ in 0..14 {
            let i = a.find_or_open(&Pubkey::new_unique()).unwrap();
            a.positions[i].deposit_shares = 1;
        }
        assert!(a.find_or_open(&Pubkey::new_unique()).is_err());
    }
}
