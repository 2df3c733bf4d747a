//! Builders of the permissionless instructions: health, liquidation, bad debt, queued changes.
use super::{build, MarketKeys};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use keel::accounts as acc;
use keel::instruction as ix;

/// `health`; `health_accounts` price the account's current positions.
pub fn health(margin_account: Pubkey, health_accounts: &[AccountMeta]) -> Instruction {
    build(
        acc::ReportHealth { margin_account },
        ix::Health {},
        health_accounts,
    )
}

/// Keys of a liquidation: who, whom, which markets, and the liquidator's token accounts.
#[derive(Clone, Copy, Debug)]
pub struct LiquidationKeys {
    /// The liquidator (signer).
    pub liquidator: Pubkey,
    /// The account liquidated.
    pub margin_account: Pubkey,
    /// Its pool.
    pub pool: Pubkey,
    /// Market whose debt is repaid.
    pub repay: MarketKeys,
    /// Market whose collateral is seized.
    pub seize: MarketKeys,
    /// Liquidator's token account of the repay mint.
    pub repay_source: Pubkey,
    /// Liquidator's token account of the seize mint.
    pub seize_destination: Pubkey,
    /// The liquidator's margin account in the pool, to take the seized collateral as a deposit
    /// there (shares move) instead of as tokens; for a seize market without liquidity.
    pub deposit_into: Option<Pubkey>,
}

/// `liquidate`; `health_accounts` price the account's positions (as for `health`; a superset is
/// fine, e.g. every market of the pool, so the plan survives the account changing positions).
pub fn liquidate(
    keys: &LiquidationKeys,
    max_repay: u64,
    health_accounts: &[AccountMeta],
) -> Instruction {
    build(
        acc::Liquidate {
            liquidator: keys.liquidator,
            margin_account: keys.margin_account,
            pool: keys.pool,
            repay: acc::LiquidationLeg {
                market: keys.repay.accounts(),
                liquidator_token: keys.repay_source,
            },
            seize: acc::LiquidationLeg {
                market: keys.seize.accounts(),
                liquidator_token: keys.seize_destination,
            },
            deposit_into: keys.deposit_into,
        },
        ix::Liquidate { max_repay },
        health_accounts,
    )
}

/// `book_provision` of `margin_account`'s expected loss in its debt `market` of `pool`, priced
/// from `health_accounts` (one (market, price) pair per position).
pub fn book_provision(
    margin_account: Pubkey,
    (pool, market): (Pubkey, Pubkey),
    health_accounts: &[AccountMeta],
) -> Instruction {
    build(
        acc::BookProvision {
            margin_account,
            market,
            pool,
        },
        ix::BookProvision {},
        health_accounts,
    )
}

/// One side of `rebalance_insurance`: the market, the keeper's token account of it, its Pyth
/// price account and its second source's feed (when the market names one).
#[derive(Clone, Copy, Debug)]
pub struct InsuranceSide {
    /// The market.
    pub market: MarketKeys,
    /// The keeper's token account of its mint.
    pub keeper_token: Pubkey,
    /// Its Pyth price update account.
    pub price: Pubkey,
    /// Its second source's feed, if it names one.
    pub secondary: Option<Pubkey>,
}

impl InsuranceSide {
    fn accounts(&self) -> acc::InsuranceLeg {
        acc::InsuranceLeg {
            market: self.market.accounts(),
            keeper_token: self.keeper_token,
            price: self.price,
            secondary: self.secondary,
        }
    }
}

/// `rebalance_insurance`: `keeper` pays up to `amount` of `needy`'s tokens into its insurance
/// fund and takes `donor`'s fund tokens in exchange, at oracle prices.
pub fn rebalance_insurance(
    keeper: Pubkey,
    pool: Pubkey,
    needy: &InsuranceSide,
    donor: &InsuranceSide,
    amount: u64,
) -> Instruction {
    build(
        acc::RebalanceInsurance {
            keeper,
            pool,
            needy: needy.accounts(),
            donor: donor.accounts(),
        },
        ix::RebalanceInsurance { amount },
        &[],
    )
}

/// `settle_bad_debt` of `margin_account` in `market`.
pub fn settle_bad_debt(margin_account: Pubkey, market: Pubkey) -> Instruction {
    build(
        acc::SettleBadDebt {
            margin_account,
            market,
        },
        ix::SettleBadDebt {},
        &[],
    )
}
