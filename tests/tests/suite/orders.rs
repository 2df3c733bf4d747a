//! Deleverage orders on the real runtime (instructions/orders/, math/order.rs): posted by the
//! owner or delegate; executed by anyone only when triggered, only within the order's amount and
//! bonus, never on a liquidatable account, never lowering health; cancelled with the rent back;
//! an account with open orders cannot close.
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use keel::errors::KeelError;
use keel::math::fixed::Wad;
use keel::state::DelegatePower;
use keel::state::{OrderParams, OrderTrigger};
use keel_sdk::instructions as kix;
use keel_sdk::pda;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::tokens::balance;
use keel_tests::world::USD;
use keel_tests::{Trader, World};
use solana_sdk::native_token::LAMPORTS_PER_SOL;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

pub(crate) type Sent = Result<(), TransactionError>;

/// A health order: below `hf_bps`, repay up to `max_repay` USDC with SOL, 50 -> 200 bps.
pub(crate) fn health_order(hf_bps: u32, max_repay: u64) -> OrderParams {
    OrderParams {
        trigger: OrderTrigger::HealthBelow { hf_bps },
        max_repay,
        min_bonus_bps: 50,
        max_bonus_bps: 200,
        expires_at: 0,
    }
}

/// `by` posts order `id` on `owner`'s account: repay USDC (market 1) with SOL (market 0).
pub(crate) async fn post(
    w: &mut World,
    by: &Trader,
    owner: &Trader,
    id: u8,
    params: OrderParams,
) -> Sent {
    let me = by.key.pubkey();
    if w.env.account(me).await.is_none() {
        keel_tests::world::fund(&mut w.env, &me, LAMPORTS_PER_SOL); // the order's rent
    }
    let (usdc, sol) = (w.markets[1].keys.market, w.markets[0].keys.market);
    let ix = kix::post_order((me, me), owner.margin, (usdc, sol), id, params);
    w.send_as(&by.key, &[ix]).await.map(|_| ())
}

/// `by` executes order `id` of `owner` for up to `amount`.
pub(crate) async fn execute(
    w: &mut World,
    by: &Trader,
    owner: &Trader,
    id: u8,
    payer: Pubkey,
    amount: u64,
) -> Sent {
    let metas = w.health_metas(owner.margin, None).await;
    let keys = kix::ExecutionKeys {
        executor: by.key.pubkey(),
        order: pda::order(&owner.margin, id),
        margin_account: owner.margin,
        payer,
        repay: w.markets[1].keys,
        seize: w.markets[0].keys,
        repay_source: by.tokens[1],
        seize_destination: by.tokens[0],
    };
    let ix = kix::execute_order(&keys, amount, &metas);
    w.send_as(&by.key, &[ix]).await.map(|_| ())
}

/// `trader` posts order 0: below health 1.15, up to 300 USDC.
pub(crate) async fn post_order_0(w: &mut World, trader: &Trader) {
    post(w, trader, trader, 0, health_order(11_500, 300 * USDC))
        .await
        .unwrap();
}

/// A trader with 10 SOL backing 700 USDC (HF 1.21 at $100), and an executor holding USDC.
pub(crate) async fn levered() -> (World, Trader, Trader) {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    let executor = w.trader(&[0, 5_000 * USDC]).await;
    (w, trader, executor)
}

#[tokio::test]
async fn an_order_executes_only_when_triggered_and_within_its_limits() {
    let (mut w, trader, executor) = levered().await;
    let owner = trader.key.pubkey();
    post_order_0(&mut w, &trader).await;
    assert_eq!(w.margin(trader.margin).await.open_orders, 1);
    let order = pda::order(&trader.margin, 0);

    // not triggered at HF 1.21: refused, nothing changed
    let mut keys = watched(&w, &[&trader, &executor]);
    keys.push(order);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        execute(&mut w, &executor, &trader, 0, owner, 500 * USDC).await,
        KeelError::OrderNotTriggered,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // SOL at $90: HF 765 / 700 = 1.09 < 1.15. The owner may not collect the bonus itself.
    w.set_price(0, 90 * USD).await;
    assert_keel_error(
        execute(&mut w, &trader, &trader, 0, owner, 500 * USDC).await,
        KeelError::OrderSelfExecution,
    );
    let hf_before = w.health(trader.margin).await.unwrap().health_factor;
    let rent = w.env.account(order).await.unwrap().lamports;
    let owner_lamports = w.env.account(owner).await.unwrap().lamports;
    let sol_before = balance(&mut w.env, executor.tokens[0]).await;
    // asked for 500: the order's 300 is the most repaid
    execute(&mut w, &executor, &trader, 0, owner, 500 * USDC)
        .await
        .unwrap();
    let account = w.margin(trader.margin).await;
    assert_eq!(account.open_orders, 0);
    assert!(w.env.account(order).await.is_none(), "used up: closed");
    assert_eq!(
        w.env.account(owner).await.unwrap().lamports,
        owner_lamports + rent,
        "the rent back to its payer"
    );
    let report = w.health(trader.margin).await.unwrap();
    assert!(report.health_factor > hf_before, "health improved");
    // 300 USDC repaid, and the protocol's 25% of the 6 USDC bonus on top (issue 27): 1.5 USDC
    let paid = 5_000 * USDC - balance(&mut w.env, executor.tokens[1]).await;
    assert!(
        (301_499_999..=301_500_001).contains(&paid),
        "300 USDC repaid and a 1.5 USDC fee: {paid}"
    );
    // the bonus: the order's max, 200 bps, flat (issue 27: it no longer grows as health falls)
    let seized = balance(&mut w.env, executor.tokens[0]).await - sol_before;
    let bonus = seized as f64 * 90.0 / 1e9 / 300.0 - 1.0;
    assert!(
        (0.0195..=0.0201).contains(&bonus),
        "bonus {:.4}%",
        bonus * 100.0
    );
    // a second execution: the order is gone
    let again = execute(&mut w, &executor, &trader, 0, owner, USDC).await;
    assert!(again.is_err());
    check(&mut w).await;
}

#[tokio::test]
async fn a_stop_loss_and_a_take_profit_fall_out_of_price_orders() {
    let (mut w, trader, executor) = levered().await;
    let owner = trader.key.pubkey();
    let sol = w.markets[0].keys.market;
    let at = |usd: u64| Wad::from_int(usd);
    let stop = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: sol,
            price: at(95),
        },
        max_repay: 200 * USDC,
        min_bonus_bps: 30,
        max_bonus_bps: 30,
        expires_at: 0,
    };
    let take = OrderParams {
        trigger: OrderTrigger::PriceAtOrAbove {
            market: sol,
            price: at(110),
        },
        ..stop
    };
    post(&mut w, &trader, &trader, 1, stop).await.unwrap();
    post(&mut w, &trader, &trader, 2, take).await.unwrap();
    assert_keel_error(
        execute(&mut w, &executor, &trader, 1, owner, 200 * USDC).await,
        KeelError::OrderNotTriggered,
    );
    w.set_price(0, 112 * USD).await;
    assert_keel_error(
        execute(&mut w, &executor, &trader, 1, owner, 200 * USDC).await,
        KeelError::OrderNotTriggered,
    );
    // the take-profit executes in part (100 of 200), and stays open for the rest
    execute(&mut w, &executor, &trader, 2, owner, 100 * USDC)
        .await
        .unwrap();
    let left = keel_sdk::decode::order(
        &w.env
            .account(pda::order(&trader.margin, 2))
            .await
            .unwrap()
            .data,
    )
    .unwrap();
    assert_eq!(left.remaining_repay, 100 * USDC);
    w.set_price(0, 94 * USD).await;
    execute(&mut w, &executor, &trader, 1, owner, 200 * USDC)
        .await
        .unwrap();
    assert_eq!(w.margin(trader.margin).await.open_orders, 1);
    check(&mut w).await;
}

#[tokio::test]
async fn an_order_never_executes_on_a_liquidatable_or_expired_account() {
    let (mut w, trader, executor) = levered().await;
    let owner = trader.key.pubkey();
    let now = w.env.now().await;
    post_order_0(&mut w, &trader).await;
    let expiring = OrderParams {
        expires_at: now + 60,
        ..health_order(11_500, 300 * USDC)
    };
    post(&mut w, &trader, &trader, 1, expiring).await.unwrap();
    // SOL at $80: HF 680 / 700 < 1, liquidation's territory
    w.set_price(0, 80 * USD).await;
    assert_keel_error(
        execute(&mut w, &executor, &trader, 0, owner, 300 * USDC).await,
        KeelError::OrderAccountLiquidatable,
    );
    w.set_price(0, 90 * USD).await;
    w.env.warp(120).await;
    w.refresh_prices(&[90 * USD, USD]).await;
    assert_keel_error(
        execute(&mut w, &executor, &trader, 1, owner, 300 * USDC).await,
        KeelError::OrderExpired,
    );
    execute(&mut w, &executor, &trader, 0, owner, 300 * USDC)
        .await
        .unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn only_the_owner_or_delegate_posts_and_cancels_and_orders_block_closing() {
    let mut w = sol_usdc().await;
    let owner = w.trader(&[SOL, 0]).await;
    let delegate = w.trader(&[0, 0]).await;
    let stranger = w.trader(&[0, 0]).await;
    let params = health_order(12_000, 100 * USDC);
    assert_keel_error(
        post(&mut w, &stranger, &owner, 0, params).await,
        KeelError::NotOwnerOrDelegate,
    );
    // bounds: an id past 7, a bonus above the seize market's max liquidation bonus (10%), a
    // trigger at or below 1.0, a price order on a third market, no amount
    assert_keel_error(
        post(&mut w, &owner, &owner, 8, params).await,
        KeelError::InvalidOrderId,
    );
    let bad = [
        OrderParams {
            max_bonus_bps: 1_001,
            ..params
        },
        OrderParams {
            trigger: OrderTrigger::HealthBelow { hf_bps: 10_000 },
            ..params
        },
        OrderParams {
            trigger: OrderTrigger::PriceAtOrBelow {
                market: Pubkey::new_unique(),
                price: Wad::from_int(1),
            },
            ..params
        },
        OrderParams {
            max_repay: 0,
            ..params
        },
        OrderParams {
            min_bonus_bps: 300,
            ..params
        },
    ];
    for p in bad {
        assert_keel_error(
            post(&mut w, &owner, &owner, 0, p).await,
            KeelError::InvalidOrder,
        );
    }
    let ix = kix::set_delegate(
        owner.key.pubkey(),
        owner.margin,
        delegate.key.pubkey(),
        &DelegatePower::ALL,
    );
    w.send_as(&owner.key, &[ix]).await.unwrap();
    // a delegate's order pays no bonus (issue 26)
    assert_keel_error(
        post(&mut w, &delegate, &owner, 3, params).await,
        KeelError::DelegateOrderBonus,
    );
    let free = OrderParams {
        min_bonus_bps: 0,
        max_bonus_bps: 0,
        ..params
    };
    post(&mut w, &delegate, &owner, 3, free).await.unwrap();
    let order = pda::order(&owner.margin, 3);
    let close = kix::close_account(owner.key.pubkey(), owner.margin);
    assert_keel_error(
        w.send_as(&owner.key, std::slice::from_ref(&close)).await,
        KeelError::OrdersOpen,
    );
    let cancel = |by: Pubkey| kix::cancel_order(by, owner.margin, order, delegate.key.pubkey());
    assert_keel_error(
        w.send_as(&stranger.key, &[cancel(stranger.key.pubkey())])
            .await,
        KeelError::NotOwnerOrDelegate,
    );
    // the rent goes back to whoever paid it: the delegate
    let wrong_payer =
        kix::cancel_order(owner.key.pubkey(), owner.margin, order, owner.key.pubkey());
    assert_keel_error(
        w.send_as(&owner.key, &[wrong_payer]).await,
        KeelError::OrderMismatch,
    );
    let rent = w.env.account(order).await.unwrap().lamports;
    let before = w.env.account(delegate.key.pubkey()).await.unwrap().lamports;
    w.send_as(&owner.key, &[cancel(owner.key.pubkey())])
        .await
        .unwrap();
    assert_eq!(
        w.env.account(delegate.key.pubkey()).await.unwrap().lamports,
        before + rent
    );
    assert_eq!(w.margin(owner.margin).await.open_orders, 0);
    w.send_as(&owner.key, &[close]).await.unwrap();
    check(&mut w).await;
}
