//! PDA seeds, hard limits and the bounds every risk parameter is checked against.

/// Seed of a pool PDA: `[POOL_SEED, creator, pool_id (u64 LE)]`.
pub const POOL_SEED: &[u8] = b"pool";
/// Seed of a market PDA: `[MARKET_SEED, pool, mint]`.
pub const MARKET_SEED: &[u8] = b"market";
/// Seed of a market's token vault PDA: `[VAULT_SEED, market]`.
pub const VAULT_SEED: &[u8] = b"vault";
/// Seed of a queued parameter change PDA: `[CHANGE_SEED, pool, change_id (u64 LE)]`.
pub const CHANGE_SEED: &[u8] = b"change";
/// Seed of a margin account PDA: `[MARGIN_SEED, pool, owner, account_id (u64 LE)]`.
pub const MARGIN_SEED: &[u8] = b"margin";
/// Seed of a deleverage order PDA: `[ORDER_SEED, margin_account, order_id (u8)]`.
pub const ORDER_SEED: &[u8] = b"order";
/// Most deleverage orders one margin account may hold (ids 0..MAX_ORDERS).
pub const MAX_ORDERS: u8 = 8;
/// Highest health-factor trigger of a deleverage order, bps (3.0).
pub const MAX_ORDER_TRIGGER_HF_BPS: u32 = 30_000;

/// Positions a margin account can hold (one per market).
pub const MAX_POSITIONS: usize = 16;

/// Basis points in one whole.
pub const BPS: u64 = 10_000;
/// Seconds in the interest year (365 days).
pub const SECONDS_PER_YEAR: u64 = 31_536_000;

/// Collateral weights are in [0, 100%] (zero: a collateral governance has neutralised).
pub const MAX_ASSET_WEIGHT_BPS: u16 = 10_000;
/// Borrow (liability) weights are in [100%, 500%].
pub const MIN_LIAB_WEIGHT_BPS: u16 = 10_000;
/// Upper bound of a borrow weight.
pub const MAX_LIAB_WEIGHT_BPS: u16 = 50_000;
/// Oracle max age bounds, seconds.
pub const MIN_ORACLE_MAX_AGE_SECS: u32 = 5;
/// Upper bound of an oracle's max age, seconds.
pub const MAX_ORACLE_MAX_AGE_SECS: u32 = 300;
/// Confidence interval bounds, bps of price.
pub const MIN_ORACLE_MAX_CONF_BPS: u16 = 1;
/// Upper bound of the accepted confidence interval, bps of price.
pub const MAX_ORACLE_MAX_CONF_BPS: u16 = 1_000;
/// Fewest oracle answers a second-source (Switchboard) result must aggregate to count as fresh:
/// a result anyone can crank from a single answer must not move a price (issue 27, item 3).
pub const MIN_SECONDARY_SAMPLES: u8 = 3;
/// Oldest Pyth update held at its last price for health and liquidation, seconds since it was
/// published (issue 27): long enough that no liquidator can starve a feed anyone may refresh,
/// short enough that a feed Pyth stopped publishing (a halted asset) does not freeze an account's
/// value; past it the feed is gone: its collateral counts zero, its debt refuses.
pub const MAX_HELD_PRICE_AGE_SECS: i64 = 3_600;
/// Highest utilisation a borrow may leave a market at, bps (issue 27, item 4: a borrower took all
/// free liquidity and held lenders out at a flat 110 % APR). Aave v3's supply-side equivalent is
/// its 100 % hard limit with a steep slope; Kamino and Euler cap borrows below 100 %.
pub const MAX_BORROW_UTILISATION_BPS: u16 = 9_500;
/// Highest slope above the kink the guardian may raise a curve to at once, APR bps (500 %): a
/// steeper rate is what ends a utilisation squeeze (issue 27, item 4), and it touches only a
/// market above its kink; beyond this, and any other change to the curve, waits for the timelock.
pub const MAX_TIGHTENED_SLOPE2_BPS: u32 = 50_000;
/// The spread `rebalance_insurance` keeps, bps (2 %): a caller may pick among fresh Pyth updates
/// within a feed's max age (60 s), so the rate it gets lags; the spread outweighs what a minute's
/// move of a major pays (third attack review, issue 27).
pub const REBALANCE_SPREAD_BPS: u16 = 200;
/// Bounds of the divergence two sources may show and still agree, bps (0.1 % to 20 %).
pub const MIN_DIVERGENCE_BPS: u16 = 10;
/// Upper bound of `max_divergence_bps`.
pub const MAX_DIVERGENCE_BPS: u16 = 2_000;
/// Upper bound of the haircut on a secondary-only price, bps.
pub const MAX_FALLBACK_HAIRCUT_BPS: u16 = 1_000;
/// Upper bound of the volatility that costs no extra initial margin, bps.
pub const MAX_VOL_MARGIN_FLOOR_BPS: u16 = 1_000;
/// Upper bound of the volatility multiplier, bps of 1x (6x).
pub const MAX_VOL_MARGIN_MULT_BPS: u16 = 60_000;
/// Upper bound of the extra initial haircut volatility may add, bps.
pub const MAX_VOL_MARGIN_CAP_BPS: u16 = 5_000;
/// Optimal utilisation (the kink) bounds, bps.
pub const MIN_OPTIMAL_UTIL_BPS: u16 = 100;
/// Upper bound of the kink, bps.
pub const MAX_OPTIMAL_UTIL_BPS: u16 = MAX_BORROW_UTILISATION_BPS;
/// Upper bound of each rate term (base, slope1, slope2) in APR bps: 1,000 % a year.
pub const MAX_RATE_BPS: u32 = 100_000;
/// Upper bound of the reserve factor (protocol share of interest), bps.
pub const MAX_RESERVE_FACTOR_BPS: u16 = 5_000;
/// Largest timelock delay a pool may set, seconds (30 days).
pub const MAX_TIMELOCK_DELAY_SECS: i64 = 30 * 24 * 3600;
/// Hard cap of any liquidation bonus, bps (20 %).
pub const MAX_BONUS_BPS: u16 = 2_000;
/// Smallest minimum liquidation bonus, bps: what an insolvent account pays its liquidator
/// (issue 27: a 0 % floor listed markets nobody would liquidate once under water).
pub const MIN_BONUS_BPS: u16 = 100;
/// Smallest gap between a lending collateral's initial and maintenance weights, bps (issue 27:
/// init = maint put a fresh borrow one tick from liquidation).
pub const MIN_WEIGHT_BUFFER_BPS: u16 = 100;
/// Smallest close factor, bps of an account's debt one liquidation may repay (issue 27: 1 bp
/// made every liquidation dust-sized).
pub const MIN_CLOSE_FACTOR_BPS: u16 = 1_000;
/// Highest flash-loan fee, bps (1 %).
pub const MAX_FLASH_FEE_BPS: u16 = 100;
/// Upper bound of the protocol's share of a bonus, bps.
pub const MAX_PROTOCOL_FEE_BPS: u16 = 5_000;
/// Upper bound of the liquidation target health factor, bps (150 %).
pub const MAX_TARGET_HF_BPS: u16 = 15_000;
/// Upper bound of the bonus ramp, seconds (one day).
pub const MAX_BONUS_RAMP_SECS: u32 = 86_400;
/// Slack on the "not restored past the target" check, bps of health factor (rounding of amounts).
pub const TARGET_HF_TOLERANCE_BPS: u64 = 1;
/// Base units of each token the over-liquidation check allows for rounding. Near a full close the
/// remainder is small, and the plan's rounding (a few base units of each token) is a visible share
/// of it: without this allowance such an account could not be liquidated at all.
pub const LIQUIDATION_ROUNDING_UNITS: u64 = 4;
/// Outflow window bounds, seconds (one minute to seven days).
pub const MIN_OUTFLOW_WINDOW_SECS: u32 = 60;
/// Upper bound of the outflow window, seconds.
pub const MAX_OUTFLOW_WINDOW_SECS: u32 = 7 * 24 * 3600;
/// How long a liquidation pause set by the guardian alone lasts, seconds (one day): an oracle
/// incident is the guardian's to stop at once, keeping liquidations stopped is the admin's.
pub const GUARDIAN_LIQUIDATION_PAUSE_SECS: i64 = 86_400;
/// The slowest outflow limit the guardian alone may set, as a share of the market's deposits a
/// day (whatever the window), bps (1 %): a throttle, never a freeze of lenders' exits.
pub const GUARDIAN_OUTFLOW_FLOOR_BPS: u64 = 100;
/// Upper bound of the grace period after liquidation resumes, seconds (one day).
pub const MAX_LIQUIDATION_GRACE_SECS: u32 = 86_400;
/// Upper bound of the pool's dust-debt threshold, whole USD (Aave v3.3 closes positions under
/// $2,000 in full). Above it, most accounts would be "dust": full close and no target.
pub const MAX_DUST_DEBT_USD: u32 = 2_000;
/// A queued change may execute from its eta for this long, then it expires (seven days).
pub const CHANGE_EXECUTION_WINDOW_SECS: i64 = 7 * 24 * 3600;
/// A tightening of a maintenance weight (collateral down, borrow up) takes effect linearly over
/// this period, so no single signature can make healthy accounts liquidatable (one day).
pub const MAINT_WEIGHT_RAMP_SECS: i64 = 86_400;
/// Collateral below this value (whole USD, at the conservative price) on an insolvent account
/// may be swept into its market's insurance fund so the account's debt can be settled.
pub const DUST_COLLATERAL_USD: u64 = 1;
/// Below this deposit index (tokens per share, as a Wad: one millionth of the initial index) a
/// market's lenders have lost everything but rounding: it refuses new deposits.
pub const MIN_DEPOSIT_INDEX: u128 = 1_000_000_000_000;
