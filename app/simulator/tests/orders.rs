//! Deleverage orders in the simulator: traders who post one when they open (below health 1.1,
//! repay up to half their debt with their largest collateral for a 0.5%-2.5% bonus) against the
//! same population without. The bots execute triggered orders before liquidating.
mod common;

use common::{scenarios_dir, small};
use keel_simulator::{run, Scenario, Silent};

#[tokio::test(flavor = "multi_thread")]
async fn orders_deleverage_before_liquidation_at_a_lower_cost_to_traders() {
    let without = small();
    let mut with = without.clone();
    with.population.order_share = 1.0;
    let a = run(&without, 3, &scenarios_dir(), &Silent).await.unwrap();
    let b = run(&with, 3, &scenarios_dir(), &Silent).await.unwrap();
    let cost = |s: &keel_simulator::report::Summary| s.bonus_usd + s.order_bonus_usd;
    eprintln!(
        "FIGURE without orders: {} liquidations, traders paid ${:.0} in bonuses, bad debt ${:.0}; with orders on every trader: {} orders executed (repaid ${:.0}), {} liquidations, traders paid ${:.0} (${:.0} to liquidators, ${:.0} to order executors), bad debt ${:.0}",
        a.summary.liquidations, cost(&a.summary), a.summary.bad_debt_usd,
        b.summary.orders_executed, b.summary.order_repaid_usd, b.summary.liquidations,
        cost(&b.summary), b.summary.bonus_usd, b.summary.order_bonus_usd, b.summary.bad_debt_usd
    );
    assert_eq!(a.summary.orders_posted, 0);
    assert_eq!(b.summary.orders_posted, b.summary.traders as u64);
    assert!(b.summary.orders_executed > 0, "triggered orders executed");
    assert!(
        b.summary.liquidations < a.summary.liquidations,
        "orders take positions down before liquidation"
    );
    assert!(cost(&b.summary) < cost(&a.summary), "and cost traders less");
    assert!(b.summary.bad_debt_usd <= a.summary.bad_debt_usd + 1.0);
}

#[test]
fn orders_are_sweepable_and_checked() {
    let mut s = small();
    s.set_param("orders", 0.5).unwrap();
    assert_eq!(s.population.order_share, 0.5);
    s.population.order_max_bonus_bps = 5_000;
    assert!(
        s.validate().is_err(),
        "a bonus above a market's max is refused"
    );
    let text = std::fs::read_to_string(scenarios_dir().join("deleverage-orders.toml")).unwrap();
    let s = Scenario::from_toml(&text).unwrap();
    assert!(s.population.order_share > 0.0);
}
