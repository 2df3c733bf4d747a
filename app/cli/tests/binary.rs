//! The `keel` binary's failures that only a process shows: one line on stderr, a non-zero exit,
//! nothing sent.
use solana_sdk::signature::{write_keypair_file, Keypair};
use std::process::Command;

fn keel(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(args)
        .output()
        .expect("run keel");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const POOL: &str = "GzuFQvciVuC5yBWJXLfzA1etSDoW7eNV6MF68Dz98bRx";

#[test]
fn a_missing_keypair_is_named() {
    let (code, out, err) = keel(&[
        "--pool",
        POOL,
        "--keypair",
        "/nonexistent/id.json",
        "status",
    ]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    assert_eq!(
        err,
        "error: cannot read keypair file '/nonexistent/id.json'\n"
    );
}

#[test]
fn an_unreachable_cluster_is_one_line() {
    let dir = std::env::temp_dir().join(format!("keel-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("id.json");
    write_keypair_file(&Keypair::new(), &path).unwrap();
    // a closed port on loopback: refused at once
    let (code, _, err) = keel(&[
        "--url",
        "http://127.0.0.1:1",
        "--keypair",
        path.to_str().unwrap(),
        "--pool",
        POOL,
        "status",
    ]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: cluster unreachable"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
}

#[test]
fn a_bad_pool_is_named() {
    let (code, _, err) = keel(&["--pool", "nope", "--keypair", "/nonexistent", "status"]);
    assert_eq!(code, 1);
    assert!(err.starts_with("error: "), "{err}");
}

/// `keel simulate` in an empty environment (no RUST_LOG): the report on stdout, and stderr quiet.
/// The embedded chain turns the runtime's DEBUG logging on when RUST_LOG is unset; the binary
/// sets it to `error` first (this run printed about 9,800 lines of logs before).
#[test]
fn simulate_is_quiet_in_an_empty_environment() {
    let dir = std::env::temp_dir().join(format!("keel-sim-{}", std::process::id()));
    let scenario = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../simulator/scenarios/small-crash.toml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_keel"))
        .args(["simulate", "--scenario", scenario, "--out"])
        .arg(&dir)
        .env_clear()
        .output()
        .expect("run keel simulate");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("bad debt, total"), "{stdout}");
    assert!(
        stderr.lines().count() <= 5,
        "stderr has {} lines: {}",
        stderr.lines().count(),
        stderr.lines().take(5).collect::<Vec<_>>().join("\n")
    );
}
