//! The shipped cluster example (deploy/slurm/simulate.sbatch) run as Slurm runs an array task:
//! the script with SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT set, once per task, then the
//! merge submit.sh queues after them. The merged report is the single run's, byte for byte.
//! The script's own command when no scenario is set (the built-in one). And `--bench` prints the
//! machine's figures.
use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn small_crash() -> PathBuf {
    repo().join("app/simulator/scenarios/small-crash.toml")
}

fn keel(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .output()
        .expect("run keel");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "keel {args:?}: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_slurm_array_example_gives_the_single_runs_report() {
    let dir = std::env::temp_dir().join(format!("keel-slurm-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = dir.join("mc");
    for task in 0..2 {
        let status = Command::new("bash")
            .arg(repo().join("deploy/slurm/simulate.sbatch"))
            .env("SLURM_ARRAY_TASK_ID", task.to_string())
            .env("SLURM_ARRAY_TASK_COUNT", "2")
            .env("SLURM_CPUS_PER_TASK", "1")
            .env("KEEL", env!("CARGO_BIN_EXE_keel"))
            .env("SCENARIO", small_crash())
            .env("RUNS", "3")
            .env("SEED", "2")
            .env("OUT", &out)
            .status()
            .expect("run bash");
        assert!(status.success(), "array task {task}");
    }
    // what submit.sh queues after the array
    let shards: Vec<String> = (0..2)
        .map(|i| out.join(format!("shard-{i}")).display().to_string())
        .collect();
    let merged = out.join("merged");
    let mut merge = vec!["simulate", "merge"];
    merge.extend(shards.iter().map(String::as_str));
    merge.extend(["--out", merged.to_str().unwrap()]);
    let merged_text = keel(&merge);

    let single = dir.join("single");
    let scenario = small_crash();
    let single_text = keel(&[
        "simulate",
        "--scenario",
        scenario.to_str().unwrap(),
        "--runs",
        "3",
        "--seed",
        "2",
        "--quiet",
        "--out",
        single.to_str().unwrap(),
    ]);
    for file in ["runs.csv", "runs.json"] {
        assert_eq!(
            std::fs::read(merged.join(file)).unwrap(),
            std::fs::read(single.join(file)).unwrap(),
            "{file}"
        );
    }
    let table = |t: &str| t.split("\n\n").next().unwrap().to_string();
    assert_eq!(table(&merged_text), table(&single_text));
    assert!(table(&single_text).starts_with("3 runs, price paths of seeds 2..=4"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bench_prints_rate_time_and_memory() {
    let dir = std::env::temp_dir().join(format!("keel-bench-{}", std::process::id()));
    let scenario = small_crash();
    let text = keel(&[
        "simulate",
        "--scenario",
        scenario.to_str().unwrap(),
        "--traders",
        "8",
        "--bench",
        "--out",
        dir.to_str().unwrap(),
    ]);
    for row in [
        "wall time",
        "transactions",
        "tx/s per core",
        "peak memory (RSS)",
    ] {
        assert!(text.contains(row), "{row} missing from:\n{text}");
    }
    let rate: f64 = text
        .split("tx/s per core")
        .next()
        .and_then(|t| t.rsplit('(').next())
        .and_then(|t| t.trim().parse().ok())
        .expect("a rate");
    assert!(rate > 0.0, "{text}");
    assert!(
        dir.join("timeseries.csv").exists(),
        "the files are written as usual"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_slurm_script_without_a_scenario_runs_the_built_in_one() {
    // KEEL=echo: the command the array task would run, without running it
    let out = Command::new("bash")
        .arg(repo().join("deploy/slurm/simulate.sbatch"))
        .env_remove("SCENARIO")
        .env_remove("RUNS")
        .env_remove("SEED")
        .env_remove("SLURM_CPUS_PER_TASK")
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "4")
        .env("KEEL", "echo")
        .env("OUT", "mc")
        .output()
        .expect("run bash");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "simulate --runs 100 --seed 1 --shard 1/4 --threads 1 --quiet --out mc/shard-1\n"
    );
}
