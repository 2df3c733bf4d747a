//! A Monte Carlo across machines.
//!
//! `keel simulate --runs N --shard i/k` runs the i-th of k disjoint slices of the N price paths
//! and writes its rows: `runs.csv`, and `runs.json` (every run's figures, the scenario and which
//! slice this is). `keel simulate merge DIR...` reads the shards' `runs.json`, checks that they
//! are slices of one Monte Carlo (same scenario, seed and N) that cover its paths exactly once,
//! and writes what a single `--runs N` writes: the same `runs.csv`, byte for byte, and the same
//! table. Any cluster engine that can run an indexed array of commands runs the shards: a
//! Kubernetes Indexed Job or a Slurm job array (`deploy/`).
//!
//! ```text
//! paths of a Monte Carlo = seeds S, S+1, ..., S+N-1 (population of seed S)
//! slice i of k           = paths [floor(i*N/k), floor((i+1)*N/k))   (0 <= i < k, sizes differ by <= 1)
//! ```
use crate::report::Summary;
use crate::scenario::Scenario;
use crate::SimError;
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The name of the file a Monte Carlo (or a shard of one) writes its runs to.
pub const RUNS_JSON: &str = "runs.json";

/// Version of `runs.json`; a merge refuses any other.
const FORMAT: u32 = 1;

/// The most paths a runs file may claim (a merge allocates one slot per path).
const MAX_RUNS: usize = 10_000_000;

/// One of k slices: `index` counts from 0, like a Kubernetes completion index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, 0-based.
    pub index: usize,
    /// How many slices.
    pub count: usize,
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("'{s}': expected i/k with 0 <= i < k, e.g. 0/4");
        let (i, k) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = k.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl Shard {
    /// The whole Monte Carlo as one slice.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Which of the `runs` paths (offsets from the first seed) this slice runs.
    pub fn paths(&self, runs: usize) -> Range<usize> {
        let at = |i: usize| i * runs / self.count;
        at(self.index)..at(self.index + 1)
    }
}

/// What a Monte Carlo writes to `runs.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RunsFile {
    /// `FORMAT`.
    pub format: u32,
    /// The scenario that ran, as TOML.
    pub scenario: String,
    /// SHA-256 of the scenario's price CSV, when it has one (the TOML names only its path).
    pub price_csv_sha256: Option<String>,
    /// The program build that ran: "native" or "SBF" (shards of different builds do not merge).
    pub build: String,
    /// The population seed, which is also the first path's seed.
    pub seed: u64,
    /// Paths in the whole Monte Carlo.
    pub runs: usize,
    /// Which slice of them this file holds.
    pub shard: Shard,
    /// One per path of the slice, in seed order.
    pub summaries: Vec<Summary>,
}

impl RunsFile {
    /// Read `dir/runs.json`.
    pub fn read(dir: &Path) -> Result<RunsFile, SimError> {
        let path = dir.join(RUNS_JSON);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| SimError(format!("cannot read '{}': {e}", path.display())))?;
        let file: RunsFile = serde_json::from_str(&text)
            .map_err(|e| SimError(format!("'{}' is not a runs file: {e}", path.display())))?;
        let bad = |why: &str| SimError(format!("'{}': {why}", path.display()));
        if file.runs > MAX_RUNS {
            return Err(bad(&format!(
                "claims {} paths, more than {MAX_RUNS}",
                file.runs
            )));
        }
        if file.seed.checked_add(file.runs.max(1) as u64 - 1).is_none() {
            return Err(bad("its paths' seeds pass 2^64 - 1"));
        }
        if file.format != FORMAT {
            return Err(SimError(format!(
                "'{}' has format {}, this keel reads {FORMAT}",
                path.display(),
                file.format
            )));
        }
        Ok(file)
    }

    /// As JSON.
    pub fn to_json(&self) -> Result<String, SimError> {
        serde_json::to_string_pretty(self).map_err(|e| SimError(e.to_string()))
    }

    /// A file of `summaries` for `shard` of the Monte Carlo of `scenario` from `seed` over
    /// `runs` paths, run on `build`; `csv_dir` resolves the scenario's price CSV.
    pub fn new(
        scenario: &Scenario,
        csv_dir: &Path,
        (seed, runs, shard): (u64, usize, Shard),
        build: &str,
        summaries: Vec<Summary>,
    ) -> Result<RunsFile, SimError> {
        let price_csv_sha256 = match &scenario.price_csv {
            Some(path) => {
                let path = csv_dir.join(path);
                let bytes = std::fs::read(&path)
                    .map_err(|e| SimError(format!("cannot read '{}': {e}", path.display())))?;
                Some(solana_sdk::hash::hash(&bytes).to_string())
            }
            None => None,
        };
        Ok(RunsFile {
            format: FORMAT,
            scenario: scenario.to_toml(),
            price_csv_sha256,
            build: build.to_string(),
            seed,
            runs,
            shard,
            summaries,
        })
    }
}

/// Combine the shards in `dirs` into the whole Monte Carlo (a file with `Shard::ALL`).
pub fn merge(dirs: &[PathBuf]) -> Result<RunsFile, SimError> {
    let files = dirs
        .iter()
        .map(|d| RunsFile::read(d).map(|f| (d, f)))
        .collect::<Result<Vec<_>, _>>()?;
    let Some((first_dir, first)) = files.first() else {
        return Err(SimError("merge: name at least one directory".into()));
    };
    // per path: the directory that holds it, and its figures
    let mut slots: Vec<Option<(&PathBuf, &Summary)>> = vec![None; first.runs];
    for (dir, file) in &files {
        let differs = |what: &str| {
            SimError(format!(
                "'{}' and '{}' are not shards of one Monte Carlo: their {what} differ",
                first_dir.display(),
                dir.display()
            ))
        };
        if file.scenario != first.scenario || file.price_csv_sha256 != first.price_csv_sha256 {
            return Err(differs("scenarios"));
        }
        if file.build != first.build {
            return Err(differs("program builds (native or SBF)"));
        }
        if (file.seed, file.runs) != (first.seed, first.runs) {
            return Err(differs("seeds or --runs"));
        }
        for summary in &file.summaries {
            let offset = summary
                .seed
                .checked_sub(file.seed)
                .map(|o| o as usize)
                .filter(|o| *o < file.runs)
                .ok_or_else(|| {
                    SimError(format!(
                        "'{}' holds seed {}, outside the Monte Carlo's {} path(s) from seed {}",
                        dir.display(),
                        summary.seed,
                        file.runs,
                        file.seed
                    ))
                })?;
            if let Some((other, _)) = slots[offset] {
                return Err(SimError(format!(
                    "the path of seed {} is in both '{}' and '{}'",
                    summary.seed,
                    other.display(),
                    dir.display()
                )));
            }
            slots[offset] = Some((dir, summary));
        }
    }
    let missing: Vec<u64> = (0..first.runs)
        .filter(|o| slots[*o].is_none())
        .map(|o| first.seed + o as u64)
        .collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(8).map(u64::to_string).collect();
        let more = if missing.len() > shown.len() {
            ", ..."
        } else {
            ""
        };
        return Err(SimError(format!(
            "{} of the {} paths are in no directory (seeds {}{more}): a shard is missing",
            missing.len(),
            first.runs,
            shown.join(", ")
        )));
    }
    Ok(RunsFile {
        shard: Shard::ALL,
        summaries: slots.iter().flatten().map(|(_, s)| (*s).clone()).collect(),
        ..first.clone()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_cover_every_path_once() {
        for runs in [0, 1, 2, 7, 100, 101] {
            for count in 1..=9 {
                let mut next = 0;
                for index in 0..count {
                    let paths = Shard { index, count }.paths(runs);
                    assert_eq!(paths.start, next, "{index}/{count} of {runs}");
                    assert!(paths.len() <= runs / count + 1);
                    next = paths.end;
                }
                assert_eq!(next, runs);
            }
        }
    }

    #[test]
    fn shard_specs() {
        assert_eq!(
            "1/4".parse::<Shard>().unwrap(),
            Shard { index: 1, count: 4 }
        );
        assert_eq!("0/1".parse::<Shard>().unwrap(), Shard::ALL);
        for bad in ["4/4", "1/0", "1", "a/b", "-1/3"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }
}
