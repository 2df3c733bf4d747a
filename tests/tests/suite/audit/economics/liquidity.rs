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
    next_slot(&mut w).await; // a deposit leaves within the cap in its own slot (below)
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
/// deposits held over a slot boundary (its own, or borrowed elsewhere) can deposit them, borrow
/// to the cap and withdraw them a slot later, leaving the market at 100%. What bounds the squeeze then is its price: the
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
    // the deposit leaves a slot later (in the same slot it may not: the next test)
    next_slot(&mut w).await;
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

/// Attack review: the cap was a per-borrow check, so one transaction could deposit a flash loan
/// from a second key (5.4% of the market), borrow to the cap and withdraw the deposit, leaving
/// the market at 99.9% with no capital of its own. A deposit made in this slot now leaves only
/// within the cap.
#[tokio::test]
async fn a_flash_deposit_cannot_lift_the_borrow_cap() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let whale = w.trader(&[100 * SOL, 0]).await;
    w.deposit(&whale, 0, 100 * SOL).await.unwrap();
    w.borrow(&whale, 1, 950 * USDC).await.unwrap(); // at the cap
    let second = w.trader(&[0, 54 * USDC]).await;
    next_slot(&mut w).await; // a later slot than the lender's deposit
    let usdc = w.markets[1].keys;
    let metas = w.health_metas(whale.margin, Some(1)).await;
    let ixs = [
        kix::deposit(
            second.key.pubkey(),
            second.margin,
            &usdc,
            second.tokens[1],
            54 * USDC,
        ),
        kix::borrow(
            whale.key.pubkey(),
            whale.margin,
            &usdc,
            whale.tokens[1],
            49 * USDC,
            &metas,
        ),
        kix::withdraw(
            second.key.pubkey(),
            second.margin,
            &usdc,
            second.tokens[1],
            u64::MAX,
            &[],
        ),
    ];
    let keys = watched(&w, &[&lender, &whale, &second]);
    let before = snapshot(&mut w, &keys).await;
    let signers = [&second.key, &whale.key];
    let sent = w.env.send(&ixs, &signers).await;
    println!("FIGURE flash squeeze: refused {:?}", sent.as_ref().err());
    assert_keel_error(sent, KeelError::RecentDepositLiftsCap);
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

/// The next slot (and second), prices refreshed at SOL $100, USDC $1.
pub(crate) async fn next_slot(w: &mut World) {
    w.env.warp(1).await;
    w.refresh_prices(&[100 * USD, USD]).await;
}

/// Second attack review: the same-slot rule covered withdrawals only, so a flash-loaned deposit
/// could leave through the depositor's own zero-bonus order instead: deposit 54 USDC, let a
/// borrower take the lifted cap, and have a second key execute the order that pays the deposit
/// out (99.3%). An order's payout obeys the same rule.
#[tokio::test]
async fn a_flash_deposit_cannot_leave_through_its_own_order() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let whale = w.trader(&[100 * SOL, 0]).await;
    w.deposit(&whale, 0, 100 * SOL).await.unwrap();
    let a = w.trader(&[0, 154 * USDC]).await;
    w.deposit(&a, 1, 100 * USDC).await.unwrap();
    w.borrow(&a, 0, SOL / 2).await.unwrap();
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    let me = a.key.pubkey();
    keel_tests::world::fund(&mut w.env, &me, 1_000_000_000); // the order's rent
    let always = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: sol.market,
            price: Wad::from_int(1_000),
        },
        max_repay: SOL / 2,
        min_bonus_bps: 0,
        max_bonus_bps: 0,
        expires_at: 0,
    };
    let post = kix::post_order((me, me), a.margin, (sol.market, usdc.market), 0, always);
    w.send_as(&a.key, &[post]).await.unwrap();
    w.borrow(&whale, 1, 1_045 * USDC).await.unwrap(); // the cap: 95% of 1,100
    next_slot(&mut w).await;
    let executor = w.trader(&[SOL, 0]).await;
    let whale_metas = w.health_metas(whale.margin, None).await;
    let a_metas = w.health_metas(a.margin, None).await;
    let keys = kix::ExecutionKeys {
        executor: executor.key.pubkey(),
        order: keel_sdk::pda::order(&a.margin, 0),
        margin_account: a.margin,
        payer: me,
        repay: sol,
        seize: usdc,
        repay_source: executor.tokens[0],
        seize_destination: executor.tokens[1],
    };
    let ixs = [
        kix::deposit(me, a.margin, &usdc, a.tokens[1], 54 * USDC),
        kix::borrow(
            whale.key.pubkey(),
            whale.margin,
            &usdc,
            whale.tokens[1],
            51 * USDC,
            &whale_metas,
        ),
        kix::execute_order(&keys, SOL / 2, &a_metas),
    ];
    let sent = w.env.send(&ixs, &[&a.key, &whale.key, &executor.key]).await;
    println!(
        "FIGURE flash squeeze through an order: refused {:?}",
        sent.as_ref().err()
    );
    assert_keel_error(sent, KeelError::RecentDepositLiftsCap);
    check(&mut w).await;
}
