//! Events: every state change emits one.
use crate::math::fixed::Wad;
use crate::state::MarketConfig;
use anchor_lang::prelude::*;

/// A pool was created.
#[event]
pub struct PoolInitialized {
    pub pool: Pubkey,
    pub creator: Pubkey,
    pub pool_id: u64,
    pub admin: Pubkey,
    pub guardian: Pubkey,
    pub timelock_delay_secs: i64,
    pub liquidation: crate::math::liquidation::LiquidationConfig,
}

/// A market was listed in a pool.
#[event]
pub struct MarketAdded {
    pub pool: Pubkey,
    pub market: Pubkey,
    pub mint: Pubkey,
    pub token_program: Pubkey,
    pub vault: Pubkey,
    pub config: MarketConfig,
}

/// A margin account was opened.
#[event]
pub struct AccountOpened {
    pub pool: Pubkey,
    pub margin_account: Pubkey,
    pub owner: Pubkey,
    pub account_id: u64,
}

/// A margin account was closed and its rent returned.
#[event]
pub struct AccountClosed {
    pub margin_account: Pubkey,
    pub owner: Pubkey,
}

/// Interest was accrued on a market.
#[event]
pub struct InterestAccrued {
    pub market: Pubkey,
    pub interest: Wad,
    pub protocol_fee: Wad,
    pub deposit_index: Wad,
    pub borrow_index: Wad,
    pub timestamp: i64,
}

/// Tokens were deposited into a margin account.
#[event]
pub struct Deposited {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// Tokens were withdrawn from a margin account.
#[event]
pub struct Withdrawn {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// Tokens were borrowed against a margin account.
#[event]
pub struct Borrowed {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// Debt of a margin account was repaid (by anyone).
#[event]
pub struct Repaid {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    pub payer: Pubkey,
    pub amount: u64,
    pub shares: u64,
}

/// The health of a margin account, as computed by the program.
#[event]
pub struct HealthReported {
    pub margin_account: Pubkey,
    pub report: crate::instructions::keeper::health::HealthReport,
}

/// A margin account was liquidated.
#[event]
pub struct Liquidated {
    pub margin_account: Pubkey,
    pub liquidator: Pubkey,
    pub repay_market: Pubkey,
    pub seize_market: Pubkey,
    /// Debt repaid, base units of the debt token.
    pub repaid: u64,
    /// Collateral taken from the account, base units of the collateral token.
    pub seized: u64,
    /// Part of `seized` that is the bonus.
    pub bonus: u64,
    /// Part of the bonus to the insurance fund.
    pub fee: u64,
    /// Bonus rate applied, bps.
    pub bonus_bps: u64,
    pub health_factor_before: Wad,
    pub health_factor_after: Wad,
}

/// Bad debt was covered by a market's insurance fund.
#[event]
pub struct BadDebtCovered {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Tokens of debt covered (Wad).
    pub amount: Wad,
    pub insurance_fund_after: Wad,
}

/// Bad debt beyond the insurance fund was socialised to the market's lenders.
#[event]
pub struct BadDebtSocialised {
    pub margin_account: Pubkey,
    pub market: Pubkey,
    /// Tokens of debt socialised (Wad).
    pub amount: Wad,
    pub deposit_index_before: Wad,
    pub deposit_index_after: Wad,
}
