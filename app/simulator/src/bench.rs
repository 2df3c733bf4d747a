//! `keel simulate --bench`: the machine's figures of a run or a Monte Carlo. Transactions per
//! second are per core: the runs' transactions (set-up included, sent or simulated) over the
//! runs' own wall time, which includes reading every account each step; peak memory is the
//! process's resident high-water mark (Linux's VmHWM).
use crate::engine::RunResult;
use crate::SimError;
use std::fmt::Write;

/// Peak resident memory of this process (Linux's VmHWM), bytes.
pub fn peak_memory_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// The machine's figures of `results` (run in `wall_secs` on `threads` threads).
#[derive(Clone, Debug, serde::Serialize)]
pub struct Bench {
    /// SBF or native.
    pub build: &'static str,
    /// Runs.
    pub runs: usize,
    /// Worker threads.
    pub threads: usize,
    /// Wall time of the command, seconds.
    pub wall_secs: f64,
    /// Transactions of the runs, set-up included (sent or simulated).
    pub transactions: u64,
    /// Their rate on one core: transactions over the runs' own wall time (which includes
    /// reading every account each step).
    pub tx_per_sec_per_core: f64,
    /// Set-up transactions.
    pub setup_transactions: u64,
    /// Their rate on one core.
    pub setup_tx_per_sec_per_core: f64,
    /// Peak resident memory of the process, bytes.
    pub peak_memory_bytes: Option<u64>,
}

impl Bench {
    /// The figures of `results`, run in `wall_secs` on `threads` threads.
    pub fn of(results: &[RunResult], threads: usize, wall_secs: f64) -> Bench {
        let txs: u64 = results.iter().map(|r| r.stats.transactions).sum();
        let setup_txs: u64 = results.iter().map(|r| r.stats.setup_transactions).sum();
        let setup: f64 = results.iter().map(|r| r.stats.setup_secs).sum();
        let busy: f64 = results.iter().map(|r| r.stats.wall_secs).sum();
        Bench {
            // the ledger's own choice (also for an empty slice, which ran nothing)
            build: if keel_localnet::env::sbf_binary().is_some() {
                "SBF"
            } else {
                "native"
            },
            runs: results.len(),
            threads: threads.min(results.len()).max(1),
            wall_secs,
            transactions: txs,
            tx_per_sec_per_core: txs as f64 / busy.max(1e-9),
            setup_transactions: setup_txs,
            setup_tx_per_sec_per_core: setup_txs as f64 / setup.max(1e-9),
            peak_memory_bytes: peak_memory_bytes(),
        }
    }

    fn memory(&self) -> String {
        self.peak_memory_bytes
            .map_or("n/a".into(), |b| format!("{:.0} MB", b as f64 / 1e6))
    }

    /// One line under a report.
    pub fn line(&self) -> String {
        format!(
            "embedded chain ({} build): {} transactions in {:.1} s ({:.0} tx/s per core, every \
             account read each step); set-up {} transactions ({:.0} tx/s); peak memory {}",
            self.build,
            self.transactions,
            self.wall_secs,
            self.tx_per_sec_per_core,
            self.setup_transactions,
            self.setup_tx_per_sec_per_core,
            self.memory()
        )
    }

    /// The `--bench` table.
    pub fn table(&self) -> String {
        let mut out = String::new();
        let rows = [
            ("build", self.build.to_string()),
            (
                "runs / threads",
                format!("{} / {}", self.runs, self.threads),
            ),
            ("wall time", format!("{:.1} s", self.wall_secs)),
            (
                "runs per minute",
                format!("{:.1}", self.runs as f64 * 60.0 / self.wall_secs.max(1e-9)),
            ),
            (
                "transactions",
                format!(
                    "{} ({:.0} tx/s per core)",
                    self.transactions, self.tx_per_sec_per_core
                ),
            ),
            (
                "set-up transactions",
                format!(
                    "{} ({:.0} tx/s per core)",
                    self.setup_transactions, self.setup_tx_per_sec_per_core
                ),
            ),
            ("peak memory (RSS)", self.memory()),
        ];
        for (name, value) in rows {
            let _ = writeln!(out, "{name:<22} {value}");
        }
        out
    }
}

/// What `--bench` prints: the table, or JSON.
pub fn output(bench: &Bench, json: bool) -> Result<String, SimError> {
    if json {
        serde_json::to_string_pretty(bench).map_err(|e| SimError(e.to_string()))
    } else {
        Ok(bench.table())
    }
}
