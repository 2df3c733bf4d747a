//! Second review (issue 26, low findings): the two price sources, and a new price account.
use super::*;
use keel_localnet::pyth::PriceSpec as Spec;

/// Issue 26 low (and issue 27, item 3): a second source pushed 10% below Pyth valued the
/// collateral at its price with no floor, so an account at health 1.06 on Pyth was liquidated.
/// The second source now moves a price by at most the divergence bound.
#[tokio::test]
async fn a_second_source_pushed_down_cannot_make_a_healthy_account_liquidatable() {
    let (mut w, trader) = levered_with_second_source().await;
    w.set_price(0, 88 * USD).await;
    w.set_secondary_price(0, 88 * USD).await;
    let fair = w.health(trader.margin).await.unwrap();
    assert!(!fair.liquidatable, "{fair:?}");
    w.set_secondary_price(0, 79 * USD).await; // 10% below Pyth
    let pushed = w.health(trader.margin).await.unwrap();
    assert!(
        !pushed.liquidatable,
        "one source moved 10% made the account liquidatable: {pushed:?}"
    );
    let liquidator = liquidator(&mut w).await;
    assert_keel_error(
        w.liquidate(&liquidator, trader.margin, 1, 0, 100 * USDC)
            .await,
        KeelError::NotLiquidatable,
    );
}

/// Issue 26 low: with Pyth stale, a borrow priced on the second source alone skipped the
/// divergence check that a borrow on Pyth alone cannot skip. Borrowing now needs both sources.
#[tokio::test]
async fn a_borrow_cannot_rest_on_the_second_source_alone() {
    let (mut w, trader) = levered_with_second_source().await;
    w.env.warp(120).await; // Pyth's updates are now 2 minutes old: stale
    w.set_secondary_price(0, 100 * USD).await;
    w.set_price(1, USD).await; // the debt's market is fresh
    assert_keel_error(
        w.borrow(&trader, 1, 10 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    // a debt priced by the second source alone refuses outright
    w.repay(&trader, trader.margin, 1, u64::MAX).await.unwrap();
    let lender = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&lender, 0, 10 * SOL).await.unwrap();
    let borrower = w.trader(&[0, 10_000 * USDC]).await;
    w.deposit(&borrower, 1, 10_000 * USDC).await.unwrap();
    assert_keel_error(
        w.borrow(&borrower, 0, SOL).await,
        KeelError::OracleNeedsBothSources,
    );
}

/// Issue 26 low: a market moved to a new Pyth price account kept the old account's publish time,
/// so every pricing failed with OracleOlderThanUsed until the new feed caught up.
#[tokio::test]
async fn a_new_price_account_is_not_held_to_the_old_ones_publish_time() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let new_account = Pubkey::new_unique();
    let market = w.markets[0].keys.market;
    let mut config = w.market(0).await.config;
    config.oracle.price_account = new_account;
    let change = w
        .queue(ChangeKind::MarketConfig { market, config })
        .await
        .unwrap();
    let delay = w.pool_state().await.timelock_delay_secs;
    w.env.warp(delay).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&trader, 0, SOL).await.unwrap(); // SOL's market records the old feed's newest
    let now = w.env.now().await;
    let spec: Spec = Spec {
        publish_time: now - 5, // fresh, but older than the old feed's last update
        ..w.price_spec(0, 100 * USD).await
    };
    write_price(&mut w.env, new_account, &spec);
    w.execute(&Keypair::new(), change, Some(0)).await.unwrap();
    w.markets[0].price_account = new_account;
    w.borrow(&trader, 1, 10 * USDC)
        .await
        .expect("the new price account was held to the old one's publish time");
}
