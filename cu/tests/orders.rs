//! Deleverage orders and e-mode on SBF: `post_order`, `cancel_order`, `execute_order` at 2 and
//! 16 positions, and `health` at 16 positions with every market in one e-mode group (each
//! position then prices a second set of weights) against none.
//! Budgets: `execute_order` at 16 positions <= `LIQUIDATE_16` (it prices the account once, as
//! `liquidate`, and moves fewer things); `post_order`, `cancel_order` <= 30,000; e-mode adds at
//! most 500 CU a position to `health`.
use keel::math::emode::EmodeConfig;
use keel::math::fixed::Wad;
use keel::state::{ChangeKind, OrderParams, OrderTrigger};
use keel_cu::fixture::{Fixture, UNIT};
use keel_cu::{keel_so, ok, LIQUIDATE_16};
use keel_sdk::instructions as kix;
use keel_sdk::pda;

const POST_CANCEL: u64 = 30_000;
const EMODE_PER_POSITION: u64 = 500;

/// A stop-loss on market 1 at $20 (the fixture prices collateral at $10: triggered), repaying
/// market 0 with market 1.
fn stop(f: &Fixture) -> OrderParams {
    OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: f.markets[1].keys.market,
            price: Wad::from_int(20),
        },
        max_repay: 50 * UNIT,
        min_bonus_bps: 100,
        max_bonus_bps: 100,
        expires_at: 0,
    }
}

#[test]
fn orders_and_emode_run_on_sbf_within_their_budgets() {
    let elf = keel_so();
    let (mut f, _, _) = Fixture::new(&elf, 16);
    let (lender, _) = f.wallet(100_000_000 * UNIT);
    ok("deposit", f.deposit(&lender, 0, 10_000_000 * UNIT));
    let (executor, _) = f.wallet(100_000_000 * UNIT);
    let (m0, m1) = (f.markets[0].keys, f.markets[1].keys);
    let mut rows = vec![];
    for n in [2, 16] {
        let w = f.account_with(n);
        let post = |id| {
            kix::post_order(
                (w.key, w.key),
                w.margin,
                (m0.market, m1.market),
                id,
                stop(&f),
            )
        };
        let posted = ok("post_order", f.sbf.run(&post(0)));
        ok("post_order", f.sbf.run(&post(1)));
        let cancel = kix::cancel_order(w.key, w.margin, pda::order(&w.margin, 1), w.key);
        let cancelled = ok("cancel_order", f.sbf.run(&cancel));
        let keys = kix::ExecutionKeys {
            executor: executor.key,
            order: pda::order(&w.margin, 0),
            margin_account: w.margin,
            payer: w.key,
            repay: m0,
            seize: m1,
            repay_source: executor.tokens[0],
            seize_destination: executor.tokens[1],
        };
        let metas = f.health_metas(&w.margin, None);
        let executed = ok(
            "execute_order",
            f.sbf.run(&kix::execute_order(&keys, 10 * UNIT, &metas)),
        );
        rows.push((n, posted, cancelled, executed));
    }
    // health at 16 positions without e-mode, then with every market in group 1
    let w = f.account_with(16);
    let plain = ok("health", f.health(&w.margin));
    for (i, m) in f.markets.clone().iter().enumerate() {
        let mut config = keel_sdk::decode::market(&f.sbf.get(&m.keys.market).unwrap().data)
            .unwrap()
            .config;
        config.emode = EmodeConfig {
            group: 1,
            init_asset_weight_bps: config.weights.init_asset_weight_bps,
            maint_asset_weight_bps: config.weights.maint_asset_weight_bps,
        };
        let kind = ChangeKind::MarketConfig {
            market: m.keys.market,
            config,
        };
        let (admin, pool) = (f.admin, f.pool);
        ok(
            "queue_change",
            f.sbf
                .run(&kix::queue_change(admin, admin, pool, i as u64, kind)),
        );
        let change = pda::pending_change(&pool, i as u64);
        ok(
            "execute_change",
            f.sbf.run(&kix::execute_change(
                admin,
                pool,
                change,
                admin,
                Some(m.keys.market),
            )),
        );
    }
    f.refresh_prices();
    let grouped = ok("health", f.health(&w.margin));
    println!("FIGURE orders on SBF (positions: post_order, cancel_order, execute_order CU):");
    for (n, p, c, e) in &rows {
        println!("  {n:>2}: {p:>7} {c:>7} {e:>7}");
    }
    println!("FIGURE health at 16 positions: {plain} CU without e-mode, {grouped} with every market in one group (+{} a position)", grouped.saturating_sub(plain) / 16);
    for (n, p, c, e) in &rows {
        assert!(
            *p <= POST_CANCEL && *c <= POST_CANCEL,
            "post/cancel at {n}: {p}/{c}"
        );
        assert!(*e <= LIQUIDATE_16, "execute_order at {n}: {e}");
    }
    assert!(
        grouped <= plain + 16 * EMODE_PER_POSITION,
        "e-mode: {plain} -> {grouped}"
    );
}
