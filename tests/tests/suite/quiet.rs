//! The suite is quiet unless asked: in an empty environment (no `RUST_LOG`) a runtime test prints
//! next to nothing on stderr. program-test turns the runtime's DEBUG logging on whenever
//! `RUST_LOG` is unset (tens of thousands of lines a run); the embedded chain turns it back to
//! `error` (app/localnet/src/bank.rs).
use std::process::Command;

#[test]
fn a_runtime_test_is_quiet_in_an_empty_environment() {
    // this very binary, one real-runtime test, nothing from the caller's environment
    let out = Command::new(std::env::current_exe().expect("the suite binary"))
        .args([
            "--exact",
            "oracle::debt_free_withdrawal_needs_no_oracle",
            "--test-threads=1",
            "--nocapture",
        ])
        .env_clear()
        .output()
        .expect("run the suite binary");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(stdout.contains("1 passed"), "{stdout}");
    assert!(
        stderr.lines().count() <= 5,
        "stderr has {} lines: {}",
        stderr.lines().count(),
        stderr.lines().take(5).collect::<Vec<_>>().join("\n")
    );
}
