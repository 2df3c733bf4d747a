//! Sharing insurance between a pool's markets (issue 27, item 8): liquidation fees land in the
//! repay market's fund (mostly the stablecoin's), while a short's loss lands in the volatile
//! market it borrowed, whose fund holds little. Anyone may refill a market whose provisioned loss
//! exceeds its fund from another market's surplus, at the protocol's side of both price bands, so
//! every market's bad debt can draw on the pool's whole insurance. No bonus: the needy market's
//! lenders are the ones who gain (their uncovered loss shrinks), so they have the reason to call
//! it; a bonus paid anyone who could fake a need (second attack review, issue 27).
//!
//! ```text
//! need    = needy.provisioned - needy.fund         (tokens of the needy market)
//! surplus = donor.fund - donor.provisioned         (tokens of the donor market)
//! in      <= need                                  the keeper pays `in` into the needy fund
//! value   = in * min(p_in - conf_in, bound.low)     the low end of its band (rounded down)
//! out     = value * (1 - spread) / max(p_out + conf_out, bound.high)   the high end, less
//!           REBALANCE_SPREAD_BPS (2 %: a caller may pick among fresh updates within a feed's
//!           max age; the spread outweighs what a minute's lag pays), rounded down
//! out     <= surplus, out <= the donor vault's balance     the donor fund pays `out`
//! ```
//! Both ends of both bands favour the protocol: the keeper never receives more than it paid, at
//! either market's spot, and only while a fund is short of a booked loss.
use super::fixed::Rounding;
use super::health::{token_value, OraclePrice};
use super::order::tokens_for_value;
use crate::constants::REBALANCE_SPREAD_BPS;
use anchor_lang::prelude::*;

/// Donor tokens paid for `amount_in` needy tokens: the low end of the needy band, the high end
/// of the donor's (rounded down).
pub fn rebalance_out(
    amount_in: u64,
    (p_in, decimals_in): (&OraclePrice, u8),
    (p_out, decimals_out): (&OraclePrice, u8),
) -> Result<u64> {
    let mut low = p_in.price.saturating_sub(p_in.conf);
    if let Some(b) = p_in.bound {
        low = low.min(b.low);
    }
    let value = token_value(amount_in, low, p_in.expo, decimals_in, Rounding::Down)?
        .mul_bps(10_000 - REBALANCE_SPREAD_BPS as u64, Rounding::Down)?;
    let mut high = p_out
        .price
        .checked_add(p_out.conf)
        .ok_or_else(|| error!(crate::errors::KeelError::MathOverflow))?;
    if let Some(b) = p_out.bound {
        high = high.max(b.high);
    }
    let high = OraclePrice {
        price: high,
        ..*p_out
    };
    let out = tokens_for_value(value, &high, decimals_out)?;
    Ok(u64::try_from(out).unwrap_or(u64::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn price(p: u64, conf: u64) -> OraclePrice {
        OraclePrice {
            price: p,
            conf,
            ema_price: p,
            ema_conf: conf,
            expo: -8,
            bound: None,
        }
    }

    proptest! {
            /// What the keeper receives is never worth more, at the donor's spot, than what it paid
            /// at the needy spot: the uncertainty of both prices is the protocol's.
            #[test]
            fn a_rebalance_never_pays_more_than_it_takes(
                amount in 1u64..1_000_000_000_000_000,
                p_in in 1_000_000u64..100_000_000_000_000,
                p_out in 1_000_000u64..100_000_000_000_000,
                conf_in_bps in 0u64..300,
                conf_out_bps in 0u64..300,
    ) {
                let a = price(p_in, p_in * conf_in_bps / 10_000);
                let b = price(p_out, p_out * conf_out_bps / 10_000);
                let out = rebalance_out(amount, (&a, 6), (&b, 9)).unwrap();
                let paid = token_value(amount, p_in, -8, 6, Rounding::Up).unwrap();
                let got = token_value(out, p_out, -8, 9, Rounding::Down).unwrap();
                let most = paid.mul_bps(10_000 - REBALANCE_SPREAD_BPS as u64, Rounding::Up).unwrap();
            prop_assert!(got <= most, "got {got:?} for {paid:?}");
            }
        }

    #[test]
    fn a_dollar_buys_a_dollar() {
        // 1,000 USDC (6 decimals) at $1 buys SOL (9 decimals) at $100: 10 SOL, less the spread
        let usdc = price(100_000_000, 0);
        let sol = price(10_000_000_000, 0);
        let out = rebalance_out(1_000_000_000, (&usdc, 6), (&sol, 9)).unwrap();
        assert_eq!(out, 9_800_000_000); // less the 2 % spread
                                        // with a 1% band on each side it buys less: USDC at its low end, SOL at its high
        let sol_wide = price(10_000_000_000, 100_000_000);
        let usdc_wide = price(100_000_000, 1_000_000);
        let out = rebalance_out(1_000_000_000, (&usdc_wide, 6), (&sol_wide, 9)).unwrap();
        assert_eq!(out, 9_605_940_594); // 1,000 * 0.99 * 0.98 / 101
    }
}
