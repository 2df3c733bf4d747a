//! Instruction builders for every Keel instruction: user (this file), keeper (keeper.rs) and
//! governance (governance.rs) instructions.
//!
//! Instructions that check health (`withdraw`, `borrow`, `health`, `liquidate`) take
//! `health_accounts`: (market, price update[, second price]) groups, one for each
//! position of the margin account, matched by key (any order; groups for other markets of the
//! pool are allowed, so a list built a moment ago still fits an account that has since gained or
//! lost a position; a market twice is refused). A market that names a second source (a
//! Switchboard pull feed) takes it right after its Pyth update. A first borrow in a market needs
//! that market's group too. `deposit` and `repay` accept them optionally
//! ([`with_health_accounts`]): the program then restarts the liquidation bonus clock when they
//! show the account healthy. [`health_accounts`] builds the groups.
use crate::pda;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};

mod flash;
mod governance;
mod keeper;
mod orders;
pub use flash::*;
pub use governance::*;
use keel::accounts as acc;
use keel::instruction as ix;
use keel::state::MarginAccount;
pub use keeper::*;
pub use orders::*;

/// The instructions sysvar, read by admin instructions to refuse durable-nonce transactions.
pub const INSTRUCTIONS_SYSVAR: Pubkey =
    anchor_lang::pubkey!("Sysvar1nstructions1111111111111111111111111");

/// Keys of one market's token side.
#[derive(Clone, Copy, Debug)]
pub struct MarketKeys {
    /// Its pool.
    pub pool: Pubkey,
    /// The market.
    pub market: Pubkey,
    /// Its vault (the market's `vault`, a PDA of the market: kept here so that building an
    /// instruction derives nothing).
    pub vault: Pubkey,
    /// Its mint.
    pub mint: Pubkey,
    /// The mint's token program.
    pub token_program: Pubkey,
}

impl MarketKeys {
    /// Keys of the market of `mint` in `pool`.
    pub fn new(pool: &Pubkey, mint: Pubkey, token_program: Pubkey) -> Self {
        let market = pda::market(pool, &mint);
        MarketKeys {
            pool: *pool,
            market,
            vault: pda::vault(&market),
            mint,
            token_program,
        }
    }

    pub(crate) fn accounts(&self) -> acc::MarketVault {
        acc::MarketVault {
            market: self.market,
            vault: self.vault,
            mint: self.mint,
            token_program: self.token_program,
        }
    }
}

pub(crate) fn build(
    accounts: impl ToAccountMetas,
    data: impl InstructionData,
    extra: &[AccountMeta],
) -> Instruction {
    let mut metas = accounts.to_account_metas(None);
    metas.extend_from_slice(extra);
    Instruction {
        program_id: keel::ID,
        accounts: metas,
        data: data.data(),
    }
}

/// The price accounts of one market: its Pyth update and, when it names one, its second
/// source's feed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OracleAccounts {
    /// The Pyth `PriceUpdateV2` account.
    pub primary: Pubkey,
    /// The Switchboard pull feed, for a market with a second source.
    pub secondary: Option<Pubkey>,
}

impl OracleAccounts {
    /// The accounts `market` reads: `primary` (its configured account unless a caller reads
    /// another copy) and its second source, if any.
    pub fn of(market: &keel::state::Market, primary: Pubkey) -> OracleAccounts {
        let s = &market.config.secondary;
        OracleAccounts {
            primary,
            secondary: s.is_set().then_some(s.feed),
        }
    }
}

/// `(market, price update[, second price])` groups for `positions` (a margin account's active
/// positions, or the positions it will have), the price accounts of each market given by
/// `oracles_of`.
pub fn health_accounts(
    positions: &[Pubkey],
    oracles_of: impl Fn(&Pubkey) -> OracleAccounts,
) -> Vec<AccountMeta> {
    let mut metas = Vec::with_capacity(positions.len() * 3);
    for m in positions {
        let o = oracles_of(m);
        metas.push(AccountMeta::new_readonly(*m, false));
        metas.push(AccountMeta::new_readonly(o.primary, false));
        if let Some(s) = o.secondary {
            metas.push(AccountMeta::new_readonly(s, false));
        }
    }
    metas
}

/// The markets of an account's active positions, in order.
pub fn position_markets(account: &MarginAccount) -> Vec<Pubkey> {
    account.active().iter().map(|p| p.market).collect()
}

/// `ix` with `health_accounts` appended as its remaining accounts (for `deposit` and `repay`,
/// which take them optionally).
pub fn with_health_accounts(mut ix: Instruction, health_accounts: &[AccountMeta]) -> Instruction {
    ix.accounts.extend_from_slice(health_accounts);
    ix
}

/// `open_account`.
pub fn open_account(owner: Pubkey, payer: Pubkey, pool: Pubkey, account_id: u64) -> Instruction {
    build(
        acc::OpenAccount {
            owner,
            payer,
            pool,
            margin_account: pda::margin_account(&pool, &owner, account_id),
            system_program: system_program::ID,
        },
        ix::OpenAccount { account_id },
        &[],
    )
}

/// `set_delegate`: `owner` names `delegate` for `margin_account` with `powers`
/// (`Pubkey::default()` and no powers clear it). The delegate then signs, in the owner's place
/// (its key as their `owner` argument), what its powers allow: `deposit`, `borrow` and
/// `withdraw` (only to the owner's token accounts), bonus-free orders. Every call voids the orders
/// an earlier delegate posted.
pub fn set_delegate(
    owner: Pubkey,
    margin_account: Pubkey,
    delegate: Pubkey,
    powers: &[keel::state::DelegatePower],
) -> Instruction {
    build(
        acc::SetDelegate {
            owner,
            margin_account,
        },
        ix::SetDelegate {
            delegate,
            powers: keel::state::DelegatePower::set(powers),
        },
        &[],
    )
}

/// `close_account`.
pub fn close_account(owner: Pubkey, margin_account: Pubkey) -> Instruction {
    build(
        acc::CloseAccount {
            owner,
            margin_account,
        },
        ix::CloseAccount {},
        &[],
    )
}

/// `deposit` from the owner's token account `source`.
pub fn deposit(
    owner: Pubkey,
    margin_account: Pubkey,
    keys: &MarketKeys,
    source: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::OwnerTransfer {
            authority: owner,
            margin_account,
            pool: keys.pool,
            market: keys.accounts(),
            token_account: source,
        },
        ix::Deposit { amount },
        &[],
    )
}

/// `withdraw` to `destination`; `health_accounts` as described in the module doc.
pub fn withdraw(
    owner: Pubkey,
    margin_account: Pubkey,
    keys: &MarketKeys,
    destination: Pubkey,
    amount: u64,
    health_accounts: &[AccountMeta],
) -> Instruction {
    build(
        acc::OwnerTransfer {
            authority: owner,
            margin_account,
            pool: keys.pool,
            market: keys.accounts(),
            token_account: destination,
        },
        ix::Withdraw { amount },
        health_accounts,
    )
}

/// `borrow` to `destination`; `health_accounts` as described in the module doc.
pub fn borrow(
    owner: Pubkey,
    margin_account: Pubkey,
    keys: &MarketKeys,
    destination: Pubkey,
    amount: u64,
    health_accounts: &[AccountMeta],
) -> Instruction {
    build(
        acc::OwnerTransfer {
            authority: owner,
            margin_account,
            pool: keys.pool,
            market: keys.accounts(),
            token_account: destination,
        },
        ix::Borrow { amount },
        health_accounts,
    )
}

/// `repay` from `payer`'s token account `source`.
pub fn repay(
    payer: Pubkey,
    margin_account: Pubkey,
    keys: &MarketKeys,
    source: Pubkey,
    amount: u64,
) -> Instruction {
    build(
        acc::Repay {
            payer,
            margin_account,
            market: keys.accounts(),
            source,
        },
        ix::Repay { amount },
        &[],
    )
}

/// `accrue`.
pub fn accrue(market: Pubkey) -> Instruction {
    build(acc::Accrue { market }, ix::Accrue {}, &[])
}
