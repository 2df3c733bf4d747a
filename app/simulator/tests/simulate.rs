//! The simulator end to end, on the small crash scenario (`scenarios/small-crash.toml`): every
//! run is real transactions through the program on an embedded chain, and every run checks the
//! design invariants (vault and share books) at its end, failing the run if one is broken.
mod common;

use common::{scenarios_dir, small};
use keel_simulator::cli::{simulate, SimulateArgs};
use keel_simulator::engine::Progress;
use keel_simulator::oracle::SecondaryOracleScenario;
use keel_simulator::{run, run_paths, Scenario, Silent};

use std::sync::atomic::{AtomicUsize, Ordering};

#[tokio::test(flavor = "multi_thread")]
async fn the_same_seed_gives_the_same_report() {
    let s = small();
    let a = run(&s, 7, &scenarios_dir(), &Silent).await.unwrap();
    let b = run(&s, 7, &scenarios_dir(), &Silent).await.unwrap();
    assert_eq!(a.summary, b.summary);
    assert_eq!(a.series, b.series);
    assert!(
        a.summary.liquidations > 0,
        "the crash must liquidate someone"
    );
    // another seed draws another population (the path has no noise in this scenario)
    let c = run(&s, 8, &scenarios_dir(), &Silent).await.unwrap();
    assert_ne!(
        a.summary.start_collateral_usd,
        c.summary.start_collateral_usd
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn monte_carlo_holds_the_population_and_varies_the_path() {
    let mut s = small();
    s.markets[1].process = keel_simulator::scenario::PriceProcess::Crash {
        beta: 1.0,
        sigma: 0.8,
        jumps_per_day: 4.0,
        jump_mean: -0.02,
        jump_std: 0.01,
    };
    let base = run(&s, 5, &scenarios_dir(), &Silent).await.unwrap();
    let same = run_paths(&s, 5, 5, &scenarios_dir(), &Silent)
        .await
        .unwrap();
    assert_eq!(base.summary, same.summary);
    let other_path = run_paths(&s, 5, 6, &scenarios_dir(), &Silent)
        .await
        .unwrap();
    // the same traders on another path of SOL; ETH has no noise and follows the profile exactly
    assert_eq!(
        base.summary.start_debt_usd,
        other_path.summary.start_debt_usd
    );
    assert_ne!(base.series[20].prices[1], other_path.series[20].prices[1]);
    assert_eq!(base.series[20].prices[2], other_path.series[20].prices[2]);
}

/// A network with one block a step with room for `per_step` liquidations of up to 16 positions
/// (and not one more of any size), nothing dropped.
fn jam(s: &mut Scenario, per_step: u64) {
    let n = &mut s.network;
    n.slot_ms = s.step_secs as u64 * 1_000;
    n.reaction_ms = 0;
    n.block_share = 1.0;
    n.failure_rate = 0.0;
    n.congestion.clear();
    n.block_cu_limit = per_step * n.transaction_cu(n.liquidation_cu_base, 16);
}

#[tokio::test(flavor = "multi_thread")]
async fn congestion_leaves_bad_debt_that_block_space_prevents() {
    let mut congested = small();
    jam(&mut congested, 1);
    let jammed = run(&congested, 3, &scenarios_dir(), &Silent).await.unwrap();
    // the same traders and path, with room for every liquidation
    let clear = run(&small(), 3, &scenarios_dir(), &Silent).await.unwrap();
    assert_eq!(
        jammed.summary.start_debt_usd, clear.summary.start_debt_usd,
        "same population"
    );
    let steps = jammed.summary.steps as u64;
    assert!(
        jammed.summary.liquidations <= steps,
        "one liquidation per step at most: {} in {steps} steps",
        jammed.summary.liquidations
    );
    assert!(
        jammed.summary.bad_debt_usd > 1_000.0,
        "congestion must leave bad debt: {:#?}",
        jammed.summary
    );
    assert_eq!(
        clear.summary.bad_debt_usd, 0.0,
        "no congestion, no bad debt: {:#?}",
        clear.summary
    );
    assert!(clear.summary.liquidations > jammed.summary.liquidations);
    assert!(clear.summary.repaid_usd > 0.0 && clear.summary.bonus_usd > 0.0);
    assert!(clear.summary.protocol_fee_usd > 0.0);
}

#[tokio::test(flavor = "multi_thread")]
async fn traders_who_defend_their_positions_cut_liquidations_and_bad_debt() {
    let mut s = small();
    jam(&mut s, 2);
    let passive = run(&s, 9, &scenarios_dir(), &Silent).await.unwrap();
    s.population.defender_share = 1.0;
    let defended = run(&s, 9, &scenarios_dir(), &Silent).await.unwrap();
    // the same traders (defence is drawn from its own stream)
    assert_eq!(
        passive.summary.start_debt_usd,
        defended.summary.start_debt_usd
    );
    assert_eq!(passive.summary.defences, 0);
    assert!(defended.summary.defences > 0 && defended.summary.defended_usd > 0.0);
    assert!(
        defended.summary.bad_debt_usd < passive.summary.bad_debt_usd,
        "defended {:#?}\npassive {:#?}",
        defended.summary,
        passive.summary
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reaction_delay_sends_stale_plans_late() {
    let prompt = run(&small(), 6, &scenarios_dir(), &Silent).await.unwrap();
    let mut s = small();
    s.network.reaction_delay_steps = 2;
    let late = run(&s, 6, &scenarios_dir(), &Silent).await.unwrap();
    let first = |r: &keel_simulator::RunResult| {
        r.series
            .iter()
            .position(|row| row.liquidations > 0)
            .expect("someone is liquidated")
    };
    assert_eq!(first(&late), first(&prompt) + 2);
    // plans made on a read two steps old meet accounts already liquidated or moved
    assert!(late.summary.skipped > 0, "{:#?}", late.summary);
    assert_eq!(prompt.summary.skipped, 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn generous_parameters_and_no_congestion_mean_no_bad_debt() {
    let mut s = small();
    // a slower fall than the liquidation margin can absorb per step, bots every slot, room to spare
    s.crash.keyframes = vec![(0.0, 0.0), (3.0, -0.45), (6.0, -0.45)];
    for seed in [11, 12] {
        let r = run(&s, seed, &scenarios_dir(), &Silent).await.unwrap();
        assert!(
            r.summary.liquidations > 0,
            "seed {seed}: the crash must bite"
        );
        assert_eq!(r.summary.bad_debt_usd, 0.0, "seed {seed}: {:#?}", r.summary);
        // every liquidation the bots chose, the program accepted (races aside)
        assert_eq!(
            r.summary.failed, 0,
            "seed {seed}: {:?}",
            r.summary.failure_reasons
        );
        assert_eq!(r.summary.solvency_restored_after_secs, Some(0));
        let last = r.series.last().unwrap();
        assert_eq!(last.liquidatable_after, 0);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_oracle_outage_stops_liquidations_until_prices_return() {
    let mut s = small();
    // no updates from the start of the leg down until hour 3: prices go stale after 60 s
    s.oracle.outages = vec![(3_600, 10_800)];
    let r = run(&s, 5, &scenarios_dir(), &Silent).await.unwrap();
    let during: u64 = r
        .series
        .iter()
        .filter(|row| (3_600 + 600..10_800).contains(&row.time_secs))
        .map(|row| row.liquidations)
        .sum();
    assert_eq!(during, 0, "stale prices: the program refuses to liquidate");
    let after: u64 = r
        .series
        .iter()
        .filter(|row| row.time_secs >= 10_800)
        .map(|row| row.liquidations)
        .sum();
    assert!(after > 0, "liquidations resume with fresh prices");
}

#[tokio::test(flavor = "multi_thread")]
async fn oracle_latency_past_the_max_age_leaves_the_program_blind() {
    let mut late = small();
    // every update describes the price of two minutes ago, and says so: past the 60 s max age
    late.oracle.latency_secs = 120;
    let r = run(&late, 4, &scenarios_dir(), &Silent).await.unwrap();
    assert_eq!(r.summary.liquidations, 0);
    assert!(r.summary.bad_debt_usd > 0.0, "{:#?}", r.summary);
    // thirty seconds late is within the max age: liquidations go ahead
    late.oracle.latency_secs = 30;
    let r = run(&late, 4, &scenarios_dir(), &Silent).await.unwrap();
    assert!(r.summary.liquidations > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_csv_price_path_drives_the_run() {
    let mut s = small();
    s.price_csv = Some("flash-crash.csv".into());
    for m in &mut s.markets[1..] {
        m.process = keel_simulator::scenario::PriceProcess::Csv;
    }
    s.validate().unwrap();
    let r = run(&s, 1, &scenarios_dir(), &Silent).await.unwrap();
    // step 10 is at 6,000 s: the file's SOL low of 84
    assert_eq!(r.series[10].prices[1], 84.0);
    assert!((r.summary.max_drawdown_pct - 44.0).abs() < 1e-9);
    assert!(r.summary.liquidations > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_command_writes_series_chart_and_tables() {
    let out = std::env::temp_dir().join(format!("keel-sim-{}", std::process::id()));
    let mut args = SimulateArgs {
        scenario: Some(scenarios_dir().join("small-crash.toml")),
        seed: 2,
        runs: 1,
        sweep: None,
        sweep_points: 2,
        traders: Some(12),
        out: out.clone(),
        quiet: true,
        print_scenario: false,
        list_sweeps: false,
        threads: Some(2),
        frontier: false,
        stress: false,
        frontier_paths: 20,
        budget_bps: 10,
        coarse_bps: 500,
        fine_bps: 100,
        shard: None,
        bench: false,
        command: None,
    };
    let text = simulate(&args, false).await.unwrap();
    for line in [
        "liquidations",
        "bad debt, total",
        "time to restore solvency",
    ] {
        assert!(text.contains(line), "{line} missing from:\n{text}");
    }
    let csv = std::fs::read_to_string(out.join("timeseries.csv")).unwrap();
    // a header and one row per step, step 0 included
    assert_eq!(csv.lines().count(), 1 + 36 + 1);
    assert!(csv.starts_with("step,time_secs,price_USDC,price_SOL,price_ETH,"));
    let svg = std::fs::read_to_string(out.join("chart.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("Bad debt"));

    args.runs = 3;
    let text = simulate(&args, false).await.unwrap();
    assert!(
        text.contains("3 runs, price paths of seeds 2..=4") && text.contains("p99"),
        "{text}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("runs.csv"))
            .unwrap()
            .lines()
            .count(),
        4
    );

    args.runs = 1;
    args.sweep = Some("failure_rate=0..0.9".into());
    let text = simulate(&args, false).await.unwrap();
    let sweep = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    assert_eq!(sweep.lines().count(), 3, "{text}");
    // a liquidation threshold the program would refuse to list is reported, not run
    args.sweep = Some("liquidation_threshold=9000..9900".into());
    let text = simulate(&args, false).await.unwrap();
    assert!(text.contains("refused"), "{text}");

    args.sweep = Some("colour=1..2".into());
    let err = simulate(&args, false).await.unwrap_err();
    assert!(err.0.contains("sweepable"), "{err}");
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn scenario_files_are_checked_before_anything_runs() {
    let text = std::fs::read_to_string(scenarios_dir().join("small-crash.toml")).unwrap();
    let bad = text.replace("maint_weight_bps = 8000", "maint_weight_bps = 9500");
    let err = Scenario::from_toml(&bad).unwrap_err();
    assert!(err.0.contains("SOL") && err.0.contains("refuse"), "{err}");
    let bad = text.replace("traders = 40", "traders = 0");
    assert!(Scenario::from_toml(&bad).unwrap_err().0.contains("traders"));
    let bad = text.replace("step_secs = 600", "step_secs = 600\nsurprise = 1");
    assert!(Scenario::from_toml(&bad)
        .unwrap_err()
        .0
        .contains("surprise"));
    // the built-in scenario round-trips through its printed TOML
    let builtin = keel_simulator::builtin::black_thursday();
    assert_eq!(Scenario::from_toml(&builtin.to_toml()).unwrap(), builtin);
}

/// Counts what a progress bar hears.
#[derive(Default)]
struct Count {
    total: AtomicUsize,
    steps: AtomicUsize,
    runs: AtomicUsize,
}

impl Progress for Count {
    fn start(&self, steps: usize) {
        self.total.fetch_add(steps, Ordering::Relaxed);
    }
    fn step(&self) {
        self.steps.fetch_add(1, Ordering::Relaxed);
    }
    fn run_done(&self) {
        self.runs.fetch_add(1, Ordering::Relaxed);
    }
}

#[test]
fn many_runs_report_every_step_and_every_run() {
    let mut s = small();
    s.set_param("traders", 6.0).unwrap();
    let count = Count::default();
    let runs =
        keel_simulator::monte_carlo::monte_carlo(&s, (1, 3, 2), &scenarios_dir(), &count).unwrap();
    assert_eq!(runs.len(), 3);
    // the bar's length is known before the runs start, and it ends full
    assert_eq!(count.total.load(Ordering::Relaxed), 3 * s.steps());
    assert_eq!(count.steps.load(Ordering::Relaxed), 3 * s.steps());
    assert_eq!(count.runs.load(Ordering::Relaxed), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_source_keeps_liquidations_going_through_a_primary_outage() {
    // Pyth is down from the start of the leg down until hour 3
    let mut alone = small();
    alone.oracle.outages = vec![(3_600, 10_800)];
    let mut backed = alone.clone();
    backed.oracle.secondary = Some(SecondaryOracleScenario::default());
    let during = |r: &keel_simulator::RunResult| -> u64 {
        r.series
            .iter()
            .filter(|row| (3_600 + 600..10_800).contains(&row.time_secs))
            .map(|row| row.liquidations)
            .sum()
    };
    let a = run(&alone, 5, &scenarios_dir(), &Silent).await.unwrap();
    let b = run(&backed, 5, &scenarios_dir(), &Silent).await.unwrap();
    assert_eq!(
        during(&a),
        0,
        "one source down: the program refuses to liquidate"
    );
    assert!(
        during(&b) > 0,
        "the second source prices the crash: {:#?}",
        b.summary
    );
    assert!(
        b.summary.bad_debt_usd < a.summary.bad_debt_usd,
        "bad debt with a second source {} vs without {}",
        b.summary.bad_debt_usd,
        a.summary.bad_debt_usd
    );
    // with both sources up, the second agrees and changes nothing that matters
    let mut calm = small();
    let plain = run(&calm, 5, &scenarios_dir(), &Silent).await.unwrap();
    calm.oracle.secondary = Some(SecondaryOracleScenario::default());
    let both = run(&calm, 5, &scenarios_dir(), &Silent).await.unwrap();
    assert_eq!(plain.summary.liquidations, both.summary.liquidations);
    assert_eq!(plain.summary.bad_debt_usd, both.summary.bad_debt_usd);
}

#[test]
fn the_pyth_outage_scenario_has_a_second_source_and_an_outage_mid_crash() {
    let text = std::fs::read_to_string(scenarios_dir().join("pyth-outage.toml")).unwrap();
    let s = Scenario::from_toml(&text).unwrap();
    s.validate().unwrap();
    assert_eq!(s.oracle.outages, vec![(39_600, 50_400)]);
    assert_eq!(s.oracle.secondary, Some(SecondaryOracleScenario::default()));
}
