//! Liquidation on the real runtime: who can be liquidated, what the liquidator and the insurance
//! fund get (against an independent floating-point model of the formulas), the flat bonus,
//! bad debt, and refusals that change nothing.
use crate::audit::liquidated;
use crate::common::*;
use keel::errors::KeelError;
use keel::math::fixed::Rounding;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::check;
use keel_tests::tokens::{balance, spl_token};
use keel_tests::world::USD;
use keel_tests::{MarketSpec, Trader, World};

/// A liquidator with 1,000,000 USDC and an empty SOL account.
pub(crate) async fn liquidator(w: &mut World) -> Trader {
    w.trader(&[0, 1_000_000 * USDC]).await
}

/// Independent model of one liquidation of a (SOL collateral, USDC debt) account, in f64 dollars.
/// Returns (repay USDC units, seized SOL units, fee USDC units, bonus fraction): the fee is the
/// protocol's share of the bonus's worth, paid in the repay token.
fn model(
    coll_sol: f64,
    sol: f64,
    debt_usdc: f64,
    elapsed: f64,
    max_repay_usdc: f64,
) -> (f64, f64, f64, f64) {
    let (conf, w_c, target, min_b, max_b, fee_share): (f64, f64, f64, f64, f64, f64) =
        (0.001, 0.85, 1.02, 0.025, 0.09, 0.25);
    let usdc_high = 1.0 + conf;
    let sol_low = sol * (1.0 - conf);
    let c_w = coll_sol * sol_low * w_c;
    let d_w = debt_usdc * usdc_high;
    let hf = c_w / d_w;
    let _ = elapsed; // the bonus no longer ramps with time (issue 27)
                     // flat at the max, capped by free equity: free = C - (1 + m) D at spot, cap (a) m + free / R_o,
                     // (b) (free + m V_c) / (V_c - free), the larger of the two; at most the max
    let (c_spot, d_spot) = (coll_sol * sol, debt_usdc);
    let free = c_spot - (1.0 + min_b) * d_spot;
    let cf0 = if hf < 0.9 || d_w < 10.0 { 1.0 } else { 0.5 };
    let offered = max_repay_usdc
        .min(debt_usdc)
        .min(debt_usdc * usdc_high * cf0 / usdc_high);
    let cap = if free <= 0.0 {
        min_b
    } else {
        (min_b + free / offered).max((free + min_b * c_spot) / (c_spot - free))
    };
    let bonus = (max_b.min(cap) * 10_000.0).floor() / 10_000.0;
    let cf = if hf < 0.9 || d_w < 10.0 { 1.0 } else { 0.5 };
    let cf_limit = debt_usdc * cf;
    // target: C_w - R (1+b) (sol_low/sol) w_c = T (D_w - R usdc_high)
    let per_usdc_coll = (1.0 + bonus) * (1.0 - conf) * w_c; // collateral health removed per USDC repaid
    let target_limit = (target * d_w - c_w) / (target * usdc_high - per_usdc_coll);
    let coll_limit = coll_sol * sol / (1.0 + bonus);
    let repay = max_repay_usdc
        .min(debt_usdc)
        .min(cf_limit)
        .min(target_limit)
        .min(coll_limit);
    let seized = repay * (1.0 + bonus) / sol;
    (
        repay * 1e6,
        seized * 1e9,
        repay * bonus * fee_share * 1e6,
        bonus,
    )
}

fn close(actual: u64, expected: f64, what: &str) {
    let tolerance = 2.0 + expected.abs() * 5e-9;
    assert!(
        (actual as f64 - expected).abs() <= tolerance,
        "{what}: program {actual}, model {expected:.1}"
    );
}

/// Lender with 100,000 USDC deposited; trader with 10 SOL deposited and `borrow` USDC borrowed.
pub(crate) async fn leveraged(w: &mut World, borrow: u64) -> (Trader, Trader) {
    let (lender, trader) = funded(w).await;
    w.borrow(&trader, 1, borrow).await.unwrap();
    (lender, trader)
}

#[tokio::test]
async fn a_healthy_account_cannot_be_liquidated() {
    let mut w = sol_usdc().await;
    let (lender, trader) = leveraged(&mut w, 790 * USDC).await;
    let liq = liquidator(&mut w).await;
    let keys = watched(&w, &[&lender, &trader, &liq]);
    let before = snapshot(&mut w, &keys).await;
    for amount in [1, 100 * USDC, u64::MAX] {
        let r = w.liquidate(&liq, trader.margin, 1, 0, amount).await;
        assert_keel_error(r, KeelError::NotLiquidatable);
    }
    // not by the lender either
    let r = w.liquidate(&lender, trader.margin, 1, 0, u64::MAX).await;
    assert_keel_error(r, KeelError::NotLiquidatable);
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

#[tokio::test]
async fn price_drop_liquidation_pays_the_expected_bonus_and_fee() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = leveraged(&mut w, 790 * USDC).await;
    let liq = liquidator(&mut w).await;
    w.set_price(0, 92 * USD).await;
    let before = w.health(trader.margin).await.unwrap();
    assert!(before.liquidatable);

    let usdc_before = balance(&mut w.env, liq.tokens[1]).await;
    let (sol_fund_before, usdc_fund_before) = (
        w.market(0).await.insurance_fund,
        w.market(1).await.insurance_fund,
    );
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    let paid = usdc_before - balance(&mut w.env, liq.tokens[1]).await;
    let received = balance(&mut w.env, liq.tokens[0]).await;
    // the fee lands in the fund of the market whose debt was repaid (USDC), in USDC
    let fee = w
        .market(1)
        .await
        .insurance_fund
        .try_sub(usdc_fund_before)
        .unwrap()
        .to_u64(Rounding::Down)
        .unwrap();
    assert_eq!(w.market(0).await.insurance_fund, sol_fund_before);

    let (m_repay, m_seized, m_fee, bonus) = model(10.0, 92.0, 790.0, 0.0, f64::MAX);
    assert_eq!(
        bonus, 0.09,
        "the flat rate: free equity does not cap it at $92"
    );
    let repaid = paid - fee;
    close(repaid, m_repay, "repaid");
    close(received, m_seized, "seized, all to the liquidator");
    close(fee, m_fee, "fee");
    // within the close factor (50% of 790)
    assert!(repaid <= 395 * USDC);

    let after = w.health(trader.margin).await.unwrap();
    let gap = |h: &keel::state::HealthReport| h.collateral_maint.0 as i128 - h.debt_maint.0 as i128;
    assert!(gap(&after) > gap(&before), "health improved");
    assert!(
        after.health_factor.0 <= 1_020_100_000_000_000_000,
        "not past the 1.02 target"
    );
    assert!(
        after.health_factor.0 >= 1_019_000_000_000_000_000,
        "the target was the binding limit"
    );
    assert!(!after.liquidatable);
    // healthy again: nobody can liquidate further
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
    );
    check(&mut w).await;
}

/// Issue 27: the rate is the market's max bonus (9%) whatever the time or the shortfall, until the
/// account's free equity caps it: a liquidator gains nothing by waiting. Three small liquidations
/// at t = 0, 300 s and 900 s pay the same; a deeper account pays no more.
#[tokio::test]
async fn the_bonus_is_flat_in_time_and_shortfall() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = leveraged(&mut w, 790 * USDC).await;
    let liq = liquidator(&mut w).await;
    let mut rates = vec![];
    for wait in [0i64, 300, 600] {
        w.env.warp(wait).await;
        w.refresh_prices(&[92 * USD, USD]).await;
        let out = w
            .liquidate(&liq, trader.margin, 1, 0, 10 * USDC)
            .await
            .unwrap();
        rates.push(liquidated(&out).bonus_bps);
    }
    assert_eq!(rates, [900, 900, 900], "the rate does not grow with time");
    let mut by_price = vec![];
    for price in [92, 86, 82] {
        let mut w = sol_usdc().await;
        let (_lender, trader) = leveraged(&mut w, 790 * USDC).await;
        let liq = liquidator(&mut w).await;
        w.set_price(0, price * USD).await;
        let out = w
            .liquidate(&liq, trader.margin, 1, 0, u64::MAX)
            .await
            .unwrap();
        by_price.push(liquidated(&out).bonus_bps);
        check(&mut w).await;
    }
    assert!(
        by_price.windows(2).all(|p| p[1] <= p[0]),
        "a deeper account pays no higher a rate: {by_price:?}"
    );
    assert!(
        by_price[2] < 900,
        "the free-equity cap binds at $82: {by_price:?}"
    );
    check(&mut w).await;
}

#[tokio::test]
async fn a_crash_leaves_bad_debt_covered_then_socialised() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    // a whale's year of interest fills the USDC insurance fund (~312 USDC)
    let whale = w.trader(&[2_000 * SOL, 10_000 * USDC]).await;
    w.deposit(&whale, 0, 2_000 * SOL).await.unwrap();
    w.borrow(&whale, 1, 50_000 * USDC).await.unwrap();
    w.env.warp(31_536_000).await;
    w.refresh_prices(&[100 * USD, USD]).await;
    w.accrue(1).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    check(&mut w).await;

    // SOL falls 60%: the trader is underwater ($399.6 of collateral against $790 of debt; at
    // the minimum bonus an insolvent account pays, about $400 of it is bad debt)
    w.set_price(0, 40 * USD).await;
    let liq = liquidator(&mut w).await;
    let market = w.market(1).await;
    let insurance = market.insurance_fund;
    let index_before = market.deposit_index;
    let debt_before = w.health(trader.margin).await.unwrap();
    assert!(debt_before.collateral_value < debt_before.debt_value);
    w.liquidate(&liq, trader.margin, 1, 0, u64::MAX)
        .await
        .unwrap();

    // all the collateral went (collateral limit), the rest of the debt was written off
    let account = w.margin(trader.margin).await;
    assert_eq!(account.position_count, 0, "no collateral, no debt left");
    let market = w.market(1).await;
    assert_eq!(
        market.insurance_fund.0, 0,
        "insurance fund used first, all of it"
    );
    assert!(market.bad_debt_socialised.0 > 0, "the rest socialised");
    assert!(market.deposit_index < index_before, "lenders bore it");
    // the written-off debt equals what the insurance fund covered plus what was socialised
    let repaid = 1_000_000 * USDC - balance(&mut w.env, liq.tokens[1]).await;
    let written_off = insurance.try_add(market.bad_debt_socialised).unwrap();
    let owed = 790 * USDC; // borrowed a moment ago: no interest yet
    close(
        written_off.to_u64(Rounding::Up).unwrap(),
        (owed - repaid) as f64,
        "written off",
    );
    check(&mut w).await;

    // the whale repays; then every lender withdraws everything and the vault pays them all
    w.repay(&whale, whale.margin, 1, u64::MAX).await.unwrap();
    w.withdraw(&lender, 1, u64::MAX).await.unwrap();
    let vault = balance(&mut w.env, keel_sdk::pda::vault(&w.markets[1].keys.market)).await;
    let market = w.market(1).await;
    assert_eq!(market.total_deposit_shares, 0);
    assert!(vault as u128 * keel::math::fixed::WAD >= market.insurance_fund.0);
    check(&mut w).await;
}

#[tokio::test]
async fn refusals_change_nothing() {
    let mut w = sol_usdc().await;
    let spec = keel_tests::MarketSpec {
        token_program: keel_tests::tokens::spl_token(),
        decimals: 9,
        price: 2_000 * USD,
    };
    w.list_market(&spec, keel_tests::tokens::MintExtension::None, |_| {})
        .await
        .unwrap();
    let lender = w.trader(&[0, 100_000 * USDC, 0]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let trader = w.trader(&[10 * SOL, 0, 0]).await;
    w.deposit(&trader, 0, 10 * SOL).await.unwrap();
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    w.set_price(0, 92 * USD).await;
    let liq = w.trader(&[0, 1_000_000 * USDC, 0]).await;
    let keys = watched(&w, &[&lender, &trader, &liq]);
    let before = snapshot(&mut w, &keys).await;

    // liquidator = liquidatee
    let owner_as_liquidator = Trader {
        key: trader.key.insecure_clone(),
        margin: trader.margin,
        tokens: trader.tokens.clone(),
    };
    assert_keel_error(
        w.liquidate(&owner_as_liquidator, trader.margin, 1, 0, u64::MAX)
            .await,
        KeelError::SelfLiquidation,
    );
    // repay market = seize market: Anchor's duplicate-mutable-account check refuses it before
    // the program's own SameMarket constraint is reached
    let same = w.liquidate(&liq, trader.margin, 1, 1, u64::MAX).await;
    keel_tests::env::assert_anchor_error(
        same,
        anchor_lang::error::ErrorCode::ConstraintDuplicateMutableAccount,
    );
    // max_repay of 0
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, 0).await,
        KeelError::ZeroAmount,
    );
    // a seize market where the account has no deposit
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 2, u64::MAX).await,
        KeelError::NoCollateralInSeizeMarket,
    );
    // missing or spoofed remaining accounts
    let mut ix = w.liquidate_ix(&liq, trader.margin, 1, 0, u64::MAX).await;
    let n = ix.accounts.len();
    let full = ix.accounts.clone();
    ix.accounts.truncate(n - 4);
    assert_keel_error(
        w.send_as(&liq.key, &[ix.clone()]).await,
        KeelError::MissingPositionPair,
    );
    ix.accounts = full.clone();
    ix.accounts.swap(n - 4, n - 2); // markets swapped: each now pairs with the other's price
    assert_keel_error(
        w.send_as(&liq.key, &[ix.clone()]).await,
        KeelError::OraclePriceAccountMismatch,
    );
    ix.accounts = full.clone();
    ix.accounts.swap(n - 3, n - 1); // price accounts swapped
    assert_keel_error(
        w.send_as(&liq.key, &[ix]).await,
        KeelError::OraclePriceAccountMismatch,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // a stale price on the repay leg (time passes, only the collateral's feed publishes): held
    // at its last price, it values the account but is never exchanged (issue 27)
    w.env.warp(61).await;
    w.set_price(0, 92 * USD).await;
    let keys = watched(&w, &[&lender, &trader, &liq]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::HeldPriceNotExchangeable,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    check(&mut w).await;
}

/// Found by the simulator: a small account liquidated from a health factor under the full-close
/// line needs almost all of its debt repaid to reach the target, and the base units the plan
/// rounds were a visible share of what is left (a BTC unit is worth $0.0006). The program then
/// refused its own plan as an over-liquidation, and the account could not be liquidated at all.
/// Every price of a sweep through that region must now liquidate, and never past the target by
/// more than the rounding allowance.
#[tokio::test]
async fn near_full_closes_of_small_accounts_are_not_refused_as_over_liquidation() {
    const BTC: u64 = 100_000_000;
    let mut w = World::new(&[
        MarketSpec {
            token_program: spl_token(),
            decimals: 8,
            price: 60_000 * USD,
        },
        MarketSpec {
            token_program: spl_token(),
            decimals: 6,
            price: USD,
        },
    ])
    .await;
    let lender = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&lender, 1, 100_000 * USDC).await.unwrap();
    let liquidator = w.trader(&[0, 100_000 * USDC]).await;
    let points = 24;
    let mut traders = vec![];
    for _ in 0..points {
        // 0.001 BTC ($60) against $47.90 of USDC: just inside the 80% initial weight
        let t = w.trader(&[BTC / 1_000, 0]).await;
        w.deposit(&t, 0, BTC / 1_000).await.unwrap();
        w.borrow(&t, 1, 47_900_000).await.unwrap();
        traders.push(t);
    }
    let mut refused = vec![];
    for (i, t) in traders.iter().enumerate() {
        // health factors from about 0.86 to 0.90 (full close allowed below 0.90)
        let price = 48_600 * USD + i as i64 * 60 * USD;
        w.set_price(0, price).await;
        let before = w.health(t.margin).await.unwrap();
        assert!(before.collateral_maint < before.debt_maint);
        match w.liquidate(&liquidator, t.margin, 1, 0, u64::MAX).await {
            Ok(_) => {
                let after = w.health(t.margin).await.unwrap();
                let usd = |v: keel::math::fixed::Wad| v.0 as f64 / 1e18;
                let (c, d) = (usd(after.collateral_maint), usd(after.debt_maint));
                // past the 1.02 target by no more than four base units of each token, weighted
                let unit_c = 4.0 / BTC as f64 * (price as f64 / USD as f64) * 0.999 * 0.85;
                let unit_d = 4.0 / USDC as f64 * 1.001;
                assert!(
                    c <= 1.0201 * (d + unit_d) + unit_c + 1e-9,
                    "price {price}: C {c} D {d}"
                );
                assert!(c - d > usd(before.collateral_maint) - usd(before.debt_maint));
            }
            Err(e) => refused.push((price, format!("{e:?}"))),
        }
    }
    assert!(refused.is_empty(), "liquidations refused: {refused:?}");
    check(&mut w).await;
}
