//! Item 1 (and its attack review): a stale or too-wide feed is held at its last price for health
//! and liquidation, never exchanged, for at most an hour, and buys no more than the minimum bonus.
use super::*;

/// Item 1 (high): a liquidator who did not refresh an idle feed for 60 s made its collateral count
/// zero, and liquidated a healthy account against the rest. A silent feed is now held at its last
/// price for health and liquidation: silence alone never makes an account liquidatable.
#[tokio::test]
async fn a_silent_feed_cannot_make_a_healthy_account_liquidatable() {
    let (mut w, trader) = two_collaterals().await;
    w.env.warp(120).await; // the third market's feed is two minutes old; the others refreshed
    w.set_price(0, 100 * USD).await;
    w.set_price(1, USD).await;
    let report = w.health(trader.margin).await.unwrap();
    assert!(
        !report.liquidatable,
        "silence made it liquidatable: {report:?}"
    );
    let liq = liquidator(&mut w).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    // borrowing still counts the silent collateral as zero: 850 of SOL cannot carry 1,200 more
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    check(&mut w).await;
}

/// Item 1, the wide half: a real Pyth update with a confidence above the market's 2% limit made
/// the collateral count zero. It is held with its confidence clamped to the limit.
#[tokio::test]
async fn a_wide_price_cannot_make_a_healthy_account_liquidatable() {
    let (mut w, trader) = two_collaterals().await;
    let wide = PriceSpec {
        conf: 5 * USD as u64 / 100, // 5% of $1
        ..w.price_spec(2, USD).await
    };
    w.write_price(2, &wide);
    let report = w.health(trader.margin).await.unwrap();
    assert!(
        !report.liquidatable,
        "width made it liquidatable: {report:?}"
    );
    // valued at $1 less the 2% limit, not less 5%: 1,000 * 0.98 * 85% + 10 * 99.9 * 85%
    let floor = Wad::from_int(833 + 849);
    assert!(report.collateral_maint >= floor, "{report:?}");
    let liq = liquidator(&mut w).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    check(&mut w).await;
}

/// Item 1, the other half of the rule: a truly unhealthy account is liquidated although one of
/// its feeds is silent, against the fresh leg at once, and against the silent one as soon as
/// anyone (the liquidator, in its own transaction) posts a fresh update; a held price is never
/// the price of an exchange.
#[tokio::test]
async fn a_held_price_is_never_exchanged_and_a_fresh_update_unblocks_it() {
    let (mut w, trader) = two_collaterals().await;
    w.env.warp(120).await;
    w.set_price(0, 20 * USD).await; // SOL crashes: 170 + 850 < 1,200
    w.set_price(1, USD).await;
    assert!(w.health(trader.margin).await.unwrap().liquidatable);
    let liq = liquidator(&mut w).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 2, u64::MAX).await,
        KeelError::HeldPriceNotExchangeable,
    );
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the fresh leg liquidates at once");
    assert!(liquidated(&out).repaid > 0);
    w.set_price(2, USD).await; // anyone posts the fresh update
    if w.health(trader.margin).await.unwrap().liquidatable {
        w.liquidate(&liq, trader.margin, 1, 2, u64::MAX)
            .await
            .expect("the fresh update unblocks the third market's leg");
    }
    check(&mut w).await;
}

/// Attack review of item 1: a held price that never expired froze the value of a collateral
/// whose feed Pyth stopped publishing (a halted asset): its account could not be liquidated
/// however far the asset really fell. A feed silent for over an hour is gone: its collateral
/// counts zero again, and the account's fresh collateral is liquidated.
#[tokio::test]
async fn a_halted_feed_is_not_held_forever() {
    let (mut w, trader) = two_collaterals().await;
    w.env.warp(30 * 60).await;
    w.set_price(0, 100 * USD).await;
    w.set_price(1, USD).await;
    assert!(
        !w.health(trader.margin).await.unwrap().liquidatable,
        "held for half an hour"
    );
    w.env.warp(31 * 60).await;
    w.set_price(0, 100 * USD).await;
    w.set_price(1, USD).await;
    let report = w.health(trader.margin).await.unwrap();
    assert!(
        report.liquidatable,
        "an hour of silence is a gone feed: {report:?}"
    );
    let liq = liquidator(&mut w).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the fresh collateral is liquidated");
    check(&mut w).await;
}

/// Attack review of item 2: a position held at a stale feed's last price inflated the account's
/// free equity, so a liquidation of its fresh collateral paid the max bonus, out of lenders'
/// money when the held price was too high (and nobody had a reason to refresh it). With any
/// position held, the bonus is the minimum.
#[tokio::test]
async fn a_held_price_cannot_buy_the_max_bonus() {
    let (mut w, trader) = two_collaterals().await;
    w.env.warp(120).await; // the third market is held at its last $1
    w.set_price(0, 40 * USD).await; // SOL falls: 340 + 849 < 1,200
    w.set_price(1, USD).await;
    assert!(w.health(trader.margin).await.unwrap().liquidatable);
    let liq = liquidator(&mut w).await;
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let min = w.market(0).await.config.bonus.min_bonus_bps as u64;
    assert_eq!(
        liquidated(&out).bonus_bps,
        min,
        "a held price paid above the minimum"
    );
    check(&mut w).await;
}
