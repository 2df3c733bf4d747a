//! Size-aware collateral on the real runtime (math/size_aware.rs): past a market's USD limit on
//! its total deposits, its initial collateral weight falls with their size, for every depositor;
//! maintenance is untouched; the SDK values it as the program does; the guardian may set or
//! lower the limit at once, never remove it.
use crate::common::*;
use crate::sdk::assert_sdk_health_equals_the_programs;
use keel::errors::KeelError;
use keel_sdk::instructions as kix;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::World;
use solana_sdk::signature::Signer;

/// The guardian sets market `m`'s size-aware limit (a tightening: at once).
async fn set_limit(
    w: &mut World,
    m: usize,
    usd: u64,
) -> Result<(), solana_sdk::transaction::TransactionError> {
    let mut config = w.market(m).await.config;
    config.init_value_limit_usd = usd;
    let guardian = w.guardian.insecure_clone();
    let ix = kix::tighten_market(guardian.pubkey(), w.pool, w.markets[m].keys.market, config);
    w.send_as(&guardian, &[ix]).await.map(|_| ())
}

#[tokio::test]
async fn size_aware_initial_weight_falls_past_the_limit() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await; // 10 SOL deposited: $1,000
    set_limit(&mut w, 0, 1_000).await.unwrap();
    let at_limit = w.health(trader.margin).await.unwrap();

    // a whale's 30 SOL: the market holds $4,000, four times the limit
    let whale = w.trader(&[30 * SOL, 0]).await;
    w.deposit(&whale, 0, 30 * SOL).await.unwrap();
    let past = w.health(trader.margin).await.unwrap();
    let ratio = past.collateral_init.0 as f64 / at_limit.collateral_init.0 as f64;
    assert!(
        (ratio - 0.25).abs() < 0.001,
        "initial collateral x{ratio}, want x0.25"
    );
    assert_eq!(
        past.collateral_maint, at_limit.collateral_maint,
        "maintenance untouched"
    );
    assert_eq!(past.collateral_value, at_limit.collateral_value);
    assert_sdk_health_equals_the_programs(&mut w).await;

    // the trader's borrowing power fell with the market's size: $250 now refused, $150 lent
    let keys = watched(&w, &[&trader, &whale]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, 250 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&trader, 1, 150 * USDC).await.unwrap();

    // the whale leaves: the weight is back, and the trader borrows as before
    w.withdraw(&whale, 0, u64::MAX).await.unwrap();
    let back = w.health(trader.margin).await.unwrap();
    assert_eq!(back.collateral_init, at_limit.collateral_init);
    w.borrow(&trader, 1, 500 * USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn the_guardian_may_set_or_lower_a_limit_but_not_remove_it() {
    let mut w = sol_usdc().await;
    set_limit(&mut w, 0, 1_000_000).await.unwrap();
    set_limit(&mut w, 0, 500_000).await.unwrap();
    assert_keel_error(
        set_limit(&mut w, 0, 600_000).await,
        KeelError::NotTightening,
    );
    assert_keel_error(set_limit(&mut w, 0, 0).await, KeelError::NotTightening);
    assert_eq!(w.market(0).await.config.init_value_limit_usd, 500_000);
}
