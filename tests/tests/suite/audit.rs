//! The independent review's findings, each as the exploit it describes, run on the real runtime.
//! Every test was first run against the unfixed program and seen to fail (the exploit worked);
//! each now asserts the safe outcome. Named after what it attacks; the finding number is in the
//! doc comment.
use crate::common::*;
use anchor_lang::prelude::Pubkey;
use anchor_lang::{AnchorDeserialize, Discriminator};
use base64::Engine;
use keel::errors::KeelError;
use keel::events::Liquidated;
use keel::math::fixed::{Wad, WAD};
use keel::state::ChangeKind;
use keel_sdk::instructions as kix;
use keel_tests::env::{assert_keel_error, TxOutcome};
use keel_tests::invariants::check;
use keel_tests::pyth::{write_price, PriceSpec};
use keel_tests::tokens::{balance, spl_token, token_2022, MintExtension};
use keel_tests::world::USD;
use keel_tests::{MarketSpec, Trader, World};
use solana_sdk::signature::{Keypair, Signer};

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// The `Liquidated` event a transaction emitted.
fn liquidated(out: &TxOutcome) -> Liquidated {
    out.logs
        .iter()
        .filter_map(|l| keel_tests::native_logs::event_data(l))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .find(|d| d.len() > 8 && d[..8] == *Liquidated::DISCRIMINATOR)
        .map(|d| Liquidated::try_from_slice(&d[8..]).expect("decode Liquidated"))
        .expect("a Liquidated event")
}

/// SOL, USDC and a third $1 market (6 decimals, SPL Token) whose feed tests let go stale.
async fn three_markets() -> World {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    w.list_market(&spec, MintExtension::None, |_| {})
        .await
        .unwrap();
    w
}

async fn liquidator(w: &mut World) -> Trader {
    w.trader(&[0, 1_000_000 * USDC, 1_000_000 * USDC]).await
}

/// A deposit instruction that also carries the account's health accounts (so the program can see
/// the repair and restart the bonus clock).
async fn deposit_with_health(w: &mut World, t: &Trader, m: usize, amount: u64) -> TxOutcome {
    let mut ix = kix::deposit(
        t.key.pubkey(),
        t.margin,
        &w.markets[m].keys,
        t.tokens[m],
        amount,
    );
    ix.accounts.extend(w.health_metas(t.margin, Some(m)).await);
    w.send_as(&t.key, &[ix]).await.unwrap()
}

/// Governance: the guardian tightens market `m` with `f` applied to its config.
async fn guardian_tightens(
    w: &mut World,
    m: usize,
    f: impl FnOnce(&mut keel::state::MarketConfig),
) -> Result<TxOutcome, solana_sdk::transaction::TransactionError> {
    let mut c = w.market(m).await.config;
    f(&mut c);
    let guardian = w.guardian.insecure_clone();
    let ix = kix::tighten_market(guardian.pubkey(), w.pool, w.markets[m].keys.market, c);
    w.send_as(&guardian, &[ix]).await
}

async fn raise_delay(w: &mut World, delay: i64) {
    let admin = w.admin.insecure_clone();
    let ix = kix::raise_timelock(admin.pubkey(), w.pool, delay);
    w.send_as(&admin, &[ix]).await.unwrap();
}

/// Finding 1 (high): one base unit of collateral in a market whose feed is stale made the whole
/// account unliquidatable (a free put). Now such a collateral-only position counts as zero in
/// `health` and `liquidate`, cannot be the seize leg, and a stale *debt* price still refuses.
#[tokio::test]
async fn a_stale_dust_collateral_cannot_make_an_account_unliquidatable() {
    let mut w = three_markets().await;
    let (_lender, trader) = funded(&mut w).await;
    // the trader's own wallet deposits one base unit of the stale-prone token
    let mint_auth = w.mint_authority.insecure_clone();
    keel_tests::tokens::mint_to(
        &mut w.env,
        spl_token(),
        &w.markets[2].keys.mint,
        &mint_auth,
        &trader.tokens[2],
        1,
    )
    .await;
    w.deposit(&trader, 2, 1).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // the third feed goes stale (out of hours); SOL falls
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    w.set_price(0, 92 * USD).await;
    let report = w
        .health(trader.margin)
        .await
        .expect("health prices a stale collateral at zero");
    assert!(report.liquidatable, "{report:?}");
    let liq = liquidator(&mut w).await;
    // the stale market cannot be the seize leg
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 2, u64::MAX).await,
        KeelError::SeizeMarketUnpriced,
    );
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the account is liquidatable despite the stale dust position");
    assert!(liquidated(&out).repaid > 0);
    // a stale *debt* price still refuses: debt cannot be under-valued
    w.env.warp(120).await;
    w.set_price(0, 80 * USD).await;
    w.set_price(2, USD).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::OracleStale,
    );
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

/// Finding 2: the bonus clock survived a repair. A partial liquidation started it, the trader
/// repaired with a deposit, and a day later a small dip paid the liquidator the maximum bonus at
/// once. A deposit (or repay) that carries health accounts and leaves the account healthy now
/// clears the clock.
#[tokio::test]
async fn a_repaired_account_does_not_pay_the_maximum_bonus_later() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    // a one-USDC liquidation starts the clock and leaves the account liquidatable
    w.liquidate(&liq, trader.margin, 1, 0, USDC).await.unwrap();
    assert!(w.margin(trader.margin).await.liquidatable_since > 0);
    // the trader repairs
    let mint_auth = w.mint_authority.insecure_clone();
    keel_tests::tokens::mint_to(
        &mut w.env,
        spl_token(),
        &w.markets[0].keys.mint,
        &mint_auth,
        &trader.tokens[0],
        5 * SOL,
    )
    .await;
    deposit_with_health(&mut w, &trader, 0, 5 * SOL).await;
    assert!(!w.health(trader.margin).await.unwrap().liquidatable);
    assert_eq!(
        w.margin(trader.margin).await.liquidatable_since,
        0,
        "the repair clears the bonus clock"
    );
    // a day later a dip makes it liquidatable again, barely
    w.env.warp(DAY).await;
    w.refresh_prices(&[61 * USD, USD]).await;
    let report = w.health(trader.margin).await.unwrap();
    assert!(report.liquidatable, "{report:?}");
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let bonus = liquidated(&out).bonus_bps;
    assert!(
        bonus < 600,
        "a fresh episode pays min bonus + shortfall, not the ramped maximum: {bonus} bps"
    );
    check(&mut w).await;
}

/// Finding 3: deposit X + withdraw X in a loop consumed the outflow window for free, so honest
/// lenders could not exit. Inflows now net against the window; a genuine run is still limited.
#[tokio::test]
async fn round_trips_cannot_exhaust_the_outflow_limit() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = 10_000 * USDC)
        .await
        .unwrap();
    let attacker = w.trader(&[0, 10_000 * USDC]).await;
    for round in 0..5 {
        w.deposit(&attacker, 1, 10_000 * USDC)
            .await
            .unwrap_or_else(|e| panic!("round {round} deposit: {e:?}"));
        w.withdraw(&attacker, 1, u64::MAX)
            .await
            .unwrap_or_else(|e| panic!("round {round} withdraw: {e:?}"));
    }
    // the honest lender can still take out (nearly) the whole window
    w.withdraw(&lender, 1, 9_000 * USDC)
        .await
        .expect("round trips consumed nothing");
    // a genuine bank run is still limited: 9,000 + 2,000 > 10,000 net in the window
    assert_keel_error(
        w.withdraw(&lender, 1, 2_000 * USDC).await,
        KeelError::OutflowLimitExceeded,
    );
    // a repay (inflow) makes room again, as it adds liquidity
    w.withdraw(&lender, 1, 900 * USDC).await.unwrap();
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

/// An account whose only collateral is worth about one base unit of its debt, at a borrow index
/// above one: liquidation rounds to zero debt shares.
async fn dust_collateral_account(w: &mut World) -> Trader {
    let (_lender, trader) = funded(w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    w.env.warp(365 * DAY).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.accrue(1).await.unwrap();
    assert!(w.market(1).await.borrow_index.0 > WAD, "index above one");
    // 10 SOL at $0.0000001 = $0.000001: one base unit of USDC
    w.set_price(0, 10).await;
    trader
}

/// Finding 5: with collateral worth less than a base unit of debt, `liquidate` failed
/// (`ZeroShares`) and `settle_bad_debt` refused (`AccountHasCollateral`), so the insolvent debt
/// stayed on the books and accrued forever. `liquidate` on such an account (insolvent, every
/// collateral priced, all of it worth less than `DUST_COLLATERAL_USD`) now sweeps the dust into
/// the seize market's insurance fund and settles the debt: nothing is exchanged.
#[tokio::test]
async fn dust_collateral_cannot_block_bad_debt_settlement() {
    let mut w = sol_usdc().await;
    let trader = dust_collateral_account(&mut w).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let keeper_usdc = balance(&mut w.env, liq.tokens[1]).await;
    let fund_before = w.market(0).await.insurance_fund;
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the dust account is ended");
    assert!(
        w.market(0).await.insurance_fund > fund_before,
        "dust to the fund"
    );
    assert_eq!(
        balance(&mut w.env, liq.tokens[1]).await,
        keeper_usdc,
        "nothing exchanged"
    );
    let account = w.margin(trader.margin).await;
    assert_eq!(account.position_count, 0, "the account is ended");
    assert!(w.market(1).await.bad_debt_socialised > Wad::ZERO);
    check(&mut w).await;
}

/// Finding 5, the guard: collateral worth more than the dust bound is liquidated, never swept;
/// and a stale collateral price (which counts zero for liquidation) never makes real collateral
/// look like dust.
#[tokio::test]
async fn real_collateral_is_never_swept() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    // SOL's feed goes stale: its collateral counts zero, so the account looks empty and
    // insolvent, but it is not dust, and it is neither swept nor seized
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    let deposit_before = w.margin(trader.margin).await.positions[0].deposit_shares;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::SeizeMarketUnpriced,
    );
    assert_eq!(
        w.margin(trader.margin).await.positions[0].deposit_shares,
        deposit_before
    );
    w.set_price(0, 50 * USD).await; // $500 of collateral against $790: insolvent, not dust
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let event = liquidated(&out);
    assert!(
        event.repaid > 400 * USDC && event.seized > 9 * SOL,
        "a real liquidation, not a sweep: repaid {}, seized {}",
        event.repaid,
        event.seized
    );
    check(&mut w).await;
}

/// Finding 6: a matured un-pause left unexecuted lifted a later guardian pause at once (anyone
/// could execute it). A queued change now executes only against the state it was queued against.
#[tokio::test]
async fn a_matured_unpause_cannot_lift_a_later_pause() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.env.warp(HOUR + 1).await;
    let guardian = w.guardian.insecure_clone();
    let pause = kix::pause(guardian.pubkey(), w.pool, true, false);
    w.send_as(&guardian, &[pause]).await.unwrap();
    let anyone = Keypair::new();
    keel_tests::world::fund(&mut w.env, &anyone.pubkey(), 1_000_000_000);
    assert_keel_error(
        w.execute(&anyone, change, None).await,
        KeelError::ChangeBaseChanged,
    );
    assert!(w.pool_state().await.borrow_paused, "the pause stands");
}

/// Finding 6: a matured market change reverted a later tightening.
#[tokio::test]
async fn a_matured_change_cannot_revert_a_later_tightening() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let mut looser = w.market(0).await.config;
    looser.weights.init_asset_weight_bps = 8_200;
    let change = w
        .queue(ChangeKind::MarketConfig {
            market: w.markets[0].keys.market,
            config: looser,
        })
        .await
        .unwrap();
    w.env.warp(HOUR + 1).await;
    guardian_tightens(&mut w, 0, |c| c.deposit_cap = 1_000 * SOL)
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, Some(0)).await,
        KeelError::ChangeBaseChanged,
    );
    assert_eq!(w.market(0).await.config.deposit_cap, 1_000 * SOL);
}

/// Finding 6: queued changes never expired. Now they may execute only within a window after eta.
#[tokio::test]
async fn queued_changes_expire() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    w.env
        .warp(HOUR + keel::constants::CHANGE_EXECUTION_WINDOW_SECS + 1)
        .await;
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, None).await,
        KeelError::ChangeExpired,
    );
}

/// Finding 6: raising the timelock did not delay changes already queued.
#[tokio::test]
async fn raising_the_timelock_delays_changes_already_queued() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, HOUR).await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    raise_delay(&mut w, DAY).await;
    w.env.warp(HOUR + 1).await;
    let admin = w.admin.insecure_clone();
    assert_keel_error(
        w.execute(&admin, change, None).await,
        KeelError::TimelockNotElapsed,
    );
    w.env.warp(DAY).await;
    w.execute(&admin, change, None).await.unwrap();
}

/// Finding 7: the guardian's "tightening" of a maintenance weight was instant and unbounded:
/// 85% to 1 bp in one transaction handed a colluding liquidator the bonus on every account.
/// Maintenance weights now move along a linear ramp; initial weights still move at once.
#[tokio::test]
async fn the_guardian_cannot_cut_maintenance_weights_at_once() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    guardian_tightens(&mut w, 0, |c| {
        c.weights.init_asset_weight_bps = 1;
        c.weights.maint_asset_weight_bps = 1;
    })
    .await
    .unwrap();
    // at once: no new borrowing against SOL, but the account is not liquidatable
    assert_keel_error(
        w.borrow(&trader, 1, USDC).await,
        KeelError::InitialHealthViolated,
    );
    let report = w.health(trader.margin).await.unwrap();
    assert!(!report.liquidatable, "{report:?}");
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    // along the ramp the requirement rises; at its end the new weight applies
    w.env
        .warp(keel::constants::MAINT_WEIGHT_RAMP_SECS / 2)
        .await;
    w.refresh_prices(&[100 * USD, USD]).await;
    let half = w.health(trader.margin).await.unwrap();
    assert!(half.collateral_maint < report.collateral_maint);
    assert!(half.collateral_maint > Wad::from_int(400));
    w.env.warp(keel::constants::MAINT_WEIGHT_RAMP_SECS).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    assert!(w.health(trader.margin).await.unwrap().liquidatable);
    check(&mut w).await;
}

/// Finding 8: the bonus cap was computed against the first pass's repay; the second pass then
/// repaid more and seized everything, so with C = 1.05 D at spot (zero confidence) the liquidator
/// took all the collateral for a 5.23 % bonus and ~0.2 % of the debt was socialised, where a 5 %
/// bonus repays it all.
#[tokio::test]
async fn the_bonus_cap_itself_never_creates_bad_debt() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // zero confidence on both; 10 SOL worth 1.05 x 790 USDC
    for (m, price) in [(0usize, 8_295_000_000i64), (1, USD)] {
        let spec = PriceSpec {
            conf: 0,
            ema_conf: 0,
            ..w.price_spec(m, price).await
        };
        w.write_price(m, &spec);
    }
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let event = liquidated(&out);
    assert!(event.bonus_bps <= 500, "bonus {} bps", event.bonus_bps);
    let usdc = w.market(1).await;
    assert_eq!(usdc.bad_debt_socialised, Wad::ZERO, "debt was socialised");
    let account = w.margin(trader.margin).await;
    assert!(
        !account.has_debt(),
        "the seizure left debt without collateral: {account:?}"
    );
    check(&mut w).await;
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

/// Finding 10: a 100 %-utilised seize market blocked liquidation (`InsufficientLiquidity`). The
/// liquidator may now take the seized collateral as a deposit in its own margin account.
#[tokio::test]
async fn a_fully_borrowed_seize_market_still_liquidates() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // a short seller borrows every SOL in the vault
    let short = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&short, 1, 100_000 * USDC).await.unwrap();
    w.borrow(&short, 0, 10 * SOL).await.unwrap();
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::InsufficientLiquidity,
    );
    let ix = w
        .liquidate_ix_with(&liq, trader.margin, 1, 0, u64::MAX, Some(liq.margin))
        .await;
    let out = w
        .send_as(&liq.key, &[ix])
        .await
        .expect("liquidate into a deposit");
    let event = liquidated(&out);
    let account = w.margin(liq.margin).await;
    let sol = w.markets[0].keys.market;
    let i = account
        .find(&sol)
        .expect("the liquidator holds a SOL deposit");
    assert!(account.positions[i].deposit_shares > 0);
    assert!(event.seized > event.fee);
    check(&mut w).await;
}

/// Finding 11: remaining accounts had to match the positions exactly, so the liquidatee could void
/// every pending liquidation by repaying a small debt (removing a position) or by opening a dust
/// position. Pairs are now matched by key; a superset is accepted; duplicates are refused.
#[tokio::test]
async fn a_liquidatee_cannot_void_a_pending_liquidation() {
    let mut w = three_markets().await;
    let (_lender, trader) = funded(&mut w).await;
    let lender2 = w.trader(&[0, 0, 10_000 * USDC]).await;
    w.deposit(&lender2, 2, 10_000 * USDC).await.unwrap();
    w.borrow(&trader, 1, 780 * USDC).await.unwrap();
    w.borrow(&trader, 2, 5 * USDC).await.unwrap();
    w.set_price(0, 90 * USD).await;
    let liq = liquidator(&mut w).await;
    // the bot's plan, built now from the positions (SOL, USDC, third) as they stand
    let planned = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    // the liquidatee repays the small debt in full: its position disappears
    let mint_auth = w.mint_authority.insecure_clone();
    keel_tests::tokens::mint_to(
        &mut w.env,
        spl_token(),
        &w.markets[2].keys.mint,
        &mint_auth,
        &trader.tokens[2],
        10 * USDC,
    )
    .await;
    w.repay(&trader, trader.margin, 2, u64::MAX).await.unwrap();
    w.send_as(&liq.key, &[planned])
        .await
        .expect("the plan survives a removed position");
    // a dust position in a market the liquidator's list already covers does not void it either
    w.set_price(0, 70 * USD).await;
    let mut covering = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    let extra = w.health_accounts(&[w.markets[2].keys.market]);
    covering.accounts.extend(extra);
    w.deposit(&trader, 2, 1).await.unwrap();
    w.send_as(&liq.key, &[covering])
        .await
        .expect("a superset of pairs is accepted");
    check(&mut w).await;
}

/// Finding 12: `execute_change` did not accrue before changing the curve, so the new rate applied
/// to the whole time since the last accrual.
#[tokio::test]
async fn a_curve_change_is_not_retroactive() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap(); // 79 % utilisation: ~9.9 % APR
    w.env.warp(365 * DAY).await;
    let mut steep = w.market(1).await.config;
    steep.curve.slope1_bps = 100_000;
    let change = w
        .queue(ChangeKind::MarketConfig {
            market: w.markets[1].keys.market,
            config: steep,
        })
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    w.execute(&admin, change, Some(1)).await.unwrap();
    w.accrue(1).await.unwrap();
    let index = w.market(1).await.borrow_index;
    assert!(
        index.0 < WAD * 12 / 10,
        "the year before the change accrued at the new curve: index {}",
        index.0 as f64 / WAD as f64
    );
    check(&mut w).await;
}

/// Finding 13: `dust_debt_usd` had no upper bound; set high, every account is dust (full close,
/// no target).
#[tokio::test]
async fn dust_debt_usd_is_bounded() {
    let mut w = sol_usdc().await;
    let mut config = keel_tests::world::default_liquidation();
    config.dust_debt_usd = u32::MAX;
    assert_keel_error(
        w.queue(ChangeKind::LiquidationConfig { config }).await,
        KeelError::InvalidLiquidationConfig,
    );
}

/// Finding 14: a guardian proposed by an old admin could still accept after the admin changed
/// hands. Accepting the admin role now clears every pending proposal.
#[tokio::test]
async fn a_new_admin_drops_the_old_admins_pending_guardian() {
    let mut w = sol_usdc().await;
    let admin = w.admin.insecure_clone();
    let (next_admin, stale_guardian) = (Keypair::new(), Keypair::new());
    for k in [&next_admin, &stale_guardian] {
        keel_tests::world::fund(&mut w.env, &k.pubkey(), 1_000_000_000);
    }
    use keel::state::Role;
    let propose_g = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Guardian,
        Some(stale_guardian.pubkey()),
    );
    let propose_a = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Admin,
        Some(next_admin.pubkey()),
    );
    w.send_as(&admin, &[propose_g, propose_a]).await.unwrap();
    let accept = kix::accept_authority(next_admin.pubkey(), w.pool, Role::Admin);
    w.send_as(&next_admin, &[accept]).await.unwrap();
    let late = kix::accept_authority(stale_guardian.pubkey(), w.pool, Role::Guardian);
    assert_keel_error(
        w.send_as(&stale_guardian, &[late]).await,
        KeelError::NoPendingAuthority,
    );
    assert_ne!(w.pool_state().await.guardian, stale_guardian.pubkey());
}

/// Finding 14: a total socialisation floored the deposit index at one raw unit, and the next
/// deposit overflowed. A market whose lenders were wiped out now refuses deposits clearly.
#[tokio::test]
async fn a_wiped_out_market_refuses_deposits_clearly() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    let trader = w.trader(&[13 * SOL, 0]).await;
    w.deposit(&trader, 0, 13 * SOL).await.unwrap();
    w.borrow(&trader, 1, 1_000 * USDC).await.unwrap(); // the whole market
    w.env.warp(DAY).await;
    w.refresh_prices(&[10, USD]).await; // the collateral is worth one base unit of USDC
    let keeper = w.trader(&[0, 0]).await;
    w.liquidate(&keeper, trader.margin, 1, 0, u64::MAX)
        .await
        .expect("the dust is swept and the debt settled");
    let newcomer = w.trader(&[0, 1_000 * USDC]).await;
    assert_keel_error(
        w.deposit(&newcomer, 1, 1_000 * USDC).await,
        KeelError::MarketWipedOut,
    );
    check(&mut w).await;
}

/// Finding 14: `add_market` cannot be vetoed through the queue, but a listing is inert until its
/// `active_after`, and the guardian can neutralise it before then by tightening its caps and
/// weights to zero.
#[tokio::test]
async fn the_guardian_can_neutralise_a_pending_listing() {
    let mut w = sol_usdc().await;
    raise_delay(&mut w, DAY).await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: 1_000 * USD,
    };
    let fake = w
        .list_market(&spec, MintExtension::None, |_| {})
        .await
        .unwrap();
    guardian_tightens(&mut w, fake, |c| {
        c.deposit_cap = 0;
        c.borrow_cap = 0;
        c.weights.init_asset_weight_bps = 0;
    })
    .await
    .unwrap();
    w.env.warp(DAY + 1).await;
    w.set_price(fake, 1_000 * USD).await;
    let attacker = w.trader(&[0, 0, 1_000 * USDC]).await;
    assert_keel_error(
        w.deposit(&attacker, fake, USDC).await,
        KeelError::DepositCapExceeded,
    );
    assert_eq!(
        balance(&mut w.env, attacker.tokens[fake]).await,
        1_000 * USDC
    );
}

/// Review of finding 1 (high): with the stale-collateral-counts-zero rule, a liquidator could
/// pass an old (stale) but genuine update of a healthy account's collateral from an account of
/// its own (anyone can post historical Pyth updates), zero that collateral and liquidate a
/// healthy account at the maximum bonus. Every market now reads one pinned price account.
#[tokio::test]
async fn a_liquidator_cannot_zero_a_collateral_with_an_old_update() {
    let mut w = three_markets().await;
    let (_lender, trader) = funded(&mut w).await;
    let mint_auth = w.mint_authority.insecure_clone();
    keel_tests::tokens::mint_to(
        &mut w.env,
        spl_token(),
        &w.markets[2].keys.mint,
        &mint_auth,
        &trader.tokens[2],
        500 * USDC,
    )
    .await;
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

/// Review of finding 3: with two fixed buckets, a deposit just before a bucket boundary and its
/// withdrawal just after blocked honest exits for most of the next window. The net outflow is now
/// a leaky bucket: that round trip costs what drained while the deposit sat (here: nothing).
#[tokio::test]
async fn a_round_trip_across_a_window_boundary_cannot_block_exits() {
    let mut w = sol_usdc().await;
    let (lender, _trader) = funded(&mut w).await;
    guardian_tightens(&mut w, 1, |c| c.outflow.max_outflow = 10_000 * USDC)
        .await
        .unwrap();
    let attacker = w.trader(&[0, 40_000 * USDC]).await;
    let now = w.env.now().await;
    w.env.warp(3_600 - now.rem_euclid(3_600) - 1).await; // one second before an hour boundary
    w.refresh_prices(&[100 * USD, USD]).await;
    w.deposit(&attacker, 1, 40_000 * USDC).await.unwrap();
    w.env.warp(1).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&attacker, 1, u64::MAX).await.unwrap();
    w.env.warp(900).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.withdraw(&lender, 1, 9_900 * USDC)
        .await
        .expect("honest exits are not blocked");
    check(&mut w).await;
}

/// Review of finding 6: the compare-and-swap hashed values, so a change the guardian voided came
/// back when the values did (A-B-A). It now hashes version counters.
#[tokio::test]
async fn a_vetoed_change_does_not_come_back() {
    let mut w = sol_usdc().await;
    let market = w.markets[0].keys.market;
    let x = w.market(0).await.config;
    let mut doubled = x;
    doubled.deposit_cap = x.deposit_cap.saturating_mul(2).min(u64::MAX / 2);
    let c1 = w
        .queue(ChangeKind::MarketConfig {
            market,
            config: doubled,
        })
        .await
        .unwrap();
    guardian_tightens(&mut w, 0, |c| c.deposit_cap /= 2)
        .await
        .unwrap();
    let c2 = w
        .queue(ChangeKind::MarketConfig { market, config: x })
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    w.execute(&admin, c2, Some(0)).await.unwrap();
    assert_eq!(w.market(0).await.config, x, "the values are back");
    assert_keel_error(
        w.execute(&admin, c1, Some(0)).await,
        KeelError::ChangeBaseChanged,
    );
}

/// Review (info): a change the previous admin queued does not execute after a hand-over.
#[tokio::test]
async fn a_new_admin_voids_the_old_admins_queue() {
    let mut w = sol_usdc().await;
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    let admin = w.admin.insecure_clone();
    let next = Keypair::new();
    keel_tests::world::fund(&mut w.env, &next.pubkey(), 1_000_000_000);
    use keel::state::Role;
    let propose =
        kix::set_pending_authority(admin.pubkey(), w.pool, Role::Admin, Some(next.pubkey()));
    w.send_as(&admin, &[propose]).await.unwrap();
    let accept = kix::accept_authority(next.pubkey(), w.pool, Role::Admin);
    w.send_as(&next, &[accept]).await.unwrap();
    assert_keel_error(
        w.execute(&next, change, None).await,
        KeelError::ChangeBaseChanged,
    );
}

/// Review of finding 2: the bonus clock also survived a recovery by price (no instruction saw the
/// account healthy). An episode in which no liquidation happened for a whole bonus ramp is over:
/// the next liquidation starts a new clock.
#[tokio::test]
async fn a_recovered_account_does_not_pay_the_maximum_bonus_later() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    w.liquidate(&liq, trader.margin, 1, 0, USDC).await.unwrap();
    assert!(w.margin(trader.margin).await.liquidatable_since > 0);
    // the price recovers (nothing touches the account), then dips again a day later
    w.env.warp(DAY).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    assert!(!w.health(trader.margin).await.unwrap().liquidatable);
    w.env.warp(DAY).await;
    w.refresh_prices(&[92 * USD, USD]).await;
    let out = w
        .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let bonus = liquidated(&out).bonus_bps;
    assert!(
        bonus < 600,
        "a new episode, not the ramped maximum: {bonus} bps"
    );
    check(&mut w).await;
}
