//! Program-derived addresses of every Keel account.
use anchor_lang::prelude::Pubkey;
use keel::constants::{CHANGE_SEED, MARGIN_SEED, MARKET_SEED, ORDER_SEED, POOL_SEED, VAULT_SEED};

/// The pool created by `creator` with `pool_id`.
pub fn pool(creator: &Pubkey, pool_id: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[POOL_SEED, creator.as_ref(), &pool_id.to_le_bytes()],
        &keel::ID,
    )
    .0
}

/// The market of `mint` in `pool`.
pub fn market(pool: &Pubkey, mint: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[MARKET_SEED, pool.as_ref(), mint.as_ref()], &keel::ID).0
}

/// The token vault of `market`.
pub fn vault(market: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[VAULT_SEED, market.as_ref()], &keel::ID).0
}

/// Margin account number `account_id` of `owner` in `pool`.
pub fn margin_account(pool: &Pubkey, owner: &Pubkey, account_id: u64) -> Pubkey {
    Pubkey::find_program_address(
        &[
            MARGIN_SEED,
            pool.as_ref(),
            owner.as_ref(),
            &account_id.to_le_bytes(),
        ],
        &keel::ID,
    )
    .0
}

/// Queued change number `id` of `pool` (the pool's `next_change_id` when queued).
pub fn pending_change(pool: &Pubkey, id: u64) -> Pubkey {
    Pubkey::find_program_address(&[CHANGE_SEED, pool.as_ref(), &id.to_le_bytes()], &keel::ID).0
}

/// Deleverage order number `order_id` (0-7) on `margin_account`.
pub fn order(margin_account: &Pubkey, order_id: u8) -> Pubkey {
    Pubkey::find_program_address(
        &[ORDER_SEED, margin_account.as_ref(), &[order_id]],
        &keel::ID,
    )
    .0
}
