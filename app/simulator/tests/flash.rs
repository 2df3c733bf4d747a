//! Flash-mode liquidators in the simulator: bots with no inventory flash-borrow what they repay
//! and sell the seizure in the same transaction at the step's market price. Against bots bound
//! by a small inventory, on the same seed, they leave no more bad debt.
mod common;

use common::{scenarios_dir, small};
use keel_simulator::scenario::LiquidatorMode;
use keel_simulator::{run, Scenario, Silent};

#[tokio::test(flavor = "multi_thread")]
async fn capital_free_bots_leave_no_more_bad_debt_than_inventory_bound_ones() {
    let mut bound = small();
    bound.liquidators.inventory_usd = 2_000.0;
    let mut flash = bound.clone();
    flash.liquidators.mode = LiquidatorMode::Flash;
    flash.liquidators.inventory_usd = 0.0;
    let a = run(&bound, 3, &scenarios_dir(), &Silent).await.unwrap();
    let b = run(&flash, 3, &scenarios_dir(), &Silent).await.unwrap();
    eprintln!(
        "FIGURE inventory-bound ($2,000 a market): {} liquidations, bad debt ${:.0}; flash (no inventory): {} liquidations, bad debt ${:.0}, bots' P&L ${:.0}",
        a.summary.liquidations, a.summary.bad_debt_usd, b.summary.liquidations, b.summary.bad_debt_usd, b.summary.liquidator_pnl_usd
    );
    assert!(
        b.summary.liquidations > 0,
        "flash bots liquidate with nothing in their wallets"
    );
    assert!(
        b.summary.bad_debt_usd <= a.summary.bad_debt_usd,
        "flash {} vs inventory-bound {}",
        b.summary.bad_debt_usd,
        a.summary.bad_debt_usd
    );
    assert!(
        b.summary.liquidator_pnl_usd > 0.0,
        "and they profit: {:#?}",
        b.summary
    );
}

#[test]
fn the_flash_scenario_runs_capital_free_bots() {
    let text = std::fs::read_to_string(scenarios_dir().join("flash-liquidators.toml")).unwrap();
    let s = Scenario::from_toml(&text).unwrap();
    s.validate().unwrap();
    assert_eq!(s.liquidators.mode, LiquidatorMode::Flash);
    assert_eq!(s.liquidators.inventory_usd, 0.0);
    assert_eq!(s.liquidators.sell_after_steps, None);
}
