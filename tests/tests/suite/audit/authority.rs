//! Second review (issue 26): who may do what. A delegate's powers, the orders it posts, and what
//! outlives its revocation; order payouts and the outflow limit.
use super::*;
use crate::orders::{execute, levered, post};
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
    let ix = kix::set_delegate(trader.key.pubkey(), trader.margin, delegate.key.pubkey());
    w.send_as(&trader.key, &[ix]).await.unwrap();
    let sol_before = w.margin(trader.margin).await.positions[0].deposit_shares;
    let posted = {
        let o = always(&w, 1_000, 700 * USDC);
        post(&mut w, &delegate, &trader, 0, o)
    }
    .await;
    if posted.is_ok() {
        let owner = delegate.key.pubkey();
        let executed = execute(&mut w, &second_key, &trader, 0, owner, 700 * USDC).await;
        assert!(
            executed.is_err(),
            "the delegate's second key took the owner's collateral at a 10% bonus"
        );
    }
    assert!(posted.is_err(), "a delegate posted a bonus-paying order");
    assert_eq!(
        w.margin(trader.margin).await.positions[0].deposit_shares,
        sol_before
    );
    check(&mut w).await;
}

/// Issue 26, high: an order outlived the delegate that posted it. Revoking (or replacing) the
/// delegate now voids every order it posted.
#[tokio::test]
async fn a_revoked_delegates_order_no_longer_executes() {
    let (mut w, trader, executor) = levered().await;
    let delegate = w.trader(&[0, 0]).await;
    let ix = kix::set_delegate(trader.key.pubkey(), trader.margin, delegate.key.pubkey());
    w.send_as(&trader.key, &[ix]).await.unwrap();
    {
        let o = always(&w, 0, 300 * USDC);
        post(&mut w, &delegate, &trader, 0, o)
    }
    .await
    .unwrap();
    let revoke = kix::set_delegate(trader.key.pubkey(), trader.margin, Pubkey::default());
    w.send_as(&trader.key, &[revoke]).await.unwrap();
    let payer = delegate.key.pubkey();
    let executed = execute(&mut w, &executor, &trader, 0, payer, 300 * USDC).await;
    assert!(executed.is_err(), "a revoked delegate's order executed");
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
