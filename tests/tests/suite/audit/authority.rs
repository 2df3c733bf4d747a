//! Second review (issue 26): who may do what. A delegate's powers, the orders it posts, and what
//! outlives its revocation; order payouts and the outflow limit.
use super::*;
use crate::orders::{execute, levered, post};
use keel::state::DelegatePower;
use keel::state::{OrderParams, OrderTrigger};

/// A price trigger that is always met: SOL at or below $1,000,000.
fn always(w: &World, bonus_bps: u16, max_repay: u64) -> OrderParams {
    OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: w.markets[0].keys.market,
            price: Wad::from_int(1_000_000),
        },
        max_repay,
        min_bonus_bps: bonus_bps,
        max_bonus_bps: bonus_bps,
        expires_at: 0,
    }
}

/// Issue 26, high: a delegate posted an always-triggered order at the seize market's max bonus
/// and executed it from a second key, taking collateral worth repay x 1.10 out of the owner's
/// account; repeated, it cycled the account. A delegate's orders now carry no bonus.
#[tokio::test]
async fn a_delegate_cannot_pay_itself_a_bonus_through_an_order() {
    let (mut w, trader, _executor) = levered().await;
    let delegate = w.trader(&[0, 0]).await;
    let second_key = w.trader(&[0, 5_000 * USDC]).await;
    let ix = kix::set_delegate(
        trader.key.pubkey(),
        trader.margin,
        delegate.key.pubkey(),
        &DelegatePower::ALL,
    );
    w.send_as(&trader.key, &[ix]).await.unwrap();
    let sol_before = w.margin(trader.margin).await.positions[0].deposit_shares;
    let bonus = {
        let o = always(&w, 1_000, 700 * USDC);
        post(&mut w, &delegate, &trader, 0, o).await
    };
    assert_keel_error(bonus, KeelError::DelegateOrderBonus);
    assert_eq!(
        w.margin(trader.margin).await.positions[0].deposit_shares,
        sol_before
    );
    // a bonus-free order is the delegate's to post: its execution exchanges at spot, so the
    // second key gets exactly the repaid value in SOL (rounded toward the account)
    {
        let o = always(&w, 0, 100 * USDC);
        post(&mut w, &delegate, &trader, 0, o).await.unwrap();
    }
    let sol = balance(&mut w.env, second_key.tokens[0]).await;
    let payer = delegate.key.pubkey();
    execute(&mut w, &second_key, &trader, 0, payer, 100 * USDC)
        .await
        .unwrap();
    let got = balance(&mut w.env, second_key.tokens[0]).await - sol;
    assert!(
        got <= SOL,
        "100 USDC at $100 a SOL bought {got} lamports of SOL"
    );
    assert!(got >= SOL - 10, "{got}");
    // an owner's order may pay a bonus, as before
    let o = always(&w, 900, 100 * USDC);
    post(&mut w, &trader, &trader, 1, o).await.unwrap();
    check(&mut w).await;
}

/// Issue 26, high: an order outlived the delegate that posted it. Revoking (or replacing) the
/// delegate now voids every order it posted.
#[tokio::test]
async fn a_revoked_delegates_order_no_longer_executes() {
    let (mut w, trader, executor) = levered().await;
    let delegate = w.trader(&[0, 0]).await;
    let ix = kix::set_delegate(
        trader.key.pubkey(),
        trader.margin,
        delegate.key.pubkey(),
        &DelegatePower::ALL,
    );
    w.send_as(&trader.key, &[ix]).await.unwrap();
    {
        let o = always(&w, 0, 300 * USDC);
        post(&mut w, &delegate, &trader, 0, o)
    }
    .await
    .unwrap();
    // the owner's own order survives any change of delegate
    {
        let o = always(&w, 100, 300 * USDC);
        post(&mut w, &trader, &trader, 1, o).await.unwrap();
    }
    let revoke = kix::set_delegate(trader.key.pubkey(), trader.margin, Pubkey::default(), &[]);
    w.send_as(&trader.key, &[revoke]).await.unwrap();
    let payer = delegate.key.pubkey();
    assert_keel_error(
        execute(&mut w, &executor, &trader, 0, payer, 300 * USDC).await,
        KeelError::OrderAuthorityRevoked,
    );
    // named again: a new epoch, so the order it posted before stays void
    let again = kix::set_delegate(
        trader.key.pubkey(),
        trader.margin,
        delegate.key.pubkey(),
        &DelegatePower::ALL,
    );
    w.send_as(&trader.key, &[again]).await.unwrap();
    assert_keel_error(
        execute(&mut w, &executor, &trader, 0, payer, 300 * USDC).await,
        KeelError::OrderAuthorityRevoked,
    );
    // without the orders power a delegate posts nothing
    let no_orders = kix::set_delegate(
        trader.key.pubkey(),
        trader.margin,
        delegate.key.pubkey(),
        &[DelegatePower::Deposit],
    );
    w.send_as(&trader.key, &[no_orders]).await.unwrap();
    let refused = {
        let o = always(&w, 0, 300 * USDC);
        post(&mut w, &delegate, &trader, 2, o).await
    };
    assert_keel_error(refused, KeelError::DelegateLacksPower);
    let owner = trader.key.pubkey();
    execute(&mut w, &executor, &trader, 1, owner, 300 * USDC)
        .await
        .expect("the owner's order outlives the delegate");
    check(&mut w).await;
}

/// Issue 26, medium: collateral an order paid out left the vault uncounted while the deposit
/// that brought it in stayed credited, so the outflow limit was switched off for everyone.
#[tokio::test]
async fn order_payouts_cannot_switch_off_the_outflow_limit() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 0, |c| c.outflow.max_outflow = SOL)
        .await
        .unwrap();
    let attacker = w.trader(&[20 * SOL, 0]).await;
    let second_key = w.trader(&[0, 5_000 * USDC]).await;
    w.deposit(&attacker, 0, 20 * SOL).await.unwrap();
    w.borrow(&attacker, 1, 1_000 * USDC).await.unwrap();
    {
        let o = always(&w, 0, 1_000 * USDC);
        post(&mut w, &attacker, &attacker, 0, o)
    }
    .await
    .unwrap();
    let payer = attacker.key.pubkey();
    // the order pays 10 SOL out of the vault; the attacker then takes its other 10 out
    let _ = execute(&mut w, &second_key, &attacker, 0, payer, 1_000 * USDC).await;
    let _ = w.withdraw(&attacker, 0, u64::MAX).await;
    // 20 SOL have left at most once: another 10 SOL at once is a run the limit must stop
    assert_keel_error(
        w.withdraw(&trader, 0, 10 * SOL).await,
        KeelError::OutflowLimitExceeded,
    );
    check(&mut w).await;
}
