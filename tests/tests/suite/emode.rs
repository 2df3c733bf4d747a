//! E-mode on the real runtime (math/emode.rs): markets of one group (SOL and a staking token)
//! lend more against each other's collateral while every debt of the account is inside the
//! group; never for collateral outside it, never once a debt outside it is taken; the SDK values
//! it as the program does; the guardian may lower a group's weights at once (maintenance on the
//! ramp) but never remove a market from its group.
use crate::common::*;
use crate::sdk::assert_sdk_health_equals_the_programs;
use keel::errors::KeelError;
use keel::math::emode::EmodeConfig;
use keel::state::ChangeKind;
use keel_sdk::instructions as kix;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::tokens::spl_token;
use keel_tests::world::USD;
use keel_tests::{MarketSpec, World};
use solana_sdk::signature::Signer;

/// The group: 88% initial, 90% maintenance (ordinary: 80% / 85%). Its markets pay at most a 6%
/// bonus: Aave v4's bound at 6% max and 2.5% min is 91.0% (state/market.rs).
const EMODE_MAX_BONUS_BPS: u16 = 600;

const GROUP: EmodeConfig = EmodeConfig {
    group: 1,
    init_asset_weight_bps: 8_800,
    maint_asset_weight_bps: 9_000,
};

/// Market 0 SOL and market 2 stSOL in e-mode group 1 (SOL through the timelock, a loosening),
/// market 1 USDC in none; a lender of 1,000 SOL and 100,000 USDC.
async fn grouped() -> World {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 9,
        price: 100 * USD,
    };
    w.list_market(&spec, keel_tests::tokens::MintExtension::None, |c| {
        c.emode = GROUP;
        c.bonus.max_bonus_bps = EMODE_MAX_BONUS_BPS;
    })
    .await
    .unwrap();
    let mut config = w.market(0).await.config;
    config.emode = GROUP;
    config.bonus.max_bonus_bps = EMODE_MAX_BONUS_BPS;
    let market = w.markets[0].keys.market;
    let change = w
        .queue(ChangeKind::MarketConfig { market, config })
        .await
        .unwrap();
    let payer = w.env.payer();
    w.execute(&payer, change, Some(0)).await.unwrap();
    let lender = w.trader(&[1_000 * SOL, 100_000 * USDC, 0]).await;
    w.deposit(&lender, 0, 1_000 * SOL).await.unwrap();
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    w
}

#[tokio::test]
async fn emode_raises_borrowing_power_only_within_the_group() {
    let mut w = grouped().await;
    // stSOL backing SOL: the group's 88% ($879 of initial value) lends 8.5 SOL ($851)
    let staker = w.trader(&[0, 0, 10 * SOL]).await;
    w.deposit(&staker, 2, 10 * SOL).await.unwrap();
    let alone = w.health(staker.margin).await.unwrap();
    w.borrow(&staker, 0, 85 * SOL / 10).await.unwrap();
    let inside = w.health(staker.margin).await.unwrap();
    let ratio = inside.collateral_init.0 as f64 / alone.collateral_init.0 as f64;
    assert!((ratio - 1.1).abs() < 0.001, "initial x{ratio}: 88% / 80%");
    let ratio = inside.collateral_maint.0 as f64 / alone.collateral_maint.0 as f64;
    assert!((ratio - 90.0 / 85.0).abs() < 0.001, "maintenance x{ratio}");
    assert_eq!(inside.collateral_value, alone.collateral_value);

    // one USDC borrowed outside the group drops the account to the ordinary weights: refused,
    // and nothing changed
    let keys = watched(&w, &[&staker]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&staker, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // the same stSOL backing USDC is ordinary collateral: $851 of USDC refused, $790 lent
    let other = w.trader(&[0, 0, 10 * SOL]).await;
    w.deposit(&other, 2, 10 * SOL).await.unwrap();
    assert_keel_error(
        w.borrow(&other, 1, 851 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    w.borrow(&other, 1, 790 * USDC).await.unwrap();
    assert_keel_error(
        w.borrow(&other, 0, SOL).await,
        KeelError::InitialHealthViolated,
    );

    // mixed collateral: stSOL is raised, the USDC beside it is not ($879 + $799 backs 16.5 SOL,
    // where the ordinary weights back $1,598)
    let mixed = w.trader(&[0, 1_000 * USDC, 10 * SOL]).await;
    w.deposit(&mixed, 2, 10 * SOL).await.unwrap();
    w.deposit(&mixed, 1, 1_000 * USDC).await.unwrap();
    let plain = w.health(mixed.margin).await.unwrap();
    w.borrow(&mixed, 0, 165 * SOL / 10).await.unwrap();
    let raised = w.health(mixed.margin).await.unwrap();
    let extra = raised.collateral_init.0 - plain.collateral_init.0;
    let want = alone.collateral_init.0 / 10; // stSOL's 80% -> 88%: +10% of its initial value
    assert!(
        extra.abs_diff(want) < want / 1_000,
        "only the stSOL part rose: +{extra} want +{want}"
    );
    assert_keel_error(
        w.borrow(&mixed, 0, SOL).await,
        KeelError::InitialHealthViolated,
    );
    assert_sdk_health_equals_the_programs(&mut w).await;
    check(&mut w).await;
}

#[tokio::test]
async fn a_price_fall_liquidates_an_emode_account_at_its_group_threshold() {
    let mut w = grouped().await;
    let staker = w.trader(&[0, 0, 10 * SOL]).await;
    w.deposit(&staker, 2, 10 * SOL).await.unwrap();
    w.borrow(&staker, 0, 85 * SOL / 10).await.unwrap();
    // stSOL depegs 4%: 960 x 90% = $864 > $851 debt, healthy in e-mode (ordinary 85%: $816,
    // liquidatable)
    w.set_price(2, 96 * USD).await;
    let h = w.health(staker.margin).await.unwrap();
    assert!(!h.liquidatable, "healthy at the group's threshold");
    // 6%: 940 x 90% = $846 < $851
    w.set_price(2, 94 * USD).await;
    let h = w.health(staker.margin).await.unwrap();
    assert!(h.liquidatable);
    let liquidator = w.trader(&[10 * SOL, 0, 0]).await;
    w.liquidate(&liquidator, staker.margin, 0, 2, 2 * SOL)
        .await
        .unwrap();
    let after = w.health(staker.margin).await.unwrap();
    assert!(after.health_factor > h.health_factor);
    assert_sdk_health_equals_the_programs(&mut w).await;
    check(&mut w).await;
}

#[tokio::test]
async fn the_guardian_may_lower_a_groups_weights_but_not_leave_it() {
    let mut w = grouped().await;
    let guardian = w.guardian.insecure_clone();
    let (pool, market) = (w.pool, w.markets[2].keys.market);
    let tighten =
        |c: keel::state::MarketConfig| kix::tighten_market(guardian.pubkey(), pool, market, c);
    let base = w.market(2).await.config;
    let mut lower = base;
    lower.emode.maint_asset_weight_bps = 8_700;
    lower.emode.init_asset_weight_bps = 8_500;
    let mut leave = base;
    leave.emode = EmodeConfig::default();
    let mut regroup = base;
    regroup.emode.group = 2;
    let mut higher = base;
    higher.emode.maint_asset_weight_bps = 9_050;
    let (leave, regroup, higher, lower) = (
        tighten(leave),
        tighten(regroup),
        tighten(higher),
        tighten(lower),
    );
    for ix in [leave, regroup, higher] {
        assert_keel_error(w.send_as(&guardian, &[ix]).await, KeelError::NotTightening);
    }
    w.send_as(&guardian, &[lower]).await.unwrap();
    let m = w.market(2).await;
    let now = w.env.now().await;
    assert_eq!(m.emode_maint_at(now), 9_000, "maintenance starts its ramp");
    assert_eq!(m.emode_maint_at(now + 86_400), 8_700);
    // out of bounds even through the timelock: (1 + 6%) x 92% > 100% - (6% - 2.5%)
    let mut unsafe_config = base;
    unsafe_config.emode.maint_asset_weight_bps = 9_200;
    unsafe_config.emode.init_asset_weight_bps = 9_000;
    assert_keel_error(
        w.queue(ChangeKind::MarketConfig {
            market,
            config: unsafe_config,
        })
        .await,
        KeelError::InvalidEmode,
    );
}
