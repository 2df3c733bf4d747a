//! A margin account's delegate and what it may do: an enumerated set of powers the owner grants
//! in `set_delegate`, checked in one place ([`MarginAccount::authorize`]).
//!
//! ```text
//! power      what the delegate may do                         what it can never do
//! Deposit    deposit the signer's tokens into the account     -
//! Borrow     borrow, paid to a token account of the owner     borrow to any other account
//! Withdraw   withdraw, paid to a token account of the owner   withdraw to any other account
//! Orders     post deleverage orders that pay no bonus, and    post an order that pays an
//!            cancel the orders it posted                      executor a bonus
//! (always)   repay anyone's debt (repay is permissionless)    liquidate the account, execute
//!                                                             its orders, name a delegate
//! ```
//! Every `set_delegate` (naming, replacing, changing powers or clearing) starts a new delegate
//! epoch: orders posted by a delegate carry the epoch they were posted in and execute only while
//! their poster is still the delegate of that epoch with the Orders power. What outlives a
//! revocation: nothing the delegate posted; the debt it borrowed and the withdrawals it made stay
//! the owner's (paid to the owner's own token accounts).
use crate::errors::KeelError;
use crate::state::{DeleverageOrder, MarginAccount};
use anchor_lang::prelude::*;

/// One power a delegate may hold (a bit of `MarginAccount::delegate_powers`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub enum DelegatePower {
    /// Deposit into the account.
    Deposit,
    /// Borrow to the owner's token accounts.
    Borrow,
    /// Withdraw to the owner's token accounts.
    Withdraw,
    /// Post and cancel bonus-free deleverage orders.
    Orders,
}

impl DelegatePower {
    /// Every power, in bit order.
    pub const ALL: [DelegatePower; 4] = [
        DelegatePower::Deposit,
        DelegatePower::Borrow,
        DelegatePower::Withdraw,
        DelegatePower::Orders,
    ];

    /// The power's bit.
    pub const fn bit(self) -> u8 {
        1 << self as u8
    }

    /// The set of `powers` as bits.
    pub fn set(powers: &[DelegatePower]) -> u8 {
        powers.iter().fold(0, |bits, p| bits | p.bit())
    }
}

/// Every power's bit.
pub const ALL_DELEGATE_POWERS: u8 = (1 << DelegatePower::ALL.len()) - 1;

/// Who signed for an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The owner.
    Owner,
    /// The delegate, holding the power asked for.
    Delegate,
}

impl MarginAccount {
    /// True when `key` is the owner, or the delegate (whatever its powers).
    pub fn may_act(&self, key: &Pubkey) -> bool {
        *key == self.owner || self.is_delegate(key)
    }

    /// True when `key` is the account's delegate.
    pub fn is_delegate(&self, key: &Pubkey) -> bool {
        self.delegate != Pubkey::default() && *key == self.delegate
    }

    /// True when the delegate holds `power`.
    pub fn delegate_has(&self, power: DelegatePower) -> bool {
        self.delegate_powers & power.bit() != 0
    }

    /// The one check of who may do what: the owner may do anything; the delegate only what
    /// `power` names and it holds (DelegateLacksPower); anyone else nothing (NotOwnerOrDelegate).
    pub fn authorize(&self, key: &Pubkey, power: DelegatePower) -> Result<Actor> {
        if *key == self.owner {
            return Ok(Actor::Owner);
        }
        require!(self.is_delegate(key), KeelError::NotOwnerOrDelegate);
        require!(self.delegate_has(power), KeelError::DelegateLacksPower);
        Ok(Actor::Delegate)
    }

    /// True when a delegate may lower the account's health (it holds Borrow or Withdraw): it
    /// could then push the account to a health order's trigger and execute it from a second
    /// key, so health orders pay only their minimum bonus (math/order.rs; issue 27).
    pub fn delegate_moves_health(&self) -> bool {
        self.delegate != Pubkey::default()
            && (self.delegate_has(DelegatePower::Borrow)
                || self.delegate_has(DelegatePower::Withdraw))
    }

    /// True while `order`'s poster still stands behind it: the owner, or the delegate of the epoch
    /// it was posted in, still holding the Orders power.
    pub fn order_authority_stands(&self, order: &DeleverageOrder) -> bool {
        order.posted_by == self.owner
            || (self.is_delegate(&order.posted_by)
                && order.delegate_epoch == self.delegate_epoch
                && self.delegate_has(DelegatePower::Orders))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_power_is_its_own_bit_and_all_are_named() {
        assert_eq!(DelegatePower::set(&DelegatePower::ALL), ALL_DELEGATE_POWERS);
        let bits: Vec<u8> = DelegatePower::ALL.iter().map(|p| p.bit()).collect();
        assert_eq!(bits, vec![1, 2, 4, 8]);
    }

    #[test]
    fn the_owner_may_all_the_delegate_what_it_holds_a_stranger_nothing() {
        let mut a: MarginAccount = bytemuck::Zeroable::zeroed();
        a.owner = Pubkey::new_unique();
        a.delegate = Pubkey::new_unique();
        a.delegate_powers = DelegatePower::Deposit.bit();
        let (owner, delegate, stranger) = (a.owner, a.delegate, Pubkey::new_unique());
        for p in DelegatePower::ALL {
            assert_eq!(a.authorize(&owner, p).unwrap(), Actor::Owner);
            assert!(a.authorize(&stranger, p).is_err());
            assert_eq!(
                a.authorize(&delegate, p).is_ok(),
                p == DelegatePower::Deposit
            );
        }
        // no delegate: the default key is nobody
        a.delegate = Pubkey::default();
        assert!(a
            .authorize(&Pubkey::default(), DelegatePower::Deposit)
            .is_err());
    }
}
