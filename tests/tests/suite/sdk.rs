//! The SDK against the real runtime: its `Chain` in-process backend finds the pool's markets and
//! margin accounts with the same memcmp filters a bot sends over RPC, and its health (the program's
//! own code, off-chain) equals the program's `health` report field for field.
use crate::common::*;
use keel_sdk::chain::{filters, BanksChain, Chain};
use keel_sdk::oracle::decode_price_update;
use keel_sdk::risk::{account_health, liquidation_prices, MarketState};
use keel_tests::world::USD;

/// Assert that the SDK's health (the program's code, off-chain) equals the program's `health`
/// report of every margin account of `w`, field for field; returns the SDK's market states.
pub(crate) async fn assert_sdk_health_equals_the_programs(
    w: &mut keel_tests::World,
) -> (Vec<MarketState>, i64) {
    let chain = w.chain(&w.env.payer());
    let pool = w.pool;
    let markets = chain
        .program_accounts(&filters::markets(&pool))
        .await
        .unwrap();
    assert_eq!(markets.len(), w.markets.len());
    let accounts = chain
        .program_accounts(&filters::margin_accounts(&pool))
        .await
        .unwrap();
    assert_eq!(accounts.len(), w.accounts.len());
    let now = chain.clock().await.unwrap().unix_timestamp;
    let mut states = vec![];
    for (key, acc) in &markets {
        let market = keel_sdk::decode::market(&acc.data).unwrap();
        let fixture = w.markets[w.market_index(key).unwrap()];
        let price = chain
            .account(&fixture.price_account)
            .await
            .unwrap()
            .unwrap();
        let update = decode_price_update(&price.data).unwrap();
        states.push(MarketState::new(*key, market, Some(&update), now));
    }
    for (key, acc) in &accounts {
        let account = keel_sdk::decode::margin_account(&acc.data).unwrap();
        let sdk = account_health(&account, &states, now).unwrap();
        let program = w.health(*key).await.unwrap();
        assert_eq!(
            (
                sdk.collateral_init,
                sdk.debt_init,
                sdk.collateral_maint,
                sdk.debt_maint,
                sdk.collateral_value,
                sdk.debt_value
            ),
            (
                program.collateral_init,
                program.debt_init,
                program.collateral_maint,
                program.debt_maint,
                program.collateral_value,
                program.debt_value
            ),
            "{key}"
        );
    }
    (states, now)
}

#[tokio::test]
async fn sdk_health_equals_the_programs() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 600 * USDC).await.unwrap();
    let second = w.trader(&[3 * SOL, 500 * USDC]).await;
    w.deposit(&second, 0, 3 * SOL).await.unwrap();
    w.borrow(&second, 1, 100 * USDC).await.unwrap();
    w.env.warp(86_400 * 40).await;
    w.refresh_prices(&[93 * USD, USD]).await;

    let (states, now) = assert_sdk_health_equals_the_programs(&mut w).await;
    let chain = w.chain(&w.env.payer());
    let accounts = chain
        .program_accounts(&filters::margin_accounts(&w.pool))
        .await
        .unwrap();
    for (_, acc) in &accounts {
        let account = keel_sdk::decode::margin_account(&acc.data).unwrap();
        if account.has_debt() {
            // the liquidation price of the SOL collateral sits where health crosses 1
            let prices = liquidation_prices(&account, &states, now).unwrap();
            let (_, p) = prices[0];
            let p = p.expect("a SOL price liquidates it");
            assert!(p < 93.0 && p > 0.0, "liquidation price {p}");
        }
    }
}

#[tokio::test]
async fn sdk_chain_sends_and_simulates() {
    let mut w = sol_usdc().await;
    let trader = w.trader(&[SOL, 0]).await;
    let chain = BanksChain::new(w.env.banks_client().await, w.env.payer());
    let ix = keel_sdk::instructions::deposit(
        solana_sdk::signature::Signer::pubkey(&trader.key),
        trader.margin,
        &w.markets[0].keys,
        trader.tokens[0],
        SOL,
    );
    chain
        .simulate(std::slice::from_ref(&ix), &[&trader.key], 200_000)
        .await
        .unwrap();
    assert_eq!(
        keel_tests::tokens::balance(&mut w.env, trader.tokens[0]).await,
        SOL,
        "simulation commits nothing"
    );
    chain
        .send(std::slice::from_ref(&ix), &[&trader.key], 200_000)
        .await
        .unwrap();
    assert_eq!(
        keel_tests::tokens::balance(&mut w.env, trader.tokens[0]).await,
        0
    );
    // a refusal surfaces the program's error code (a different amount: an identical transaction
    // on the same blockhash would be refused as a duplicate before it ran)
    let ix = keel_sdk::instructions::deposit(
        solana_sdk::signature::Signer::pubkey(&trader.key),
        trader.margin,
        &w.markets[0].keys,
        trader.tokens[0],
        SOL / 2,
    );
    let err = chain
        .send(&[ix], &[&trader.key], 200_000)
        .await
        .unwrap_err();
    assert_eq!(err.custom_code(), Some(1), "SPL token: insufficient funds");
}
