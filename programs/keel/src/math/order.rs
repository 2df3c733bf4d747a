//! Deleverage orders: when they trigger, what they pay the executor, what they exchange.
//!
//! ```text
//! trigger   health:  HF < h                    (maintenance HF; h > 1)
//!           price:   spot(m) <= p  or  >= p    (USD per whole token of the market watched)
//!           price triggers need the price's whole confidence band past p (at or below: its
//!           high edge; at or above: its low edge), on a Pyth price: an uncertain print the
//!           executor picks (or a Switchboard value it cranks) cannot fire an order (issue 27).
//!           Not the EMA: it lags a crash by tens of minutes, and a stop-loss that fires only
//!           after the account is liquidatable protects nobody
//! bonus     b = max_b, flat for both kinds (issue 27: a health order's bonus used to grow from
//!           min_b to max_b as HF fell toward 1, so executors waited for it); a health order
//!           pays min_b while the account's delegate may borrow or withdraw (it could push the
//!           account to the trigger and execute from a second key)
//!           bounds:  min_b <= max_b <= the seize market's max liquidation bonus, so
//!                    (1 + b) * w_maint < 100 % and an execution always improves health
//! exchange  repay  = min(asked, remaining, debt)
//!           seize  = floor(value(repay at the repay spot, down) * (1 + b) / seize spot)
//!           seize > deposit: seize = deposit, repay = floor(repay * deposit / seize_uncapped),
//!                    seize recomputed from that repay (never above deposit)
//!           so value(seize) <= value(repay) * (1 + b) at spot: rounding goes to the account
//! fee       the seize market's protocol share of the bonus, paid by the executor in the repay
//!           token on top of the repay, into the repay market's insurance fund (order_fee: as a
//!           liquidation's, so an order's bonus is worth no more to its executor)
//! ```
use super::fixed::{mul_div, Rounding, Wad};
use super::health::{token_value, OraclePrice};
use crate::errors::KeelError;
use anchor_lang::prelude::*;

/// The protocol's share of an execution's bonus, in repay-token base units (as a liquidation's:
/// math/liquidation/mod.rs, step 5): the bonus part of `seize` is what exceeds the repaid value
/// at the seize price, rounded toward the fund; at most the whole bonus's worth.
pub fn order_fee(
    repay: u64,
    seize: u64,
    sides: (&OrderSide, &OrderSide),
    protocol_fee_bps: u16,
) -> Result<u64> {
    let (r, s) = sides;
    let value = token_value(
        repay,
        r.price.price,
        r.price.expo,
        r.decimals,
        Rounding::Down,
    )?;
    let base = tokens_for_value(value, &s.price, s.decimals)?.min(seize as u128) as u64;
    super::liquidation::repay_fee(repay, base, seize - base, protocol_fee_bps)
}

/// Base units of a token with `decimals` worth `value` at `price` (rounded down; wider than a
/// token amount: a cheap token can be owed more units than any account holds).
pub fn tokens_for_value(value: Wad, price: &OraclePrice, decimals: u8) -> Result<u128> {
    // tokens = value * 10^(decimals - expo - 18) / price
    let shift = decimals as i32 - price.expo - 18;
    require!(shift.abs() <= 36, KeelError::OracleExponentOutOfRange);
    let pow = 10u128.pow(shift.unsigned_abs());
    let tokens = if shift >= 0 {
        mul_div(value.0, pow, price.price as u128, Rounding::Down)?
    } else {
        let den = (price.price as u128)
            .checked_mul(pow)
            .ok_or_else(|| error!(KeelError::MathOverflow))?;
        mul_div(value.0, 1, den, Rounding::Down)?
    };
    Ok(tokens)
}

/// One side of an exchange: the amount held (debt or deposit), its spot price and decimals.
#[derive(Clone, Copy, Debug)]
pub struct OrderSide {
    /// Debt (repay side) or deposit (seize side), base units.
    pub amount: u64,
    /// The market's price.
    pub price: OraclePrice,
    /// Mint decimals.
    pub decimals: u8,
}

/// What an execution exchanges: `(repay, seize)`.
pub fn order_exchange(
    asked: u64,
    remaining: u64,
    repay: &OrderSide,
    seize: &OrderSide,
    bonus_bps: u16,
) -> Result<(u64, u64)> {
    let seize_for = |r: u64| -> Result<u128> {
        let value = token_value(
            r,
            repay.price.price,
            repay.price.expo,
            repay.decimals,
            Rounding::Down,
        )?
        .mul_bps(10_000 + bonus_bps as u64, Rounding::Down)?;
        tokens_for_value(value, &seize.price, seize.decimals)
    };
    let r = asked.min(remaining).min(repay.amount);
    let s = seize_for(r)?;
    if s <= seize.amount as u128 {
        return Ok((r, s as u64));
    }
    // s > deposit >= 0, so the quotient is below r
    let r = mul_div(r as u128, seize.amount as u128, s, Rounding::Down)? as u64;
    Ok((r, seize_for(r)?.min(seize.amount as u128) as u64))
}

/// The low and high edges of one whole token's maintenance band, USD with 18 decimals (what price
/// triggers compare: the whole band must be past the trigger).
pub fn unit_band(price: &OraclePrice, decimals: u8) -> Result<(Wad, Wad)> {
    let band = price.maintenance_band();
    let at = |p: u64| unit_price(&OraclePrice { price: p, ..*price }, decimals);
    Ok((at(band.low)?, at(band.high)?))
}

/// The spot price of one whole token, USD with 18 decimals.
pub fn unit_price(price: &OraclePrice, decimals: u8) -> Result<Wad> {
    let one = 10u64
        .checked_pow(decimals as u32)
        .ok_or_else(|| error!(KeelError::MathOverflow))?;
    token_value(one, price.price, price.expo, decimals, Rounding::Down)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn price(p: u64, expo: i32) -> OraclePrice {
        OraclePrice {
            price: p,
            conf: 0,
            ema_price: p,
            ema_conf: 0,
            expo,
            bound: None,
        }
    }

    #[test]
    fn exchange_example() {
        // repay 100 USDC (6 dp) against SOL (9 dp) at $100, 1% bonus: 1.01 SOL
        let usdc = OrderSide {
            amount: 500_000_000,
            price: price(100_000_000, -8),
            decimals: 6,
        };
        let sol = OrderSide {
            amount: 10_000_000_000,
            price: price(10_000_000_000, -8),
            decimals: 9,
        };
        assert_eq!(
            order_exchange(100_000_000, u64::MAX, &usdc, &sol, 100).unwrap(),
            (100_000_000, 1_010_000_000)
        );
        // capped by the deposit: 10 SOL pays for 990.09 USDC
        let (r, s) = order_exchange(
            u64::MAX,
            u64::MAX,
            &OrderSide {
                amount: 5_000_000_000,
                ..usdc
            },
            &sol,
            100,
        )
        .unwrap();
        assert_eq!(r, 990_099_009);
        assert!((10_000_000_000 - 10..=10_000_000_000).contains(&s), "{s}");
    }

    proptest! {
        /// Never more than asked, remaining or owed; never more collateral than held; the seized
        /// value never exceeds the repaid value times (1 + bonus) at spot.
        #[test]
        fn an_exchange_stays_within_the_order(
            asked in 1u64..=u64::MAX / 2, remaining in 1u64..=u64::MAX / 2,
            debt in 0u64..=1_000_000_000_000_000, deposit in 0u64..=1_000_000_000_000_000,
            rp in 1u64..=10_000_000_000, sp in 1u64..=10_000_000_000,
            rd in 0u8..=12, sd in 0u8..=12, bonus in 0u16..=2_000,
        ) {
            let r = OrderSide { amount: debt, price: price(rp, -8), decimals: rd };
            let s = OrderSide { amount: deposit, price: price(sp, -8), decimals: sd };
            let (repay, seize) = order_exchange(asked, remaining, &r, &s, bonus).unwrap();
            prop_assert!(repay <= asked && repay <= remaining && repay <= debt);
            prop_assert!(seize <= deposit);
            let repaid = token_value(repay, rp, -8, rd, Rounding::Up).unwrap();
            let seized = token_value(seize, sp, -8, sd, Rounding::Down).unwrap();
            prop_assert!(seized <= repaid.mul_bps(10_000 + bonus as u64, Rounding::Up).unwrap());
        }

        /// The fee is the protocol's share of the bonus, never above the bonus's worth.
        #[test]
        fn an_orders_fee_is_a_share_of_its_bonus(
            asked in 1u64..=1_000_000_000_000, rp in 1_000_000u64..=10_000_000_000,
            sp in 1_000_000u64..=10_000_000_000, bonus in 0u16..=2_000, fee_bps in 0u16..=5_000,
        ) {
            let r = OrderSide { amount: u64::MAX / 4, price: price(rp, -8), decimals: 6 };
            let s = OrderSide { amount: u64::MAX / 4, price: price(sp, -8), decimals: 9 };
            let (repay, seize) = order_exchange(asked, u64::MAX, &r, &s, bonus).unwrap();
            let fee = order_fee(repay, seize, (&r, &s), fee_bps).unwrap();
            // the bonus's worth in the repay token, rounded up: repay * bonus + a unit
            let worth = repay as u128 * bonus as u128 / 10_000 + 1;
            prop_assert!(fee as u128 <= worth, "fee {} above the bonus's worth {}", fee, worth);
            if bonus == 0 || fee_bps == 0 {
                prop_assert_eq!(fee, 0);
            }
        }
    }
}
