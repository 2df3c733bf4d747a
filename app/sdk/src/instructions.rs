//! Instruction builders for every Keel instruction.
//!
//! Instructions that check health (`withdraw`, `borrow`, `health`) take `health_accounts`: one
//! (market, price update) pair per position of the margin account *as it stands before the
//! instruction*, in position order, plus the instruction's market at the end when it opens a new
//! position (a first borrow in a market). [`health_accounts`] builds them from the positions.
use crate::pda;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::{system_program, InstructionData, ToAccountMetas};
use keel::accounts as acc;
use keel::instruction as ix;
use keel::instructions::Role;
use keel::math::liquidation::LiquidationConfig;
use keel::state::{ChangeKind, MarginAccount, MarketConfig};

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
    /// Its mint.
    pub mint: Pubkey,
    /// The mint's token program.
    pub token_program: Pubkey,
}

impl MarketKeys {
    /// Keys of the market of `mint` in `pool`.
    pub fn new(pool: &Pubkey, mint: Pubkey, token_program: Pubkey) -> Self {
        MarketKeys {
            pool: *pool,
            market: pda::market(pool, &mint),
            mint,
            token_program,
        }
    }

    fn accounts(&self) -> acc::MarketVault {
        acc::MarketVault {
            market: self.market,
            vault: pda::vault(&self.market),
            mint: self.mint,
            token_program: self.token_program,
        }
    }
}

fn build(
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

/// `(market, price update)` pairs for `positions` (a margin account's active positions, or the
/// positions it will have), the price update of each market given by `price_of`.
pub fn health_accounts(
    positions: &[Pubkey],
    price_of: impl Fn(&Pubkey) -> Pubkey,
) -> Vec<AccountMeta> {
    positions
        .iter()
        .flat_map(|m| {
            [
                AccountMeta::new_readonly(*m, false),
                AccountMeta::new_readonly(price_of(m), false),
            ]
        })
        .collect()
}

/// The markets of an account's active positions, in order.
pub fn position_markets(account: &MarginAccount) -> Vec<Pubkey> {
    account.active().iter().map(|p| p.market).collect()
}

/// `init_pool`.
pub fn init_pool(
    creator: Pubkey,
    pool_id: u64,
    admin: Pubkey,
    guardian: Pubkey,
    timelock_delay_secs: i64,
    liquidation: LiquidationConfig,
) -> Instruction {
    build(
        acc::InitPool {
            creator,
            pool: pda::pool(&creator, pool_id),
            system_program: system_program::ID,
        },
        ix::InitPool {
            pool_id,
            admin,
            guardian,
            timelock_delay_secs,
            liquidation,
        },
        &[],
    )
}

/// `add_market`.
pub fn add_market(
    admin: Pubkey,
    payer: Pubkey,
    pool: Pubkey,
    keys: &MarketKeys,
    config: MarketConfig,
) -> Instruction {
    build(
        acc::AddMarket {
            admin,
            payer,
            pool,
            mint: keys.mint,
            market: keys.market,
            vault: pda::vault(&keys.market),
            token_program: keys.token_program,
            system_program: system_program::ID,
            instructions_sysvar: INSTRUCTIONS_SYSVAR,
        },
        ix::AddMarket { config },
        &[],
    )
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
            owner,
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
            owner,
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
            owner,
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
}

/// `liquidate`; `health_accounts` price the account's positions (as for `health`).
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
        },
        ix::Liquidate { max_repay },
        health_accounts,
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

fn governance(authority: Pubkey, pool: Pubkey) -> acc::Governance {
    acc::Governance {
        authority,
        pool,
        instructions_sysvar: INSTRUCTIONS_SYSVAR,
    }
}

/// `tighten_market` (admin or guardian).
pub fn tighten_market(
    authority: Pubkey,
    pool: Pubkey,
    market: Pubkey,
    config: MarketConfig,
) -> Instruction {
    build(
        acc::TightenMarket {
            gov: governance(authority, pool),
            market,
        },
        ix::TightenMarket { config },
        &[],
    )
}

/// `queue_change` (admin); `next_change_id` is the pool's current `next_change_id`.
pub fn queue_change(
    admin: Pubkey,
    payer: Pubkey,
    pool: Pubkey,
    next_change_id: u64,
    kind: ChangeKind,
) -> Instruction {
    build(
        acc::QueueChange {
            gov: governance(admin, pool),
            payer,
            change: pda::pending_change(&pool, next_change_id),
            system_program: system_program::ID,
        },
        ix::QueueChange { kind },
        &[],
    )
}

/// `cancel_change` (admin or guardian); `rent_receiver` is the change's `rent_payer`.
pub fn cancel_change(
    authority: Pubkey,
    pool: Pubkey,
    change: Pubkey,
    rent_receiver: Pubkey,
) -> Instruction {
    build(
        acc::CancelChange {
            gov: governance(authority, pool),
            change,
            rent_receiver,
        },
        ix::CancelChange {},
        &[],
    )
}

/// `execute_change` (anyone); `market` for a market change.
pub fn execute_change(
    executor: Pubkey,
    pool: Pubkey,
    change: Pubkey,
    rent_receiver: Pubkey,
    market: Option<Pubkey>,
) -> Instruction {
    build(
        acc::ExecuteChange {
            executor,
            pool,
            change,
            rent_receiver,
            market,
        },
        ix::ExecuteChange {},
        &[],
    )
}

/// `pause` (admin or guardian).
pub fn pause(authority: Pubkey, pool: Pubkey, borrow: bool, liquidation: bool) -> Instruction {
    build(
        acc::Pause {
            gov: governance(authority, pool),
        },
        ix::Pause {
            borrow,
            liquidation,
        },
        &[],
    )
}

/// `resume_liquidation` (admin).
pub fn resume_liquidation(admin: Pubkey, pool: Pubkey) -> Instruction {
    build(
        acc::ResumeLiquidation {
            gov: governance(admin, pool),
        },
        ix::ResumeLiquidation {},
        &[],
    )
}

/// `raise_timelock` (admin).
pub fn raise_timelock(admin: Pubkey, pool: Pubkey, delay_secs: i64) -> Instruction {
    build(
        acc::RaiseTimelock {
            gov: governance(admin, pool),
        },
        ix::RaiseTimelock { delay_secs },
        &[],
    )
}

/// `set_pending_authority` (admin): `Some(key)` proposes, `None` withdraws the proposal.
pub fn set_pending_authority(
    admin: Pubkey,
    pool: Pubkey,
    role: Role,
    new: Option<Pubkey>,
) -> Instruction {
    build(
        acc::SetPendingAuthority {
            gov: governance(admin, pool),
        },
        ix::SetPendingAuthority { role, new },
        &[],
    )
}

/// `accept_authority` (signed by the proposed key).
pub fn accept_authority(new: Pubkey, pool: Pubkey, role: Role) -> Instruction {
    build(
        acc::AcceptAuthority {
            gov: governance(new, pool),
        },
        ix::AcceptAuthority { role },
        &[],
    )
}
