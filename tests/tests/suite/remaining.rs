//! `remaining_accounts` are (market, price) pairs matched to the positions by the market's key: any
//! order and extra pairs are accepted; a position without its pair, a market twice, an odd count,
//! swapped prices or foreign accounts are refused, changing nothing.
use crate::common::*;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use keel::errors::KeelError;
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_sdk::pda;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::tokens::spl_token;
use keel_tests::world::{default_config, default_liquidation};
use solana_sdk::signature::Signer;

#[tokio::test]
async fn missing_duplicated_swapped_or_foreign() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let good = w.health_metas(trader.margin, None).await; // [sol, sol_px, usdc, usdc_px]
    assert_eq!(good.len(), 4);
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;

    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &[]).await,
        KeelError::MissingPositionPair,
    );
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &good[..2]).await,
        KeelError::MissingPositionPair,
    );
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &good[..3]).await,
        KeelError::RemainingAccountsCount,
    );
    let mut twice = good.clone();
    twice.extend_from_slice(&good[..2]);
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &twice).await,
        KeelError::DuplicateRemainingAccount,
    );

    let swapped_prices = vec![
        good[0].clone(),
        good[3].clone(),
        good[2].clone(),
        good[1].clone(),
    ];
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &swapped_prices).await,
        KeelError::OraclePriceAccountMismatch,
    );

    // a Market passed where a price update belongs (type cosplay): wrong owner
    let cosplay = vec![
        good[0].clone(),
        good[2].clone(),
        good[2].clone(),
        good[3].clone(),
    ];
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &cosplay).await,
        KeelError::OraclePriceAccountMismatch,
    );

    // the price account in the market's slot: every group's first account must be a market (its
    // own says whether a second price follows), so it is refused as not one
    let shifted = vec![
        good[1].clone(),
        good[1].clone(),
        good[2].clone(),
        good[3].clone(),
    ];
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &shifted).await,
        KeelError::RemainingAccountMismatch,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

/// Pairs are matched by key: another order, and pairs for markets the account does not hold, are
/// accepted (a client's list survives the account gaining or losing a position).
#[tokio::test]
async fn any_order_and_a_superset_are_accepted() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let good = w.health_metas(trader.margin, None).await;
    let reordered = vec![
        good[2].clone(),
        good[3].clone(),
        good[0].clone(),
        good[1].clone(),
    ];
    w.borrow_with(&trader, 1, USDC, &reordered).await.unwrap();
    // a superset: an unrelated pair first (a market of the pool the account does not hold)
    w.repay(&trader, trader.margin, 1, u64::MAX).await.unwrap();
    let only_sol = w.health_metas(trader.margin, None).await;
    assert_eq!(only_sol.len(), 2, "the USDC position is gone");
    w.borrow_with(&trader, 1, USDC, &good).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn another_pools_market_cannot_stand_in() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    // pool B in the same bank lists the same SOL mint
    let payer = w.env.payer();
    let admin = w.admin.insecure_clone();
    let init = kix::init_pool(
        payer.pubkey(),
        1,
        admin.pubkey(),
        Pubkey::new_unique(),
        0,
        default_liquidation(),
    );
    w.env.send(&[init], &[]).await.unwrap();
    let pool_b = pda::pool(&payer.pubkey(), 1);
    let keys_b = MarketKeys::new(&pool_b, w.markets[0].keys.mint, spl_token());
    let add = kix::add_market(
        admin.pubkey(),
        payer.pubkey(),
        pool_b,
        &keys_b,
        default_config(w.markets[0].feed_id),
    );
    w.env.send(&[add], &[&admin]).await.unwrap();

    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    // pool A's account cannot deposit into (or borrow from) pool B's market
    let ix = kix::deposit(
        trader.key.pubkey(),
        trader.margin,
        &keys_b,
        trader.tokens[0],
        SOL,
    );
    assert_keel_error(w.send_as(&trader.key, &[ix]).await, KeelError::WrongPool);
    let metas = w.health_metas(trader.margin, None).await;
    let ix = kix::borrow(
        trader.key.pubkey(),
        trader.margin,
        &keys_b,
        trader.tokens[0],
        SOL,
        &metas,
    );
    assert_keel_error(w.send_as(&trader.key, &[ix]).await, KeelError::WrongPool);
    // nor can pool B's market stand in for pool A's in the health accounts
    let mut spoofed = metas.clone();
    spoofed[0] = AccountMeta::new_readonly(keys_b.market, false);
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &spoofed).await,
        KeelError::MissingPositionPair,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}
