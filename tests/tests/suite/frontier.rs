//! The parameter frontier (issue 12) against the program: its listing is one `keel migrate`
//! accepts, and the shipped listing is the frontier's choice for the built-in scenario.
use crate::cli::{fund, keel_as, migrate_actions};
use keel_tests::invariants::check;
use solana_sdk::signature::Signer;

/// Issue 12: the parameter frontier's output is a listing `keel migrate` accepts on the embedded
/// chain, and every configuration in it passes the program's `MarketConfig::validate`. A tiny
/// search (one path, coarse steps) on the small crash; the pool it is applied to is the one the
/// simulator lists for the same seed, so the mints match.
#[tokio::test(flavor = "multi_thread")]
async fn a_frontier_listing_is_accepted_by_migrate_on_the_embedded_chain() {
    use keel_simulator::frontier::{search, FrontierOptions};
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../app/simulator/scenarios");
    let text = std::fs::read_to_string(dir.join("small-crash.toml")).unwrap();
    let scenario = keel_simulator::Scenario::from_toml(&text).unwrap();
    let opts = FrontierOptions {
        paths: 1,
        seed: 7,
        budget_bps: 10,
        coarse_bps: 1_000,
        fine_bps: 500,
        threads: 2,
    };
    let frontier = search(&scenario, &opts, &dir, &|| {}, &|_| {}).unwrap();
    assert!(frontier.points.iter().any(|p| p.stage == "coarse"));
    assert_eq!(frontier.points[0].stage, "joint");
    let last = frontier.points.last().unwrap();
    assert!(last.stage == "check" && last.feasible, "{last:?}");
    // the chosen weights differ from the scenario's somewhere (the search moved)
    assert_ne!(frontier.chosen, scenario);
    let listing = keel_simulator::frontier_report::listing(&frontier.chosen, opts.seed, "test")
        .await
        .unwrap();
    let parsed: keel_cli::config_file::Listing = toml::from_str(&listing).unwrap();
    assert_eq!(parsed.market.len(), scenario.markets.len());
    for (entry, m) in parsed.market.iter().zip(&frontier.chosen.markets) {
        let config = entry.config.to_config().unwrap();
        config.validate().unwrap();
        assert_eq!(config.weights.init_asset_weight_bps, m.init_weight_bps);
        assert_eq!(config.weights.maint_asset_weight_bps, m.maint_weight_bps);
    }

    // the pool as the simulator lists the original scenario for the same seed
    let mut w = keel_simulator::setup::pool(&scenario, opts.seed)
        .await
        .unwrap();
    let admin = w.admin.insecure_clone();
    fund(&mut w, &admin.pubkey()).await;
    let file = std::env::temp_dir().join(format!("keel-frontier-{}.toml", std::process::id()));
    std::fs::write(&file, &listing).unwrap();
    let out = keel_as(&w, &admin, &[], &["migrate", &file.to_string_lossy()])
        .await
        .unwrap();
    let actions = migrate_actions(&out);
    // each market: unchanged, tightened at once (a lower weight), or queued (a higher one)
    assert_eq!(actions.len(), scenario.markets.len());
    assert!(
        actions
            .iter()
            .all(|a| ["unchanged", "tightened", "queued"].contains(a)),
        "{actions:?}"
    );
    assert!(actions.iter().any(|a| *a != "unchanged"), "{actions:?}");
    check(&mut w).await;
}

/// Issue 12: the shipped listing (`migrations/black-thursday.toml`, the frontier's output for the
/// built-in scenario) is exactly what the simulator lists for that scenario: applied to the pool
/// the simulator sets up, `keel migrate` changes nothing.
#[tokio::test(flavor = "multi_thread")]
async fn the_shipped_listing_is_the_frontiers_choice_for_the_builtin_scenario() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../migrations/black-thursday.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.contains("keel simulate --frontier"),
        "the command is recorded"
    );
    let scenario = keel_simulator::builtin::black_thursday();
    let mut w = keel_simulator::setup::pool(&scenario, 1).await.unwrap();
    let admin = w.admin.insecure_clone();
    fund(&mut w, &admin.pubkey()).await;
    let out = keel_as(&w, &admin, &[], &["migrate", &path.to_string_lossy()])
        .await
        .unwrap();
    let actions = migrate_actions(&out);
    assert_eq!(actions, ["unchanged"; 4]);
    for (symbol, init, maint) in keel_sdk::defaults::FRONTIER_WEIGHTS {
        let m = scenario
            .markets
            .iter()
            .find(|m| m.symbol == symbol)
            .unwrap();
        assert_eq!((m.init_weight_bps, m.maint_weight_bps), (init, maint));
    }
}
