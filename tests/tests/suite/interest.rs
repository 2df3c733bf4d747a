//! Interest on the real runtime: a year at a known utilisation gives the curve's figure, and the
//! protocol's share lands in the insurance fund.
use crate::common::*;
use keel::constants::SECONDS_PER_YEAR;
use keel::math::fixed::Rounding;
use keel_sdk::pda;
use keel_tests::invariants::check;
use keel_tests::tokens::balance;
use keel_tests::world::USD;

#[tokio::test]
async fn one_year_at_fifty_percent_utilisation() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000_000 * USDC).await.unwrap();
    let borrower = w.trader(&[20_000 * SOL, 100_000 * USDC]).await;
    w.deposit(&borrower, 0, 20_000 * SOL).await.unwrap();
    w.borrow(&borrower, 1, 500_000 * USDC).await.unwrap();

    w.env.warp(SECONDS_PER_YEAR as i64).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.accrue(1).await.unwrap();

    // independent figures: U = 50%; r = 0% + 10% * 50/80 = 6.25%; I = 31,250; fee 10% = 3,125
    let debt = 500_000 * USDC + 31_250 * USDC;
    let deposits = 1_000_000 * USDC + 28_125 * USDC;
    let insurance = 3_125 * USDC;
    let market = w.market(1).await;
    let close = |a: u64, b: u64| a.abs_diff(b) <= 1;
    assert!(
        close(market.total_debt_u64().unwrap(), debt),
        "debt {}",
        market.total_debt_u64().unwrap()
    );
    assert!(
        close(market.total_deposits_u64().unwrap(), deposits),
        "deposits {}",
        market.total_deposits_u64().unwrap()
    );
    assert!(close(
        market.insurance_fund.to_u64(Rounding::Down).unwrap(),
        insurance
    ));
    check(&mut w).await;

    // the borrower repays everything, the lender withdraws everything: balances on chain
    let before = balance(&mut w.env, borrower.tokens[1]).await;
    w.repay(&borrower, borrower.margin, 1, u64::MAX)
        .await
        .unwrap();
    let paid = before - balance(&mut w.env, borrower.tokens[1]).await;
    assert!(close(paid, debt), "repaid {paid}");
    assert!(
        paid >= debt,
        "rounding favours the protocol: repaid {paid} < {debt}"
    );
    w.withdraw(&lender, 1, u64::MAX).await.unwrap();
    let received = balance(&mut w.env, lender.tokens[1]).await;
    assert!(close(received, deposits), "withdrew {received}");
    assert!(
        received <= deposits,
        "rounding favours the protocol: {received} > {deposits}"
    );
    // what is left in the vault is the insurance fund (plus rounding dust in the protocol's favour)
    let vault = balance(&mut w.env, pda::vault(&w.markets[1].keys.market)).await;
    assert!(
        vault >= insurance && vault - insurance <= 2,
        "vault {vault}"
    );
    check(&mut w).await;
}

#[tokio::test]
async fn accrue_is_permissionless_and_indices_only_grow() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 400 * USDC).await.unwrap();
    let mut last = w.market(1).await.borrow_index;
    for _ in 0..5 {
        w.env.warp(3_600).await;
        w.accrue(1).await.unwrap(); // signed by the fee payer only
        let now = w.market(1).await.borrow_index;
        assert!(now > last);
        last = now;
        check(&mut w).await;
    }
    check(&mut w).await;
}
