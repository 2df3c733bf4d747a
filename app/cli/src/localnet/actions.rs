//! Commands for a running localnet (`keel localnet price|mint`), which read its `pool.json` and
//! `admin.json`, and the migration applied at start.
use crate::amount::{parse, Amount};
use crate::context::{pubkey, CliError, Context};
use keel_sdk::chain::RpcChain;
use keel_sdk::localnet::{LocalMarket, LocalPool, Surfnet};
use solana_sdk::signature::{read_keypair_file, Keypair};
use std::path::Path;

/// The pool a localnet wrote into `dir`.
pub fn read_pool(dir: &Path) -> Result<LocalPool, CliError> {
    let file = dir.join("pool.json");
    let text = std::fs::read_to_string(&file).map_err(|e| {
        CliError(format!(
            "{}: {e} (is `keel localnet` running, with this --dir?)",
            file.display()
        ))
    })?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| CliError(format!("{}: {e}", file.display())))?;
    LocalPool::from_json(&value).map_err(|e| CliError(format!("{}: {e}", file.display())))
}

fn market<'a>(pool: &'a LocalPool, name: &str) -> Result<&'a LocalMarket, CliError> {
    pool.market(name).ok_or_else(|| {
        let known: Vec<&str> = pool.markets.iter().map(|m| m.symbol.as_str()).collect();
        CliError(format!(
            "no market '{name}' (the localnet lists {})",
            known.join(", ")
        ))
    })
}

/// `keel localnet price MARKET USD`: publish a new Pyth price for the market.
pub async fn set_price(url: &str, dir: &Path, name: &str, usd: f64) -> Result<String, CliError> {
    if !(usd.is_finite() && usd > 0.0) {
        return Err(CliError(format!("a price must be positive: {usd}")));
    }
    let pool = read_pool(dir)?;
    let m = market(&pool, name)?;
    let mantissa = (usd * 1e8).round();
    if mantissa < 1.0 || mantissa > i64::MAX as f64 {
        return Err(CliError(format!(
            "{usd} is not a price Pyth can carry at exponent -8"
        )));
    }
    let chain = RpcChain::new(url, Keypair::new());
    pool.set_price(&chain, &Surfnet::new(url), m, mantissa as i64)
        .await?;
    Ok(format!("{} at ${usd} (market {})", m.symbol, m.market))
}

/// `keel localnet mint MARKET AMOUNT --to OWNER`: a real `mint_to` signed by the test mint's
/// authority (the localnet's admin), into the owner's associated token account.
pub async fn mint(
    url: &str,
    dir: &Path,
    name: &str,
    amount: &str,
    owner: &str,
) -> Result<String, CliError> {
    let pool = read_pool(dir)?;
    let m = market(&pool, name)?;
    let owner_key = pubkey("owner", owner)?;
    let units = match amount.trim() {
        "0" => 0,
        text => match parse(text, m.decimals, false)? {
            Amount::Units(u) => u,
            Amount::All => return Err(CliError("an amount, not 'all'".into())),
        },
    };
    let admin_file = dir.join("admin.json");
    let admin = read_keypair_file(&admin_file)
        .map_err(|e| CliError(format!("{}: {e}", admin_file.display())))?;
    let chain = RpcChain::new(url, admin);
    let (ata, balance) = pool.mint_to(&chain, m, &owner_key, units).await?;
    Ok(format!(
        "{amount} {} to {owner}: token account {ata} holds {balance} base units",
        m.symbol
    ))
}

/// Apply the listing in `file` to `pool` as its admin (`admin`: a chain paying with it).
pub async fn migrate(
    admin: RpcChain,
    pool: anchor_lang::prelude::Pubkey,
    file: &Path,
) -> Result<(), CliError> {
    use clap::Parser;
    let pool_text = pool.to_string();
    let path = file.display().to_string();
    let cli = crate::Cli::parse_from(["keel", "--pool", &pool_text, "migrate", &path]);
    let ctx = Context::new(admin, pool, &cli)?;
    crate::run(&ctx, &cli.command).await.map(|_| ())
}
