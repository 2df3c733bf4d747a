//! Item 7 (and its attack review): no valid listing is insolvent by construction.
use super::*;

/// Item 7: governance could list a market insolvent by construction. The review's listing
/// (init 95 %, maint 99 %, a 0-1 % bonus) was accepted and the built-in crash then socialised
/// $243,410 while the bots lost money; so were init = maint and a 1 bp close factor. Each is
/// refused when queued.
#[tokio::test]
async fn governance_cannot_list_a_market_insolvent_by_construction() {
    let mut w = sol_usdc().await;
    let market = w.markets[0].keys.market;
    let base = w.market(0).await.config;
    let mut thin = base;
    thin.weights.init_asset_weight_bps = 9_500;
    thin.weights.maint_asset_weight_bps = 9_900;
    thin.bonus.min_bonus_bps = 0;
    thin.bonus.max_bonus_bps = 100;
    assert_keel_error(
        w.queue(ChangeKind::MarketConfig {
            market,
            config: thin,
        })
        .await,
        KeelError::InvalidBonusConfig,
    );
    let mut flush = base;
    flush.weights.init_asset_weight_bps = flush.weights.maint_asset_weight_bps;
    assert_keel_error(
        w.queue(ChangeKind::MarketConfig {
            market,
            config: flush,
        })
        .await,
        KeelError::InvalidAssetWeights,
    );
    let mut liquidation = w.pool_state().await.liquidation;
    liquidation.close_factor_bps = 1;
    assert_keel_error(
        w.queue(ChangeKind::LiquidationConfig {
            config: liquidation,
        })
        .await,
        KeelError::InvalidLiquidationConfig,
    );
    check(&mut w).await;
}

/// Attack review of item 7: a bonus-only change during a maintenance-weight ramp left the ramp
/// starting above what the new bonus allows a liquidation to improve, so for up to a day every
/// liquidation of that collateral could fail its health check. A new bonus restarts the ramp no
/// higher than `(1 + max) w < 1` allows, and no lower (a second review: capping it at the
/// stricter listing bound cut the weight at once).
#[tokio::test]
async fn a_new_bonus_restarts_a_weight_ramp_under_its_bound() {
    let mut w = sol_usdc().await;
    guardian_tightens(&mut w, 0, |c| {
        c.weights.init_asset_weight_bps = 6_500;
        c.weights.maint_asset_weight_bps = 7_000;
    })
    .await
    .unwrap();
    let now = w.env.now().await;
    assert_eq!(
        w.market(0).await.weights_at(now).maint_asset_weight_bps,
        8_500
    );
    let mut config = w.market(0).await.config;
    config.bonus.max_bonus_bps = 1_800; // liquidations improve health below 84.7%
    let market = w.markets[0].keys.market;
    let change = w
        .queue(ChangeKind::MarketConfig { market, config })
        .await
        .unwrap();
    let payer = w.env.payer();
    w.execute(&payer, change, Some(0)).await.unwrap();
    let m = w.market(0).await;
    let health_bound = keel::state::max_health_improving_weight_bps(&m.config.bonus);
    let listing_bound = keel::state::max_maint_asset_weight_bps(&m.config.bonus);
    let now = w.env.now().await;
    let in_force = m.weights_at(now).maint_asset_weight_bps;
    assert_eq!(
        in_force, health_bound,
        "the ramp restarts at the health bound"
    );
    assert!(
        in_force > listing_bound,
        "not cut to the listing bound at once"
    );
    check(&mut w).await;
}
