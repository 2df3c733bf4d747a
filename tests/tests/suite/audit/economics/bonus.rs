//! Item 2: the liquidation bonus is flat, capped by free equity: waiting never pays more.
use super::*;

/// Item 2 (high): the bonus jumped to its maximum the moment the account was insolvent. At
/// C/D 1.002 a full liquidation paid about $1.6; 0.3% lower, insolvent, it paid about $72 (45x),
/// out of lenders' money. Waiting for insolvency now never pays more than acting before it.
#[tokio::test]
async fn waiting_for_insolvency_does_not_pay_more() {
    let mut w = sol_usdc().await;
    let now_ = levered(&mut w).await;
    let later = levered(&mut w).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let thin = 7_915_800_000; // $79.158: C/D = 1.002
    exact_prices(&mut w, thin).await;
    let acted = w
        .liquidate(&liq, now_.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let insolvent = thin * 9_970 / 10_000; // 0.3% lower: C/D = 0.999
    exact_prices(&mut w, insolvent).await;
    let waited = w
        .liquidate(&liq, later.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let (a, b) = (liquidated(&acted), liquidated(&waited));
    let (paid_now, paid_later) = (bonus_usd(&a, thin), bonus_usd(&b, insolvent));
    assert!(
        paid_later <= paid_now,
        "waiting paid more: {paid_later} (at {} bps) against {paid_now} (at {} bps), base units of USD",
        b.bonus_bps,
        a.bonus_bps
    );
    let min = w.market(0).await.config.bonus.min_bonus_bps as u64;
    assert_eq!(
        b.bonus_bps, min,
        "an insolvent account pays the minimum bonus"
    );
    check(&mut w).await;
}

/// Item 2: a capped call could take all the equity and leave debt = collateral, an account that
/// nobody liquidates (the cap pays nothing there) until interest tips it under. At C/D 1.06 the
/// old cap paid 10% on half the debt and left 2% of equity on the rest; a capped call now leaves
/// at least the minimum bonus (2.5%) on every unit of debt still open.
#[tokio::test]
async fn a_capped_liquidation_leaves_equity_for_the_next() {
    let mut w = sol_usdc().await;
    let trader = levered(&mut w).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    exact_prices(&mut w, 8_374_000_000).await; // $83.74: C/D = 1.06, HF 0.901 (close factor 50%)
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let event = liquidated(&out);
    let after = w.health(trader.margin).await.unwrap();
    assert!(
        after.debt_value > Wad::ZERO,
        "debt is still open (bonus {} bps)",
        event.bonus_bps
    );
    let min = w.market(0).await.config.bonus.min_bonus_bps as u64;
    let reserve = after
        .debt_value
        .mul_bps(min, keel::math::fixed::Rounding::Down)
        .unwrap();
    let cent = Wad::from_int(1)
        .mul_bps(100, keel::math::fixed::Rounding::Down)
        .unwrap();
    assert!(
        after.collateral_value.try_add(cent).unwrap() >= after.debt_value.try_add(reserve).unwrap(),
        "the call left {:?} of collateral against {:?} of debt (bonus {} bps)",
        after.collateral_value,
        after.debt_value,
        event.bonus_bps
    );
    check(&mut w).await;
}

/// Item 2, the delayed bot: a liquidator that waited ten minutes while the crash deepened was
/// paid more (the bonus grew with the shortfall and with time: bots 10 minutes late earned 29%
/// more in the built-in crash). Two identical accounts: one liquidated at once, the other ten
/// minutes and a 2% further fall later; the later liquidation pays no higher a rate, and no more.
#[tokio::test]
async fn waiting_for_a_deeper_fall_does_not_pay_more() {
    let mut w = sol_usdc().await;
    let now_ = levered(&mut w).await;
    let later = levered(&mut w).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let first = 9_000_000_000; // $90: HF 0.97
    exact_prices(&mut w, first).await;
    // both accounts are seen liquidatable now (a one-unit call starts each one's clock)
    w.liquidate(&liq, later.margin, 1, 0, 1).await.unwrap();
    let acted = w
        .liquidate(&liq, now_.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    w.env.warp(600).await;
    let deeper = first * 98 / 100;
    exact_prices(&mut w, deeper).await;
    let waited = w
        .liquidate(&liq, later.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let (a, b) = (liquidated(&acted), liquidated(&waited));
    assert!(
        b.bonus_bps <= a.bonus_bps,
        "waiting raised the rate: {} bps later against {} bps at once",
        b.bonus_bps,
        a.bonus_bps
    );
    let (paid_now, paid_later) = (bonus_usd(&a, first), bonus_usd(&b, deeper));
    // the same rate on the same repay: equal up to the seizure's rounding (1 ppm)
    assert!(
        paid_later <= paid_now + paid_now / 1_000_000,
        "waiting paid more: {paid_later} against {paid_now} (base units of USD)"
    );
    check(&mut w).await;
}
