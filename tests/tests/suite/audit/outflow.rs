//! Outflow-limit findings: round trips, and round trips across a window boundary.
use super::*;

/// Finding 3: deposit X + withdraw X in a loop consumed the outflow window for free, so honest
/// lenders could not exit. Inflows now net against the window; a genuine run is still limited.
#[tokio::test]
async fn round_trips_cannot_exhaust_the_outflow_limit() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = 10_000 * USDC)
        .await
        .unwrap();
    let attacker = w.trader(&[0, 10_000 * USDC]).await;
    for round in 0..5 {
        w.deposit(&attacker, 1, 10_000 * USDC)
            .await
            .unwrap_or_else(|e| panic!("round {round} deposit: {e:?}"));
        w.withdraw(&attacker, 1, u64::MAX)
            .await
            .unwrap_or_else(|e| panic!("round {round} withdraw: {e:?}"));
    }
    // the honest lender can still take out (nearly) the whole window
    w.withdraw(&lender, 1, 9_000 * USDC)
        .await
        .expect("round trips consumed nothing");
    // a genuine bank run is still limited: 9,000 + 2,000 > 10,000 net in the window
    assert_keel_error(
        w.withdraw(&lender, 1, 2_000 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    // a repay (inflow) makes room again, as it adds liquidity
    w.withdraw(&lender, 1, 900 * USDC).await.unwrap();
    check(&mut w).await;
}

/// Review of finding 3: with two fixed buckets, a deposit just before a bucket boundary and its
/// withdrawal just after blocked honest exits for most of the next window. The net outflow is now
/// a leaky bucket: that round trip costs what drained while the deposit sat (here: nothing).
#[tokio::test]
async fn a_round_trip_across_a_window_boundary_cannot_block_exits() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = 10_000 * USDC)
        .await
        .unwrap();
    let attacker = w.trader(&[0, 40_000 * USDC]).await;
    let now = w.env.now().await;
    w.env.warp(3_600 - now.rem_euclid(3_600) - 1).await; // one second before an hour boundary
    w.refresh_prices(&[100 * USD, USD]).await;
    w.deposit(&attacker, 1, 40_000 * USDC).await.unwrap();
    w.env.warp(1).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&attacker, 1, u64::MAX).await.unwrap();
    w.env.warp(900).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&lender, 1, 9_900 * USDC)
        .await
        .expect("honest exits are not blocked");
    check(&mut w).await;
}

/// Second attack review: a timelocked change of the outflow limit (`execute_change`) skipped the
/// bucket's retargeting that `tighten_market` does, so a level above the new, lower limit blocked
/// every exit for many windows (here: nine hours instead of one).
#[tokio::test]
async fn a_queued_outflow_change_does_not_freeze_exits() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 1, |c| {
        c.outflow.max_outflow = 10_000 * USDC;
        c.outflow.window_secs = 3_600;
    })
    .await
    .unwrap();
    w.withdraw(&lender, 1, 10_000 * USDC).await.unwrap(); // the bucket is full
    let market = w.markets[1].keys.market;
    let mut config = w.market(1).await.config;
    config.outflow.max_outflow = 1_000 * USDC;
    let change = w
        .queue(ChangeKind::MarketConfig { market, config })
        .await
        .unwrap();
    w.execute(&Keypair::new(), change, Some(1)).await.unwrap();
    w.env.warp(3_600).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&lender, 1, 500 * USDC)
        .await
        .expect("a whole window after the change, exits are open again");
    check(&mut w).await;
}
