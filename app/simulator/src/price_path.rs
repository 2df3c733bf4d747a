//! True price paths, one per market, sampled at every step.
//!
//! ```text
//! dt            = step_secs / (365 * 86,400)                          (years)
//! noise step    = sigma * sqrt(dt) * Z - sigma^2 * dt / 2,  Z ~ N(0, 1) (a martingale in price)
//! jump step     = sum of N jumps, N ~ Poisson(jumps_per_day * step_secs / 86,400),
//!                 each ~ N(jump_mean, jump_std)                          (log terms)
//! gbm:    ln p(t+dt) = ln p(t) + mu * dt + noise + jumps
//! crash:  ln p(t)    = ln p0 + beta * ln(1 + drawdown(t)) + cumulative noise + jumps
//!         drawdown(t) linear between the profile's (hour, drawdown) keyframes
//! csv:    the column of the market's symbol, linear between rows, held beyond the ends
//! ```
use crate::scenario::{PriceProcess, Scenario, ScenarioError};
use rand::Rng;
use rand_distr::{Distribution, Normal, Poisson};
use std::path::Path;

const YEAR_SECS: f64 = 365.0 * 86_400.0;

/// Prices (USD) of every market at every step (index 0 is the start).
#[derive(Clone, Debug, PartialEq)]
pub struct PricePaths {
    /// `prices[m][step]`.
    pub prices: Vec<Vec<f64>>,
}

impl PricePaths {
    /// Draw the paths of `scenario` from `rng`; `csv_dir` resolves a relative `price_csv`.
    pub fn generate(
        scenario: &Scenario,
        rng: &mut impl Rng,
        csv_dir: &Path,
    ) -> Result<PricePaths, ScenarioError> {
        let steps = scenario.steps();
        let csv = match &scenario.price_csv {
            Some(path) => Some(CsvPath::load(&csv_dir.join(path))?),
            None => None,
        };
        let dt = scenario.step_secs as f64 / YEAR_SECS;
        let mut prices = vec![];
        for m in &scenario.markets {
            let mut path = Vec::with_capacity(steps + 1);
            match &m.process {
                PriceProcess::Stable => path.resize(steps + 1, m.price),
                PriceProcess::Csv => {
                    let csv = csv.as_ref().expect("validated: csv markets have a file");
                    for s in 0..=steps {
                        let t = s as f64 * scenario.step_secs as f64;
                        path.push(csv.at(&m.symbol, t)?);
                    }
                }
                PriceProcess::Gbm {
                    mu,
                    sigma,
                    jumps_per_day,
                    jump_mean,
                    jump_std,
                } => {
                    let mut shocks =
                        Shocks::new(*sigma, dt, *jumps_per_day, *jump_mean, *jump_std)?;
                    let mut log_p = m.price.ln();
                    path.push(m.price);
                    for _ in 0..steps {
                        log_p += mu * dt + shocks.draw(rng);
                        path.push(log_p.exp());
                    }
                }
                PriceProcess::Crash {
                    beta,
                    sigma,
                    jumps_per_day,
                    jump_mean,
                    jump_std,
                } => {
                    let mut shocks =
                        Shocks::new(*sigma, dt, *jumps_per_day, *jump_mean, *jump_std)?;
                    let mut noise = 0.0;
                    path.push(m.price);
                    for s in 1..=steps {
                        noise += shocks.draw(rng);
                        let hours = (s as i64 * scenario.step_secs) as f64 / 3_600.0;
                        let drawdown = drawdown_at(&scenario.crash.keyframes, hours);
                        let log_p = m.price.ln() + beta * (1.0 + drawdown).ln() + noise;
                        path.push(log_p.exp());
                    }
                }
            }
            prices.push(path);
        }
        Ok(PricePaths { prices })
    }

    /// Price of market `m` at fractional step `s` (linear between steps, held at the ends).
    pub fn at(&self, m: usize, s: f64) -> f64 {
        let path = &self.prices[m];
        let s = s.clamp(0.0, (path.len() - 1) as f64);
        let i = s.floor() as usize;
        let f = s - i as f64;
        match path.get(i + 1) {
            Some(next) => path[i] * (1.0 - f) + next * f,
            None => path[i],
        }
    }
}

/// The profile's drawdown at `hours`: linear between keyframes, held after the last.
pub fn drawdown_at(keyframes: &[(f64, f64)], hours: f64) -> f64 {
    match keyframes.iter().position(|(h, _)| *h > hours) {
        None => keyframes.last().map(|k| k.1).unwrap_or(0.0),
        Some(0) => keyframes[0].1,
        Some(i) => {
            let (h0, d0) = keyframes[i - 1];
            let (h1, d1) = keyframes[i];
            d0 + (d1 - d0) * (hours - h0) / (h1 - h0)
        }
    }
}

/// Per-step log shocks: diffusion plus compound-Poisson jumps.
struct Shocks {
    diffusion: Normal<f64>,
    jumps: Option<(Poisson<f64>, Normal<f64>)>,
}

impl Shocks {
    fn new(
        sigma: f64,
        dt: f64,
        jumps_per_day: f64,
        jump_mean: f64,
        jump_std: f64,
    ) -> Result<Shocks, ScenarioError> {
        let bad = |what: &str| ScenarioError(format!("price process: invalid {what}"));
        let diffusion =
            Normal::new(-sigma * sigma * dt / 2.0, sigma * dt.sqrt()).map_err(|_| bad("sigma"))?;
        let lambda = jumps_per_day * dt * 365.0;
        let jumps = if lambda > 0.0 {
            Some((
                Poisson::new(lambda).map_err(|_| bad("jumps_per_day"))?,
                Normal::new(jump_mean, jump_std).map_err(|_| bad("jump_std"))?,
            ))
        } else {
            None
        };
        Ok(Shocks { diffusion, jumps })
    }

    fn draw(&mut self, rng: &mut impl Rng) -> f64 {
        let mut x = self.diffusion.sample(rng);
        if let Some((count, size)) = &self.jumps {
            let n = count.sample(rng) as u64;
            for _ in 0..n {
                x += size.sample(rng);
            }
        }
        x
    }
}

/// A CSV price path: a `secs` column and one column per symbol.
struct CsvPath {
    secs: Vec<f64>,
    columns: Vec<(String, Vec<f64>)>,
}

impl CsvPath {
    fn load(path: &Path) -> Result<CsvPath, ScenarioError> {
        let err = |e: String| ScenarioError(format!("price_csv {}: {e}", path.display()));
        let mut reader = csv::Reader::from_path(path).map_err(|e| err(e.to_string()))?;
        let headers = reader.headers().map_err(|e| err(e.to_string()))?.clone();
        if headers.get(0) != Some("secs") {
            return Err(err("the first column must be 'secs'".into()));
        }
        let mut secs = vec![];
        let mut columns: Vec<(String, Vec<f64>)> = headers
            .iter()
            .skip(1)
            .map(|h| (h.to_string(), vec![]))
            .collect();
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(|e| err(e.to_string()))?;
            let value = |i: usize| -> Result<f64, ScenarioError> {
                record
                    .get(i)
                    .and_then(|v| v.trim().parse::<f64>().ok())
                    .filter(|v| v.is_finite() && *v >= 0.0)
                    .ok_or_else(|| {
                        err(format!("row {}: column {} is not a number", row + 2, i + 1))
                    })
            };
            let t = value(0)?;
            if secs.last().is_some_and(|last| t <= *last) {
                return Err(err(format!("row {}: secs must increase", row + 2)));
            }
            secs.push(t);
            for (i, (_, col)) in columns.iter_mut().enumerate() {
                let v = value(i + 1)?;
                if v <= 0.0 {
                    return Err(err(format!("row {}: prices must be positive", row + 2)));
                }
                col.push(v);
            }
        }
        if secs.is_empty() {
            return Err(err("no rows".into()));
        }
        Ok(CsvPath { secs, columns })
    }

    fn at(&self, symbol: &str, t: f64) -> Result<f64, ScenarioError> {
        let (_, col) = self
            .columns
            .iter()
            .find(|(s, _)| s == symbol)
            .ok_or_else(|| ScenarioError(format!("price_csv has no column {symbol}")))?;
        Ok(match self.secs.iter().position(|s| *s > t) {
            None => *col.last().expect("rows"),
            Some(0) => col[0],
            Some(i) => {
                let f = (t - self.secs[i - 1]) / (self.secs[i] - self.secs[i - 1]);
                col[i - 1] + (col[i] - col[i - 1]) * f
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn drawdown_interpolates_and_holds() {
        let k = [(0.0, 0.0), (10.0, -0.5)];
        assert_eq!(drawdown_at(&k, 0.0), 0.0);
        assert!((drawdown_at(&k, 5.0) + 0.25).abs() < 1e-12);
        assert_eq!(drawdown_at(&k, 20.0), -0.5);
    }

    #[test]
    fn crash_path_follows_the_profile_without_noise() {
        let mut s = crate::builtin::black_thursday();
        for m in &mut s.markets {
            if let PriceProcess::Crash {
                sigma,
                jumps_per_day,
                ..
            } = &mut m.process
            {
                *sigma = 0.0;
                *jumps_per_day = 0.0;
            }
        }
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
        let paths = PricePaths::generate(&s, &mut rng, Path::new(".")).unwrap();
        // ETH has beta 1: at hour 14 the profile says -45%
        let step = 14 * 3_600 / s.step_secs as usize;
        assert!((paths.prices[2][step] / 3_000.0 - 0.55).abs() < 1e-9);
        assert!(paths.prices[0].iter().all(|p| *p == 1.0));
    }

    #[test]
    fn gbm_has_the_drift_it_is_given() {
        let mut s = crate::builtin::black_thursday();
        s.duration_secs = 365 * 86_400;
        s.step_secs = 86_400;
        s.markets[1].process = PriceProcess::Gbm {
            mu: 0.0,
            sigma: 0.5,
            jumps_per_day: 0.0,
            jump_mean: 0.0,
            jump_std: 0.0,
        };
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(7);
        let mut mean = 0.0;
        let n = 400;
        for _ in 0..n {
            let p = PricePaths::generate(&s, &mut rng, Path::new(".")).unwrap();
            mean += p.prices[1][365] / n as f64;
        }
        // E[p(1y)] = p0 with mu = 0; the sample mean of 400 paths is within ~5% (sd 0.53/20)
        assert!((mean / 150.0 - 1.0).abs() < 0.1, "mean {mean}");
    }
}
