//! The built-in scenario `keel simulate` runs with no arguments: Black Thursday on a four-market
//! pool. A day in five-minute steps; SOL, ETH and BTC follow the crash profile (a slide, then a
//! sharp leg down to about -45% at hour 14, a bounce and a retest) at betas 1.1 / 1.0 / 0.85 with
//! GBM noise and downward jumps; USDC holds. Two thousand traders at a spread of leverage, a tenth
//! of them short, none defending their positions, on Solana's block limits (network.rs) with a
//! congested steep leg (hours 11 to 16: half the transactions dropped, a twentieth of a block).
//! Two liquidator bots start with $500k of every token and sell what they seize five minutes
//! later into order books $40M / $60M / $80M deep (SOL / ETH / BTC: a $400k SOL sale moves the
//! price 1% at the start, 4% at half the price). The volatile markets' collateral weights are the
//! parameter frontier's choice (`keel_sdk::defaults::FRONTIER_WEIGHTS`).
use crate::depth::Depth;
use crate::scenario::{
    Congestion, CrashProfile, LiquidationParams, Liquidators, MarketScenario, Network,
    OracleScenario, Population, PriceProcess, Scenario,
};

fn volatile(
    symbol: &str,
    decimals: u8,
    price: f64,
    (beta, sigma): (f64, f64),
    weights: (u16, u16),
    bonus: (u16, u16),
    depth_usd: f64,
) -> MarketScenario {
    MarketScenario {
        symbol: symbol.into(),
        token_2022: false,
        decimals,
        price,
        process: PriceProcess::Crash {
            beta,
            sigma,
            jumps_per_day: 3.0,
            jump_mean: -0.02,
            jump_std: 0.015,
        },
        init_weight_bps: weights.0,
        maint_weight_bps: weights.1,
        liab_init_weight_bps: 10_000,
        liab_maint_weight_bps: 10_000,
        min_bonus_bps: bonus.0,
        max_bonus_bps: bonus.1,
        protocol_fee_bps: 2_500,
        max_age_secs: 60,
        max_conf_bps: 200,
        depth: Some(Depth {
            usd: depth_usd,
            thinning: 2.0,
            recovery_half_life_secs: 3_600,
        }),
    }
}

/// A volatile market's (initial, maintenance) collateral weights: the parameter frontier's choice
/// (`keel_sdk::defaults::FRONTIER_WEIGHTS`, with the command that chose them).
fn weights(symbol: &str) -> (u16, u16) {
    keel_sdk::defaults::frontier_weights(symbol).expect("the frontier chose every volatile market")
}

/// The Black Thursday scenario.
pub fn black_thursday() -> Scenario {
    let usdc = MarketScenario {
        symbol: "USDC".into(),
        token_2022: false,
        decimals: 6,
        price: 1.0,
        process: PriceProcess::Stable,
        init_weight_bps: 8_500,
        maint_weight_bps: 9_000,
        liab_init_weight_bps: 10_000,
        liab_maint_weight_bps: 10_000,
        min_bonus_bps: 200,
        max_bonus_bps: 400,
        protocol_fee_bps: 2_500,
        max_age_secs: 60,
        max_conf_bps: 200,
        depth: None,
    };
    let mut sol = volatile(
        "SOL",
        9,
        150.0,
        (1.1, 0.9),
        weights("SOL"),
        (300, 1_000),
        40e6,
    );
    // one market under Token-2022, as pools list both
    sol.token_2022 = true;
    Scenario {
        name: "black-thursday".into(),
        duration_secs: 86_400,
        step_secs: 300,
        markets: vec![
            usdc,
            sol,
            volatile(
                "ETH",
                8,
                3_000.0,
                (1.0, 0.7),
                weights("ETH"),
                (250, 800),
                60e6,
            ),
            volatile(
                "BTC",
                8,
                60_000.0,
                (0.85, 0.6),
                weights("BTC"),
                (250, 700),
                80e6,
            ),
        ],
        crash: CrashProfile::default(),
        price_csv: None,
        oracle: OracleScenario::default(),
        population: Population {
            traders: 2_000,
            collateral_usd_median: 5_000.0,
            collateral_usd_sigma: 1.0,
            leverage: vec![(0.35, 0.25), (0.6, 0.3), (0.8, 0.25), (0.95, 0.2)],
            two_collateral_share: 0.25,
            short_share: 0.1,
            lender_utilisation: 0.75,
            defender_share: 0.0,
            defend_below_hf: 1.1,
            defend_repay_share: 0.5,
            order_share: 0.0,
            order_trigger_hf: 1.1,
            order_repay_share: 0.5,
            order_min_bonus_bps: 50,
            order_max_bonus_bps: 250,
        },
        liquidators: Liquidators {
            count: 2,
            inventory_usd: 500_000.0,
            min_profit_usd: 0.0,
            sell_after_steps: Some(1),
            ..Liquidators::default()
        },
        // a crash day is a congested day: through the steep leg (hours 11 to 16) half the
        // transactions are dropped and Keel wins a twentieth of a block (docs/calibration.md)
        network: Network {
            congestion: vec![Congestion {
                start_secs: 11 * 3_600,
                end_secs: 16 * 3_600,
                block_share: 0.05,
                failure_rate: 0.5,
            }],
            ..Network::default()
        },
        liquidation: LiquidationParams::default(),
    }
}
