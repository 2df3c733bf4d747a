//! Oracle findings: stale and older updates, rebasing mints, oracle tightening.
use super::*;

/// Finding 1 (high): one base unit of collateral in a market whose feed is stale made the whole
/// account unliquidatable (a free put). Now such a collateral-only position counts as zero in
/// `health` and `liquidate`, cannot be the seize leg, and a stale *debt* price still refuses.
#[tokio::test]
async fn a_stale_dust_collateral_cannot_make_an_account_unliquidatable() {
    let mut w = three_markets().await;
    let (_lender, trader) = funded(&mut w).await;
    // the trader's own wallet deposits one base unit of the stale-prone token
    w.give(&trader, 2, 1).await;
    w.deposit(&trader, 2, 1).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // the third feed goes stale (out of hours); SOL falls
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    w.set_price(0, 92 * USD).await;
    let report = w
        .health(trader.margin)
        .await
        .expect("health holds a stale collateral at its last price");
    assert!(report.liquidatable, "{report:?}");
    let liq = liquidator(&mut w).await;
    // the stale market cannot be the seize leg (issue 27: a held price is never exchanged)
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 2, u64::MAX).await,
        KeelError::HeldPriceNotExchangeable,
    );
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the account is liquidatable despite the stale dust position");
    assert!(liquidated(&out).repaid > 0);
    // a stale *debt* price is held too (issue 27; before, it refused the whole liquidation):
    // the account is still valued, but that debt cannot be the repay leg until someone posts
    w.env.warp(120).await;
    w.set_price(0, 80 * USD).await;
    w.set_price(2, USD).await;
    assert!(w.health(trader.margin).await.unwrap().liquidatable);
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::HeldPriceNotExchangeable,
    );
    w.set_price(1, USD).await;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("a fresh update of the debt's feed unblocks it");
    check(&mut w).await;
}

/// Finding 1, governance half: a broken feed's collateral can be neutralised at once by setting
/// its initial weight to zero (maintenance follows on the ramp of finding 7).
#[tokio::test]
async fn governance_can_zero_a_broken_feeds_collateral_weight() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 0, |c| c.weights.init_asset_weight_bps = 0)
        .await
        .expect("a zero initial weight is a tightening");
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    check(&mut w).await;
}

/// Finding 4: interest-bearing and scaled-UI-amount Token-2022 mints were listable, but priced
/// on raw amounts; a multiplier change by their authority would mass-liquidate. Both refused.
#[tokio::test]
async fn rebasing_token_2022_mints_are_refused() {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: token_2022(),
        decimals: 6,
        price: USD,
    };
    for ext in [
        MintExtension::InterestBearing,
        MintExtension::ScaledUiAmount,
    ] {
        let n = w.markets.len();
        assert_keel_error(
            w.list_market(&spec, ext, |_| {}).await,
            KeelError::UnsupportedMintExtension,
        );
        assert_eq!(w.markets.len(), n, "{ext:?} listed");
    }
}

/// Finding 9: any verified update within the max age was accepted, even one older than an update
/// the market had already used, so a borrower could pick the best price of the last minute.
#[tokio::test]
async fn an_update_older_than_one_already_used_is_refused() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    let t0 = w.env.now().await;
    w.env.warp(20).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap(); // uses the USDC update of t0 + 20
                                                     // an older update of the same feed, cheaper debt, still within the max age: in another
                                                     // account it is refused by address (the market reads one pinned account); written back into
                                                     // the pinned account itself, it is refused as older than one the market used
    let older = Pubkey::new_unique();
    let spec = PriceSpec {
        publish_time: t0 + 5,
        ..PriceSpec::new(w.markets[1].feed_id, 90_000_000, t0 + 5)
    };
    write_price(&mut w.env, older, &spec);
    let mut metas = w.health_metas(trader.margin, None).await;
    for m in metas.iter_mut() {
        if m.pubkey == w.markets[1].price_account {
            m.pubkey = older;
        }
    }
    assert_keel_error(
        w.borrow_with(&trader, 1, 10 * USDC, &metas).await,
        KeelError::OraclePriceAccountMismatch,
    );
    w.write_price(1, &spec);
    assert_keel_error(
        w.borrow(&trader, 1, 10 * USDC).await,
        KeelError::OracleOlderThanUsed,
    );
    check(&mut w).await;
}

/// Review of finding 1 (high): with the stale-collateral-counts-zero rule, a liquidator could
/// pass an old (stale) but genuine update of a healthy account's collateral from an account of
/// its own (anyone can post historical Pyth updates), zero that collateral and liquidate a
/// healthy account at the maximum bonus. Every market now reads one pinned price account.
#[tokio::test]
async fn a_liquidator_cannot_zero_a_collateral_with_an_old_update() {
    let mut w = three_markets().await;
    let (_lender, trader) = funded(&mut w).await;
    w.give(&trader, 2, 500 * USDC).await;
    w.deposit(&trader, 2, 500 * USDC).await.unwrap();
    w.borrow(&trader, 1, 1_100 * USDC).await.unwrap();
    // healthy only thanks to the third market's collateral
    assert!(!w.health(trader.margin).await.unwrap().liquidatable);
    let t0 = w.env.now().await;
    w.env.warp(300).await;
    w.refresh_prices(&[100 * USD, USD, USD]).await;
    // an old but genuine update of the third feed, stale now, in the attacker's own account
    let old = Pubkey::new_unique();
    write_price(
        &mut w.env,
        old,
        &PriceSpec::new(w.markets[2].feed_id, USD, t0),
    );
    let liq = liquidator(&mut w).await;
    let mut ix = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    for m in ix.accounts.iter_mut() {
        if m.pubkey == w.markets[2].price_account {
            m.pubkey = old;
        }
    }
    assert_keel_error(
        w.send_as(&liq.key, &[ix]).await,
        KeelError::OraclePriceAccountMismatch,
    );
    assert!(!w.health(trader.margin).await.unwrap().liquidatable);
    check(&mut w).await;
}

/// Review of finding 7: lowering a market's oracle max age (a "tightening") at once made every
/// update stale, so that collateral counted zero in every account: the same mass liquidation as
/// cutting the weight. Tighter oracle limits now reach health and liquidation at the ramp's end;
/// borrowing uses them at once.
#[tokio::test]
async fn the_guardian_cannot_zero_a_collateral_by_tightening_its_oracle() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    w.env.warp(30).await; // the prices are 30 s old: fresh under 60 s, stale under 5 s
    guardian_tightens(&mut w, 0, |c| c.oracle.max_age_secs = 5)
        .await
        .unwrap();
    let report = w.health(trader.margin).await.unwrap();
    assert!(!report.liquidatable, "{report:?}");
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    // new borrowing uses the tighter limit at once
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    check(&mut w).await;
}
