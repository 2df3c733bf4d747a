//! Governance and safety on the real runtime: who may change what and when, the timelock queue,
//! the guardian's limits, pause semantics, the outflow limit, the durable-nonce guard, and the
//! fake-collateral attack.
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use keel::errors::KeelError;
use keel::state::ChangeKind;
use keel::state::Role;
use keel_sdk::instructions as kix;
use keel_tests::env::{assert_anchor_error, assert_keel_error};
use keel_tests::invariants::check;
use keel_tests::tokens::{spl_token, MintExtension};
use keel_tests::world::{default_config, default_liquidation, USD};
use keel_tests::{MarketSpec, World};
use solana_sdk::signature::{Keypair, Signer};

const DAY: i64 = 86_400;

/// The pool and every market: what a refused governance instruction must leave untouched.
fn governed(w: &World) -> Vec<Pubkey> {
    let mut keys = vec![w.pool];
    keys.extend(w.markets.iter().map(|m| m.keys.market));
    keys
}

async fn raise_delay(w: &mut World, delay: i64) {
    let admin = w.admin.insecure_clone();
    let ix = kix::raise_timelock(admin.pubkey(), w.pool, delay);
    w.send_as(&admin, &[ix]).await.unwrap();
    assert_eq!(w.pool_state().await.timelock_delay_secs, delay);
}

fn looser_weight(w: &World, m: usize) -> ChangeKind {
    let mut config = default_config(w.markets[m].feed_id);
    config.weights.init_asset_weight_bps = 8_400; // from 80% (1% below maintenance)
    ChangeKind::MarketConfig {
        market: w.markets[m].keys.market,
        config,
    }
}

#[tokio::test]
async fn admin_instructions_refuse_wrong_signer_wrong_pool_and_bad_values() {
    let mut w = sol_usdc().await;
    let keys = governed(&w);
    let before = snapshot(&mut w, &keys).await;
    let (admin, guardian, stranger) = (
        w.admin.insecure_clone(),
        w.guardian.insecure_clone(),
        Keypair::new(),
    );
    let (pool, sol) = (w.pool, w.markets[0].keys.market);
    let payer = w.env.payer().pubkey();
    let tighter = {
        let mut c = default_config(w.markets[0].feed_id);
        c.deposit_cap /= 2;
        c
    };
    // wrong signer, for every governance instruction
    let cases: Vec<(solana_sdk::instruction::Instruction, KeelError)> = vec![
        (
            kix::tighten_market(stranger.pubkey(), pool, sol, tighter),
            KeelError::NotAdminOrGuardian,
        ),
        // the fee payer funds the change account: the refusal is the program's, not the rent's
        (
            kix::queue_change(
                stranger.pubkey(),
                payer,
                pool,
                0,
                ChangeKind::UnpauseBorrowing,
            ),
            KeelError::NotPoolAdmin,
        ),
        (
            kix::pause(stranger.pubkey(), pool, true, true),
            KeelError::NotAdminOrGuardian,
        ),
        (
            kix::resume_liquidation(stranger.pubkey(), pool),
            KeelError::NotPoolAdmin,
        ),
        (
            kix::raise_timelock(stranger.pubkey(), pool, DAY),
            KeelError::NotPoolAdmin,
        ),
        (
            kix::set_pending_authority(
                stranger.pubkey(),
                pool,
                Role::Admin,
                Some(stranger.pubkey()),
            ),
            KeelError::NotPoolAdmin,
        ),
        (
            kix::accept_authority(stranger.pubkey(), pool, Role::Admin),
            KeelError::NoPendingAuthority,
        ),
    ];
    for (ix, err) in cases {
        assert_keel_error(w.send_as(&stranger, &[ix]).await, err);
    }
    // out-of-bounds values
    let mut bad = tighter;
    bad.weights.maint_asset_weight_bps = 10_001;
    assert_keel_error(
        w.send_as(
            &admin,
            &[kix::tighten_market(admin.pubkey(), pool, sol, bad)],
        )
        .await,
        KeelError::InvalidAssetWeights,
    );
    let mut bad_outflow = tighter;
    bad_outflow.outflow.window_secs = 10;
    assert_keel_error(
        w.send_as(
            &admin,
            &[kix::tighten_market(admin.pubkey(), pool, sol, bad_outflow)],
        )
        .await,
        KeelError::InvalidOutflowLimit,
    );
    let ix = kix::queue_change(
        admin.pubkey(),
        payer,
        pool,
        0,
        ChangeKind::TimelockDelay { delay_secs: -1 },
    );
    assert_keel_error(
        w.send_as(&admin, &[ix]).await,
        KeelError::InvalidTimelockDelay,
    );
    let mut liq = default_liquidation();
    liq.target_hf_bps = 9_000;
    let ix = kix::queue_change(
        admin.pubkey(),
        payer,
        pool,
        0,
        ChangeKind::LiquidationConfig { config: liq },
    );
    assert_keel_error(
        w.send_as(&admin, &[ix]).await,
        KeelError::InvalidLiquidationConfig,
    );
    let ix = kix::raise_timelock(admin.pubkey(), pool, 31 * DAY);
    assert_keel_error(
        w.send_as(&admin, &[ix]).await,
        KeelError::InvalidTimelockDelay,
    );
    // the guardian cannot move the admin, resume liquidation or queue
    let ix = kix::set_pending_authority(
        guardian.pubkey(),
        pool,
        Role::Admin,
        Some(guardian.pubkey()),
    );
    assert_keel_error(w.send_as(&guardian, &[ix]).await, KeelError::NotPoolAdmin);
    assert_unchanged(&mut w, &keys, &before).await;

    // wrong pool: pool B (another admin) and its market
    let admin_b = Keypair::new();
    let init = kix::init_pool(
        payer,
        7,
        admin_b.pubkey(),
        Pubkey::new_unique(),
        0,
        default_liquidation(),
    );
    w.env.send(&[init], &[]).await.unwrap();
    let pool_b = keel_sdk::pda::pool(&payer, 7);
    let keys_b = kix::MarketKeys::new(&pool_b, w.markets[0].keys.mint, spl_token());
    let add = kix::add_market(
        admin_b.pubkey(),
        payer,
        pool_b,
        &keys_b,
        default_config([9; 32]),
    );
    w.env.send(&[add], &[&admin_b]).await.unwrap();
    let keys = governed(&w);
    let before = snapshot(&mut w, &keys).await;
    // pool A's admin on pool B, and pool B's market under pool A
    assert_keel_error(
        w.send_as(&admin, &[kix::pause(admin.pubkey(), pool_b, true, false)])
            .await,
        KeelError::NotAdminOrGuardian,
    );
    assert_keel_error(
        w.send_as(
            &admin,
            &[kix::tighten_market(
                admin.pubkey(),
                pool,
                keys_b.market,
                tighter,
            )],
        )
        .await,
        KeelError::WrongPool,
    );
    let change_b = keel_sdk::pda::pending_change(&pool_b, 0);
    let q = kix::queue_change(
        admin_b.pubkey(),
        payer,
        pool_b,
        0,
        ChangeKind::UnpauseBorrowing,
    );
    w.env.send(&[q], &[&admin_b]).await.unwrap();
    assert_keel_error(
        w.send_as(
            &admin,
            &[kix::cancel_change(admin.pubkey(), pool, change_b, payer)],
        )
        .await,
        KeelError::WrongPool,
    );
    let exec = kix::execute_change(admin.pubkey(), pool, change_b, payer, None);
    assert_keel_error(w.send_as(&admin, &[exec]).await, KeelError::WrongPool);
    assert_unchanged(&mut w, &keys, &before).await;
}

#[tokio::test]
async fn loosening_waits_for_the_timelock_tightening_does_not() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    raise_delay(&mut w, DAY).await;

    // a looser collateral weight (80% -> 85%) is queued, not applied
    let change = w.queue(looser_weight(&w, 0)).await.unwrap();
    assert_eq!(
        w.market(0).await.config.weights.init_asset_weight_bps,
        8_000
    );
    let anyone = Keypair::new();
    assert_keel_error(
        w.execute(&anyone, change, Some(0)).await,
        KeelError::TimelockNotElapsed,
    );
    // the extra borrowing power is not there before the delay: 798.4 USDC is the limit at 80%
    assert_keel_error(
        w.borrow(&trader, 1, 800 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    // after the delay anyone executes it, and it is in force
    w.env.warp(DAY).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.execute(&anyone, change, Some(0)).await.unwrap();
    assert_eq!(
        w.market(0).await.config.weights.init_asset_weight_bps,
        8_400
    );
    assert!(
        w.env.account(change).await.is_none(),
        "executed change is closed"
    );
    w.borrow(&trader, 1, 800 * USDC).await.unwrap();

    // a cancelled change is gone: it cannot be executed, even after the delay
    let mut kind = looser_weight(&w, 1);
    if let ChangeKind::MarketConfig { config, .. } = &mut kind {
        config.deposit_cap = u64::MAX;
    }
    let change = w.queue(kind).await.unwrap();
    let admin = w.admin.insecure_clone();
    let payer = w.env.payer().pubkey();
    w.send_as(
        &admin,
        &[kix::cancel_change(admin.pubkey(), w.pool, change, payer)],
    )
    .await
    .unwrap();
    assert!(w.env.account(change).await.is_none());
    w.env.warp(DAY).await;
    assert_anchor_error(
        w.execute(&anyone, change, Some(1)).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    assert_eq!(
        w.market(1).await.config,
        default_config(w.markets[1].feed_id)
    );

    // tightening applies in the same transaction: lowering the weight then borrowing what only the
    // old weight allowed fails as one transaction; the weight change cannot be used to loosen
    w.refresh_prices(&[100 * USD, USD]).await;
    let mut tighter = w.market(0).await.config;
    tighter.weights.init_asset_weight_bps = 5_000;
    let tighten = kix::tighten_market(admin.pubkey(), w.pool, w.markets[0].keys.market, tighter);
    let metas = w.health_metas(trader.margin, None).await;
    let borrow = kix::borrow(
        trader.key.pubkey(),
        trader.margin,
        &w.markets[1].keys,
        trader.tokens[1],
        10 * USDC,
        &metas,
    );
    let r = w
        .env
        .send(&[tighten.clone(), borrow], &[&admin, &trader.key])
        .await;
    assert_keel_error(r, KeelError::InitialHealthViolated);
    w.send_as(&admin, &[tighten]).await.unwrap();
    assert_eq!(
        w.market(0).await.config.weights.init_asset_weight_bps,
        5_000
    );
    let mut looser = tighter;
    looser.weights.init_asset_weight_bps = 6_000;
    let ix = kix::tighten_market(admin.pubkey(), w.pool, w.markets[0].keys.market, looser);
    assert_keel_error(w.send_as(&admin, &[ix]).await, KeelError::NotTightening);

    // the delay is raised at once but lowered only through the queue
    let ix = kix::raise_timelock(admin.pubkey(), w.pool, DAY - 1);
    assert_keel_error(w.send_as(&admin, &[ix]).await, KeelError::TimelockNotRaised);
    let change = w
        .queue(ChangeKind::TimelockDelay { delay_secs: 3_600 })
        .await
        .unwrap();
    assert_keel_error(
        w.execute(&anyone, change, None).await,
        KeelError::TimelockNotElapsed,
    );
    w.env.warp(DAY).await;
    w.execute(&anyone, change, None).await.unwrap();
    assert_eq!(w.pool_state().await.timelock_delay_secs, 3_600);
    check(&mut w).await;
}

#[tokio::test]
async fn the_guardian_tightens_and_pauses_but_cannot_loosen() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let guardian = w.guardian.insecure_clone();
    let (pool, sol) = (w.pool, w.markets[0].keys.market);
    let mut tighter = w.market(0).await.config;
    tighter.borrow_cap = 1;
    w.send_as(
        &guardian,
        &[kix::tighten_market(guardian.pubkey(), pool, sol, tighter)],
    )
    .await
    .unwrap();
    assert_eq!(w.market(0).await.config.borrow_cap, 1);
    w.send_as(
        &guardian,
        &[kix::pause(guardian.pubkey(), pool, true, true)],
    )
    .await
    .unwrap();
    let p = w.pool_state().await;
    assert!(p.borrow_paused && p.liquidation_paused);

    let keys = governed(&w);
    let before = snapshot(&mut w, &keys).await;
    let mut looser = tighter;
    looser.borrow_cap = 2;
    assert_keel_error(
        w.send_as(
            &guardian,
            &[kix::tighten_market(guardian.pubkey(), pool, sol, looser)],
        )
        .await,
        KeelError::NotTightening,
    );
    let payer = w.env.payer().pubkey();
    let unpause = kix::queue_change(
        guardian.pubkey(),
        payer,
        pool,
        0,
        ChangeKind::UnpauseBorrowing,
    );
    assert_keel_error(
        w.send_as(&guardian, &[unpause]).await,
        KeelError::NotPoolAdmin,
    );
    assert_keel_error(
        w.send_as(
            &guardian,
            &[kix::resume_liquidation(guardian.pubkey(), pool)],
        )
        .await,
        KeelError::NotPoolAdmin,
    );
    let takeover = kix::set_pending_authority(
        guardian.pubkey(),
        pool,
        Role::Admin,
        Some(guardian.pubkey()),
    );
    assert_keel_error(
        w.send_as(&guardian, &[takeover]).await,
        KeelError::NotPoolAdmin,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // ...but may veto a queued loosening
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.send_as(
        &guardian,
        &[kix::cancel_change(guardian.pubkey(), pool, change, payer)],
    )
    .await
    .unwrap();
    assert!(w.env.account(change).await.is_none());
}

#[tokio::test]
async fn two_step_hand_over() {
    let mut w = sol_usdc().await;
    let (admin, pool) = (w.admin.insecure_clone(), w.pool);
    let next = Keypair::new();
    w.send_as(
        &admin,
        &[kix::set_pending_authority(
            admin.pubkey(),
            pool,
            Role::Admin,
            Some(next.pubkey()),
        )],
    )
    .await
    .unwrap();
    assert_eq!(w.pool_state().await.pending_admin, next.pubkey());
    // nobody else can accept; the admin can withdraw it
    let stranger = Keypair::new();
    assert_keel_error(
        w.send_as(
            &stranger,
            &[kix::accept_authority(stranger.pubkey(), pool, Role::Admin)],
        )
        .await,
        KeelError::NotPendingAuthority,
    );
    w.send_as(
        &admin,
        &[kix::set_pending_authority(
            admin.pubkey(),
            pool,
            Role::Admin,
            None,
        )],
    )
    .await
    .unwrap();
    assert_keel_error(
        w.send_as(
            &next,
            &[kix::accept_authority(next.pubkey(), pool, Role::Admin)],
        )
        .await,
        KeelError::NoPendingAuthority,
    );
    // propose again and accept
    w.send_as(
        &admin,
        &[kix::set_pending_authority(
            admin.pubkey(),
            pool,
            Role::Admin,
            Some(next.pubkey()),
        )],
    )
    .await
    .unwrap();
    w.send_as(
        &next,
        &[kix::accept_authority(next.pubkey(), pool, Role::Admin)],
    )
    .await
    .unwrap();
    let p = w.pool_state().await;
    assert_eq!(
        (p.admin, p.pending_admin),
        (next.pubkey(), Pubkey::default())
    );
    // the old admin is out
    assert_keel_error(
        w.send_as(&admin, &[kix::raise_timelock(admin.pubkey(), pool, DAY)])
            .await,
        KeelError::NotPoolAdmin,
    );
    // the guardian, likewise
    let g = Keypair::new();
    w.send_as(
        &next,
        &[kix::set_pending_authority(
            next.pubkey(),
            pool,
            Role::Guardian,
            Some(g.pubkey()),
        )],
    )
    .await
    .unwrap();
    w.send_as(
        &g,
        &[kix::accept_authority(g.pubkey(), pool, Role::Guardian)],
    )
    .await
    .unwrap();
    assert_eq!(w.pool_state().await.guardian, g.pubkey());
}

#[tokio::test]
async fn pause_stops_borrowing_never_deposit_repay_liquidation_or_a_lenders_exit() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let guardian = w.guardian.insecure_clone();
    w.send_as(
        &guardian,
        &[kix::pause(guardian.pubkey(), w.pool, true, false)],
    )
    .await
    .unwrap();

    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(w.borrow(&trader, 1, USDC).await, KeelError::Paused);
    assert_keel_error(w.withdraw(&trader, 0, 1).await, KeelError::Paused);
    assert_keel_error(w.deposit(&liq, 1, USDC).await, KeelError::Paused); // would open a position
    assert_unchanged(&mut w, &keys, &before).await;
    // a lender without debt still leaves (issue 26: no pause traps a lender)
    w.withdraw(&lender, 1, USDC).await.unwrap();
    let newcomer = Keypair::new();
    let payer = w.env.payer().pubkey();
    let open = kix::open_account(newcomer.pubkey(), payer, w.pool, 0);
    assert_keel_error(w.send_as(&newcomer, &[open]).await, KeelError::Paused);

    // deposits into an existing position, and repays, go on
    let authority = w.mint_authority.insecure_clone();
    let usdc = w.markets[1].keys;
    keel_tests::tokens::mint_to(
        &mut w.env,
        usdc.token_program,
        &usdc.mint,
        &authority,
        &lender.tokens[1],
        500 * USDC,
    )
    .await;
    w.deposit(&lender, 1, 500 * USDC).await.unwrap();
    w.repay(&trader, trader.margin, 1, 10 * USDC).await.unwrap();
    // and so does liquidation
    w.set_price(0, 90 * USD).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();

    // lifting the borrow pause is a loosening: through the queue
    let admin = w.admin.insecure_clone();
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.execute(&admin, change, None).await.unwrap(); // the delay is zero here
    assert!(!w.pool_state().await.borrow_paused);
    w.withdraw(&lender, 1, USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn liquidation_pause_and_grace_period() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    // an oracle incident: liquidation paused, the price falls
    w.send_as(
        &guardian,
        &[kix::pause(guardian.pubkey(), w.pool, false, true)],
    )
    .await
    .unwrap();
    w.set_price(0, 92 * USD).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::LiquidationPaused,
    );
    // resumed: not yet, the trader has the grace period (600 s) to repair health
    w.send_as(&admin, &[kix::resume_liquidation(admin.pubkey(), w.pool)])
        .await
        .unwrap();
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::LiquidationGracePeriod,
    );
    w.env.warp(599).await;
    w.refresh_prices(&[92 * USD, USD]).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::LiquidationGracePeriod,
    );
    w.env.warp(1).await;
    w.refresh_prices(&[92 * USD, USD]).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    check(&mut w).await;
}

/// Limit market `m`'s outflow to `max` base units an hour (a tightening: the admin applies it at once).
async fn limit_outflow(w: &mut World, m: usize, max: u64) {
    let admin = w.admin.insecure_clone();
    let mut c = w.market(m).await.config;
    c.outflow.max_outflow = max;
    let ix = kix::tighten_market(admin.pubkey(), w.pool, w.markets[m].keys.market, c);
    w.send_as(&admin, &[ix]).await.unwrap();
}

#[tokio::test]
async fn outflow_limit_per_window() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // 1,000 USDC per hour may leave the USDC vault (a tightening: applies at once)
    limit_outflow(&mut w, 1, 1_000 * USDC).await;
    // a leaky bucket of net outflow: 1,000 at once, draining 1,000 per hour (math/rate_limit.rs)
    w.withdraw(&lender, 1, 800 * USDC).await.unwrap();
    let keys = watched(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.withdraw(&lender, 1, 300 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    // a repay is an inflow: it nets (800 - 100 = 700 counted)
    w.repay(&trader, trader.margin, 1, 100 * USDC)
        .await
        .unwrap();
    // half an hour later 500 drained: 200 counted, so 300 fits, then 600 more does not
    w.env.warp(1_800).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&lender, 1, 300 * USDC).await.unwrap();
    assert_keel_error(
        w.withdraw(&lender, 1, 600 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    // borrowing counts too
    assert_keel_error(
        w.borrow(&trader, 1, 600 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    check(&mut w).await;
}

#[tokio::test]
async fn liquidation_is_exempt_from_the_outflow_limit() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    limit_outflow(&mut w, 0, 1).await; // one base unit of SOL an hour
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    assert!(keel_tests::tokens::balance(&mut w.env, liq.tokens[0]).await > SOL);
    check(&mut w).await;
}

#[tokio::test]
async fn admin_instructions_refuse_durable_nonce_transactions() {
    use solana_system_interface::instruction::{advance_nonce_account, create_nonce_account};
    let mut w = sol_usdc().await;
    let payer = w.env.payer();
    let nonce = Keypair::new();
    let ixs = create_nonce_account(
        &payer.pubkey(),
        &nonce.pubkey(),
        &payer.pubkey(),
        10_000_000,
    );
    w.env.send(&ixs, &[&nonce]).await.unwrap();
    w.env.advance_blockhash();
    let admin = w.admin.insecure_clone();
    let pause = kix::pause(admin.pubkey(), w.pool, true, false);
    // the durable-nonce shape: AdvanceNonceAccount first
    let tx = w
        .env
        .raw_transaction(
            &[
                advance_nonce_account(&nonce.pubkey(), &payer.pubkey()),
                pause.clone(),
            ],
            &[&admin],
        )
        .await;
    let r = w.env.process(tx).await;
    assert_keel_error(r, KeelError::DurableNonceRefused);
    assert!(!w.pool_state().await.borrow_paused);
    // the same instruction in an ordinary transaction passes
    w.send_as(&admin, &[pause]).await.unwrap();
    assert!(w.pool_state().await.borrow_paused);
}

#[tokio::test]
async fn fake_collateral_attack_is_stopped_by_the_timelock_and_the_guardian() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    raise_delay(&mut w, DAY).await;
    let usdc_vault = keel_sdk::pda::vault(&w.markets[1].keys.market);
    let vault_before = keel_tests::tokens::balance(&mut w.env, usdc_vault).await;

    // the admin key is stolen: it lists a token the attacker mints, and queues a higher weight
    let fake = w
        .list_market(
            &MarketSpec {
                token_program: spl_token(),
                decimals: 6,
                price: 1_000 * USD,
            },
            MintExtension::None,
            |_| {},
        )
        .await
        .unwrap();
    let raise = {
        let mut config = default_config(w.markets[fake].feed_id);
        config.weights.init_asset_weight_bps = 8_500;
        config.weights.maint_asset_weight_bps = 9_000;
        // a 6% max bonus: what Aave v4's rule allows at 90% (state/market.rs)
        config.bonus.max_bonus_bps = 600;
        ChangeKind::MarketConfig {
            market: w.markets[fake].keys.market,
            config,
        }
    };
    let change = w.queue(raise).await.unwrap();
    let attacker = w.trader(&[0, 0, 1_000_000 * USDC]).await;
    // nothing of it is usable before the delay
    assert_keel_error(
        w.deposit(&attacker, fake, 1_000_000 * USDC).await,
        KeelError::MarketNotActive,
    );
    assert_keel_error(
        w.borrow(&attacker, 1, 50_000 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    let anyone = Keypair::new();
    assert_keel_error(
        w.execute(&anyone, change, Some(fake)).await,
        KeelError::TimelockNotElapsed,
    );

    // inside the delay, the guardian pauses borrowing and vetoes the change
    let guardian = w.guardian.insecure_clone();
    w.send_as(
        &guardian,
        &[kix::pause(guardian.pubkey(), w.pool, true, false)],
    )
    .await
    .unwrap();
    let payer = w.env.payer().pubkey();
    w.send_as(
        &guardian,
        &[kix::cancel_change(guardian.pubkey(), w.pool, change, payer)],
    )
    .await
    .unwrap();

    // after the delay the listing is live, but the attack has nowhere to go
    w.env.warp(DAY).await;
    w.refresh_prices(&[100 * USD, USD, 1_000 * USD]).await;
    assert_keel_error(
        w.deposit(&attacker, fake, 1_000_000 * USDC).await,
        KeelError::Paused,
    );
    assert_keel_error(
        w.borrow(&attacker, 1, 50_000 * USDC).await,
        KeelError::Paused,
    );
    assert_anchor_error(
        w.execute(&anyone, change, Some(fake)).await,
        anchor_lang::error::ErrorCode::AccountNotInitialized,
    );
    assert_eq!(
        keel_tests::tokens::balance(&mut w.env, usdc_vault).await,
        vault_before
    );
    check(&mut w).await;
}
