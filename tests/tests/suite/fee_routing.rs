//! Where a liquidation's fee goes (issue 12): the protocol's share of the bonus is paid in the
//! repay token into the fund of the market whose debt is repaid.
use crate::common::*;
use crate::liquidation::{leveraged, liquidator};
use keel_tests::invariants::check;
use keel_tests::tokens::balance;
use keel_tests::world::USD;
use keel_tests::World;

/// Issue 12: the protocol's share of the bonus is paid in the repay token, on top of the repay,
/// into the fund of the market whose debt is repaid (where bad debt is written off). Every token
/// is accounted for: the repay vault grows by exactly repay + fee, the seize vault shrinks by
/// exactly the seizure, the collateral market's fund does not move, and each market's books
/// (vault + debt - deposits - fund, invariant 1) do not lose a unit.
#[tokio::test]
async fn a_liquidations_fee_raises_the_fund_of_the_market_whose_debt_is_repaid() {
    use keel::math::fixed::{Wad, WAD};
    let mut w = sol_usdc().await;
    let (_lender, trader) = leveraged(&mut w, 790 * USDC).await;
    let liq = liquidator(&mut w).await;
    w.set_price(0, 92 * USD).await;
    let vault = |m: usize| keel_sdk::pda::vault(&w.markets[m].keys.market);
    let (sol_vault, usdc_vault) = (vault(0), vault(1));
    // vault + debt - deposits - fund, as a Wad of base units (invariant 1: never negative)
    async fn surplus(w: &mut World, m: usize, vault: anchor_lang::prelude::Pubkey) -> i128 {
        let market = w.market(m).await;
        let held = balance(&mut w.env, vault).await as i128 * WAD as i128;
        held + market.total_debt().unwrap().0 as i128
            - market.total_deposits().unwrap().0 as i128
            - market.insurance_fund.0 as i128
    }
    let (sol_surplus, usdc_surplus) = (
        surplus(&mut w, 0, sol_vault).await,
        surplus(&mut w, 1, usdc_vault).await,
    );
    let (sol_fund, usdc_fund) = (
        w.market(0).await.insurance_fund,
        w.market(1).await.insurance_fund,
    );
    let (sol_in_vault, usdc_in_vault) = (
        balance(&mut w.env, sol_vault).await,
        balance(&mut w.env, usdc_vault).await,
    );
    let usdc_before = balance(&mut w.env, liq.tokens[1]).await;
    let ix = w
        .liquidate_ix_with(&liq, trader.margin, 1, 0, u64::MAX, None)
        .await;
    let out = w.send_as(&liq.key, &[ix]).await.expect("liquidate");
    let event = crate::audit::liquidated(&out);
    assert!(event.fee > 0, "a fee was charged");

    // the liquidator paid repay + fee in USDC and received the whole seizure in SOL
    let paid = usdc_before - balance(&mut w.env, liq.tokens[1]).await;
    assert_eq!(paid, event.repaid + event.fee);
    assert_eq!(balance(&mut w.env, liq.tokens[0]).await, event.seized);
    assert_eq!(balance(&mut w.env, usdc_vault).await, usdc_in_vault + paid);
    assert_eq!(
        balance(&mut w.env, sol_vault).await,
        sol_in_vault - event.seized
    );
    // the fee raised the USDC fund by exactly the fee; the SOL fund did not move
    assert_eq!(
        w.market(1).await.insurance_fund,
        usdc_fund.try_add(Wad::from_int(event.fee)).unwrap()
    );
    assert_eq!(w.market(0).await.insurance_fund, sol_fund);
    // the fee is the protocol's 25 % of the bonus's worth: bonus (SOL) at $92 ~ fee (USDC) x 4
    let bonus_usd = event.bonus as f64 / 1e9 * 92.0;
    let fee_usd = event.fee as f64 / 1e6;
    assert!(
        (fee_usd - bonus_usd * 0.25).abs() < 0.01,
        "fee ${fee_usd} for a ${bonus_usd} bonus"
    );
    // invariant 1, exactly: neither market's surplus fell
    let (sol_after, usdc_after) = (
        surplus(&mut w, 0, sol_vault).await,
        surplus(&mut w, 1, usdc_vault).await,
    );
    assert!(
        sol_after >= sol_surplus,
        "SOL books lost {}",
        sol_surplus - sol_after
    );
    assert!(
        usdc_after >= usdc_surplus,
        "USDC books lost {}",
        usdc_surplus - usdc_after
    );
    // and neither gained more than the rounding of one share conversion per leg
    assert!(sol_after - sol_surplus <= 2 * WAD as i128);
    assert!(usdc_after - usdc_surplus <= 2 * WAD as i128);
    check(&mut w).await;
}
