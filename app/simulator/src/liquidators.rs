//! The scenario's liquidator bots (`[liquidators]`): how many, what they hold, how they pay for
//! what they repay (inventory, or flash loans: flash_desks.rs), and when they sell.
use serde::{Deserialize, Serialize};

/// The liquidator bots: the `keel-liquidator` library, unchanged.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Liquidators {
    /// Bots, taking turns first.
    pub count: usize,
    /// Inventory per bot in each market at the start, USD.
    pub inventory_usd: f64,
    /// Opportunities below this profit are left alone, USD.
    pub min_profit_usd: f64,
    /// A bot sells the volatile collateral it seized this many steps later (0: at the end of the
    /// same step), into the first stable market, at the market price (desk.rs); the sale refills
    /// its stable inventory and moves the price through the market's depth. None: bots keep
    /// what they seize.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sell_after_steps: Option<usize>,
    /// `inventory` (default): bots repay from what they hold. `flash`: bots flash-borrow what
    /// they repay and sell the seizure in the same transaction at the step's market price
    /// (flash_desks.rs), capital-free; the sales move the next step's price through the depth.
    #[serde(default, skip_serializing_if = "LiquidatorMode::is_inventory")]
    pub mode: LiquidatorMode,
    /// Flash mode: the sale's expected loss against the oracle the bots plan with, bps.
    #[serde(
        default = "default_flash_slippage",
        skip_serializing_if = "is_default_flash_slippage"
    )]
    pub flash_slippage_bps: u16,
}

/// How the bots pay for what they repay.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LiquidatorMode {
    /// From inventory.
    #[default]
    Inventory,
    /// With flash loans.
    Flash,
}

impl LiquidatorMode {
    fn is_inventory(&self) -> bool {
        *self == LiquidatorMode::Inventory
    }
}

fn default_flash_slippage() -> u16 {
    50
}

fn is_default_flash_slippage(v: &u16) -> bool {
    *v == default_flash_slippage()
}

impl Default for Liquidators {
    fn default() -> Liquidators {
        Liquidators {
            count: 2,
            inventory_usd: 5_000_000.0,
            min_profit_usd: 0.0,
            sell_after_steps: None,
            mode: LiquidatorMode::Inventory,
            flash_slippage_bps: default_flash_slippage(),
        }
    }
}
