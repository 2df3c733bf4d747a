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

    // a stale debt price books nothing (held at its last price, it could fake a loss or hide
    // one); a stale collateral price is valued as health values it (the next test)
    w.env.warp(120).await;
    w.set_price(0, 100 * USD).await;
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

/// Attack review: a lender left at par through its own deleverage order. A borrows SOL against
/// its USDC deposit, posts a zero-bonus order that fires at once, and a second key executes it:
/// the order paid A's USDC out at the deposit index, ahead of the write-off it had a share in
/// (repeated, the whole deposit). An order's payout now burns shares at the withdraw index.
#[tokio::test]
async fn a_lender_cannot_exit_at_par_through_its_own_order() {
    let (mut w, [a, _b], trader) = insolvent_market().await;
    w.book_provision(trader.margin, 1).await.unwrap();
    w.borrow(&a, 0, 2 * SOL).await.unwrap();
    let (sol, usdc) = (w.markets[0].keys, w.markets[1].keys);
    let me = a.key.pubkey();
    let always = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: sol.market,
            price: Wad::from_int(1_000), // SOL is at $40: met at once
        },
        max_repay: 2 * SOL,
        min_bonus_bps: 0,
        max_bonus_bps: 0,
        expires_at: 0,
    };
    keel_tests::world::fund(&mut w.env, &me, 1_000_000_000); // the order's rent
    let post = kix::post_order((me, me), a.margin, (sol.market, usdc.market), 0, always);
    w.send_as(&a.key, &[post]).await.unwrap();
    let second = w.trader(&[2 * SOL, 0]).await;
    let held = |acc: &keel::state::MarginAccount| {
        acc.active()
            .iter()
            .find(|p| p.market == usdc.market)
            .map_or(0, |p| p.deposit_shares)
    };
    let shares_before = held(&w.margin(a.margin).await);
    let index = w.market(1).await.withdraw_index().unwrap();
    let metas = w.health_metas(a.margin, None).await;
    let keys = kix::ExecutionKeys {
        executor: second.key.pubkey(),
        order: keel_sdk::pda::order(&a.margin, 0),
        margin_account: a.margin,
        payer: me,
        repay: sol,
        seize: usdc,
        repay_source: second.tokens[0],
        seize_destination: second.tokens[1],
    };
    let ix = kix::execute_order(&keys, 2 * SOL, &metas);
    w.send_as(&second.key, &[ix]).await.unwrap();
    let burned = shares_before - held(&w.margin(a.margin).await);
    let paid = balance(&mut w.env, second.tokens[1]).await;
    let worth = keel::math::shares::deposit_amount(burned, index).unwrap();
    println!(
        "FIGURE order exit: {paid} USDC units paid for shares worth {worth} at the withdraw index"
    );
    assert!(
        paid <= worth,
        "the order paid {paid} at par, its shares are worth {worth}"
    );
    check(&mut w).await;
}

/// Attack review: the borrower kept one base unit in a market whose feed had gone silent, and no
/// booking could be made for its account (every position needed a fresh price), so lenders kept
/// leaving at par. Only debts need a fresh price now; collateral is valued as health values it.
#[tokio::test]
async fn a_silent_dust_deposit_cannot_hold_a_provision_off() {
    let mut w = three_markets().await;
    let a = w.trader(&[0, 50_000 * USDC, 0]).await;
    w.deposit(&a, 1, 50_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0, 1]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.deposit(&trader, 2, 1).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // SOL falls to $40; the third market's feed goes silent (only SOL and USDC publish)
    w.env.warp(120).await;
    w.set_price(0, 40 * USD).await;
    w.set_price(1, USD).await;
    w.book_provision(trader.margin, 1).await.unwrap();
    assert!(w.market(1).await.provisioned > 380 * USDC);
    check(&mut w).await;
}

/// Attack review: while the guardian paused liquidation (over a wrong price, say), anyone could
/// still book provisions from that price and make withdrawals pay a haircut the fund keeps.
/// A booking waits for liquidation to open, as a liquidation does.
#[tokio::test]
async fn a_provision_waits_while_liquidation_is_paused() {
    let (mut w, _, trader) = insolvent_market().await;
    let guardian = w.guardian.insecure_clone();
    let pause = kix::pause(guardian.pubkey(), w.pool, false, true);
    w.send_as(&guardian, &[pause]).await.unwrap();
    assert_keel_error(
        w.book_provision(trader.margin, 1).await,
        KeelError::LiquidationPaused,
    );
    assert_eq!(w.market(1).await.provisioned, 0);
    check(&mut w).await;
}

/// Second attack review: once only debts needed a fresh price, a collateral whose feed had gone
/// (silent past the hour a price is held) counted zero, so anyone could book a provision of the
/// whole debt on a solvent account: withdrawals paid a haircut for a loss that did not exist
/// (and a rebalance then paid its bonus on it). Every collateral needs a price now (anyone can
/// post a fresh update for a gone feed); a held one may raise a provision, never release it.
#[tokio::test]
async fn a_gone_collateral_feed_cannot_fake_a_provision() {
    let mut w = three_markets().await;
    let lender = w.trader(&[0, 50_000 * USDC, 0]).await;
    w.deposit(&lender, 1, 50_000 * USDC).await.unwrap();
    let trader = w.trader(&[0, 0, 1_000 * USDC]).await;
    w.deposit(&trader, 2, 1_000 * USDC).await.unwrap();
    w.borrow(&trader, 1, 500 * USDC).await.unwrap();
    // the third market's feed is silent for more than an hour: its collateral counts zero
    w.env.warp(3_700).await;
    w.set_price(0, 100 * USD).await;
    w.set_price(1, USD).await;
    let faked = w.book_provision(trader.margin, 1).await;
    println!("FIGURE fake provision: {:?}", w.market(1).await.provisioned);
    assert_keel_error(faked, KeelError::ProvisionNeedsFreshPrices);
    assert_eq!(w.market(1).await.provisioned, 0);
    // a stale price cannot release a real provision: SOL's last print, $100, is two minutes old
    // (held); the booking may only rise on it (third attack review: it may not be refused)
    let (mut w, _, trader) = insolvent_market().await;
    w.book_provision(trader.margin, 1).await.unwrap();
    let booked = w.market(1).await.provisioned;
    w.set_price(0, 100 * USD).await;
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    w.book_provision(trader.margin, 1).await.unwrap();
    assert_eq!(w.market(1).await.provisioned, booked, "not released");
    check(&mut w).await;
}

/// Third attack review: a collateral no fresh update can cure, a Pyth feed too wide in the very
/// crash that makes the account insolvent, refused every booking, so lenders kept leaving at
/// par. A held collateral (its confidence clamped, valued at its band's low end) lets the
/// provision rise.
#[tokio::test]
async fn a_wide_collateral_price_cannot_hold_a_provision_off() {
    let (mut w, _, trader) = insolvent_market().await;
    let wide = PriceSpec {
        conf: 2 * USD as u64, // 5% of $40, past the 2% limit
        ..w.price_spec(0, 40 * USD).await
    };
    w.write_price(0, &wide);
    w.book_provision(trader.margin, 1).await.unwrap();
    let booked = w.market(1).await.provisioned;
    assert!(booked > 390 * USDC, "booked {booked}");
    check(&mut w).await;
}
