//! Item 6: lenders could outrun socialisation. Bad debt was booked only when no collateral was
//! left, so while an insolvent account was being liquidated the market still paid withdrawals at
//! the old index, and the lenders who left first left the whole loss to the rest. Now the loss is
//! provisioned as soon as an instruction sees the account insolvent at fresh prices (a
//! liquidation, or anyone's `book_provision`), and withdrawals pay at the index marked down by it.
use super::*;

/// Two lenders of 50,000 USDC each and a trader with 10 SOL against 790 USDC; SOL then falls to
/// $40 (collateral $400 against $790: insolvent at spot, about $390 of loss).
async fn insolvent_market() -> (World, [Trader; 2], Trader) {
    let mut w = sol_usdc().await;
    let a = w.trader(&[0, 50_000 * USDC]).await;
    let b = w.trader(&[0, 50_000 * USDC]).await;
    w.deposit(&a, 1, 50_000 * USDC).await.unwrap();
    w.deposit(&b, 1, 50_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 40 * USD).await;
    (w, [a, b], trader)
}

/// What `lender` gets back withdrawing everything, and its loss on 50,000 USDC.
async fn exit(w: &mut World, lender: &Trader) -> u64 {
    let before = balance(&mut w.env, lender.tokens[1]).await;
    w.withdraw(lender, 1, u64::MAX).await.unwrap();
    let got = balance(&mut w.env, lender.tokens[1]).await - before;
    50_000 * USDC - got
}

/// The attack: lender A watches an insolvent account being liquidated (a first, partial call),
/// withdraws everything before the last collateral goes, and leaves the whole write-off to B.
/// On the unfixed program A lost nothing and B $397.32; now A's withdrawal carries its half of
/// the provisioned loss ($195.47, into the insurance fund) and B loses $201.85.
#[tokio::test]
async fn a_lender_cannot_outrun_socialisation() {
    let (mut w, [a, b], trader) = insolvent_market().await;
    let liq = liquidator(&mut w).await;
    w.liquidate(&liq, trader.margin, 1, 0, 50 * USDC)
        .await
        .unwrap();
    let loss_a = exit(&mut w, &a).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    assert_eq!(w.margin(trader.margin).await.position_count, 0, "settled");
    let loss_b = exit(&mut w, &b).await;
    println!("FIGURE outrun: lender A lost {loss_a}, lender B lost {loss_b} (USDC units)");
    assert!(loss_a + loss_b > 390 * USDC, "the loss was real");
    // the provision is the spot shortfall; the last liquidation's bonus adds a little to the loss
    assert!(
        loss_a * 10 >= loss_b * 9,
        "A outran the write-off: A lost {loss_a}, B lost {loss_b}"
    );
    check(&mut w).await;
}

/// A keeper books the loss before anyone liquidates; a lender leaving pays its share; once the
/// price recovers anyone releases the provision and withdrawals pay at par again. Booking needs
/// fresh prices: a stale feed could fake or hide a loss.
#[tokio::test]
async fn a_keeper_books_the_loss_before_any_liquidation() {
    let (mut w, [a, b], trader) = insolvent_market().await;
    w.book_provision(trader.margin, 1).await.unwrap();
    let booked = w.margin(trader.margin).await.positions[1].provisioned;
    // 790 * (790 - 400) / 790 = 390 USDC, give or take the price band's rounding
    assert!(
        (389 * USDC..=391 * USDC).contains(&booked),
        "booked {booked}"
    );
    assert_eq!(w.market(1).await.provisioned, booked);
    let loss_a = exit(&mut w, &a).await;
    // half of the uncovered loss: 390 * 50,000 / 100,000
    assert!(
        (194 * USDC..=196 * USDC).contains(&loss_a),
        "A's share {loss_a}"
    );
    check(&mut w).await;

    // the price recovers: the account is solvent and the provision is released on request
    w.set_price(0, 100 * USD).await;
    w.book_provision(trader.margin, 1).await.unwrap();
    assert_eq!(w.margin(trader.margin).await.positions[1].provisioned, 0);
    assert_eq!(w.market(1).await.provisioned, 0);
    // B withdraws at par (what A left behind stays in the insurance fund)
    let before = balance(&mut w.env, b.tokens[1]).await;
    w.withdraw(&b, 1, 40_000 * USDC).await.unwrap();
    assert_eq!(
        balance(&mut w.env, b.tokens[1]).await - before,
        40_000 * USDC
    );
    check(&mut w).await;

    // a stale feed books nothing (held at its last price, it could fake a loss or hide one)
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    assert_keel_error(
        w.book_provision(trader.margin, 1).await,
        KeelError::ProvisionNeedsFreshPrices,
    );
    // and only a debt market carries one
    w.set_price(0, 100 * USD).await;
    assert_keel_error(w.book_provision(trader.margin, 0).await, KeelError::NoDebt);
    check(&mut w).await;
}

/// Repaying an insolvent account's debt releases what it no longer owes: a provision is never
/// larger than its debt, and a repaid debt carries none (the invariant checks the sums).
#[tokio::test]
async fn a_repaid_debt_carries_no_provision() {
    let (mut w, _, trader) = insolvent_market().await;
    w.book_provision(trader.margin, 1).await.unwrap();
    let payer = w.trader(&[0, 1_000 * USDC]).await;
    w.repay(&payer, trader.margin, 1, 600 * USDC).await.unwrap();
    let left = w.margin(trader.margin).await.positions[1];
    assert!(
        left.provisioned <= 190 * USDC + 1,
        "capped at the debt: {left:?}"
    );
    check(&mut w).await;
    w.repay(&payer, trader.margin, 1, u64::MAX).await.unwrap();
    assert_eq!(w.market(1).await.provisioned, 0);
    check(&mut w).await;
}
