//! What every command needs: the chain, the pool, the signer, and how to find a market's price
//! account and the signer's token account of a mint.
use anchor_lang::prelude::Pubkey;
use anchor_spl::associated_token::get_associated_token_address_with_program_id;
use keel::state::{Market, Pool};
use keel_sdk::chain::{filters, Chain, ChainError};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// A one-line error for the user.
#[derive(Debug, PartialEq, Eq)]
pub struct CliError(pub String);

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for CliError {}

impl From<ChainError> for CliError {
    fn from(e: ChainError) -> Self {
        match &e {
            ChainError::Transaction(_) => match e.custom_code().and_then(keel_error) {
                Some((code, name, msg)) => CliError(format!(
                    "refused by the program: {name}: {msg} (Keel error {code})"
                )),
                None => CliError(e.to_string()),
            },
            ChainError::Transport(t) => CliError(format!("cluster unreachable: {t}")),
        }
    }
}

/// Name and message of Keel error `code`, from the program's committed IDL.
fn keel_error(code: u32) -> Option<(u32, String, String)> {
    const IDL: &str = include_str!("../../../idl/keel.json");
    let idl: serde_json::Value = serde_json::from_str(IDL).ok()?;
    let e = idl["errors"]
        .as_array()?
        .iter()
        .find(|e| e["code"] == code)?;
    Some((
        code,
        e["name"].as_str()?.to_string(),
        e["msg"].as_str()?.to_string(),
    ))
}

/// Parse a public key argument, naming it in the error.
pub fn pubkey(what: &str, text: &str) -> Result<Pubkey, CliError> {
    Pubkey::from_str(text).map_err(|_| CliError(format!("{what} '{text}' is not a public key")))
}

/// The command's environment.
pub struct Context<C: Chain> {
    /// The cluster.
    pub chain: C,
    /// The pool.
    pub pool: Pubkey,
    /// Price update account per market, where not Pyth's sponsored feed.
    pub prices: BTreeMap<Pubkey, Pubkey>,
    /// The signer's token account per mint, where not its associated token account.
    pub token_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Print JSON instead of tables.
    pub json: bool,
}

/// Parse `KEY=VALUE` pairs of public keys.
fn pairs(what: &str, items: &[String]) -> Result<BTreeMap<Pubkey, Pubkey>, CliError> {
    items
        .iter()
        .map(|s| {
            let (k, v) = s
                .split_once('=')
                .ok_or_else(|| CliError(format!("{what} '{s}' is not KEY=ACCOUNT")))?;
            Ok((pubkey(what, k)?, pubkey(what, v)?))
        })
        .collect()
}

impl<C: Chain> Context<C> {
    /// A context for `pool` on `chain`, with the overrides and output mode of `cli`.
    pub fn new(chain: C, pool: Pubkey, cli: &crate::args::Cli) -> Result<Context<C>, CliError> {
        Ok(Context {
            chain,
            pool,
            prices: pairs("--price", &cli.prices)?,
            token_accounts: pairs("--token-account", &cli.token_accounts)?,
            json: cli.json,
        })
    }

    /// The signer (also the fee payer).
    pub fn signer(&self) -> Pubkey {
        self.chain.payer().pubkey()
    }

    /// The pool's state.
    pub async fn pool_state(&self) -> Result<Pool, CliError> {
        let account = self
            .chain
            .account(&self.pool)
            .await?
            .ok_or_else(|| CliError(format!("pool {} not found", self.pool)))?;
        keel_sdk::decode::pool(&account.data)
            .map_err(|_| CliError(format!("{} is not a Keel pool", self.pool)))
    }

    /// Every market of the pool.
    pub async fn markets(&self) -> Result<Vec<(Pubkey, Market)>, CliError> {
        let found = self
            .chain
            .program_accounts(&filters::markets(&self.pool))
            .await?;
        Ok(found
            .into_iter()
            .filter_map(|(k, a)| keel_sdk::decode::market(&a.data).ok().map(|m| (k, m)))
            .collect())
    }

    /// The market named by `arg`: its address or its mint's.
    pub async fn market(&self, arg: &str) -> Result<(Pubkey, Market), CliError> {
        let key = pubkey("market", arg)?;
        self.markets()
            .await?
            .into_iter()
            .find(|(k, m)| *k == key || m.mint == key)
            .ok_or_else(|| CliError(format!("unknown market '{arg}' in pool {}", self.pool)))
    }

    /// The price update account of `market`.
    pub fn price_account(&self, key: &Pubkey, market: &Market) -> Pubkey {
        self.prices
            .get(key)
            .copied()
            .unwrap_or(market.config.oracle.price_account)
    }

    /// The signer's token account of `market`'s mint.
    pub fn token_account(&self, market: &Market) -> Pubkey {
        self.token_accounts
            .get(&market.mint)
            .copied()
            .unwrap_or_else(|| {
                get_associated_token_address_with_program_id(
                    &self.signer(),
                    &market.mint,
                    &market.token_program,
                )
            })
    }

    /// The signer's margin account number `id`.
    pub fn margin_account(&self, id: u64) -> Pubkey {
        keel_sdk::pda::margin_account(&self.pool, &self.signer(), id)
    }

    /// Send `ixs` signed by the signer.
    pub async fn send(&self, ixs: &[Instruction]) -> Result<String, CliError> {
        Ok(self.chain.send(ixs, &[], 400_000).await?.to_string())
    }
}
