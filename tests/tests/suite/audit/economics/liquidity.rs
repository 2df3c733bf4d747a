//! Item 4: a borrower cannot take the last of the free liquidity and lock lenders out.
use super::*;
use keel::math::interest::InterestCurve;
use keel::state::MarketConfig;

/// Item 4: borrowing could take every free token (utilisation 100%): the lenders could not
/// withdraw, at a flat 110% APR for the borrower (about $314 an hour to keep $2.5M locked). A
/// borrow now stops at 95% utilisation; the lenders keep the rest.
#[tokio::test]
async fn a_borrower_cannot_lock_lenders_out() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let whale = w.trader(&[100 * SOL, 0]).await;
    w.deposit(&whale, 0, 100 * SOL).await.unwrap();
    let keys = watched(&w, &[&lender, &whale]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&whale, 1, 1_000 * USDC).await,
        KeelError::BorrowUtilisationCap,
    );
    assert_keel_error(
        w.borrow(&whale, 1, 951 * USDC).await,
        KeelError::BorrowUtilisationCap,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&whale, 1, 950 * USDC).await.unwrap();
    // the lender still has a way out
    w.withdraw(&lender, 1, 49 * USDC).await.unwrap();
    check(&mut w).await;
}

/// Item 4, what remains: the cap is a per-borrow check, so a whale with 5.3% of the market's
/// deposits (its own, or borrowed elsewhere for a slot) can deposit them, borrow to the cap and
/// withdraw them, leaving the market at 100%. What bounds the squeeze then is its price: the
/// shipped curve charges 310% APR at full utilisation (was 110%), paid to the locked lenders,
/// and the guardian may steepen the slope above the kink at once, up to 500%.
#[tokio::test]
async fn a_squeeze_past_the_cap_pays_the_steep_rate() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let whale = w.trader(&[100 * SOL, 53 * USDC]).await;
    w.deposit(&whale, 0, 100 * SOL).await.unwrap();
    let second = w.trader(&[0, 53 * USDC]).await;
    w.deposit(&second, 1, 53 * USDC).await.unwrap();
    w.borrow(&whale, 1, 1_000 * USDC).await.unwrap();
    w.withdraw(&second, 1, u64::MAX).await.unwrap();
    let market = w.market(1).await;
    let util = keel::math::interest::utilization(
        market.total_debt().unwrap(),
        market.total_deposits().unwrap(),
    )
    .unwrap();
    assert!(util >= Wad::from_bps(9_990), "squeezed to {util:?}");
    let rate = keel::math::interest::borrow_rate(&market.config.curve, util).unwrap();
    println!("FIGURE squeeze: utilisation {util:?}, borrow rate {rate:?} (APR, Wad)");
    assert!(rate >= Wad::from_bps(30_000), "steep: {rate:?}");

    // the guardian steepens it at once (the slope above the kink, up to 500%) ...
    let (guardian, pool, usdc) = (
        w.guardian.insecure_clone(),
        w.pool,
        w.markets[1].keys.market,
    );
    let mut steeper = market.config;
    steeper.curve.slope2_bps = 50_000;
    w.send_as(
        &guardian,
        &[kix::tighten_market(guardian.pubkey(), pool, usdc, steeper)],
    )
    .await
    .unwrap();
    // ... but neither past 500% nor on the rest of the curve, which reaches every borrower
    for bad in [
        InterestCurve {
            slope2_bps: 50_001,
            ..steeper.curve
        },
        InterestCurve {
            base_rate_bps: 1,
            ..steeper.curve
        },
        InterestCurve {
            slope1_bps: 1_001,
            ..steeper.curve
        },
        InterestCurve {
            optimal_util_bps: 7_000,
            ..steeper.curve
        },
    ] {
        let c = MarketConfig {
            curve: bad,
            ..steeper
        };
        assert_keel_error(
            w.send_as(
                &guardian,
                &[kix::tighten_market(guardian.pubkey(), pool, usdc, c)],
            )
            .await,
            KeelError::NotTightening,
        );
    }
    check(&mut w).await;
}
