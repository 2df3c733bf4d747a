//! What `keel simulate --frontier` prints and writes: the points as a table and CSV, a chart of
//! capital efficiency against p99 bad debt, and the chosen weights as a `keel migrate` listing.
use crate::frontier::{Frontier, Point};
use crate::report::{csv_text, thousands};
use crate::scenario::Scenario;
use crate::SimError;
use keel_sdk::config_file::{Listing, ListingEntry, MarketConfigFile};
use plotters::prelude::*;
use std::fmt::Write;

/// The points as an aligned table, the chosen weights last.
pub fn table(f: &Frontier, budget_bps: u32) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<6} {:>6} {:>6} {:>8} {:>12} {:>12} {:>12} {:>12}  {:<8} stage",
        "market",
        "init",
        "maint",
        "cap.eff",
        "bad p50",
        "bad p95",
        "bad p99",
        "soc. p99",
        "feasible",
    );
    for p in &f.points {
        let _ = writeln!(
            out,
            "{:<6} {:>6} {:>6} {:>8.3} {:>12} {:>12} {:>12} {:>12}  {:<8} {}",
            p.market,
            p.init_weight_bps,
            p.maint_weight_bps,
            p.capital_efficiency,
            thousands(p.bad_debt_p50_usd),
            thousands(p.bad_debt_p95_usd),
            thousands(p.bad_debt_p99_usd),
            thousands(p.socialised_p99_usd),
            if p.feasible { "yes" } else { "no" },
            p.stage
        );
    }
    let _ = writeln!(
        out,
        "\nbudget: p99 bad debt <= {budget_bps} bps of the starting debt, none socialised; {} runs",
        f.runs
    );
    let _ = writeln!(out, "chosen (init / maint weight, bps):");
    for m in f.chosen.markets.iter().filter(|m| !m.process.is_stable()) {
        let _ = writeln!(
            out,
            "  {:<6} {} / {}",
            m.symbol, m.init_weight_bps, m.maint_weight_bps
        );
    }
    out
}

/// The points as CSV.
pub fn csv(points: &[Point]) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(vec![]);
    for p in points {
        w.serialize(p)?;
    }
    csv_text(w)
}

/// Capital efficiency against p99 bad debt, one colour per market, hollow when infeasible.
pub fn svg(points: &[Point], budget_usd: f64) -> Result<String, String> {
    let err = |e: &dyn std::fmt::Display| format!("plot: {e}");
    let mut text = String::new();
    {
        let root = SVGBackend::with_string(&mut text, (900, 560)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let x_hi = points
            .iter()
            .map(|p| p.bad_debt_p99_usd)
            .fold(budget_usd * 2.0, f64::max)
            * 1.05
            + 1.0;
        let (y_lo, y_hi) = points.iter().fold((f64::MAX, f64::MIN), |(a, b), p| {
            (a.min(p.capital_efficiency), b.max(p.capital_efficiency))
        });
        let pad = ((y_hi - y_lo) * 0.1).max(0.01);
        let mut chart = ChartBuilder::on(&root)
            .caption(
                "Parameter frontier: capital efficiency vs p99 bad debt",
                ("sans-serif", 20),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..x_hi, (y_lo - pad)..(y_hi + pad))
            .map_err(|e| err(&e))?;
        chart
            .configure_mesh()
            .x_desc("p99 bad debt over the paths (USD)")
            .y_desc("debt per $ of collateral")
            .draw()
            .map_err(|e| err(&e))?;
        chart
            .draw_series(LineSeries::new(
                [(budget_usd, y_lo - pad), (budget_usd, y_hi + pad)],
                RED.stroke_width(1),
            ))
            .map_err(|e| err(&e))?
            .label("budget");
        let mut markets: Vec<&str> = points.iter().map(|p| p.market.as_str()).collect();
        markets.dedup();
        let colours = [BLUE, GREEN, MAGENTA, CYAN, BLACK];
        for (i, market) in markets.iter().enumerate() {
            let colour = colours[i % colours.len()];
            let style = |feasible: bool| {
                if feasible {
                    colour.filled()
                } else {
                    colour.stroke_width(2)
                }
            };
            chart
                .draw_series(points.iter().filter(|p| p.market == *market).map(|p| {
                    Circle::new(
                        (p.bad_debt_p99_usd, p.capital_efficiency),
                        5,
                        style(p.feasible),
                    )
                }))
                .map_err(|e| err(&e))?
                .label(market.to_string())
                .legend(move |(x, y)| Circle::new((x, y), 5, colour.filled()));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(text)
}

/// The chosen scenario's markets as a `keel migrate` listing: each market as the embedded chain
/// lists it for `seed` (its mint, token program, feed and every other field of the program's
/// config), headed by `command`. On a real cluster, replace the mints and feeds with the real ones.
pub async fn listing(chosen: &Scenario, seed: u64, command: &str) -> Result<String, SimError> {
    let mut world = crate::setup::pool(chosen, seed).await?;
    let mut market = vec![];
    for m in 0..world.markets.len() {
        let keys = world.markets[m].keys;
        let config = world.market(m).await.config;
        config
            .validate()
            .map_err(|e| SimError(format!("{}: {e}", chosen.markets[m].symbol)))?;
        market.push(ListingEntry {
            mint: keys.mint.to_string(),
            token_program: (keys.token_program != anchor_spl::token::ID)
                .then(|| keys.token_program.to_string()),
            config: MarketConfigFile::from_config(&config),
        });
    }
    let body = toml::to_string(&Listing { market }).map_err(|e| SimError(e.to_string()))?;
    let symbols: Vec<&str> = chosen.markets.iter().map(|m| m.symbol.as_str()).collect();
    Ok(format!(
        "# Chosen by the parameter frontier (keel-simulator, frontier.rs):\n#   {command}\n\
         # markets, in order: {}\n# mints and feeds are the embedded chain's for seed {seed}: \
         replace them on a real cluster\n{body}",
        symbols.join(", ")
    ))
}

/// `keel simulate --frontier`: search, print the table, write the files.
pub async fn command(
    args: &crate::cli::SimulateArgs,
    scenario: &Scenario,
    csv_dir: &std::path::Path,
    bar: &indicatif::ProgressBar,
) -> Result<String, SimError> {
    let opts = crate::frontier::FrontierOptions {
        paths: args.frontier_paths,
        seed: args.seed,
        budget_bps: args.budget_bps,
        coarse_bps: args.coarse_bps,
        fine_bps: args.fine_bps,
        threads: args.worker_threads(),
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template("{elapsed_precise} {pos} runs {msg}")
            .expect("a valid template"),
    );
    let started = std::time::Instant::now();
    let quiet = args.quiet;
    let log = |p: &Point| {
        if !quiet {
            bar.suspend(|| {
                eprintln!(
                    "{} {} {}/{}: capital efficiency {:.3}, p99 bad debt ${}, p99 socialised ${}, {}",
                    p.stage,
                    p.market,
                    p.init_weight_bps,
                    p.maint_weight_bps,
                    p.capital_efficiency,
                    thousands(p.bad_debt_p99_usd),
                    thousands(p.socialised_p99_usd),
                    if p.feasible { "feasible" } else { "infeasible" }
                )
            });
        }
    };
    let frontier = crate::frontier::search(scenario, &opts, csv_dir, &|| bar.inc(1), &log)?;
    bar.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let budget_usd = frontier.points.first().map_or(0.0, |p| {
        p.start_debt_usd * args.budget_bps as f64 / 10_000.0
    });
    let write = |name: &str, text: &str| crate::cli::write(&args.out, name, text);
    let command = format!(
        "keel simulate --frontier{} --seed {} --frontier-paths {} --budget-bps {} --coarse-bps {} \
         --fine-bps {}{}",
        args.scenario
            .as_ref()
            .map_or(String::new(), |p| format!(" --scenario {}", p.display())),
        args.seed,
        args.frontier_paths,
        args.budget_bps,
        args.coarse_bps,
        args.fine_bps,
        args.traders
            .map_or(String::new(), |n| format!(" --traders {n}"))
    );
    let listing_text = listing(&frontier.chosen, args.seed, &command).await?;
    let files = [
        write(
            "frontier.csv",
            &csv(&frontier.points).map_err(|e| SimError(e.to_string()))?,
        )?,
        write(
            "frontier.svg",
            &svg(&frontier.points, budget_usd).map_err(SimError)?,
        )?,
        write("listing.toml", &listing_text)?,
        write(
            "scenario.toml",
            &format!("# {command}\n{}", frontier.chosen.to_toml()),
        )?,
    ];
    let mut out = table(&frontier, args.budget_bps);
    let _ = writeln!(
        out,
        "{} runs in {wall:.0} s on {} threads",
        frontier.runs, opts.threads
    );
    let names: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let _ = writeln!(out, "wrote {}", names.join(", "));
    Ok(out)
}
