//! A running localnet: the validator process, the pool listed on it, and the loop that keeps its
//! prices fresh.
use super::args::LocalnetArgs;
use super::prereqs;
use crate::context::CliError;
use keel_localnet::KeySource;
use keel_sdk::chain::RpcChain;
use keel_sdk::localnet::{Listing, LocalPool, Roles, Surfnet};
use solana_sdk::signature::{Keypair, Signer};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A running localnet; dropping it stops the validator.
pub struct Localnet {
    child: Child,
    url: String,
    ws_url: String,
    /// The pool listed at start.
    pub pool: LocalPool,
    /// Its admin (the mint authority of the test mints).
    pub admin: Keypair,
}

impl Drop for Localnet {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The built-in scenario's markets, as listings.
fn listings() -> (keel::math::liquidation::LiquidationConfig, Vec<Listing>) {
    let scenario = keel_simulator::builtin::black_thursday();
    let listings = scenario
        .markets
        .iter()
        .map(|m| {
            let mut config = keel_sdk::defaults::default_config([0; 32]);
            m.apply(&mut config);
            Listing {
                symbol: m.symbol.clone(),
                decimals: m.decimals,
                token_2022: m.token_2022,
                price: keel_simulator::oracle::mantissa(m.price),
                config,
            }
        })
        .collect();
    (scenario.liquidation.config(), listings)
}

/// Start `validator` on `port` (websocket on `port + 1`; 0: free ports), a slot every `slot_ms`,
/// and read its URLs.
fn spawn(validator: &Path, port: u16, slot_ms: u64) -> Result<(Child, String, String), CliError> {
    let ws_port = if port == 0 { 0 } else { port.saturating_add(1) };
    let mut child = Command::new(validator)
        .args([
            "--rpc-port",
            &port.to_string(),
            "--ws-port",
            &ws_port.to_string(),
        ])
        .args(["--slot-ms", &slot_ms.to_string(), "--exit-with-stdin"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| CliError(format!("cannot start {}: {e}", validator.display())))?;
    let stdout = child.stdout.take().expect("piped");
    let mut line = String::new();
    BufReader::new(stdout)
        .read_line(&mut line)
        .map_err(|e| CliError(format!("reading the validator's output: {e}")))?;
    let mut words = line.split_whitespace();
    match (words.next(), words.next(), words.next()) {
        (Some("ready"), Some(rpc), Some(ws)) => Ok((child, rpc.to_string(), ws.to_string())),
        _ => {
            let status = child.wait().ok();
            Err(CliError(format!(
                "the validator did not start ({}); its errors are above",
                status.map_or("no status".into(), |s| s.to_string())
            )))
        }
    }
}

impl Localnet {
    /// Build what is missing, start the validator, list the pool, apply `migrations`, and write
    /// `dir`.
    pub async fn start(args: &LocalnetArgs) -> Result<Localnet, CliError> {
        let so_path = prereqs::keel_so(args.keel_so.as_deref())?;
        let validator = prereqs::validator(args.validator.as_deref())?;
        let keel_so = std::fs::read(&so_path)
            .map_err(|e| CliError(format!("reading {}: {e}", so_path.display())))?;
        let (child, url, ws_url) = spawn(&validator, args.port, args.slot_ms)?;
        let surfnet = Surfnet::new(&url);
        let mut net = Localnet {
            child,
            url: url.clone(),
            ws_url,
            pool: LocalPool {
                pool: Default::default(),
                admin: Default::default(),
                markets: vec![],
            },
            admin: Keypair::new(),
        };
        surfnet.wait_ready(Duration::from_secs(30)).await?;
        // the embedded chain's keys for seed 1, as the simulator's pool has them: the same pool
        // and mints every run, the ones `migrations/black-thursday.toml` names
        let mut keys = KeySource::Seeded { seed: 1, next: 0 };
        let creator = keys.keypair();
        net.admin = keys.keypair();
        let _simulator_mint_authority = keys.keypair();
        let guardian = keys.keypair();
        let (liquidation, listings) = listings();
        let mints = listings.iter().map(|_| keys.keypair()).collect();
        let roles = Roles {
            creator: &creator,
            admin: &net.admin,
            guardian: guardian.pubkey(),
        };
        net.pool = LocalPool::create(&url, &keel_so, roles, liquidation, &listings, mints)
            .await
            .map_err(|e| CliError(format!("listing the pool: {e}")))?;
        if let Some(file) = &args.migrations {
            super::actions::migrate(net.admin_chain(), net.pool.pool, file).await?;
        }
        write_dir(&args.dir, &net.admin, &guardian, &net.pool)?;
        Ok(net)
    }

    /// The HTTP JSON-RPC URL.
    pub fn url(&self) -> String {
        self.url.clone()
    }

    /// The websocket PubSub URL.
    pub fn ws_url(&self) -> String {
        self.ws_url.clone()
    }

    /// A chain paying with the admin.
    pub fn admin_chain(&self) -> RpcChain {
        RpcChain::new(&self.url, self.admin.insecure_clone())
    }

    /// What `pool.json` holds.
    pub fn describe(&self) -> serde_json::Value {
        self.pool.to_json()
    }

    /// Every second, republish every price at the cluster's time; until the validator exits.
    pub fn keep_prices_fresh(&self) -> tokio::task::JoinHandle<()> {
        let (url, pool) = (self.url.clone(), self.pool.clone());
        tokio::spawn(async move {
            let chain = RpcChain::new(&url, Keypair::new());
            let surfnet = Surfnet::new(&url);
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                if let Err(e) = pool.republish(&chain, &surfnet).await {
                    eprintln!("keel localnet: republishing prices: {e}");
                }
            }
        })
    }

    /// Whether the validator still runs.
    pub fn running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

fn write_dir(
    dir: &Path,
    admin: &Keypair,
    guardian: &Keypair,
    pool: &LocalPool,
) -> Result<(), CliError> {
    let io = |e: std::io::Error| CliError(format!("writing {}: {e}", dir.display()));
    std::fs::create_dir_all(dir).map_err(io)?;
    for (name, key) in [("admin.json", admin), ("guardian.json", guardian)] {
        solana_sdk::signature::write_keypair_file(key, dir.join(name))
            .map_err(|e| CliError(format!("writing {name}: {e}")))?;
    }
    let text = serde_json::to_string_pretty(&pool.to_json()).unwrap_or_default();
    std::fs::write(dir.join("pool.json"), text).map_err(io)
}
