//! Builders of the governance instructions (admin, guardian, a proposed key) and `init_pool`.
use super::{build, MarketKeys, INSTRUCTIONS_SYSVAR};
use crate::pda;
use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::Instruction;
use anchor_lang::system_program;
use keel::accounts as acc;
use keel::instruction as ix;
use keel::math::liquidation::LiquidationConfig;
use keel::state::{ChangeKind, MarketConfig, Role};

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

fn admin_only(authority: Pubkey, pool: Pubkey) -> acc::AdminOnly {
    acc::AdminOnly {
        authority,
        pool,
        instructions_sysvar: INSTRUCTIONS_SYSVAR,
    }
}

fn admin_or_guardian(authority: Pubkey, pool: Pubkey) -> acc::AdminOrGuardian {
    acc::AdminOrGuardian {
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
            gov: admin_or_guardian(authority, pool),
            market,
        },
        ix::TightenMarket { config },
        &[],
    )
}

/// `queue_change` (admin); `next_change_id` is the pool's current `next_change_id`. A market
/// change passes its market (the change's base is the market's configuration now).
pub fn queue_change(
    admin: Pubkey,
    payer: Pubkey,
    pool: Pubkey,
    next_change_id: u64,
    kind: ChangeKind,
) -> Instruction {
    build(
        acc::QueueChange {
            gov: admin_only(admin, pool),
            payer,
            change: pda::pending_change(&pool, next_change_id),
            system_program: system_program::ID,
            market: match kind {
                ChangeKind::MarketConfig { market, .. } => Some(market),
                _ => None,
            },
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
            gov: admin_or_guardian(authority, pool),
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
            gov: admin_or_guardian(authority, pool),
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
            gov: admin_only(admin, pool),
        },
        ix::ResumeLiquidation {},
        &[],
    )
}

/// `raise_timelock` (admin).
pub fn raise_timelock(admin: Pubkey, pool: Pubkey, delay_secs: i64) -> Instruction {
    build(
        acc::RaiseTimelock {
            gov: admin_only(admin, pool),
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
            gov: admin_only(admin, pool),
        },
        ix::SetPendingAuthority { role, new },
        &[],
    )
}

/// `accept_authority` (signed by the proposed key).
pub fn accept_authority(new: Pubkey, pool: Pubkey, role: Role) -> Instruction {
    build(
        acc::AcceptAuthority {
            gov: acc::Candidate {
                authority: new,
                pool,
                instructions_sysvar: INSTRUCTIONS_SYSVAR,
            },
        },
        ix::AcceptAuthority { role },
        &[],
    )
}

/// `veto_guardian_handover`: drop a proposed new guardian (the sitting guardian, once).
pub fn veto_guardian_handover(guardian: Pubkey, pool: Pubkey) -> Instruction {
    build(
        acc::VetoGuardianHandover {
            gov: acc::GuardianOnly {
                authority: guardian,
                pool,
                instructions_sysvar: INSTRUCTIONS_SYSVAR,
            },
        },
        ix::VetoGuardianHandover {},
        &[],
    )
}
