//! A cascade: 200 accounts at a spread of leverage, SOL falls 40% in 2% steps, and after every
//! step each account that became liquidatable is liquidated (repeatedly, within the close factor
//! and target) until healthy. With the default parameters no bad debt is left. Figures printed.
use crate::common::*;
use keel_tests::invariants::check;
use keel_tests::world::USD;
use std::time::Instant;

const ACCOUNTS: usize = 200;

#[tokio::test]
async fn two_hundred_accounts_through_a_forty_percent_fall() {
    let started = Instant::now();
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 10_000_000 * USDC]).await;
    w.deposit(&lender, 1, 10_000_000 * USDC).await.unwrap();
    let mut traders = Vec::with_capacity(ACCOUNTS);
    for i in 0..ACCOUNTS {
        let t = w.trader(&[10 * SOL, 0]).await;
        w.deposit(&t, 0, 10 * SOL).await.unwrap();
        // leverage from 50% to 99% of the initial limit (798.4 USDC for 10 SOL at $100)
        let borrow = 798 * USDC * (50 + 49 * i as u64 / (ACCOUNTS as u64 - 1)) / 100;
        w.borrow(&t, 1, borrow).await.unwrap();
        traders.push(t);
    }
    let liq = w.trader(&[0, 10_000_000 * USDC]).await;
    let setup = started.elapsed();
    check(&mut w).await;

    let mut liquidations = 0u32;
    let mut liquidated = std::collections::BTreeSet::new();
    let repay_before = keel_tests::tokens::balance(&mut w.env, liq.tokens[1]).await;
    let cascade = Instant::now();
    for step in 1..=20i64 {
        let price = (100 - 2 * step) * USD;
        w.env.warp(60).await;
        w.refresh_prices(&[price, USD]).await;
        for t in &traders {
            for _ in 0..10 {
                if !w.health(t.margin).await.unwrap().liquidatable {
                    break;
                }
                w.liquidate(&liq, t.margin, 1, 0, u64::MAX).await.unwrap();
                liquidations += 1;
                liquidated.insert(t.margin);
            }
            let report = w.health(t.margin).await.unwrap();
            assert!(
                !report.liquidatable,
                "step {step}: {} still liquidatable",
                t.margin
            );
        }
        check(&mut w).await;
    }
    let repaid = repay_before - keel_tests::tokens::balance(&mut w.env, liq.tokens[1]).await;
    let sol_received = keel_tests::tokens::balance(&mut w.env, liq.tokens[0]).await;
    let usdc = w.market(1).await;
    let sol = w.market(0).await;
    let liquidated_accounts = liquidated.len();
    println!(
        "FIGURE cascade accounts={ACCOUNTS} steps=20 liquidations={liquidations} accounts_liquidated={liquidated_accounts} \
         repaid_usdc={:.2} sol_to_liquidator={:.4} sol_insurance_fund={:.6} bad_debt_socialised_usdc={} \
         setup_s={:.1} cascade_s={:.1} total_s={:.1}",
        repaid as f64 / 1e6,
        sol_received as f64 / 1e9,
        sol.insurance_fund.0 as f64 / 1e27,
        usdc.bad_debt_socialised.0,
        setup.as_secs_f64(),
        cascade.elapsed().as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        liquidated_accounts > 100,
        "the fall liquidates most of the book"
    );
    assert_eq!(
        usdc.bad_debt_socialised.0, 0,
        "no bad debt with the default parameters"
    );
    assert_eq!(sol.bad_debt_socialised.0, 0);
    for t in &traders {
        let a = w.margin(t.margin).await;
        let has_collateral = a.active().iter().any(|p| p.deposit_shares > 0);
        assert!(
            has_collateral || !a.has_debt(),
            "{}: debt without collateral",
            t.margin
        );
    }
}
