//! Real DeFi incidents replayed against Keel on the real runtime, one test each, named after the
//! incident. Each test plays the attacker's moves and asserts he ends with nothing: his moves are
//! refused with the specific error and change no account, and/or his holdings (wallet tokens plus
//! margin deposits less debt, valued at honest prices) are no larger after than before.
//!
//! prices.rs: incidents of manipulated or chosen prices (Mango, Solend USDH, Nirvana,
//! Loopscale); accounts.rs: incidents of fake accounts and stolen authority (Solend 2021, Cashio
//! and Crema, Drift); flash_loans.rs: marginfi 2025. Shared fixtures here.
#![allow(unused_imports)]
pub(crate) use crate::common::*;
pub(crate) use anchor_lang::error::ErrorCode as Anchor;
pub(crate) use anchor_lang::prelude::{AccountMeta, Pubkey};
pub(crate) use anchor_spl::token_2022::spl_token_2022;
pub(crate) use keel::errors::KeelError;
pub(crate) use keel::math::fixed::Wad;
pub(crate) use keel::math::shares::{debt_amount, deposit_amount};
pub(crate) use keel::state::ChangeKind;
pub(crate) use keel_sdk::instructions::{self as kix, MarketKeys};
pub(crate) use keel_sdk::pda;
pub(crate) use keel_tests::env::{assert_anchor_error, assert_keel_error};
pub(crate) use keel_tests::invariants::{assert_initial_health, check};
pub(crate) use keel_tests::pyth::{write_price, PriceSpec};
pub(crate) use keel_tests::tokens::{
    balance, create_mint, create_token_account, spl_token, MintExtension,
};
pub(crate) use keel_tests::world::{default_config, default_liquidation, fund, USD};
pub(crate) use keel_tests::{MarketSpec, Trader, World};
pub(crate) use pyth_solana_receiver_sdk::price_update::VerificationLevel;
pub(crate) use solana_sdk::account::Account;
pub(crate) use solana_sdk::instruction::Instruction;
pub(crate) use solana_sdk::signature::{Keypair, Signer};
pub(crate) use solana_sdk::transaction::TransactionError;

mod accounts;
mod flash_loans;
mod prices;

pub(crate) const DAY: i64 = 86_400;

/// An SPL Token market spec: `decimals`, priced at `price` (mantissa at the harness exponent).
pub(crate) fn token(decimals: u8, price: i64) -> MarketSpec {
    MarketSpec {
        token_program: spl_token(),
        decimals,
        price,
    }
}

/// Value in micro-dollars of `amount` base units of market `m` at price mantissa `price` (1e-8 $).
pub(crate) fn usd(w: &World, m: usize, amount: u64, price: i64) -> i128 {
    let decimals = w.markets[m].decimals as u32;
    amount as i128 * price as i128 / 10i128.pow(decimals + 2)
}

/// What `t` holds at the honest `prices` (one per market), in micro-dollars: its wallet's tokens,
/// plus its margin account's deposits, less its debt (interest projected to now).
pub(crate) async fn net_worth(w: &mut World, t: &Trader, prices: &[i64]) -> i128 {
    let now = w.env.now().await;
    let account = w.margin(t.margin).await;
    let mut total = 0;
    for (m, price) in prices.iter().enumerate() {
        if let Some(wallet) = t.tokens.get(m) {
            let held = balance(&mut w.env, *wallet).await;
            total += usd(w, m, held, *price);
        }
        if let Some(i) = account.find(&w.markets[m].keys.market) {
            let p = account.positions[i];
            let step = w.market(m).await.projected_accrual(now).unwrap();
            let deposit = deposit_amount(p.deposit_shares, step.deposit_index).unwrap();
            let debt = debt_amount(p.borrow_shares, step.borrow_index).unwrap();
            total += usd(w, m, deposit, *price) - usd(w, m, debt, *price);
        }
    }
    total
}

/// A byte-copy of `key` at a new address, owned by another program.
pub(crate) async fn foreign_copy(w: &mut World, key: Pubkey) -> Pubkey {
    let mut acc: Account = w.env.account(key).await.expect("account");
    acc.owner = Pubkey::new_unique();
    let copy = Pubkey::new_unique();
    w.env.set_account(&copy, &acc.into());
    copy
}

/// A price account written at a new address from `spec` (owner, feed and verification included).
pub(crate) fn fake_price(w: &mut World, spec: &PriceSpec) -> Pubkey {
    let key = Pubkey::new_unique();
    write_price(&mut w.env, key, spec);
    key
}

/// `ix` with the first occurrence of `from` replaced by `to`: a fixed account, since the fixed
/// accounts precede the remaining ones.
pub(crate) fn swap_first(mut ix: Instruction, from: Pubkey, to: Pubkey) -> Instruction {
    let meta = ix
        .accounts
        .iter_mut()
        .find(|m| m.pubkey == from)
        .expect("the account is in the instruction");
    meta.pubkey = to;
    ix
}

/// `metas` with every occurrence of `from` replaced by `to`.
pub(crate) fn swap_all(mut metas: Vec<AccountMeta>, from: Pubkey, to: Pubkey) -> Vec<AccountMeta> {
    let mut found = false;
    for m in metas.iter_mut().filter(|m| m.pubkey == from) {
        m.pubkey = to;
        found = true;
    }
    assert!(found, "{from} is not among the accounts");
    metas
}

/// Index of the instruction a transaction failed at (0 is the harness's compute-budget prefix).
pub(crate) fn failed_at<T>(r: &Result<T, TransactionError>) -> Option<u8> {
    match r {
        Err(TransactionError::InstructionError(i, _)) => Some(*i),
        _ => None,
    }
}

/// A plain SPL transfer of `amount` of market `m`'s token, signed by `authority`.
pub(crate) fn transfer(
    w: &World,
    m: usize,
    from: Pubkey,
    to: Pubkey,
    authority: &Pubkey,
    amount: u64,
) -> Instruction {
    let f = &w.markets[m];
    spl_token_2022::instruction::transfer_checked(
        &f.keys.token_program,
        &from,
        &f.keys.mint,
        &to,
        authority,
        &[],
        amount,
        f.decimals,
    )
    .unwrap()
}
