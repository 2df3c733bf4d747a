//! Liquidation findings: the bonus clock, dust, the bonus cap, a fully borrowed seize market, key-matched remaining accounts, wiped-out markets.
use super::*;

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
    w.give(&trader, 0, 5 * SOL).await;
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
    // the bonus no longer ramps with the clock (issue 27): the market's flat rate at most
    let event = liquidated(&out);
    assert!(
        event.repaid > 0 && event.bonus_bps <= 900,
        "{} bps",
        event.bonus_bps
    );
    check(&mut w).await;
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
    // SOL's feed goes stale: its collateral is held at its last price (issue 27; before, it
    // counted zero and the account looked empty), so it is neither swept nor seized
    w.env.warp(120).await;
    w.set_price(1, USD).await;
    let deposit_before = w.margin(trader.margin).await.positions[0].deposit_shares;
    assert_keel_error(
        w.liquidate(&liq, trader.margin, 1, 0, u64::MAX).await,
        KeelError::NotLiquidatable,
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

/// Finding 10: a 100 %-utilised seize market blocked liquidation (`InsufficientLiquidity`). The
/// liquidator may now take the seized collateral as a deposit in its own margin account.
#[tokio::test]
async fn a_fully_borrowed_seize_market_still_liquidates() {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 790 * USDC).await.unwrap();
    // a short seller borrows 95% of the SOL (the most a borrow may take: issue 27), and a SOL
    // lender withdraws the rest: the vault is empty
    let sol_lender = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&sol_lender, 0, 10 * SOL).await.unwrap();
    // a deposit leaves above the cap only from a later slot than its own (issue 27)
    crate::audit::economics::next_slot(&mut w).await;
    let short = w.trader(&[0, 100_000 * USDC]).await;
    w.deposit(&short, 1, 100_000 * USDC).await.unwrap();
    w.borrow(&short, 0, 19 * SOL).await.unwrap();
    w.withdraw(&sol_lender, 0, SOL).await.unwrap();
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
    w.give(&trader, 2, 10 * USDC).await;
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

/// Finding 14: a total socialisation floored the deposit index at one raw unit, and the next
/// deposit overflowed. A market whose lenders were wiped out now refuses deposits clearly.
#[tokio::test]
async fn a_wiped_out_market_refuses_deposits_clearly() {
    let mut w = sol_usdc().await;
    let lender = w.trader(&[0, 1_000 * USDC]).await;
    w.deposit(&lender, 1, 1_000 * USDC).await.unwrap();
    crate::audit::economics::next_slot(&mut w).await; // it leaves above the cap (issue 27)
    let trader = w.trader(&[13 * SOL, 0]).await;
    w.deposit(&trader, 0, 13 * SOL).await.unwrap();
    // the whole market: 95% borrowed (the most a borrow may take: issue 27), the rest withdrawn
    w.borrow(&trader, 1, 950 * USDC).await.unwrap();
    w.withdraw(&lender, 1, 50 * USDC).await.unwrap();
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
    // the bonus no longer ramps with the clock (issue 27): the market's flat rate at most
    let event = liquidated(&out);
    assert!(
        event.repaid > 0 && event.bonus_bps <= 900,
        "{} bps",
        event.bonus_bps
    );
    check(&mut w).await;
}
