//! Oracle defence in depth on the real runtime: a Switchboard pull feed as SOL's second source,
//! given through governance, and every rule of oracle/rules.rs (agreeing, diverging, the primary
//! stale, both stale), the per-source "older than used" refusal, and a wrong second account
//! (owner, discriminator, feed hash, key, missing) refused while changing nothing.
use crate::common::*;
use keel::errors::KeelError;
use keel::oracle::rules::PriceSource;
use keel::oracle::switchboard::SWITCHBOARD_ON_DEMAND_ID;
use keel_localnet::switchboard::FeedSpec;
use keel_sdk::risk::{account_health, MarketState};
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::pyth::PriceSpec;
use keel_tests::world::USD;
use keel_tests::{Trader, World};
use solana_sdk::instruction::AccountMeta;
use solana_sdk::signature::Signer;

/// $1 of value as a Wad.
const DOLLAR: u128 = 1_000_000_000_000_000_000;

/// SOL/USDC with SOL given a Switchboard second source at $100, a lender and a trader with
/// 10 SOL deposited.
async fn with_second_source() -> (World, Trader, Trader) {
    let mut w = sol_usdc().await;
    w.add_secondary(0, 100 * USD, &[100 * USD, USD])
        .await
        .unwrap();
    let (lender, trader) = funded(&mut w).await;
    (w, lender, trader)
}

/// Every account a refusal could touch, with SOL's second source.
fn watched_all(w: &World, traders: &[&Trader]) -> Vec<anchor_lang::prelude::Pubkey> {
    let mut keys = watched(w, traders);
    keys.push(w.markets[0].secondary.unwrap().0);
    keys
}

/// `trader` is liquidatable, and a liquidator with USDC repays its debt and seizes SOL; the
/// books hold after.
async fn liquidate_underwater(w: &mut World, trader: &Trader) {
    let report = w.health(trader.margin).await.unwrap();
    assert!(report.liquidatable, "{report:?}");
    let liquidator = w.trader(&[0, 10_000 * USDC]).await;
    w.liquidate(&liquidator, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    check(w).await;
}

/// What the SDK says priced SOL, and the account's health, as a client computes them.
async fn client_view(w: &mut World, t: &Trader) -> (PriceSource, keel::math::health::Health) {
    let now = w.env.now().await;
    let account = w.margin(t.margin).await;
    let mut states = vec![];
    for m in 0..w.markets.len() {
        let market = w.market(m).await;
        let f = w.markets[m];
        let update = w.env.account(f.price_account).await.unwrap();
        let update = keel_sdk::oracle::decode_price_update(&update.data);
        let feed = match f.secondary {
            Some((key, _)) => w.env.account(key).await,
            None => None,
        };
        let feed = feed.and_then(|a| keel_sdk::oracle::decode_pull_feed(&a.data));
        let state =
            MarketState::with_feeds(f.keys.market, market, update.as_ref(), feed.as_ref(), now);
        states.push(state);
    }
    let health = account_health(&account, &states, now).unwrap();
    (states[0].source, health)
}

#[tokio::test]
async fn agreeing_sources_price_from_the_primary_and_both_are_remembered() {
    let (mut w, _lender, trader) = with_second_source().await;
    assert!(w.market(0).await.config.secondary.is_set());
    // 0.5% apart, within the 1.5% agreement: the primary, its band stretched to $99.50
    w.set_secondary_price(0, 9_950_000_000).await;
    let report = w.health(trader.margin).await.unwrap();
    assert_eq!(report.collateral_value.0, 995 * DOLLAR);
    let (source, health) = client_view(&mut w, &trader).await;
    assert_eq!(source, PriceSource::Primary);
    assert_eq!(health.collateral_value, report.collateral_value);
    // an instruction holding SOL's market writable (a withdrawal) records both sources'
    // publish times on it
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    w.withdraw(&trader, 0, 1).await.unwrap();
    let now = w.env.now().await;
    let sol = w.market(0).await;
    assert_eq!(
        (sol.last_publish_time, sol.last_secondary_publish_time),
        (now, now)
    );
    check(&mut w).await;
}

#[tokio::test]
async fn diverging_sources_refuse_borrowing_and_value_each_side_at_the_worse() {
    let (mut w, lender, trader) = with_second_source().await;
    w.borrow(&trader, 1, 500 * USDC).await.unwrap();
    // the second source says $90 (10% below): the sources diverge
    w.set_secondary_price(0, 90 * USD).await;
    let keys = watched_all(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::OracleSourcesDiverge,
    );
    assert_keel_error(
        w.withdraw(&trader, 0, 1).await,
        KeelError::OracleSourcesDiverge,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    // collateral at the lower band, but the second source moves it by at most the 1.5% bound
    // (issue 26): 10 * ($100 - $0.10) * 98.5% = $984.015, not 10 * ($90 - $0.09) = $899.10
    let report = w.health(trader.margin).await.unwrap();
    assert_eq!(report.collateral_value.0, 984_015 * DOLLAR / 1_000);
    let (source, health) = client_view(&mut w, &trader).await;
    assert_eq!(source, PriceSource::Divergent);
    assert_eq!(health.collateral_maint, report.collateral_maint);
    // repaying and depositing still work: nobody is trapped
    w.repay(&trader, trader.margin, 1, 100 * USDC)
        .await
        .unwrap();
    // one source alone cannot make it liquidatable: at $45 on the second source (primary
    // still $100) it stays healthy; when the primary falls too, liquidation goes on
    w.set_secondary_price(0, 45 * USD).await;
    assert!(!w.health(trader.margin).await.unwrap().liquidatable);
    w.set_price(0, 45 * USD).await;
    liquidate_underwater(&mut w, &trader).await;
}

#[tokio::test]
async fn a_stale_primary_falls_back_to_the_second_source_with_a_haircut() {
    let (mut w, _lender, trader) = with_second_source().await;
    w.borrow(&trader, 1, 600 * USDC).await.unwrap();
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    w.set_secondary_price(0, 100 * USD).await;
    // Pyth's SOL update is two minutes old (max 60 s): the second source prices SOL, its band
    // cut 3% each way: collateral at ($100 - $0.10) * 97% = $96.903
    let report = w.health(trader.margin).await.unwrap();
    assert_eq!(report.collateral_value.0, 969_030 * DOLLAR / 1_000);
    let (source, _) = client_view(&mut w, &trader).await;
    assert_eq!(source, PriceSource::Secondary);
    // borrowing and withdrawing need both sources (issue 26: the second alone, which anyone can
    // crank, priced borrowing without the divergence check): a collateral on the second source
    // alone counts zero for them (a griefer cranking it blocks nobody's withdrawal of other
    // collateral), a debt there refuses (OracleNeedsBothSources)
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_keel_error(
        w.withdraw(&trader, 0, 1).await,
        KeelError::InitialHealthViolated,
    );
    // the crash goes on with Pyth down: liquidation continues on the second source
    w.set_secondary_price(0, 70 * USD).await;
    liquidate_underwater(&mut w, &trader).await;
    let sol = w.market(0).await;
    let now = w.env.now().await;
    assert_eq!(sol.last_secondary_publish_time, now);
    assert!(
        sol.last_publish_time < now - 60,
        "the stale primary was not used"
    );
}

/// Issue 27: with both sources stale, Pyth's last price is held for health and liquidation (a
/// feed's silence never makes an account liquidatable), never for borrowing or exchanging.
#[tokio::test]
async fn both_sources_stale_hold_the_last_price_for_health_only() {
    let (mut w, _lender, trader) = with_second_source().await;
    w.borrow(&trader, 1, 500 * USDC).await.unwrap();
    // a SOL borrower, for the debt side
    let short = w.trader(&[0, 10_000 * USDC]).await;
    w.deposit(&short, 1, 10_000 * USDC).await.unwrap();
    w.borrow(&short, 0, SOL).await.unwrap();
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    // SOL collateral is held at Pyth's last $100 (less its confidence): not liquidatable
    let report = w.health(trader.margin).await.unwrap();
    // ($100 - $0.10) x 10 SOL, plus two minutes of deposit interest
    let value = report.collateral_value.0;
    assert!(
        (999 * DOLLAR..999_001 * DOLLAR / 1_000).contains(&value),
        "{report:?}"
    );
    assert!(!report.liquidatable);
    let (source, _) = client_view(&mut w, &trader).await;
    assert_eq!(source, PriceSource::Held);
    // SOL debt is held too: valued, not refused
    assert!(!w.health(short.margin).await.unwrap().liquidatable);
    // borrowing counts the held collateral as zero, and refuses against a held debt
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    assert_keel_error(w.borrow(&short, 0, 1).await, KeelError::OracleStale);
    // one fresh source is enough again
    w.set_secondary_price(0, 100 * USD).await;
    assert!(!w.health(short.margin).await.unwrap().liquidatable);
    check(&mut w).await;
}

#[tokio::test]
async fn an_older_second_source_update_is_refused() {
    let (mut w, lender, trader) = with_second_source().await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    w.env.warp(5).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.set_secondary_price(0, 100 * USD).await;
    // a withdrawal with debt prices SOL and records the second source's time on its market
    w.withdraw(&trader, 0, 1).await.unwrap();
    let used = w.market(0).await.last_secondary_publish_time;
    assert_eq!(used, w.env.now().await);
    // a second-source update older than the one the market used, yet within its max age
    let older = FeedSpec {
        last_update_timestamp: used - 1,
        ..w.feed_spec(0, 100 * USD).await
    };
    w.write_feed(0, &older);
    let keys = watched_all(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::OracleOlderThanUsed,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn a_wrong_second_account_is_refused_and_changes_nothing() {
    let (mut w, lender, trader) = with_second_source().await;
    let keys = watched_all(&w, &[&lender, &trader]);
    let good = w.feed_spec(0, 100 * USD).await;
    let cases = [
        (
            FeedSpec {
                owner: anchor_lang::prelude::Pubkey::new_unique(),
                ..good
            },
            KeelError::OracleWrongOwner,
        ),
        (
            FeedSpec {
                feed_hash: [0xEE; 32],
                ..good
            },
            KeelError::OracleFeedMismatch,
        ),
    ];
    for (spec, error) in cases {
        w.write_feed(0, &spec);
        let before = snapshot(&mut w, &keys).await;
        assert_keel_error(w.borrow(&trader, 1, USDC).await, error);
        assert_unchanged(&mut w, &keys, &before).await;
    }
    // not a pull feed at all: a Pyth update written into the feed's account, owned by Switchboard
    let feed = w.markets[0].secondary.unwrap().0;
    let pyth_shaped = PriceSpec {
        owner: SWITCHBOARD_ON_DEMAND_ID,
        ..w.price_spec(0, 100 * USD).await
    };
    keel_tests::pyth::write_price(&mut w.env, feed, &pyth_shaped);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::OracleInvalidAccount,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.write_feed(0, &good);

    // another account in the second source's slot: USDC's Pyth update
    let mut metas = w.health_metas(trader.margin, Some(1)).await;
    assert_eq!(metas.len(), 5, "SOL's group has three accounts");
    metas[2] = AccountMeta::new_readonly(w.markets[1].price_account, false);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &metas).await,
        KeelError::SecondaryOracleMismatch,
    );
    // or left out: the walk takes USDC's market for SOL's second price, then finds USDC's price
    // account where a market should be
    let mut metas = w.health_metas(trader.margin, Some(1)).await;
    metas.remove(2);
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &metas).await,
        KeelError::RemainingAccountMismatch,
    );
    // or left out at the end of the list: the group is cut short
    let metas = w.health_metas(trader.margin, None).await;
    assert_keel_error(
        w.borrow_with(&trader, 1, USDC, &metas[..2]).await,
        KeelError::RemainingAccountsCount,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    w.borrow(&trader, 1, USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn a_lying_primary_is_caught_by_the_second_source() {
    // the lie: Pyth's SOL says $200, spot and EMA alike (a careful liar moves both)
    let lie = |w: &mut World, now| PriceSpec {
        ema_price: 200 * USD,
        ..PriceSpec::new(w.markets[0].feed_id, 200 * USD, now)
    };
    // on a market with one source it lends against the lie: 10 * $199.8 * 80% = $1,598
    let mut one = sol_usdc().await;
    let (_l, victim) = funded(&mut one).await;
    let now = one.env.now().await;
    let spec = lie(&mut one, now);
    one.write_price(0, &spec);
    one.borrow(&victim, 1, 1_500 * USDC).await.unwrap();
    // with Switchboard still at $100 the sources diverge: not one unit is lent
    let (mut w, lender, trader) = with_second_source().await;
    let now = w.env.now().await;
    let spec = lie(&mut w, now);
    w.write_price(0, &spec);
    let keys = watched_all(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::OracleSourcesDiverge,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn volatility_widens_the_initial_requirement_and_never_maintenance() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    // a 1% confidence band: 100 bps of volatility, 50 past the free 50, 2x: a 1% extra haircut
    // on the initial weight (80% -> 79.2%): 10 * $99 * 79.2% = $784.08, 783.3 USDC at $1.001
    let wide = PriceSpec {
        conf: USD as u64,
        ema_conf: USD as u64,
        ..w.price_spec(0, 100 * USD).await
    };
    w.write_price(0, &wide);
    assert_keel_error(
        w.borrow(&trader, 1, 784 * USDC).await,
        KeelError::InitialHealthViolated,
    );
    w.borrow(&trader, 1, 783 * USDC).await.unwrap();
    // maintenance is the configured 85%: 10 * $99 * 85% = $841.50
    let report = w.health(trader.margin).await.unwrap();
    assert_eq!(report.collateral_maint.0, 84_150 * DOLLAR / 100);
    assert!(!report.liquidatable);
    check(&mut w).await;
}

/// `keel status` as `t`, as JSON.
async fn status(w: &World, t: &Trader) -> serde_json::Value {
    crate::cli::keel_as(w, &t.key, &t.tokens, &["status"])
        .await
        .unwrap()
}

#[tokio::test]
async fn the_cli_shows_which_source_priced_each_position() {
    let (mut w, _lender, trader) = with_second_source().await;
    let shown = status(&w, &trader).await;
    assert_eq!(shown["positions"][0]["priced_by"], "pyth");
    w.set_secondary_price(0, 90 * USD).await;
    let shown = status(&w, &trader).await;
    assert_eq!(
        shown["positions"][0]["priced_by"],
        "both, diverging (worse of each)"
    );
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    w.set_secondary_price(0, 100 * USD).await;
    let shown = status(&w, &trader).await;
    assert_eq!(
        shown["positions"][0]["priced_by"],
        "switchboard (pyth stale, haircut)"
    );
}

#[tokio::test]
async fn the_guardian_cannot_add_a_second_source_at_once() {
    let mut w = sol_usdc().await;
    let mut config = w.market(0).await.config;
    config.secondary =
        keel_sdk::defaults::secondary_source(anchor_lang::prelude::Pubkey::new_unique(), [7; 32]);
    let guardian = w.guardian.insecure_clone();
    let ix = keel_sdk::instructions::tighten_market(
        guardian.pubkey(),
        w.pool,
        w.markets[0].keys.market,
        config,
    );
    // a new source can price collateral the primary cannot: a loosening, for the timelock
    assert_keel_error(w.send_as(&guardian, &[ix]).await, KeelError::NotTightening);
    assert!(!w.market(0).await.config.secondary.is_set());
}

#[tokio::test]
async fn a_borrower_cannot_skip_the_divergence_check_by_leaving_the_feed_stale() {
    let (mut w, lender, trader) = with_second_source().await;
    // the pull feed was last updated two minutes ago; Pyth is fresh
    w.env.warp(120).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    let keys = watched_all(&w, &[&lender, &trader]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::SecondaryOracleUnavailable,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    // health (and so liquidation) go on with Pyth alone
    let (source, _) = client_view(&mut w, &trader).await;
    assert_eq!(source, PriceSource::PrimaryOnly);
    assert_eq!(
        w.health(trader.margin).await.unwrap().collateral_value.0,
        999 * DOLLAR
    );
    // updating the feed, as a pull oracle's user does in the same transaction, lets it through
    w.set_secondary_price(0, 100 * USD).await;
    w.borrow(&trader, 1, USDC).await.unwrap();
    check(&mut w).await;
}

#[tokio::test]
async fn a_broken_second_feed_cannot_stop_liquidations() {
    let (mut w, _lender, trader) = with_second_source().await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    // the feed's authority repoints its jobs: its hash is no longer the one the market pinned
    let repointed = FeedSpec {
        feed_hash: [0xEE; 32],
        ..w.feed_spec(0, 100 * USD).await
    };
    w.write_feed(0, &repointed);
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::OracleFeedMismatch,
    );
    // SOL falls: the account is liquidated on Pyth alone, the broken feed counted absent
    w.set_price(0, 80 * USD).await;
    liquidate_underwater(&mut w, &trader).await;
}
