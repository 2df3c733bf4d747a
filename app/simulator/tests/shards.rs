//! A Monte Carlo split across machines: `--runs N --shard i/k` on each, `keel simulate merge` of
//! their directories. Merged, the shards give what one `--runs N` gives, byte for byte; shards
//! that are not one Monte Carlo, overlap or leave a path out are refused.
use keel_simulator::cli::{simulate, SimulateArgs, SimulateCommand};
use keel_simulator::shard::Shard;
use std::path::{Path, PathBuf};

/// The small crash with noise on SOL's path, so that every seed's path (and row) differs.
fn scenario() -> PathBuf {
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/small-crash.toml");
    let text = std::fs::read_to_string(base).unwrap().replacen(
        "process = { kind = \"crash\", beta = 1.0, sigma = 0.0 }",
        "process = { kind = \"crash\", beta = 1.0, sigma = 1.5 }",
        1,
    );
    assert!(text.contains("sigma = 1.5"));
    let path = std::env::temp_dir().join(format!("keel-shards-{}.toml", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

fn out(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("keel-shards-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

/// `keel simulate --scenario small-crash.toml --traders 12 --seed 3 --runs 5 [--shard]`.
fn args(out: &Path, shard: Option<&str>, threads: usize) -> SimulateArgs {
    SimulateArgs {
        scenario: Some(scenario()),
        seed: 3,
        runs: 5,
        sweep: None,
        sweep_points: 2,
        traders: Some(12),
        out: out.to_path_buf(),
        quiet: true,
        print_scenario: false,
        list_sweeps: false,
        threads: Some(threads),
        frontier: false,
        stress: false,
        frontier_paths: 20,
        budget_bps: 10,
        coarse_bps: 500,
        fine_bps: 100,
        shard: shard.map(|s| s.parse::<Shard>().unwrap()),
        bench: false,
        command: None,
    }
}

fn merge(out: &Path, dirs: &[&Path]) -> SimulateArgs {
    let mut a = args(out, None, 1);
    a.command = Some(SimulateCommand::Merge {
        dirs: dirs.iter().map(|d| d.to_path_buf()).collect(),
    });
    a
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

/// The table a Monte Carlo prints, without the machine's figures (time, tx/s, memory).
fn table(text: &str) -> String {
    text.lines()
        .take_while(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[tokio::test(flavor = "multi_thread")]
async fn two_shards_merged_are_one_run_of_both() {
    let whole = out("whole");
    let single = simulate(&args(&whole, None, 2), false).await.unwrap();
    let (a, b) = (out("a"), out("b"));
    // the slices: paths 0..2 and 2..5 (seeds 3, 4 and 5, 6, 7), one thread each
    let first = simulate(&args(&a, Some("0/2"), 1), false).await.unwrap();
    assert!(
        first.contains("2 runs, price paths of seeds 3..=4"),
        "{first}"
    );
    assert!(first.contains("shard 0/2 of 5 runs"), "{first}");
    let second = simulate(&args(&b, Some("1/2"), 1), false).await.unwrap();
    assert!(
        second.contains("3 runs, price paths of seeds 5..=7"),
        "{second}"
    );

    let merged_dir = out("merged");
    // the order the directories are named in does not matter
    let merged = simulate(&merge(&merged_dir, &[&b, &a]), false)
        .await
        .unwrap();
    assert!(merged.contains("merged 2 shard(s)"), "{merged}");
    assert_eq!(read(&merged_dir, "runs.csv"), read(&whole, "runs.csv"));
    assert_eq!(read(&merged_dir, "runs.json"), read(&whole, "runs.json"));
    assert_eq!(table(&merged), table(&single));
    assert!(table(&single).contains("5 runs, price paths of seeds 3..=7"));
    let rows: Vec<String> = read(&whole, "runs.csv")
        .lines()
        .skip(1)
        .map(|row| row.split_once(',').unwrap().1.to_string())
        .collect();
    assert_eq!(rows.len(), 5);
    assert!(
        rows.iter().skip(1).any(|r| *r != rows[0]),
        "the paths differ, so a merge in the wrong order would show"
    );
    let json = simulate(&merge(&merged_dir, &[&a, &b]), true)
        .await
        .unwrap();
    let summaries: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    assert_eq!(summaries.len(), 5);

    // a missing shard, the same shard twice, a shard of another Monte Carlo: refused
    let e = simulate(&merge(&merged_dir, &[&a]), false)
        .await
        .unwrap_err();
    assert!(
        e.0.contains("3 of the 5 paths are in no directory (seeds 5, 6, 7)"),
        "{e:?}"
    );
    let e = simulate(&merge(&merged_dir, &[&a, &b, &a]), false)
        .await
        .unwrap_err();
    assert!(e.0.contains("the path of seed 3 is in both"), "{e:?}");
    let other = out("other");
    let mut seven = args(&other, Some("1/2"), 1);
    seven.traders = Some(7);
    simulate(&seven, false).await.unwrap();
    let e = simulate(&merge(&merged_dir, &[&a, &other]), false)
        .await
        .unwrap_err();
    assert!(e.0.contains("their scenarios differ"), "{e:?}");
    let e = simulate(&merge(&merged_dir, &[&out("none")]), false)
        .await
        .unwrap_err();
    assert!(e.0.contains("cannot read"), "{e:?}");
    for dir in [whole, a, b, merged_dir, other] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
