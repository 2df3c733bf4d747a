//! Flash mode: liquidate with no inventory. The repay token is flash-borrowed from its own market,
//! the seized collateral is sold by the route the operator configured (an instruction template),
//! and the loan is repaid with its fee, in one transaction (SDK: `flash_liquidation`).
//!
//! ```text
//! borrow   = plan.repay + plan.fee          (what liquidate takes from the liquidator)
//! owed     = borrow + ceil(borrow * flash_fee_bps / 10_000)
//! sold     = plan.to_liquidator()           (exactly the seizure)
//! min_out  = owed                           (the route must bring back at least the debt)
//! expected = value(sold) * (1 - slippage_bps)        (the operator's estimate of the route)
//! profit   = expected - value(owed) - network_fee_usd;  sent only when >= min_profit_usd
//! ```
//! A pair without a route is skipped. The route's instruction is the operator's own program call
//! (a DEX pool, an aggregator's fixed route); its placeholders are filled per liquidation:
//! `{liquidator}`, `{seize_token}`, `{repay_token}`, `{seize_mint}`, `{repay_mint}`,
//! `{seize_token_program}`, `{repay_token_program}`; data parts `amount_in` and `min_out` (u64
//! little-endian) or hex literals (`0x...`).
use anchor_lang::prelude::{AccountMeta, Pubkey};
use serde::Deserialize;
use solana_sdk::instruction::Instruction;
use std::str::FromStr;

/// Flash-mode settings.
#[derive(Clone, Debug, Deserialize)]
pub struct FlashConfig {
    /// What the routes are expected to lose against the oracle price, bps of the sale.
    #[serde(default = "default_slippage")]
    pub slippage_bps: u16,
    /// The transaction's network fee (and priority fee), USD, counted against the profit.
    #[serde(default)]
    pub network_fee_usd: f64,
    /// Compute units added to a liquidation's own for the flash loan and the route.
    #[serde(default = "default_extra_units")]
    pub extra_compute_units: u32,
    /// How each collateral is sold for each debt token.
    #[serde(default)]
    pub routes: Vec<SwapRoute>,
}

fn default_slippage() -> u16 {
    100
}

/// The flash loan's pair and a swap route's own allowance (an aggregator's route can take
/// 100,000 CU and more; set `extra_compute_units` for heavier routes).
fn default_extra_units() -> u32 {
    keel_sdk::compute::FLASH_LOAN_PAIR_CU + 110_000
}

impl Default for FlashConfig {
    fn default() -> Self {
        FlashConfig {
            slippage_bps: default_slippage(),
            network_fee_usd: 0.0,
            extra_compute_units: default_extra_units(),
            routes: vec![],
        }
    }
}

/// One sale route: `sell` (a seized collateral's mint) for `buy` (a debt's mint).
#[derive(Clone, Debug, Deserialize)]
pub struct SwapRoute {
    /// The mint sold.
    #[serde(with = "crate::config::pubkey_str")]
    pub sell: Pubkey,
    /// The mint bought.
    #[serde(with = "crate::config::pubkey_str")]
    pub buy: Pubkey,
    /// The program called.
    #[serde(with = "crate::config::pubkey_str")]
    pub program: Pubkey,
    /// Its accounts, in order.
    pub accounts: Vec<RouteAccount>,
    /// Its data, in parts.
    pub data: Vec<String>,
}

/// One account of a route: a public key or a placeholder.
#[derive(Clone, Debug, Deserialize)]
pub struct RouteAccount {
    /// Base58 key or `{placeholder}`.
    pub key: String,
    /// Signs (only `{liquidator}` can).
    #[serde(default)]
    pub signer: bool,
    /// Written.
    #[serde(default)]
    pub writable: bool,
}

/// What the placeholders stand for in one liquidation.
#[derive(Clone, Copy, Debug)]
pub struct RouteContext {
    /// The bot's key.
    pub liquidator: Pubkey,
    /// Its token account of the seized mint (sold from).
    pub seize_token: Pubkey,
    /// Its token account of the repaid mint (bought into; the flash loan's account).
    pub repay_token: Pubkey,
    /// The mints and their token programs.
    pub seize_mint: Pubkey,
    /// See above.
    pub repay_mint: Pubkey,
    /// See above.
    pub seize_token_program: Pubkey,
    /// See above.
    pub repay_token_program: Pubkey,
}

impl RouteContext {
    fn resolve(&self, key: &str) -> Result<Pubkey, String> {
        Ok(match key {
            "{liquidator}" => self.liquidator,
            "{seize_token}" => self.seize_token,
            "{repay_token}" => self.repay_token,
            "{seize_mint}" => self.seize_mint,
            "{repay_mint}" => self.repay_mint,
            "{seize_token_program}" => self.seize_token_program,
            "{repay_token_program}" => self.repay_token_program,
            other => Pubkey::from_str(other).map_err(|_| {
                format!("route account '{other}' is neither a key nor a placeholder")
            })?,
        })
    }
}

impl SwapRoute {
    /// Check the template once (keys, data parts), so a bad config fails at start, not mid-crash.
    pub fn validate(&self) -> Result<(), String> {
        let probe = RouteContext {
            liquidator: Pubkey::default(),
            seize_token: Pubkey::default(),
            repay_token: Pubkey::default(),
            seize_mint: self.sell,
            repay_mint: self.buy,
            seize_token_program: Pubkey::default(),
            repay_token_program: Pubkey::default(),
        };
        self.instruction(&probe, 0, 0).map(|_| ())
    }

    /// The route's instruction selling `amount_in` for at least `min_out`.
    pub fn instruction(
        &self,
        ctx: &RouteContext,
        amount_in: u64,
        min_out: u64,
    ) -> Result<Instruction, String> {
        let mut accounts = Vec::with_capacity(self.accounts.len());
        for a in &self.accounts {
            if a.signer && a.key != "{liquidator}" {
                return Err(format!(
                    "route account {} cannot sign: only {{liquidator}} does",
                    a.key
                ));
            }
            let pubkey = ctx.resolve(&a.key)?;
            accounts.push(AccountMeta {
                pubkey,
                is_signer: a.signer,
                is_writable: a.writable,
            });
        }
        let mut data = vec![];
        for part in &self.data {
            match part.as_str() {
                "amount_in" => data.extend_from_slice(&amount_in.to_le_bytes()),
                "min_out" => data.extend_from_slice(&min_out.to_le_bytes()),
                hex => data.extend(parse_hex(hex)?),
            }
        }
        Ok(Instruction {
            program_id: self.program,
            accounts,
            data,
        })
    }
}

fn parse_hex(part: &str) -> Result<Vec<u8>, String> {
    let h = part
        .strip_prefix("0x")
        .ok_or_else(|| format!("route data part '{part}': amount_in, min_out or 0x-hex"))?;
    if h.len() % 2 != 0 {
        return Err(format!("route data part '{part}': odd hex length"));
    }
    (0..h.len() / 2)
        .map(|i| {
            u8::from_str_radix(&h[2 * i..2 * i + 2], 16)
                .map_err(|_| format!("route data part '{part}': not hex"))
        })
        .collect()
}

impl FlashConfig {
    /// The route selling `sell` for `buy`, if the operator configured one.
    pub fn route(&self, sell: &Pubkey, buy: &Pubkey) -> Option<&SwapRoute> {
        self.routes
            .iter()
            .find(|r| r.sell == *sell && r.buy == *buy)
    }

    /// Check every route's template.
    pub fn validate(&self) -> Result<(), String> {
        self.routes.iter().try_for_each(SwapRoute::validate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_fills_its_placeholders_and_refuses_bad_templates() {
        let key = Pubkey::new_unique();
        let text = format!(
            r#"
            sell = "{key}"
            buy = "{key}"
            program = "{key}"
            accounts = [{{ key = "{{liquidator}}", signer = true }}, {{ key = "{{seize_token}}", writable = true }}, {{ key = "{key}" }}]
            data = ["0x0102", "amount_in", "min_out"]
            "#
        );
        let route: SwapRoute = toml::from_str(&text).unwrap();
        route.validate().unwrap();
        let ctx = RouteContext {
            liquidator: Pubkey::new_unique(),
            seize_token: Pubkey::new_unique(),
            repay_token: Pubkey::new_unique(),
            seize_mint: key,
            repay_mint: key,
            seize_token_program: key,
            repay_token_program: key,
        };
        let ix = route.instruction(&ctx, 7, 9).unwrap();
        assert_eq!(ix.accounts[0].pubkey, ctx.liquidator);
        assert!(ix.accounts[0].is_signer);
        assert_eq!(ix.accounts[1].pubkey, ctx.seize_token);
        assert_eq!(ix.accounts[2].pubkey, key);
        assert_eq!(
            ix.data,
            [&[1u8, 2][..], &7u64.to_le_bytes(), &9u64.to_le_bytes()].concat()
        );
        let mut bad = route.clone();
        bad.accounts[1].signer = true;
        assert!(bad.validate().unwrap_err().contains("cannot sign"));
        let mut bad = route.clone();
        bad.data.push("amount".into());
        assert!(bad.validate().is_err());
        let mut bad = route;
        bad.accounts[2].key = "{nobody}".into();
        assert!(bad.validate().is_err());
    }
}
