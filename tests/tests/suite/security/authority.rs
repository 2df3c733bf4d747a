//! The matrix's authority class (issue 26): every key other than the one entitled (a stranger,
//! which is also what the owner's second key is on chain; a delegate without the power; a
//! revoked delegate; the account's own owner or delegate where they must not act; an old admin
//! or guardian; the admin where only the guardian may act) signs every instruction that moves
//! value or authority, and must be refused with an authority error, changing nothing.
use super::*;
use keel::state::DelegatePower;
use solana_sdk::instruction::Instruction;

/// `ix` signed by `by` is refused with one of `errors` and changes nothing in `keys`.
async fn refused(
    w: &mut World,
    keys: &[Pubkey],
    (what, by): (&str, &Keypair),
    ix: Instruction,
    errors: &[KeelError],
) {
    let before = snapshot(w, keys).await;
    let out = w.send_as(by, &[ix]).await;
    let code = out.as_ref().err().and_then(custom_error);
    assert!(
        errors.iter().any(|e| Some(u32::from(*e)) == code),
        "{what}: expected one of {errors:?}, got {out:?}"
    );
    assert_unchanged(w, keys, &before).await;
}

/// Every value-moving instruction of a margin account, signed by a stranger, a delegate without
/// the power, a revoked delegate, and (for liquidate and execute_order) the owner and its
/// delegate.
#[tokio::test]
async fn no_key_but_the_entitled_one_moves_an_accounts_value() {
    let mut w = sol_usdc().await;
    let (lender, owner) = funded(&mut w).await;
    w.borrow(&owner, 1, 700 * USDC).await.unwrap();
    let payer = w.env.payer().pubkey();
    let (usdc, sol) = (w.markets[1].keys, w.markets[0].keys);
    // an order of the owner's, triggered at $90
    let params = OrderParams {
        trigger: OrderTrigger::HealthBelow { hf_bps: 11_500 },
        max_repay: 100 * USDC,
        min_bonus_bps: 50,
        max_bonus_bps: 200,
        expires_at: 0,
    };
    let post = |by: Pubkey, id: u8| {
        kix::post_order(
            (by, payer),
            owner.margin,
            (usdc.market, sol.market),
            id,
            params,
        )
    };
    w.send_as(&owner.key, &[post(owner.key.pubkey(), 0)])
        .await
        .unwrap();
    let order = pda::order(&owner.margin, 0);
    // a stranger (or the owner's second key), a revoked delegate, a powerless delegate
    let stranger = w.trader(&[10 * SOL, 10_000 * USDC]).await;
    let revoked = w.trader(&[10 * SOL, 10_000 * USDC]).await;
    let powerless = w.trader(&[10 * SOL, 10_000 * USDC]).await;
    let name = |key: Pubkey, powers: &[DelegatePower]| {
        kix::set_delegate(owner.key.pubkey(), owner.margin, key, powers)
    };
    w.send_as(
        &owner.key,
        &[name(revoked.key.pubkey(), &DelegatePower::ALL)],
    )
    .await
    .unwrap();
    w.send_as(&owner.key, &[name(powerless.key.pubkey(), &[])])
        .await
        .unwrap();
    w.set_price(0, 90 * USD).await;
    let metas = w.health_metas(owner.margin, None).await;
    let keys = watched(&w, &[&lender, &owner, &stranger, &revoked, &powerless]);
    let not_entitled = [KeelError::NotOwnerOrDelegate];
    let lacks = [KeelError::DelegateLacksPower];
    for (who, t, errors) in [
        ("stranger", &stranger, &not_entitled[..]),
        ("revoked delegate", &revoked, &not_entitled[..]),
        ("powerless delegate", &powerless, &lacks[..]),
    ] {
        let me = t.key.pubkey();
        let (m, by) = (owner.margin, (who, &t.key));
        let cases = [
            ("deposit", kix::deposit(me, m, &sol, t.tokens[0], SOL)),
            (
                "withdraw",
                kix::withdraw(me, m, &sol, owner.tokens[0], SOL, &metas),
            ),
            (
                "borrow",
                kix::borrow(me, m, &usdc, owner.tokens[1], USDC, &metas),
            ),
            ("post_order", post(me, 1)),
            ("cancel_order", kix::cancel_order(me, m, order, payer)),
        ];
        for (what, ix) in cases {
            refused(&mut w, &keys, (what, by.1), ix, errors).await;
        }
        // naming a delegate and closing are the owner's alone
        let rename = kix::set_delegate(me, m, me, &DelegatePower::ALL);
        refused(
            &mut w,
            &keys,
            ("set_delegate", by.1),
            rename,
            &[KeelError::NotAccountOwner],
        )
        .await;
        let close = kix::close_account(me, m);
        refused(
            &mut w,
            &keys,
            ("close_account", by.1),
            close,
            &[KeelError::NotAccountOwner],
        )
        .await;
    }
    // the owner and its delegate never collect the account's own bonus
    let delegate = powerless;
    for (who, t) in [("owner", &owner), ("delegate", &delegate)] {
        let execution = kix::ExecutionKeys {
            executor: t.key.pubkey(),
            order,
            margin_account: owner.margin,
            payer,
            repay: usdc,
            seize: sol,
            repay_source: t.tokens[1],
            seize_destination: t.tokens[0],
        };
        let ix = kix::execute_order(&execution, 100 * USDC, &metas);
        refused(
            &mut w,
            &keys,
            (who, &t.key),
            ix,
            &[KeelError::OrderSelfExecution],
        )
        .await;
    }
    w.set_price(0, 70 * USD).await; // liquidatable
    for (who, t) in [("owner", &owner), ("delegate", &delegate)] {
        let ix = w.liquidate_ix(t, owner.margin, 1, 0, 100 * USDC).await;
        refused(
            &mut w,
            &keys,
            (who, &t.key),
            ix,
            &[KeelError::SelfLiquidation],
        )
        .await;
    }
    check(&mut w).await;
}

/// Every governance instruction, signed by a stranger, the old admin and the old guardian after
/// both were handed over, the guardian where only the admin may act, the admin where only the
/// guardian may (its veto).
#[tokio::test]
async fn no_key_but_the_entitled_one_governs() {
    let mut w = sol_usdc().await;
    let (old_admin, old_guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    let (admin, guardian) = (Keypair::new(), Keypair::new());
    for k in [&admin, &guardian] {
        keel_tests::world::fund(&mut w.env, &k.pubkey(), 1_000_000_000);
    }
    let pool = w.pool;
    for (role, new) in [(Role::Guardian, &guardian), (Role::Admin, &admin)] {
        let propose =
            kix::set_pending_authority(old_admin.pubkey(), pool, role, Some(new.pubkey()));
        w.send_as(&old_admin, &[propose]).await.unwrap();
        w.send_as(new, &[kix::accept_authority(new.pubkey(), pool, role)])
            .await
            .unwrap();
    }
    // a queued change and a pending guardian proposal to act on
    let market = w.markets[0].keys.market;
    let mut config = w.market(0).await.config;
    config.deposit_cap = config.deposit_cap.saturating_add(1);
    let next = w.pool_state().await.next_change_id;
    let payer = w.env.payer().pubkey();
    let queue = |by: Pubkey, id: u64| {
        kix::queue_change(
            by,
            payer,
            pool,
            id,
            ChangeKind::MarketConfig { market, config },
        )
    };
    w.send_as(&admin, &[queue(admin.pubkey(), next)])
        .await
        .unwrap();
    let change = pda::pending_change(&pool, next);
    let candidate = Keypair::new();
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        pool,
        Role::Guardian,
        Some(candidate.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    let stranger = Keypair::new();
    let mut keys = watched(&w, &[]);
    keys.push(change);
    let admin_only = [KeelError::NotPoolAdmin];
    let either = [KeelError::NotAdminOrGuardian];
    for (who, k) in [
        ("stranger", &stranger),
        ("old admin", &old_admin),
        ("old guardian", &old_guardian),
        ("guardian", &guardian),
    ] {
        let me = k.pubkey();
        let admin_cases = [
            ("queue_change", queue(me, next + 1)),
            ("resume_liquidation", kix::resume_liquidation(me, pool)),
            ("raise_timelock", kix::raise_timelock(me, pool, 3_600)),
            (
                "set_pending_authority",
                kix::set_pending_authority(me, pool, Role::Admin, Some(me)),
            ),
        ];
        for (what, ix) in admin_cases {
            refused(&mut w, &keys, (what, k), ix, &admin_only).await;
        }
        if who == "guardian" {
            continue; // the guardian may tighten, pause and cancel
        }
        let mut tighter = w.market(0).await.config;
        tighter.deposit_cap /= 2;
        let either_cases = [
            (
                "tighten_market",
                kix::tighten_market(me, pool, market, tighter),
            ),
            ("pause", kix::pause(me, pool, true, true)),
            ("cancel_change", kix::cancel_change(me, pool, change, payer)),
        ];
        for (what, ix) in either_cases {
            refused(&mut w, &keys, (what, k), ix, &either).await;
        }
    }
    // the veto is the sitting guardian's alone
    for (who, k) in [
        ("admin", &admin),
        ("old guardian", &old_guardian),
        ("stranger", &stranger),
    ] {
        let ix = kix::veto_guardian_handover(k.pubkey(), pool);
        refused(&mut w, &keys, (who, k), ix, &[KeelError::NotGuardian]).await;
    }
    // and a hand-over is accepted by the proposed key alone
    for (who, k) in [
        ("admin", &admin),
        ("guardian", &guardian),
        ("stranger", &stranger),
    ] {
        let ix = kix::accept_authority(k.pubkey(), pool, Role::Guardian);
        refused(
            &mut w,
            &keys,
            (who, k),
            ix,
            &[KeelError::NotPendingAuthority],
        )
        .await;
    }
}
