//! Second review (issue 26): the guardian's veto over the timelock survives any hand-over the
//! admin controls.
use super::*;
use keel::state::Role;

/// Issue 26, medium: a hijacked admin proposed its own guardian and had it accept in the same
/// block; the real guardian's veto (cancel_change) was gone before the queued loosening matured.
#[tokio::test]
async fn the_admin_cannot_seat_its_own_guardian_at_once() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let admin = w.admin.insecure_clone();
    let usurper = Keypair::new();
    keel_tests::world::fund(&mut w.env, &usurper.pubkey(), 1_000_000_000);
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(usurper.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    let accept = kix::accept_authority(usurper.pubkey(), w.pool, Role::Guardian);
    assert_keel_error(
        w.send_as(&usurper, std::slice::from_ref(&accept)).await,
        KeelError::GuardianHandoverTimelocked,
    );
    assert_eq!(w.pool_state().await.guardian, w.guardian.pubkey());
    // the sitting guardian vetoes it; nothing is left to accept, even after the delay
    let guardian = w.guardian.insecure_clone();
    let veto = kix::veto_guardian_handover(guardian.pubkey(), w.pool);
    w.send_as(&guardian, &[veto]).await.unwrap();
    w.env.warp(DAY).await;
    assert_keel_error(
        w.send_as(&usurper, std::slice::from_ref(&accept)).await,
        KeelError::NoPendingAuthority,
    );
    // an honest hand-over goes through once its delay has passed
    let successor = Keypair::new();
    keel_tests::world::fund(&mut w.env, &successor.pubkey(), 1_000_000_000);
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(successor.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    w.env.warp(2 * DAY).await; // the veto is spent: this proposal waits twice the delay
    let accept = kix::accept_authority(successor.pubkey(), w.pool, Role::Guardian);
    w.send_as(&successor, &[accept]).await.unwrap();
    assert_eq!(w.pool_state().await.guardian, successor.pubkey());
}

/// Attack review of issue 26's fix: the veto itself must not keep a rogue guardian seated for
/// good. It delays a hand-over once; the admin's next proposal waits twice the timelock and
/// cannot be vetoed.
#[tokio::test]
async fn a_rogue_guardian_cannot_veto_its_replacement_for_good() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    let successor = Keypair::new();
    keel_tests::world::fund(&mut w.env, &successor.pubkey(), 1_000_000_000);
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(successor.pubkey()),
    );
    let veto = kix::veto_guardian_handover(guardian.pubkey(), w.pool);
    w.send_as(&admin, std::slice::from_ref(&propose))
        .await
        .unwrap();
    w.send_as(&guardian, std::slice::from_ref(&veto))
        .await
        .unwrap();
    w.env.advance_blockhash();
    w.send_as(&admin, std::slice::from_ref(&propose))
        .await
        .unwrap();
    w.env.advance_blockhash();
    assert_keel_error(
        w.send_as(&guardian, &[veto]).await,
        KeelError::GuardianVetoSpent,
    );
    let accept = kix::accept_authority(successor.pubkey(), w.pool, Role::Guardian);
    w.env.warp(DAY + 60).await;
    assert_keel_error(
        w.send_as(&successor, std::slice::from_ref(&accept)).await,
        KeelError::GuardianHandoverTimelocked,
    );
    w.env.warp(DAY).await;
    w.send_as(&successor, &[accept]).await.unwrap();
    assert_eq!(w.pool_state().await.guardian, successor.pubkey());
}

/// Issue 26 low: the guardian alone could keep liquidation paused with no bound. Its pause now
/// lapses after a day (then the grace period runs), and it cannot pause again until a day after
/// that, whatever the admin did meanwhile; the admin's own pause stays unbounded.
#[tokio::test]
async fn the_guardian_alone_cannot_keep_liquidation_paused() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    let guardian = w.guardian.insecure_clone();
    let pause = kix::pause(guardian.pubkey(), w.pool, false, true);
    w.send_as(&guardian, std::slice::from_ref(&pause))
        .await
        .unwrap();
    w.set_price(0, 80 * USD).await;
    let liquidator = liquidator(&mut w).await;
    assert_keel_error(
        w.liquidate(&liquidator, trader.margin, 1, 0, 50 * USDC)
            .await,
        KeelError::LiquidationPaused,
    );
    w.env.warp(DAY).await;
    w.refresh_prices(&[80 * USD, USD]).await;
    assert_keel_error(
        w.liquidate(&liquidator, trader.margin, 1, 0, 50 * USDC)
            .await,
        KeelError::LiquidationGracePeriod,
    );
    let grace = w.pool_state().await.liquidation.grace_secs as i64;
    w.env.warp(grace).await;
    w.refresh_prices(&[80 * USD, USD]).await;
    w.env.advance_blockhash();
    assert_keel_error(
        w.send_as(&guardian, &[pause]).await,
        KeelError::GuardianPauseSpent,
    );
    w.liquidate(&liquidator, trader.margin, 1, 0, 50 * USDC)
        .await
        .expect("the guardian's pause lapsed");
    check(&mut w).await;
}

/// Issue 26 low: the guardian could throttle a market's outflow to one base unit a week. Alone it
/// may now go no slower than 1% of the market's deposits a day (the admin may).
#[tokio::test]
async fn the_guardian_alone_cannot_freeze_lenders_exits() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    assert_keel_error(
        guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = 1).await,
        KeelError::OutflowBelowFloor,
    );
    // 1,000 USDC a day of 100,000 deposited is the floor
    let window = w.market(1).await.config.outflow.window_secs as u64;
    let per_window = (1_000 * USDC as u128 * window as u128).div_ceil(86_400) as u64;
    guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = per_window)
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    let mut c = w.market(1).await.config;
    c.outflow.max_outflow = 1;
    let ix = kix::tighten_market(admin.pubkey(), w.pool, w.markets[1].keys.market, c);
    w.send_as(&admin, &[ix])
        .await
        .expect("the admin may freeze");
    assert_keel_error(
        w.withdraw(&lender, 1, 2).await,
        KeelError::OutflowLimitExceeded,
    );
}

/// Second attack review: the admin spent the guardian's one veto itself (propose a dummy, veto
/// it with the admin key), so its real candidate could no longer be vetoed. The veto is the
/// guardian's alone; the admin withdraws its own proposals with `set_pending_authority(None)`.
#[tokio::test]
async fn the_admin_cannot_spend_the_guardians_veto() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let admin = w.admin.insecure_clone();
    let dummy = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(Pubkey::new_unique()),
    );
    w.send_as(&admin, &[dummy]).await.unwrap();
    let spent = w
        .send_as(
            &admin,
            &[kix::veto_guardian_handover(admin.pubkey(), w.pool)],
        )
        .await;
    assert_keel_error(spent, KeelError::NotGuardian);
    assert!(!w.pool_state().await.guardian_veto_spent);
}

/// Second attack review: a borrow pause also stopped every withdrawal, and a rogue guardian could
/// keep it up for months (re-pausing voids a queued un-pause; a hand-over it vetoes waits). A
/// pause stops what creates risk, never a lender's exit: an account without debt withdraws
/// through it (still within the outflow limit, whose floor the guardian cannot go below), and an
/// account with debt repays first (repay never stops).
#[tokio::test]
async fn a_borrow_pause_cannot_trap_lenders() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let guardian = w.guardian.insecure_clone();
    let pause = kix::pause(guardian.pubkey(), w.pool, true, false);
    w.send_as(&guardian, &[pause]).await.unwrap();
    w.withdraw(&lender, 1, 1_000 * USDC)
        .await
        .expect("a lender without debt was trapped by the pause");
    assert_keel_error(w.withdraw(&trader, 0, SOL).await, KeelError::Paused);
    w.repay(&trader, trader.margin, 1, u64::MAX).await.unwrap();
    w.withdraw(&trader, 0, SOL)
        .await
        .expect("repaid, the trader leaves too");
    check(&mut w).await;
}
