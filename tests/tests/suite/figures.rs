//! Figures for the notes (printed, not timed): margin account size and rent, compute units of
//! each instruction (meaningful on the SBF build; the native build reports the runtime's count of
//! the CPIs only).
use crate::common::*;
use keel::state::MarginAccount;
use keel_sdk::instructions as kix;
use keel_tests::invariants::check;

#[tokio::test]
async fn margin_account_size_and_compute_units() {
    let mut w = sol_usdc().await;
    let size = 8 + std::mem::size_of::<MarginAccount>();
    let rent = w
        .env
        .ctx
        .banks_client
        .get_rent()
        .await
        .unwrap()
        .minimum_balance(size);
    println!(
        "FIGURE margin_account_bytes={size} rent_lamports={rent} positions={}",
        keel::constants::MAX_POSITIONS
    );
    assert!(
        size <= 1_400,
        "goal: 16 positions in at most 1,400 bytes, got {size}"
    );

    let mode = if w.env.sbf {
        "sbf"
    } else {
        "native (CPI units only)"
    };
    let (_lender, _) = funded(&mut w).await;
    let trader = w.trader(&[20 * SOL, 1_000 * USDC]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    let sol = w.markets[0].keys;
    let cu = w.deposit(&trader, 0, SOL).await.unwrap().compute_units;
    println!("FIGURE cu mode={mode} deposit={cu}");
    let cu = w
        .borrow(&trader, 1, 100 * USDC)
        .await
        .unwrap()
        .compute_units;
    println!("FIGURE cu mode={mode} borrow_2_positions={cu}");
    let cu = w.withdraw(&trader, 0, SOL).await.unwrap().compute_units;
    println!("FIGURE cu mode={mode} withdraw_2_positions={cu}");
    let cu = w
        .repay(&trader, trader.margin, 1, 50 * USDC)
        .await
        .unwrap()
        .compute_units;
    println!("FIGURE cu mode={mode} repay={cu}");
    let cu = w
        .env
        .send(&[kix::accrue(sol.market)], &[])
        .await
        .unwrap()
        .compute_units;
    println!("FIGURE cu mode={mode} accrue={cu}");
    let metas = w.health_metas(trader.margin, None).await;
    let cu = w
        .env
        .simulate(&[kix::health(trader.margin, &metas)], &[])
        .await
        .unwrap()
        .compute_units;
    println!("FIGURE cu mode={mode} health_2_positions={cu}");
    check(&mut w).await;
}
