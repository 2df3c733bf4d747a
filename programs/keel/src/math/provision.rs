//! Provisions: the loss an insolvent account is expected to leave, booked on its debt markets as
//! soon as an instruction sees it, so lenders cannot withdraw ahead of the write-off (issue 27,
//! item 6: before, bad debt was booked only when no collateral was left, and (1 - U) of a market
//! could leave at the old index first).
//!
//! ```text
//! shortfall      = D_spot - C_low                   (USD; collateral at its band's low end,
//!                                                     so the loss is never understated)
//! provision_i    = ceil(debt_i * shortfall / D_spot) (tokens of debt market i; <= debt_i)
//!                  each debt market carries its share of the loss, rounded up (the provision
//!                  protects the lenders who stay)
//! uncovered      = provisioned - insurance fund      (the fund is written off first)
//! withdraw index = deposit_index * (deposits - uncovered) / deposits   (rounded down)
//! ```
//! Only withdrawals use the withdraw index: a lender leaving takes its share of the provisioned
//! loss with it. What it leaves behind (its shares' worth at par less what they paid) joins the
//! insurance fund, which covers the loss first, so the lenders who stay do not bear the
//! leaver's share, and the next leaver's uncovered share is the same fraction. Deposits
//! still mint at the deposit index (a newcomer shares the coming loss, and cannot buy in at the
//! marked-down price and leave at par once the provision is released).
use super::fixed::{mul_div, Rounding, Wad};
use anchor_lang::prelude::*;

/// Tokens of a debt of `debt` to provision when the account's spot debt `debt_spot` exceeds its
/// spot collateral by `shortfall` (both USD): its share of the loss, rounded up, at most `debt`.
pub fn provision_tokens(debt: u64, shortfall: Wad, debt_spot: Wad) -> Result<u64> {
    if shortfall == Wad::ZERO || debt == 0 || debt_spot == Wad::ZERO {
        return Ok(0);
    }
    if shortfall >= debt_spot {
        return Ok(debt);
    }
    let p = mul_div(debt as u128, shortfall.0, debt_spot.0, Rounding::Up)?;
    Ok(u64::try_from(p).unwrap_or(u64::MAX).min(debt))
}

/// The shortfall of an account: `D - C` (risk/provision.rs passes D at spot, C at its band's
/// low end), zero when solvent.
pub fn shortfall(collateral: Wad, debt: Wad) -> Wad {
    debt.saturating_sub(collateral)
}

/// Tokens per deposit share a withdrawal pays while `uncovered` tokens of provisioned loss are
/// not covered by the insurance fund: the deposit index marked down by the loss, rounded down.
/// Zero when the loss reaches the deposits.
pub fn withdraw_index(deposit_index: Wad, deposits: Wad, uncovered: Wad) -> Result<Wad> {
    if uncovered == Wad::ZERO || deposits == Wad::ZERO {
        return Ok(deposit_index);
    }
    let left = deposits.saturating_sub(uncovered);
    Ok(Wad(mul_div(
        deposit_index.0,
        left.0,
        deposits.0,
        Rounding::Down,
    )?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::math::fixed::WAD;
    use crate::math::shares::{deposit_amount, shares_for_withdraw};
    use proptest::prelude::*;

    proptest! {
        /// Each debt's provision is its share of the shortfall, never below it (rounded up),
        /// never above the debt; the provisions of an account's debts cover its whole shortfall.
        #[test]
        fn provisions_cover_the_shortfall(
            debts in proptest::collection::vec((1u64..1_000_000_000_000, 1u128..1_000_000), 1..6),
            collateral in 0u128..10_000_000_000_000_000,
        ) {
            // debt i is worth debts[i].0 * price_i (a Wad of USD per token unit: price_i / 1e6)
            let values: Vec<Wad> = debts
                .iter()
                .map(|(d, p)| Wad(*d as u128 * p * WAD / 1_000_000))
                .collect();
            let debt_spot = values.iter().fold(Wad::ZERO, |a, v| Wad(a.0 + v.0));
            let short = shortfall(Wad(collateral * WAD / 1_000_000), debt_spot);
            let mut covered = Wad::ZERO;
            for ((d, p), v) in debts.iter().zip(&values) {
                let t = provision_tokens(*d, short, debt_spot).unwrap();
                prop_assert!(t <= *d);
                let usd = t as u128 * p * WAD / 1_000_000;
                let share = mul_div(v.0, short.0.min(debt_spot.0), debt_spot.0, Rounding::Down).unwrap();
                prop_assert!(usd >= share, "{usd} < {share}");
                covered = Wad(covered.0 + usd);
            }
            prop_assert!(covered >= short.min(debt_spot), "{covered:?} < {short:?}");
        }

        /// A lender leaving while a loss is provisioned takes at most its share of what stays:
        /// the withdraw index never exceeds the deposit index, and a full exit pays no more than
        /// the deposit's share of (deposits - uncovered).
        #[test]
        fn a_withdrawal_carries_its_share_of_the_loss(
            index in WAD..WAD * 3,
            total_shares in 1_000u64..1_000_000_000_000,
            frac in 1u64..=1_000,
            uncovered_bps in 0u128..=10_000,
        ) {
            let shares = (total_shares as u128 * frac as u128 / 1_000).max(1) as u64;
            let deposits = Wad(total_shares as u128 * index);
            let uncovered = Wad(deposits.0 * uncovered_bps / 10_000);
            let w = withdraw_index(Wad(index), deposits, uncovered).unwrap();
            prop_assert!(w <= Wad(index));
            let paid = deposit_amount(shares, w).unwrap() as u128;
            let fair = mul_div(shares as u128, deposits.0 - uncovered.0, total_shares as u128 * WAD, Rounding::Down).unwrap();
            prop_assert!(paid <= fair + 1, "paid {paid} fair {fair}");
            if w > Wad::ZERO && paid > 0 {
                // burning for an amount never costs fewer shares than at the marked index
                prop_assert!(shares_for_withdraw(paid as u64, w).unwrap() <= shares);
            }
        }
    }

    #[test]
    fn a_solvent_account_provisions_nothing() {
        let d = Wad::from_int(100);
        assert_eq!(shortfall(Wad::from_int(101), d), Wad::ZERO);
        assert_eq!(provision_tokens(5_000, Wad::ZERO, d).unwrap(), 0);
        // 10 % short: 10 % of each debt, rounded up
        let short = shortfall(Wad::from_int(90), d);
        assert_eq!(provision_tokens(1_001, short, d).unwrap(), 101);
        // more short than owed (no collateral left): the whole debt
        assert_eq!(provision_tokens(7, Wad::from_int(200), d).unwrap(), 7);
        let w = withdraw_index(Wad::ONE, Wad::from_int(1_000), Wad::from_int(250)).unwrap();
        assert_eq!(w, Wad(WAD * 3 / 4));
    }
}
