//! Builders of flash loans and of the flash-liquidation transaction.
//!
//! A flash liquidation needs no inventory: borrow the repay token from its market, liquidate,
//! sell the seized collateral (the caller's swap instructions: a DEX or an aggregator route), and
//! repay the loan with its fee, all in one transaction (program: instructions/flash/).
use super::{build, keeper::liquidate, LiquidationKeys, MarketKeys, INSTRUCTIONS_SYSVAR};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use keel::accounts as acc;
use keel::instruction as ix;

/// `flash_borrow` of `amount` from `keys`' market to `destination`.
pub fn flash_borrow(
    borrower: Pubkey,
    keys: &MarketKeys,
    destination: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::FlashBorrow {
            borrower,
            market: keys.accounts(),
            destination,
            instructions_sysvar: INSTRUCTIONS_SYSVAR,
        },
        ix::FlashBorrow { amount },
        &[],
    )
}

/// `flash_repay` of `owed` (principal plus fee: [`flash_owed`]) from `payer`'s `source`.
pub fn flash_repay(payer: Pubkey, keys: &MarketKeys, source: Pubkey, owed: u64) -> Instruction {
    build(
        acc::FlashRepay {
            payer,
            market: keys.accounts(),
            source,
        },
        ix::FlashRepay { amount: owed },
        &[],
    )
}

/// What a flash loan of `amount` from a market charging `fee_bps` must repay: amount + fee,
/// the fee rounded up as the program rounds it.
pub fn flash_owed(amount: u64, fee_bps: u16) -> Result<u64, keel::errors::KeelError> {
    let fee = keel::math::flash::flash_fee(amount, fee_bps);
    fee.and_then(|fee| {
        keel::state::FlashLoan {
            principal: amount,
            fee,
        }
        .owed()
    })
    .map_err(|_| keel::errors::KeelError::MathOverflow)
}

/// `ixs` wrapped in a flash loan: `flash_borrow(amount)` first, `flash_repay(owed)` last, both
/// by `borrower` through its token account of the market.
pub fn with_flash_loan(
    borrower: Pubkey,
    keys: &MarketKeys,
    token_account: Pubkey,
    (amount, owed): (u64, u64),
    ixs: &[Instruction],
) -> Vec<Instruction> {
    let mut all = Vec::with_capacity(ixs.len() + 2);
    all.push(flash_borrow(borrower, keys, token_account, amount));
    all.extend_from_slice(ixs);
    all.push(flash_repay(borrower, keys, token_account, owed));
    all
}

/// The flash liquidation: flash-borrow `borrow` of the repay token (the planned repay plus the
/// protocol's fee, what `liquidate` takes from the liquidator), liquidate up to `max_repay`, run
/// `swap` (selling the seized collateral for the repay token into `keys.repay_source`), repay
/// `owed`. The liquidator's token account of the repay mint both receives the loan and repays it.
pub fn flash_liquidation(
    keys: &LiquidationKeys,
    (borrow, owed, max_repay): (u64, u64, u64),
    health_accounts: &[AccountMeta],
    swap: &[Instruction],
) -> Vec<Instruction> {
    let mut inner = vec![liquidate(keys, max_repay, health_accounts)];
    inner.extend_from_slice(swap);
    with_flash_loan(
        keys.liquidator,
        &keys.repay,
        keys.repay_source,
        (borrow, owed),
        &inner,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use keel::instructions::flash::scan::REPAY_MARKET_ACCOUNT;

    /// The program finds the repay's market at a fixed position of its accounts: this is it.
    #[test]
    fn the_repay_names_its_market_where_the_program_reads_it() {
        let keys = MarketKeys::new(
            &Pubkey::new_unique(),
            Pubkey::new_unique(),
            Pubkey::new_unique(),
        );
        let ix = flash_repay(Pubkey::new_unique(), &keys, Pubkey::new_unique(), 5);
        assert_eq!(ix.accounts[REPAY_MARKET_ACCOUNT].pubkey, keys.market);
        assert_eq!(flash_owed(1_000_000, 9).unwrap(), 1_000_900);
    }
}
