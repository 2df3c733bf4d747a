//! Oracle checks: stale, low-confidence, wrong-feed, wrong-owner, partially verified and
//! non-positive prices are refused (changing nothing); a stale collateral oracle counts as zero.
use crate::common::*;
use keel::errors::KeelError;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::pyth::PriceSpec;
use keel_tests::world::USD;
use keel_tests::{Trader, World};
use pyth_solana_receiver_sdk::price_update::VerificationLevel;

/// Write `spec` as market `m`'s price, try a borrow of 100 USDC, expect `err`, check nothing moved.
async fn refused_with_price(
    w: &mut World,
    lender: &Trader,
    trader: &Trader,
    m: usize,
    spec: PriceSpec,
    err: KeelError,
) {
    w.write_price(m, &spec);
    let keys = watched(w, &[lender, trader]);
    let before = snapshot(w, &keys).await;
    assert_keel_error(w.borrow(trader, 1, 100 * USDC).await, err);
    assert_unchanged(w, &keys, &before).await;
}

#[tokio::test]
async fn debt_oracle_failures_refuse_the_borrow() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let now = w.env.now().await;
    let fresh = w.price_spec(1, USD).await;

    let stale = PriceSpec {
        publish_time: now - 61,
        ..fresh
    };
    refused_with_price(&mut w, &lender, &trader, 1, stale, KeelError::OracleStale).await;

    let wide = PriceSpec {
        conf: (USD as u64) * 201 / 10_000,
        ..fresh
    }; // 2.01% > 2%
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        1,
        wide,
        KeelError::OracleConfidenceTooWide,
    )
    .await;

    let other_feed = PriceSpec {
        feed_id: w.markets[0].feed_id,
        ..fresh
    };
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        1,
        other_feed,
        KeelError::OracleFeedMismatch,
    )
    .await;

    let spoofed = PriceSpec {
        owner: keel::ID,
        ..fresh
    }; // a byte-copy owned by another program
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        1,
        spoofed,
        KeelError::OracleWrongOwner,
    )
    .await;

    let partial = PriceSpec {
        verification: VerificationLevel::Partial { num_signatures: 5 },
        ..fresh
    };
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        1,
        partial,
        KeelError::OracleNotFullyVerified,
    )
    .await;

    let negative = PriceSpec {
        price: -USD,
        ..fresh
    };
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        1,
        negative,
        KeelError::OracleNonPositivePrice,
    )
    .await;

    // at exactly max age the price is still good
    let edge = PriceSpec {
        publish_time: now - 60,
        ..fresh
    };
    w.write_price(1, &edge);
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn stale_collateral_counts_as_zero() {
    let mut w = sol_usdc().await;
    let (lender, trader) = funded(&mut w).await;
    let now = w.env.now().await;
    let fresh = w.price_spec(0, 100 * USD).await;
    // the only collateral's oracle is stale: it is worth nothing for borrowing
    let stale = PriceSpec {
        publish_time: now - 61,
        ..fresh
    };
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        0,
        stale,
        KeelError::InitialHealthViolated,
    )
    .await;
    // a spoofed collateral oracle is not "zero", it is an error
    let spoofed = PriceSpec {
        owner: keel::ID,
        ..fresh
    };
    refused_with_price(
        &mut w,
        &lender,
        &trader,
        0,
        spoofed,
        KeelError::OracleWrongOwner,
    )
    .await;
    check(&mut w).await;
}

#[tokio::test]
async fn initial_requirement_uses_the_worse_of_spot_and_ema() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    // spot $100 but EMA $50: the initial band's low is the EMA's, and the 50% spot-EMA gap cuts
    // the initial weight by the volatility margin's 10% cap (math/volatility.rs): the initial
    // value of 10 SOL is 10 * (50 - 0.05) * 72% = $359.64
    let spec = PriceSpec {
        ema_price: 50 * USD,
        ema_conf: (USD / 20) as u64,
        ..w.price_spec(0, 100 * USD).await
    };
    w.write_price(0, &spec);
    assert_keel_error(
        w.borrow(&trader, 1, 360 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    w.borrow(&trader, 1, 359 * USDC).await.unwrap();
    // maintenance uses spot only: far from liquidatable
    let report = w.health(trader.margin).await.unwrap();
    assert!(!report.liquidatable);
    assert!(report.collateral_maint > report.collateral_init);
    check(&mut w).await;
}

#[tokio::test]
async fn debt_free_withdrawal_needs_no_oracle() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    let now = w.env.now().await;
    let stale = PriceSpec {
        publish_time: now - 3_600,
        ..w.price_spec(0, 100 * USD).await
    };
    w.write_price(0, &stale);
    w.withdraw(&trader, 0, u64::MAX).await.unwrap();
    check(&mut w).await;
}
