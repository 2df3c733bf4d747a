//! Bot configuration: a TOML file, overridable by flags.
use anchor_lang::prelude::Pubkey;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::str::FromStr;

/// What the bot watches and how it acts.
#[derive(Clone, Debug, Deserialize)]
pub struct Config {
    /// The pool to watch.
    #[serde(with = "pubkey_str")]
    pub pool: Pubkey,
    /// Price update account of each market (market -> account). Markets not listed use Pyth's
    /// sponsored feed account for their feed id (shard 0).
    #[serde(default, with = "pubkey_map")]
    pub price_accounts: BTreeMap<Pubkey, Pubkey>,
    /// The bot's token account for each mint (mint -> account). Mints not listed use the
    /// associated token account of the bot's key.
    #[serde(default, with = "pubkey_map")]
    pub token_accounts: BTreeMap<Pubkey, Pubkey>,
    /// Skip opportunities worth less than this, in USD.
    #[serde(default)]
    pub min_profit_usd: f64,
    /// Compute-unit limit set on every liquidation; when absent, each liquidation's own from the
    /// per-position model (`keel_sdk::compute::liquidation_units`).
    #[serde(default)]
    pub compute_units: Option<u32>,
    /// Report only: never send.
    #[serde(default)]
    pub dry_run: bool,
    /// Address lookup tables holding the pool's accounts: a liquidation that does not fit a
    /// packet as a legacy transaction (many positions, a flash loan and its route) is sent as v0
    /// through them (`keel_sdk::lookup`).
    #[serde(default, with = "pubkey_list")]
    pub lookup_tables: Vec<Pubkey>,
    /// Where the repaid tokens come from: the bot's inventory, or a flash loan (no inventory).
    #[serde(default)]
    pub mode: Mode,
    /// Flash mode: how seized collateral is sold within the transaction.
    #[serde(default)]
    pub flash: crate::flash::FlashConfig,
}

/// How the bot pays for what it repays.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// From its own token accounts.
    #[default]
    Inventory,
    /// Flash-borrowed from the repay market, repaid by selling the seized collateral in the same
    /// transaction (instructions/flash/ in the program).
    Flash,
}

impl Config {
    /// A config for `pool` with every default.
    pub fn for_pool(pool: Pubkey) -> Config {
        Config {
            pool,
            price_accounts: BTreeMap::new(),
            token_accounts: BTreeMap::new(),
            min_profit_usd: 0.0,
            compute_units: None,
            dry_run: false,
            lookup_tables: vec![],
            mode: Mode::Inventory,
            flash: crate::flash::FlashConfig::default(),
        }
    }

    /// Parse a TOML config.
    pub fn from_toml(text: &str) -> Result<Config, String> {
        let config: Config = toml::from_str(text).map_err(|e| format!("invalid config: {e}"))?;
        config
            .flash
            .validate()
            .map_err(|e| format!("invalid config: {e}"))?;
        Ok(config)
    }
}

pub(crate) mod pubkey_str {
    use super::*;
    use serde::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Pubkey, D::Error> {
        let s = String::deserialize(d)?;
        Pubkey::from_str(&s).map_err(|_| serde::de::Error::custom(format!("not a public key: {s}")))
    }
}

mod pubkey_list {
    use super::*;
    use serde::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Pubkey>, D::Error> {
        Vec::<String>::deserialize(d)?
            .iter()
            .map(|s| {
                Pubkey::from_str(s)
                    .map_err(|_| serde::de::Error::custom(format!("not a public key: {s}")))
            })
            .collect()
    }
}

mod pubkey_map {
    use super::*;
    use serde::Deserializer;

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<Pubkey, Pubkey>, D::Error> {
        let raw = BTreeMap::<String, String>::deserialize(d)?;
        raw.into_iter()
            .map(|(k, v)| {
                let parse = |s: &str| {
                    Pubkey::from_str(s)
                        .map_err(|_| serde::de::Error::custom(format!("not a public key: {s}")))
                };
                Ok((parse(&k)?, parse(&v)?))
            })
            .collect()
    }
}
