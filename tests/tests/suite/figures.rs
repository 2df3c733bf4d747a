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
    let rent = w.env.rent().minimum_balance(size);
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

/// A liquidation of a 16-position account: account locks, and bytes as a legacy transaction and
/// as a v0 transaction with every non-signer account in one address lookup table. Executed too,
/// so the figure is of a transaction that works.
#[tokio::test]
async fn liquidating_a_sixteen_position_account() {
    use keel_tests::world::USD;
    use solana_sdk::signature::Signer;
    use solana_sdk::transaction::Transaction;
    let (mut w, trader) = sixteen_position_world().await;
    w.set_price(0, 90 * USD).await;
    let mut liquidator_funds = vec![0; 16];
    liquidator_funds[1] = 10_000 * USDC;
    let liq = w.trader(&liquidator_funds).await;
    let ix = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    let budget = solana_compute_budget_interface::ComputeBudgetInstruction::set_compute_unit_limit(
        1_400_000,
    );
    let payer = w.env.payer().pubkey();
    let legacy = Transaction::new_signed_with_payer(
        &[budget, ix.clone()],
        Some(&payer),
        &[&w.env.payer(), &liq.key],
        Default::default(),
    );
    let legacy_bytes = bincode::serialize(&legacy).unwrap().len();
    let locks = legacy.message.account_keys.len();
    // what the harness sends: v0 with a lookup table, since the legacy form exceeds a packet
    let v0_tx = w
        .env
        .transaction(std::slice::from_ref(&ix), &[&liq.key])
        .await;
    assert!(matches!(
        v0_tx.message,
        solana_sdk::message::VersionedMessage::V0(_)
    ));
    let v0_bytes = bincode::serialize(&v0_tx).unwrap().len();
    let account_count = ix.accounts.len();
    let out = w.send_as(&liq.key, &[ix]).await.unwrap();
    let mode = if w.env.sbf {
        "sbf"
    } else {
        "native (CPI units only)"
    };
    println!(
        "FIGURE liquidate_16_positions accounts={} locks={locks} legacy_bytes={legacy_bytes} v0_lut_bytes={v0_bytes} cu={} mode={mode}",
        account_count, out.compute_units
    );
    assert!(
        legacy_bytes > 1_232,
        "the legacy form does not fit a packet"
    );
    assert!(locks <= 64, "fits the 64 account locks");
    assert!(v0_bytes <= 1_232, "fits 1,232 bytes with a lookup table");
    check(&mut w).await;
}
