//! Listing markets: only the pool admin, only with in-bounds parameters, only with mints whose
//! accounting the market can keep; refusals change nothing.
use crate::common::*;
use keel::errors::KeelError;
use keel::state::MarketConfig;
use keel_sdk::instructions::{self as kix, MarketKeys};
use keel_tests::env::{assert_anchor_error, assert_keel_error};
use keel_tests::invariants::check;
use keel_tests::tokens::{create_mint, spl_token, token_2022, MintExtension};
use keel_tests::world::{default_config, USD};
use keel_tests::MarketSpec;
use solana_sdk::signature::{Keypair, Signer};

#[tokio::test]
async fn only_the_admin_lists_and_only_in_bounds() {
    let mut w = sol_usdc().await;
    let authority = w.mint_authority.pubkey();
    let mint = create_mint(&mut w.env, spl_token(), 6, &authority, MintExtension::None).await;
    let keys = MarketKeys::new(&w.pool, mint, spl_token());
    let payer = w.env.payer();
    let admin = w.admin.insecure_clone();
    let watched = vec![w.pool, keys.market, keel_sdk::pda::vault(&keys.market)];
    let before = snapshot(&mut w, &watched).await;

    let intruder = Keypair::new();
    let ix = kix::add_market(
        intruder.pubkey(),
        payer.pubkey(),
        w.pool,
        &keys,
        default_config([9; 32]),
    );
    assert_keel_error(w.send_as(&intruder, &[ix]).await, KeelError::NotPoolAdmin);

    type Tweak = fn(&mut MarketConfig);
    let cases: [(Tweak, KeelError); 10] = [
        (
            |c| c.weights.init_asset_weight_bps = 8_501,
            KeelError::InvalidAssetWeights,
        ),
        (
            |c| c.weights.init_asset_weight_bps = 9_000,
            KeelError::InvalidAssetWeights,
        ), // > maint
        (
            |c| c.weights.maint_asset_weight_bps = 10_001,
            KeelError::InvalidAssetWeights,
        ),
        (
            |c| c.weights.maint_liab_weight_bps = 9_999,
            KeelError::InvalidLiabilityWeights,
        ),
        (
            |c| c.weights.init_liab_weight_bps = 50_001,
            KeelError::InvalidLiabilityWeights,
        ),
        (
            |c| c.oracle.max_age_secs = 0,
            KeelError::InvalidOracleMaxAge,
        ),
        (
            |c| c.oracle.max_conf_bps = 1_001,
            KeelError::InvalidOracleMaxConfidence,
        ),
        (
            |c| c.curve.optimal_util_bps = 10_000,
            KeelError::InvalidInterestCurve,
        ),
        (
            |c| c.curve.slope2_bps = 100_001,
            KeelError::InvalidInterestCurve,
        ),
        (
            |c| c.reserve_factor_bps = 5_001,
            KeelError::InvalidReserveFactor,
        ),
    ];
    for (tweak, err) in cases {
        let mut config = default_config([9; 32]);
        tweak(&mut config);
        let ix = kix::add_market(admin.pubkey(), payer.pubkey(), w.pool, &keys, config);
        assert_keel_error(w.send_as(&admin, &[ix]).await, err);
    }
    assert_unchanged(&mut w, &watched, &before).await;
    assert_eq!(w.env.account(keys.market).await, None);
    check(&mut w).await;
}

#[tokio::test]
async fn token_2022_mint_policy() {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: token_2022(),
        decimals: 6,
        price: USD,
    };
    // a transfer fee would make the vault receive less than booked
    let before_count = w.markets.len();
    let refused = w
        .list_market(&spec, MintExtension::TransferFee, |_| {})
        .await;
    assert_keel_error(refused, KeelError::UnsupportedMintExtension);
    assert_eq!(w.markets.len(), before_count);
    // a metadata pointer is harmless
    let m = w
        .list_market(&spec, MintExtension::MetadataPointer, |_| {})
        .await
        .unwrap();
    let trader = w.trader(&[0, 0, 50 * USDC]).await;
    w.deposit(&trader, m, 50 * USDC).await.unwrap();
    w.withdraw(&trader, m, u64::MAX).await.unwrap();
    assert_eq!(
        keel_tests::tokens::balance(&mut w.env, trader.tokens[m]).await,
        50 * USDC
    );
    check(&mut w).await;
}

#[tokio::test]
async fn type_cosplay_and_reinitialisation() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    // a Market passed as a MarginAccount
    let market = w.markets[0].keys.market;
    let ix = kix::deposit(
        trader.key.pubkey(),
        market,
        &w.markets[0].keys,
        trader.tokens[0],
        SOL,
    );
    assert_anchor_error(
        w.send_as(&trader.key, &[ix]).await,
        anchor_lang::error::ErrorCode::AccountDiscriminatorMismatch,
    );
    // opening the same margin account twice
    let payer = w.env.payer();
    let ix = kix::open_account(trader.key.pubkey(), payer.pubkey(), w.pool, 0);
    assert!(w.send_as(&trader.key, &[ix]).await.is_err());
    // listing the same mint twice
    let admin = w.admin.insecure_clone();
    let keys = w.markets[1].keys;
    let ix = kix::add_market(
        admin.pubkey(),
        payer.pubkey(),
        w.pool,
        &keys,
        default_config(w.markets[1].feed_id),
    );
    assert!(w.send_as(&admin, &[ix]).await.is_err());
    assert_eq!(w.margin(trader.margin).await.position_count, 1);
    check(&mut w).await;
}
