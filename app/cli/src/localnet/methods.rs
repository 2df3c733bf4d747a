//! The localnet's own JSON-RPC methods (`keel_setPrice`, `keel_mintTo`, `keel_pool`), the client
//! side of `keel localnet price|mint`, and the migration applied at start.
use super::describe;
use crate::amount::{parse, Amount};
use crate::context::{pubkey, CliError, Context};
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use keel_localnet::tokens::{balance, mint_to, write_token_account};
use keel_localnet::world::World;
use serde_json::{json, Value};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_request::RpcRequest;
use std::path::Path;
use std::sync::Arc;
use tokio::sync::Mutex;

use keel_localnet::rpc::invalid;

/// The index of the market a user names: a symbol (any case), a market or a mint.
fn market_index(world: &World, symbols: &[String], name: &str) -> Option<usize> {
    symbols
        .iter()
        .position(|s| s.eq_ignore_ascii_case(name))
        .or_else(|| {
            world
                .markets
                .iter()
                .position(|m| m.keys.market.to_string() == name || m.keys.mint.to_string() == name)
        })
}

/// What the endpoint adds to the Solana methods.
pub fn module(
    world: Arc<Mutex<World>>,
    symbols: Vec<String>,
    prices: Arc<Mutex<Vec<f64>>>,
) -> Result<jsonrpsee::Methods, jsonrpsee::core::RegisterMethodError> {
    let state = (world, symbols, prices);
    let mut module = RpcModule::new(state);
    module.register_async_method("keel_pool", |_, s, _| async move {
        let (world, symbols, _) = &*s;
        Ok::<_, ErrorObjectOwned>(describe(&*world.lock().await, symbols))
    })?;
    module.register_async_method("keel_setPrice", |p: Params<'static>, s, _| async move {
        let (world, symbols, prices) = &*s;
        let mut seq = p.sequence();
        let name: String = seq.next()?;
        let usd: f64 = seq.next()?;
        if !(usd.is_finite() && usd > 0.0) {
            return Err(invalid(format!("price must be positive: {usd}")));
        }
        let mut w = world.lock().await;
        let m = market_index(&w, symbols, &name)
            .ok_or_else(|| invalid(format!("no market '{name}'")))?;
        prices.lock().await[m] = usd;
        w.set_price(m, keel_simulator::oracle::mantissa(usd)).await;
        Ok(json!({ "market": w.markets[m].keys.market.to_string(), "usd": usd }))
    })?;
    module.register_async_method("keel_mintTo", |p: Params<'static>, s, _| async move {
        let (world, symbols, _) = &*s;
        let mut seq = p.sequence();
        let name: String = seq.next()?;
        let owner: String = seq.next()?;
        let amount: String = seq.next()?;
        let owner = pubkey("owner", &owner).map_err(|e| invalid(e.0))?;
        let mut w = world.lock().await;
        let m = market_index(&w, symbols, &name)
            .ok_or_else(|| invalid(format!("no market '{name}'")))?;
        let f = w.markets[m];
        // "0" only opens the wallet's associated account
        let units = match amount.trim() {
            "0" => 0,
            text => match parse(text, f.decimals, false).map_err(|e| invalid(e.0))? {
                Amount::Units(u) => u,
                Amount::All => return Err(invalid("an amount, not 'all'")),
            },
        };
        let (mint, program) = (f.keys.mint, f.keys.token_program);
        let ata = get_associated_token_address_with_program_id(&owner, &mint, &program);
        if w.env.account(ata).await.is_none() {
            // the wallet's associated account, empty, as a wallet would create it
            write_token_account(&mut w.env, program, &mint, &ata, &owner, 0).await;
        }
        // a faucet: a real mint_to signed by the test mint's authority
        let authority = w.mint_authority.insecure_clone();
        if units > 0 {
            mint_to(&mut w.env, program, &mint, &authority, &ata, units).await;
        }
        let total = balance(&mut w.env, ata).await;
        Ok::<_, ErrorObjectOwned>(json!({ "token_account": ata.to_string(), "balance": total }))
    })?;
    Ok(module.into())
}

async fn call(url: &str, method: &'static str, params: Value) -> Result<Value, CliError> {
    RpcClient::new(url.to_string())
        .send::<Value>(RpcRequest::Custom { method }, params)
        .await
        .map_err(|e| CliError(format!("{method} on {url}: {e}")))
}

/// `keel localnet price MARKET USD`.
pub async fn set_price(url: &str, market: &str, usd: f64) -> Result<String, CliError> {
    let out = call(url, "keel_setPrice", json!([market, usd])).await?;
    Ok(format!(
        "{market} at ${usd} (market {})",
        out["market"].as_str().unwrap_or_default()
    ))
}

/// `keel localnet mint MARKET AMOUNT --to OWNER`.
pub async fn mint(url: &str, market: &str, amount: &str, owner: &str) -> Result<String, CliError> {
    let out = call(url, "keel_mintTo", json!([market, owner, amount])).await?;
    Ok(format!(
        "{amount} {market} to {owner}: token account {} holds {} base units",
        out["token_account"].as_str().unwrap_or_default(),
        out["balance"]
    ))
}

/// Apply the listing in `file` to the localnet's pool as its admin (`keel migrate`).
pub async fn migrate(world: &World, file: &Path) -> Result<(), CliError> {
    use clap::Parser;
    let pool = world.pool.to_string();
    let path = file.display().to_string();
    let cli = crate::Cli::parse_from(["keel", "--pool", &pool, "migrate", &path]);
    let ctx = Context::new(world.chain(&world.admin), world.pool, &cli)?;
    crate::run(&ctx, &cli.command).await.map(|_| ())
}
