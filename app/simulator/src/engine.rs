//! One run: set up, then step through the price path. Each step:
//!
//! 1. the clock moves `step_secs` forward (and one slot); price impact decays (depth.rs);
//! 2. the oracle publishes (or misses) every market's price: the path moved by impact;
//! 3. a keeper accrues interest on every market, and traders who defend their positions and
//!    saw their health factor under their threshold at the end of the last step repay;
//! 4. in rounds (network.rs: a bot's reaction time, about 500 in five minutes), each bot in turn
//!    (the first bot rotates) reads the pool and plans with `keel_liquidator::prepare`; a plan is
//!    sent with `keel_liquidator::execute` `reaction_delay_steps` later, cut to the round's block
//!    space (compute units per market account and per block) less the transactions the network
//!    drops; the rounds end when one lands nothing and has nothing left to send;
//! 5. the pool is read; the keeper settles the bad debt of every account left with debt and no
//!    collateral (and the pool is read again if it did);
//! 6. the step's events and a read of every account become a row of the time series;
//! 7. the bots sell the collateral due for sale (desk.rs); the sales move the next step's price.
use crate::bots::open_bots;
use crate::depth::Impact;
use crate::desk::Desk;
use crate::flash_desks::FlashDesks;
use crate::keeper::{accrue, settle_bad_debt, to_defend};
use crate::metrics::{self, StepRecord};
use crate::network::{admit, BlockSpace};
use crate::oracle::Oracle;
use crate::population;
use crate::price_path::PricePaths;
use crate::record::{market_index, record};
use crate::report::Summary;
use crate::scenario::LiquidatorMode;
use crate::scenario::Scenario;
use crate::setup;
use crate::SimError;
use keel_liquidator::{execute, prepare, Config};
use keel_sdk::chain::LogSink;
use keel_sdk::instructions as kix;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use solana_sdk::signature::Signer;
use std::path::Path;
use std::time::Instant;

/// Random streams of a run, independent of one another (changing the population does not change
/// the price path).
const PRICE_STREAM: u64 = 1;
const POPULATION_STREAM: u64 = 2;
const ORACLE_STREAM: u64 = 3;
const DEFENCE_STREAM: u64 = 4;
const SECONDARY_ORACLE_STREAM: u64 = 5;
const ORDER_STREAM: u64 = 6;
const NETWORK_STREAM: u64 = 7;

/// What a run produced.
#[derive(Clone, Debug)]
pub struct RunResult {
    /// The figures (deterministic for a scenario and seed).
    pub summary: Summary,
    /// The time series, one row per step (deterministic too).
    pub series: Vec<StepRecord>,
    /// Market symbols, in column order.
    pub symbols: Vec<String>,
    /// How the run went on this machine (not deterministic).
    pub stats: RunStats,
}

/// Machine-dependent figures of a run.
#[derive(Clone, Copy, Debug, Default)]
pub struct RunStats {
    /// Wall time of the whole run, seconds.
    pub wall_secs: f64,
    /// Wall time of the set-up, seconds.
    pub setup_secs: f64,
    /// Transactions executed by the embedded runtime (sent or simulated).
    pub transactions: u64,
    /// Of which set-up (listing, lenders, traders: each a full transaction with CPIs).
    pub setup_transactions: u64,
}

/// Something to tell as a run advances (a progress bar, or nothing).
pub trait Progress: Sync {
    /// Set-up is done; `steps` steps follow.
    fn start(&self, steps: usize);
    /// One more step is done.
    fn step(&self);
    /// One more run of many is done (Monte Carlo, sweeps, the frontier).
    fn run_done(&self) {}
}

/// No progress reporting.
pub struct Silent;

impl Progress for Silent {
    fn start(&self, _: usize) {}
    fn step(&self) {}
}

/// Run `scenario` with `seed` for everything; `csv_dir` resolves a relative `price_csv`.
pub async fn run(
    scenario: &Scenario,
    seed: u64,
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<RunResult, SimError> {
    run_paths(scenario, seed, seed, csv_dir, progress).await
}

/// Run `scenario` with the population (traders, defenders, every key) drawn from
/// `population_seed` and the market (price paths, oracle misses) from `path_seed`: Monte Carlo
/// holds the population and varies the path.
pub async fn run_paths(
    scenario: &Scenario,
    population_seed: u64,
    path_seed: u64,
    csv_dir: &Path,
    progress: &dyn Progress,
) -> Result<RunResult, SimError> {
    scenario.validate().map_err(|e| SimError(e.0))?;
    let started = Instant::now();
    let rng = |seed, stream| {
        let mut r = ChaCha8Rng::seed_from_u64(seed);
        r.set_stream(stream);
        r
    };
    let mut network_rng = rng(path_seed, NETWORK_STREAM);
    let (mut price_rng, mut population_rng, mut oracle_rng, mut secondary_rng) = (
        rng(path_seed, PRICE_STREAM),
        rng(population_seed, POPULATION_STREAM),
        rng(path_seed, ORACLE_STREAM),
        rng(path_seed, SECONDARY_ORACLE_STREAM),
    );
    let paths =
        PricePaths::generate(scenario, &mut price_rng, csv_dir).map_err(|e| SimError(e.0))?;
    let mut plans = population::draw(scenario, &mut population_rng);
    population::mark_defenders(
        scenario,
        &mut plans,
        &mut rng(population_seed, DEFENCE_STREAM),
    );
    population::mark_orders(
        scenario,
        &mut plans,
        &mut rng(population_seed, ORDER_STREAM),
    );

    let mut world = setup::pool(scenario, population_seed).await?;
    let start_time = world.env.now().await;
    let mut impact = Impact::new(scenario.markets.len());
    let mut oracle = Oracle::new(&paths);
    oracle.publish(
        &mut world,
        (scenario, &paths, &impact),
        0,
        start_time,
        (&mut oracle_rng, &mut secondary_rng),
    );
    let conf = scenario.oracle.conf_bps as f64 / 10_000.0;
    let mut book = setup::positions(&mut world, scenario, &plans, conf).await?;
    let mut defenders = std::mem::take(&mut book.defenders);
    // (defender index, amount) to repay at the start of the next step
    let mut defences: Vec<(usize, u64)> = vec![];
    let sink = LogSink::default();
    // flash mode's venues: desks are program accounts, they draw no keys
    let flash_desks = match scenario.liquidators.mode {
        LiquidatorMode::Flash => Some(FlashDesks::open(&mut world, scenario).await),
        LiquidatorMode::Inventory => None,
    };
    let mut bots = open_bots(&mut world, scenario, &sink, flash_desks.as_ref()).await;
    let keeper_key = setup::keeper_wallet(&mut world);
    let keeper = world.chain(&keeper_key).with_log_sink(sink.clone());
    // last: the venue's keys (a scenario that never sells draws the keys it always drew)
    let mut desk = Desk::open(&mut world, scenario).await;
    let bot_keys: Vec<_> = bots.iter().map(|b| b.key.insecure_clone()).collect();
    let holdings_start = setup::holdings(&mut world, &bot_keys).await;
    let read_config = Config::for_pool(world.pool);
    let setup_secs = started.elapsed().as_secs_f64();

    let steps = scenario.steps();
    progress.start(steps);
    let mut series = Vec::with_capacity(steps + 1);
    let mut failures = std::collections::BTreeMap::new();
    let opening: Vec<f64> = paths.prices.iter().map(|p| p[0]).collect();
    let (first, _) = record(&keeper, &read_config, &world, &opening, &oracle, 0, 0).await?;
    let insurance_start = first.insurance_fund_usd;
    series.push(first);
    for step in 1..=steps {
        world.env.warp(scenario.step_secs).await;
        let now = start_time + step as i64 * scenario.step_secs;
        impact.recover(scenario);
        oracle.publish(
            &mut world,
            (scenario, &paths, &impact),
            step,
            now,
            (&mut oracle_rng, &mut secondary_rng),
        );
        // the market's prices this step: the path moved by impact
        let prices: Vec<f64> = (0..paths.prices.len())
            .map(|m| impact.price(m, paths.prices[m][step]))
            .collect();
        if let Some(desks) = &flash_desks {
            desks.quote(&mut world, scenario, &prices).await;
        }
        accrue(&keeper, &world).await?;
        let (mut defended, mut defended_usd) = (0u64, 0.0);
        for (d, amount) in std::mem::take(&mut defences) {
            let defender = &mut defenders[d];
            defender.done = true;
            let ix = kix::repay(
                defender.owner.pubkey(),
                defender.margin,
                &world.markets[defender.debt_market].keys,
                defender.wallet,
                amount,
            );
            let owner = defender.owner.insecure_clone();
            let market = defender.debt_market;
            // a defence can lose the race to a liquidation that closed the debt: not an error
            if world.env.send(&[ix], &[&owner]).await.is_ok() {
                defended += 1;
                defended_usd += metrics::usd(
                    amount as f64,
                    scenario.markets[market].decimals,
                    prices[market],
                );
            }
        }
        let (mut landed, mut skipped, mut failed, mut dropped) = (0, 0, 0, 0);
        let mut before_bots: Option<StepRecord> = None;
        let mut cascade = std::collections::BTreeSet::new();
        let network = &scenario.network;
        let secs = step as i64 * scenario.step_secs;
        let (_, failure_rate) = network.conditions(secs);
        // a bot minutes late reads once a step; a prompt one until a round finds nothing to do
        // or the step's blocks are spent
        let rounds = match network.reaction_delay_steps {
            0 => network.rounds_per_step(scenario.step_secs),
            _ => 1,
        };
        let mut blocks_left = network
            .slots_per_step(scenario.step_secs)
            .saturating_sub(network.reaction_slots())
            .max(1);
        for round in 0..rounds {
            let markets = scenario.markets.len();
            let mut space = BlockSpace::new(network, markets, secs, blocks_left);
            let mut busy = false;
            let first_bot = (step + round) % bots.len();
            let count = bots.len();
            for b in (0..count).map(|i| (first_bot + i) % count) {
                let bot = &mut bots[b];
                let plan = prepare(&bot.chain, &bot.config)
                    .await
                    .map_err(|e| SimError(format!("bot read failed: {e}")))?;
                if before_bots.is_none() {
                    let mut health = StepRecord::default();
                    metrics::add_health(&mut health, &plan.snapshot);
                    before_bots = Some(health);
                    let levels: Vec<f64> = plan
                        .snapshot
                        .markets
                        .iter()
                        .map(|m| impact.level(market_index(&world, &m.key)))
                        .collect();
                    cascade = metrics::impact_only_liquidatable(&plan.snapshot, &levels);
                }
                bot.queue
                    .push_back((step + network.reaction_delay_steps, plan));
                while bot.queue.front().is_some_and(|(due, _)| *due <= step) {
                    let (_, mut plan) = bot.queue.pop_front().expect("front exists");
                    // what fits in the round's block space, less what the network drops
                    let (lost, waiting) = admit(
                        &mut plan,
                        network,
                        &mut space,
                        failure_rate,
                        &mut network_rng,
                    );
                    dropped += lost;
                    let report = execute(&bot.chain, &bot.config, &plan).await;
                    // another round while anything landed or is still to send
                    busy |= report.succeeded > 0 || lost > 0 || waiting > 0;
                    landed += report.succeeded as u64;
                    skipped += report.skipped as u64;
                    failed += report.failed as u64;
                    for e in &report.errors {
                        // "<account>: <error>": count by error
                        let reason = e.split_once(": ").map_or(e.as_str(), |(_, r)| r);
                        *failures.entry(reason.to_string()).or_insert(0) += 1;
                    }
                }
            }
            blocks_left -= space
                .blocks_used(network.blocks_per_round())
                .min(blocks_left);
            if !busy || blocks_left == 0 {
                break;
            }
        }
        let (mut row, mut snapshot) =
            record(&keeper, &read_config, &world, &prices, &oracle, step, secs).await?;
        if settle_bad_debt(&keeper, &snapshot).await? > 0 {
            // the books changed: read them again
            (row, snapshot) =
                record(&keeper, &read_config, &world, &prices, &oracle, step, secs).await?;
        }
        row.defences = defended;
        row.defended_usd = defended_usd;
        defences = to_defend(scenario, &defenders, &snapshot);
        let health = before_bots.expect("every step has a bot read");
        row.liquidatable_accounts = health.liquidatable_accounts;
        row.underwater_accounts = health.underwater_accounts;
        row.min_health_factor = health.min_health_factor;
        row.liquidations = landed;
        row.skipped = skipped;
        row.failed = failed;
        row.dropped = dropped;
        let logs = std::mem::take(&mut *sink.lock().unwrap());
        let events = metrics::events(&logs);
        metrics::add_events(&mut row, &events, |market| {
            let m = market_index(&world, market);
            (m, scenario.markets[m].decimals, prices[m])
        });
        row.cascade_accounts = cascade.len();
        // flash-mode bots sold their seizures at this step's price (flash_desks.rs)
        let mut sold = match &flash_desks {
            Some(_) => {
                crate::flash_desks::sales(&events, scenario, &prices, |k| market_index(&world, k))
            }
            None => vec![0.0; prices.len()],
        };
        for e in &events {
            // what a bot received, liquidating or executing an order, goes to its desk
            let (liquidator, seize_market, seized) = match e {
                metrics::Event::Liquidated(l) => {
                    row.cascade_liquidations += cascade.contains(&l.margin_account) as u64;
                    (l.liquidator, l.seize_market, l.seized)
                }
                metrics::Event::OrderExecuted(o) => (o.executor, o.seize_market, o.seized),
                _ => continue,
            };
            let bot = bot_keys.iter().position(|k| k.pubkey() == liquidator);
            if let (Some(desk), Some(bot)) = (desk.as_mut(), bot) {
                let m = market_index(&world, &seize_market);
                desk.seized(scenario, step, bot, m, seized);
            }
        }
        if let Some(desk) = desk.as_mut() {
            let due = desk
                .sell_due(&mut world, scenario, step, &bots, &prices)
                .await?;
            sold.iter_mut().zip(due).for_each(|(s, d)| *s += d);
        }
        // the step's sales are absorbed by each market's depth: the next step's price
        if flash_desks.is_some() || desk.is_some() {
            for (m, usd) in sold.iter().enumerate() {
                impact.absorb(scenario, m, *usd, prices[m]);
                row.sold_usd[m] = *usd;
                row.impact_pct[m] = impact.level(m) * 100.0;
            }
        }
        series.push(row);
        progress.step();
    }
    let verdict = keel_localnet::invariants::verify(&mut world).await;
    if let Err(broken) = verdict {
        return Err(SimError(format!(
            "invariant broken at the end of the run: {broken}"
        )));
    }
    let setup_transactions = book.transactions + 1 + 2 * scenario.markets.len() as u64;
    let transactions = setup_transactions
        + keeper.transactions()
        + bots.iter().map(|b| b.chain.transactions()).sum::<u64>()
        + desk.as_ref().map_or(0, |d| d.transactions);
    let last_prices = series.last().expect("a run has rows").prices.clone();
    let holdings_end = setup::holdings(&mut world, &bot_keys).await;
    let mut summary = Summary::new(scenario, path_seed, &paths, &book, &series, insurance_start);
    summary.population_seed = population_seed;
    summary.failure_reasons = failures;
    summary.liquidator_pnl_usd =
        setup::holdings_pnl(scenario, &holdings_start, &holdings_end, &last_prices);
    summary.markets = crate::market_report::markets(scenario, &series, &impact.peak);
    Ok(RunResult {
        summary,
        series,
        symbols: scenario.markets.iter().map(|m| m.symbol.clone()).collect(),
        stats: RunStats {
            wall_secs: started.elapsed().as_secs_f64(),
            setup_secs,
            transactions,
            setup_transactions,
        },
    })
}
