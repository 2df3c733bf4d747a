//! Refusals: each fails with its specific error and changes no account.
use crate::common::*;
use keel::errors::KeelError;
use keel_sdk::instructions as kix;
use keel_tests::env::{assert_anchor_error, assert_keel_error};
use keel_tests::invariants::{assert_initial_health, check};
use keel_tests::tokens::{spl_token, MintExtension};
use keel_tests::world::USD;
use keel_tests::MarketSpec;
use solana_sdk::signature::{Keypair, Signer};

/// C_init = 10 SOL * ($100 - 0.1% conf) * 80% = $799.2; USDC's high price is $1.001, so the
/// largest borrow is floor(799.2 / 1.001 * 10^6) = 798_401_598 units.
const MAX_BORROW: u64 = 798_401_598;

#[tokio::test]
async fn borrow_past_initial_requirement() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, MAX_BORROW + 1).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    // the boundary itself is allowed
    w.borrow(&trader, 1, MAX_BORROW).await.unwrap();
    assert_initial_health(&mut w, trader.margin).await;
    check(&mut w).await;
}

#[tokio::test]
async fn withdraw_that_would_break_initial_requirement() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 400 * USDC).await.unwrap();
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    // 400.4 / (99.9 * 0.8) = 5.0100 SOL must stay; withdrawing 5 SOL would leave 5
    assert_keel_error(
        w.withdraw(&trader, 0, 5 * SOL).await,
        KeelError::InitialHealthViolated,
    );
    assert_keel_error(
        w.withdraw(&trader, 0, u64::MAX).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.withdraw(&trader, 0, 4 * SOL).await.unwrap();
    assert_initial_health(&mut w, trader.margin).await;
    check(&mut w).await;
}

#[tokio::test]
async fn caps() {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    let m = w
        .list_market(&spec, MintExtension::None, |c| {
            c.deposit_cap = 1_000 * USDC;
            c.borrow_cap = 100 * USDC;
        })
        .await
        .unwrap();
    let lender = w.trader(&[0, 0, 2_000 * USDC]).await;
    let trader = w.trader(&[10 * SOL, 0, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.deposit(&lender, m, 1_000 * USDC + 1).await,
        KeelError::DepositCapExceeded,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.deposit(&lender, m, 1_000 * USDC).await.unwrap();
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, m, 100 * USDC + 1).await,
        KeelError::BorrowCapExceeded,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&trader, m, 100 * USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn wrong_owner_signing() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let thief = Keypair::new();
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    let metas = w.health_metas(trader.margin, None).await;
    let usdc = w.markets[1].keys;
    let sol = w.markets[0].keys;
    let withdraw = kix::withdraw(
        thief.pubkey(),
        trader.margin,
        &sol,
        trader.tokens[0],
        SOL,
        &metas,
    );
    // neither the owner nor its delegate (the account has none)
    assert_keel_error(
        w.send_as(&thief, &[withdraw]).await,
        KeelError::NotOwnerOrDelegate,
    );
    let borrow = kix::borrow(
        thief.pubkey(),
        trader.margin,
        &usdc,
        trader.tokens[1],
        USDC,
        &metas,
    );
    assert_keel_error(
        w.send_as(&thief, &[borrow]).await,
        KeelError::NotOwnerOrDelegate,
    );
    let close = kix::close_account(thief.pubkey(), trader.margin);
    assert_keel_error(
        w.send_as(&thief, &[close]).await,
        KeelError::NotAccountOwner,
    );
    // the owner's key is named but not marked as a signer (only the fee payer signs)
    let mut unsigned = kix::withdraw(
        trader.key.pubkey(),
        trader.margin,
        &sol,
        trader.tokens[0],
        SOL,
        &metas,
    );
    unsigned.accounts[0].is_signer = false;
    assert_anchor_error(
        w.env.send(&[unsigned], &[]).await,
        anchor_lang::error::ErrorCode::AccountNotSigner,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn closing_a_non_empty_account() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    let ix = kix::close_account(trader.key.pubkey(), trader.margin);
    assert_keel_error(
        w.send_as(&trader.key, &[ix]).await,
        KeelError::AccountNotEmpty,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn zero_and_dust_amounts() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(w.deposit(&trader, 0, 0).await, KeelError::ZeroAmount);
    assert_keel_error(w.borrow(&trader, 1, 0).await, KeelError::ZeroAmount);
    assert_keel_error(w.withdraw(&trader, 0, 0).await, KeelError::ZeroAmount);
    assert_keel_error(
        w.repay(&trader, trader.margin, 1, 5).await,
        KeelError::NoDebt,
    );
    assert_keel_error(
        w.withdraw(&trader, 1, 5).await,
        KeelError::InsufficientDeposit,
    );
    assert_keel_error(
        w.withdraw(&trader, 0, 10 * SOL + 1).await,
        KeelError::InsufficientDeposit,
    );
    assert_keel_error(
        w.borrow(&trader, 0, SOL).await,
        KeelError::BorrowWhileDepositing,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn seventeenth_position() {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    for _ in 2..17 {
        w.list_market(&spec, MintExtension::None, |_| {})
            .await
            .unwrap();
    }
    assert_eq!(w.markets.len(), 17);
    let funding = vec![1_000 * USDC; 17];
    let trader = w.trader(&funding).await;
    for m in 0..16 {
        w.deposit(&trader, m, 10 * USDC).await.unwrap();
    }
    assert_eq!(w.margin(trader.margin).await.position_count, 16);
    let keys = watched(&w, &[&trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.deposit(&trader, 16, 10 * USDC).await,
        KeelError::TooManyPositions,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    // a full account still prices: the health report over 16 positions
    let report = w.health(trader.margin).await.unwrap();
    assert!(report.meets_initial && !report.liquidatable);
    check(&mut w).await;
}
