//! Deleverage orders through their clients: the bot executes a triggered order before the
//! account is liquidatable; the CLI posts, lists and cancels orders, and `status` and `emode`
//! show them.
use crate::common::*;
use crate::orders::{levered, post_order_0};
use keel_sdk::pda;
use keel_tests::invariants::check;
use keel_tests::world::USD;
use solana_sdk::native_token::LAMPORTS_PER_SOL;
use solana_sdk::signature::Signer;

#[tokio::test]
async fn the_bot_executes_a_triggered_order_before_the_account_is_liquidatable() {
    let (mut w, trader, executor) = levered().await;
    post_order_0(&mut w, &trader).await;
    keel_tests::world::fund(&mut w.env, &executor.key.pubkey(), LAMPORTS_PER_SOL);
    let chain = w.chain(&executor.key);
    let mut config = keel_liquidator::Config::for_pool(w.pool);
    for (i, m) in w.markets.iter().enumerate() {
        config.price_accounts.insert(m.keys.market, m.price_account);
        config
            .token_accounts
            .insert(m.keys.mint, executor.tokens[i]);
    }
    // healthy and not triggered: nothing to do
    let idle = keel_liquidator::run_pass(&chain, &config).await.unwrap();
    assert_eq!((idle.orders_attempted, idle.attempted), (0, 0));
    // SOL at $90: triggered, not liquidatable; the bot executes the order
    w.set_price(0, 90 * USD).await;
    let hf_before = w.health(trader.margin).await.unwrap().health_factor;
    let report = keel_liquidator::run_pass(&chain, &config).await.unwrap();
    assert_eq!((report.orders_attempted, report.orders_executed), (1, 1));
    assert_eq!((report.liquidatable, report.attempted), (0, 0));
    assert!(report.profit_usd > 0.0);
    assert!(w.env.account(pda::order(&trader.margin, 0)).await.is_none());
    let after = w.health(trader.margin).await.unwrap();
    assert!(after.health_factor > hf_before);
    check(&mut w).await;
}

#[tokio::test]
async fn the_cli_posts_lists_and_cancels_orders_and_shows_them_in_status() {
    use crate::cli::keel_as;
    let (mut w, trader, _executor) = levered().await;
    keel_tests::world::fund(&mut w.env, &trader.key.pubkey(), LAMPORTS_PER_SOL);
    let (usdc, sol) = (
        w.markets[1].keys.market.to_string(),
        w.markets[0].keys.market.to_string(),
    );
    let args = [
        "order",
        "post",
        &usdc,
        &sol,
        "300",
        "--health-below",
        "1.15",
    ];
    let posted = keel_as(&w, &trader.key, &trader.tokens, &args)
        .await
        .unwrap();
    assert_eq!(posted["id"], 0);
    let listed = keel_as(&w, &trader.key, &trader.tokens, &["order", "list"])
        .await
        .unwrap();
    assert_eq!(listed[0]["trigger"], "health < 1.15");
    assert_eq!(listed[0]["remaining_repay"], 300 * USDC);
    let status = keel_as(&w, &trader.key, &trader.tokens, &["status"])
        .await
        .unwrap();
    assert_eq!(status["orders"][0]["id"], 0);
    assert_eq!(status["emode_group"], serde_json::Value::Null);
    let emode = keel_as(&w, &trader.key, &trader.tokens, &["emode"])
        .await
        .unwrap();
    assert_eq!(emode["groups"], serde_json::json!([]));
    // a bad trigger is refused before anything is sent
    let both = keel_as(
        &w,
        &trader.key,
        &trader.tokens,
        &[
            "order",
            "post",
            &usdc,
            &sol,
            "1",
            "--health-below",
            "1.1",
            "--price-below",
            "90",
        ],
    )
    .await;
    assert!(both
        .unwrap_err()
        .to_string()
        .contains("exactly one trigger"));
    keel_as(&w, &trader.key, &trader.tokens, &["order", "cancel", "0"])
        .await
        .unwrap();
    assert_eq!(w.margin(trader.margin).await.open_orders, 0);
    check(&mut w).await;
}
