//! Item 5 (and its attack review): orders pay flat, pay the protocol, fire on no uncertain print.
use super::*;

/// Item 5: a health order's bonus grew as health fell toward 1 (50 -> 200 bps here), so executors
/// waited for it. Two identical accounts with the same order: executed at once at HF 1.09, and
/// after a further fall at HF 1.02; the later execution pays no higher a rate.
#[tokio::test]
async fn waiting_on_a_health_order_does_not_pay_more() {
    use crate::orders::{execute, health_order, post};
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let mut traders = vec![];
    for _ in 0..2 {
        let t = w.trader(&[10 * SOL, 0]).await;
        w.deposit(&t, 0, 10 * SOL).await.unwrap();
        w.borrow(&t, 1, 700 * USDC).await.unwrap();
        post(&mut w, &t, &t, 0, health_order(11_500, 100 * USDC))
            .await
            .unwrap();
        traders.push(t);
    }
    let executor = w.trader(&[0, 5_000 * USDC]).await;
    let bonus_of = |seized: u64, price: f64| seized as f64 * price / 1e9 / 100.0 - 1.0;
    w.set_price(0, 90 * USD).await; // HF 1.09
    let owner = traders[0].key.pubkey();
    let sol = balance(&mut w.env, executor.tokens[0]).await;
    execute(&mut w, &executor, &traders[0], 0, owner, 100 * USDC)
        .await
        .unwrap();
    let at_once = bonus_of(balance(&mut w.env, executor.tokens[0]).await - sol, 90.0);
    w.set_price(0, 84 * USD).await; // HF 1.02
    let owner = traders[1].key.pubkey();
    let sol = balance(&mut w.env, executor.tokens[0]).await;
    execute(&mut w, &executor, &traders[1], 0, owner, 100 * USDC)
        .await
        .unwrap();
    let waited = bonus_of(balance(&mut w.env, executor.tokens[0]).await - sol, 84.0);
    assert!(
        waited <= at_once + 1e-6,
        "waiting paid more: {:.4}% against {:.4}%",
        waited * 100.0,
        at_once * 100.0
    );
    check(&mut w).await;
}

/// Item 5: orders paid no protocol fee, so an order's bonus was worth more to its executor than
/// a liquidation's and funded no insurance. An execution now pays the seize market's protocol
/// share of the bonus, in the repay token, into the repay market's insurance fund.
#[tokio::test]
async fn an_order_pays_the_protocol_fee() {
    use crate::orders::{execute, levered, post_order_0};
    let (mut w, trader, executor) = levered().await;
    post_order_0(&mut w, &trader).await;
    w.set_price(0, 90 * USD).await;
    let fund = w.market(1).await.insurance_fund;
    let owner = trader.key.pubkey();
    execute(&mut w, &executor, &trader, 0, owner, 300 * USDC)
        .await
        .unwrap();
    let paid = 5_000 * USDC - balance(&mut w.env, executor.tokens[1]).await;
    let added = w.market(1).await.insurance_fund.try_sub(fund).unwrap();
    assert!(paid > 300 * USDC, "the executor paid no fee: {paid}");
    assert!(
        added >= Wad::from_int(paid - 300 * USDC),
        "the fee reached the fund: {added:?}"
    );
    check(&mut w).await;
}

/// Item 5: a price trigger read one spot sample the executor chose: a stop-loss at $95 fired on
/// a print at $94.90 whose confidence reached $95.40. A price trigger now needs the price's whole
/// band past it, on Pyth's price.
#[tokio::test]
async fn one_uncertain_print_cannot_fire_a_stop_loss() {
    use crate::orders::{execute, levered, post};
    let (mut w, trader, executor) = levered().await;
    let stop = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: w.markets[0].keys.market,
            price: Wad::from_int(95),
        },
        max_repay: 100 * USDC,
        min_bonus_bps: 50,
        max_bonus_bps: 50,
        expires_at: 0,
    };
    post(&mut w, &trader, &trader, 0, stop).await.unwrap();
    let print = PriceSpec {
        conf: (USD / 2) as u64, // $0.50: the band reaches $95.40
        ..w.price_spec(0, 9_490_000_000).await
    };
    w.write_price(0, &print);
    let owner = trader.key.pubkey();
    assert_keel_error(
        execute(&mut w, &executor, &trader, 0, owner, 100 * USDC).await,
        KeelError::OrderNotTriggered,
    );
    // the whole band below $95: it fires
    w.set_price(0, 94 * USD).await;
    execute(&mut w, &executor, &trader, 0, owner, 100 * USDC)
        .await
        .unwrap();
    check(&mut w).await;
}

/// Attack review of item 5: with a flat health-order bonus, a delegate holding Borrow pushed the
/// account to its owner's health order's trigger and executed it from a second key for the max
/// bonus. While a delegate may borrow or withdraw, health orders pay their minimum.
#[tokio::test]
async fn a_delegate_cannot_push_an_account_to_its_health_order_for_the_max_bonus() {
    use crate::orders::{execute, health_order, levered, post};
    let (mut w, trader, _executor) = levered().await;
    post(
        &mut w,
        &trader,
        &trader,
        0,
        health_order(12_000, 100 * USDC),
    )
    .await
    .unwrap();
    let delegate = w.trader(&[0, 0]).await;
    let second_key = w.trader(&[0, 5_000 * USDC]).await;
    let ix = kix::set_delegate(
        trader.key.pubkey(),
        trader.margin,
        delegate.key.pubkey(),
        &[keel::state::DelegatePower::Borrow],
    );
    w.send_as(&trader.key, &[ix]).await.unwrap();
    // HF 1.21 at $100: the delegate borrows 20 USDC more (paid to the owner): HF 1.18 < 1.20
    let metas = w.health_metas(trader.margin, Some(1)).await;
    let ix = kix::borrow(
        delegate.key.pubkey(),
        trader.margin,
        &w.markets[1].keys,
        trader.tokens[1],
        20 * USDC,
        &metas,
    );
    w.send_as(&delegate.key, &[ix]).await.unwrap();
    let sol = balance(&mut w.env, second_key.tokens[0]).await;
    execute(
        &mut w,
        &second_key,
        &trader,
        0,
        trader.key.pubkey(),
        100 * USDC,
    )
    .await
    .unwrap();
    let seized = balance(&mut w.env, second_key.tokens[0]).await - sol;
    let bonus = seized as f64 * 100.0 / 1e9 / 100.0 - 1.0;
    assert!(
        bonus < 0.0051,
        "the delegate's push paid {:.3}%",
        bonus * 100.0
    );
    check(&mut w).await;
}
