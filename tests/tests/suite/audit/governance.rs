//! Governance findings: queued changes (expiry, compare-and-swap, raised delay), the maintenance ramp, curve changes, bounds, hand-overs, listings.
use super::*;

/// Finding 6: a matured un-pause left unexecuted lifted a later guardian pause at once (anyone
/// could execute it). A queued change now executes only against the state it was queued against.
#[tokio::test]
async fn a_matured_unpause_cannot_lift_a_later_pause() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.env.warp(HOUR + 1).await;
    let guardian = w.guardian.insecure_clone();
    let pause = kix::pause(guardian.pubkey(), w.pool, true, false);
    w.send_as(&guardian, &[pause]).await.unwrap();
    let anyone = Keypair::new();
    keel_tests::world::fund(&mut w.env, &anyone.pubkey(), 1_000_000_000);
    assert_keel_error(
        w.execute(&anyone, change, None).await,
        KeelError::ChangeBaseChanged,
    );
    assert!(w.pool_state().await.borrow_paused, "the pause stands");
}

/// Finding 6: a matured market change reverted a later tightening.
#[tokio::test]
async fn a_matured_change_cannot_revert_a_later_tightening() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let mut looser = w.market(0).await.config;
    looser.weights.init_asset_weight_bps = 8_200;
    let change = w
        .queue(ChangeKind::MarketConfig {
            market: w.markets[0].keys.market,
            config: looser,
        })
        .await
        .unwrap();
    w.env.warp(HOUR + 1).await;
    guardian_tightens(&mut w, 0, |c| c.deposit_cap = 1_000 * SOL)
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, Some(0)).await,
        KeelError::ChangeBaseChanged,
    );
    assert_eq!(w.market(0).await.config.deposit_cap, 1_000 * SOL);
}

/// Finding 6: queued changes never expired. Now they may execute only within a window after eta.
#[tokio::test]
async fn queued_changes_expire() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.env
        .warp(HOUR + keel::constants::CHANGE_EXECUTION_WINDOW_SECS + 1)
        .await;
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, None).await,
        KeelError::ChangeExpired,
    );
}

/// Finding 6: raising the timelock did not delay changes already queued.
#[tokio::test]
async fn raising_the_timelock_delays_changes_already_queued() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    raise_delay(&mut w, DAY).await;
    w.env.warp(HOUR + 1).await;
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, None).await,
        KeelError::TimelockNotElapsed,
    );
    w.env.warp(DAY).await;
    w.execute(&admin, change, None).await.unwrap();
}

/// Finding 7: the guardian's "tightening" of a maintenance weight was instant and unbounded:
/// 85% to 1 bp in one transaction handed a colluding liquidator the bonus on every account.
/// Maintenance weights now move along a linear ramp; initial weights still move at once.
#[tokio::test]
async fn the_guardian_cannot_cut_maintenance_weights_at_once() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    guardian_tightens(&mut w, 0, |c| {
        c.weights.init_asset_weight_bps = 0;
        c.weights.maint_asset_weight_bps = 1;
    })
    .await
    .unwrap();
    // at once: no new borrowing against SOL, but the account is not liquidatable
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    let report = w.health(trader.margin).await.unwrap();
    assert!(!report.liquidatable, "{report:?}");
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    // along the ramp the requirement rises; at its end the new weight applies
    w.env
        .warp(keel::constants::MAINT_WEIGHT_RAMP_SECS / 2)
        .await;
    w.refresh_prices(&[100 * USD, USD]).await;
    let half = w.health(trader.margin).await.unwrap();
    assert!(half.collateral_maint < report.collateral_maint);
    assert!(half.collateral_maint > Wad::from_int(400));
    w.env.warp(keel::constants::MAINT_WEIGHT_RAMP_SECS).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    assert!(w.health(trader.margin).await.unwrap().liquidatable);
    check(&mut w).await;
}

/// Finding 12: `execute_change` did not accrue before changing the curve, so the new rate applied
/// to the whole time since the last accrual.
#[tokio::test]
async fn a_curve_change_is_not_retroactive() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap(); // 79 % utilisation: ~9.9 % APR
    w.env.warp(365 * DAY).await;
    let mut steep = w.market(1).await.config;
    steep.curve.slope1_bps = 100_000;
    let change = w
        .queue(ChangeKind::MarketConfig {
            market: w.markets[1].keys.market,
            config: steep,
        })
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    w.execute(&admin, change, Some(1)).await.unwrap();
    w.accrue(1).await.unwrap();
    let index = w.market(1).await.borrow_index;
    assert!(
        index.0 < WAD * 12 / 10,
        "the year before the change accrued at the new curve: index {}",
        index.0 as f64 / WAD as f64
    );
    check(&mut w).await;
}

/// Finding 13: `dust_debt_usd` had no upper bound; set high, every account is dust (full close,
/// no target).
#[tokio::test]
async fn dust_debt_usd_is_bounded() {
    let mut w = sol_usdc().await;
    let mut config = keel_tests::world::default_liquidation();
    config.dust_debt_usd = u32::MAX;
    assert_keel_error(
        w.queue(ChangeKind::LiquidationConfig { config }).await,
        KeelError::InvalidLiquidationConfig,
    );
}

/// Finding 14: a guardian proposed by an old admin could still accept after the admin changed
/// hands. Accepting the admin role now clears every pending proposal.
#[tokio::test]
async fn a_new_admin_drops_the_old_admins_pending_guardian() {
    let mut w = sol_usdc().await;
    let admin = w.admin.insecure_clone();
    let (next_admin, stale_guardian) = (Keypair::new(), Keypair::new());
    for k in [&next_admin, &stale_guardian] {
        keel_tests::world::fund(&mut w.env, &k.pubkey(), 1_000_000_000);
    }
    use keel::state::Role;
    let propose_g = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(stale_guardian.pubkey()),
    );
    let propose_a = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Admin,
        Some(next_admin.pubkey()),
    );
    w.send_as(&admin, &[propose_g, propose_a]).await.unwrap();
    let accept = kix::accept_authority(next_admin.pubkey(), w.pool, Role::Admin);
    w.send_as(&next_admin, &[accept]).await.unwrap();
    let late = kix::accept_authority(stale_guardian.pubkey(), w.pool, Role::Guardian);
    assert_keel_error(
        w.send_as(&stale_guardian, &[late]).await,
        KeelError::NoPendingAuthority,
    );
    assert_ne!(w.pool_state().await.guardian, stale_guardian.pubkey());
}

/// Finding 14: `add_market` cannot be vetoed through the queue, but a listing is inert until its
/// `active_after`, and the guardian can neutralise it before then by tightening its caps and
/// weights to zero.
#[tokio::test]
async fn the_guardian_can_neutralise_a_pending_listing() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: 1_000 * USD,
    };
    let fake = w
        .list_market(&spec, MintExtension::None, |_| {})
        .await
        .unwrap();
    guardian_tightens(&mut w, fake, |c| {
        c.deposit_cap = 0;
        c.borrow_cap = 0;
        c.weights.init_asset_weight_bps = 0;
    })
    .await
    .unwrap();
    w.env.warp(DAY + 1).await;
    w.set_price(fake, 1_000 * USD).await;
    let attacker = w.trader(&[0, 0, 1_000 * USDC]).await;
    assert_keel_error(
        w.deposit(&attacker, fake, USDC).await,
        KeelError::DepositCapExceeded,
    );
    assert_eq!(
        balance(&mut w.env, attacker.tokens[fake]).await,
        1_000 * USDC
    );
}

/// Review of finding 6: the compare-and-swap hashed values, so a change the guardian voided came
/// back when the values did (A-B-A). It now hashes version counters.
#[tokio::test]
async fn a_vetoed_change_does_not_come_back() {
    let mut w = sol_usdc().await;
    let market = w.markets[0].keys.market;
    let x = w.market(0).await.config;
    let mut doubled = x;
    doubled.deposit_cap = x.deposit_cap.saturating_mul(2).min(u64::MAX / 2);
    let c1 = w
        .queue(ChangeKind::MarketConfig {
            market,
            config: doubled,
        })
        .await
        .unwrap();
    guardian_tightens(&mut w, 0, |c| c.deposit_cap /= 2)
        .await
        .unwrap();
    let c2 = w
        .queue(ChangeKind::MarketConfig { market, config: x })
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    w.execute(&admin, c2, Some(0)).await.unwrap();
    assert_eq!(w.market(0).await.config, x, "the values are back");
    assert_keel_error(
        w.execute(&admin, c1, Some(0)).await,
        KeelError::ChangeBaseChanged,
    );
}

/// Review (info): a change the previous admin queued does not execute after a hand-over.
#[tokio::test]
async fn a_new_admin_voids_the_old_admins_queue() {
    let mut w = sol_usdc().await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    let admin = w.admin.insecure_clone();
    let next = Keypair::new();
    keel_tests::world::fund(&mut w.env, &next.pubkey(), 1_000_000_000);
    use keel::state::Role;
    let propose =
        kix::set_pending_authority(admin.pubkey(), w.pool, Role::Admin, Some(next.pubkey()));
    w.send_as(&admin, &[propose]).await.unwrap();
    let accept = kix::accept_authority(next.pubkey(), w.pool, Role::Admin);
    w.send_as(&next, &[accept]).await.unwrap();
    assert_keel_error(
        w.execute(&next, change, None).await,
        KeelError::ChangeBaseChanged,
    );
}
