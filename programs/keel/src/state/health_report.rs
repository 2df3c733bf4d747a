//! `HealthReport`: what the `health` instruction returns and emits.
use crate::math::fixed::Wad;
use anchor_lang::prelude::*;

/// The program's answer to "how healthy is this account?".
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, AnchorSerialize, AnchorDeserialize)]
pub struct HealthReport {
    /// Weighted collateral, initial requirement (USD, Wad).
    pub collateral_init: Wad,
    /// Weighted debt, initial requirement.
    pub debt_init: Wad,
    /// Weighted collateral, maintenance requirement.
    pub collateral_maint: Wad,
    /// Weighted debt, maintenance requirement.
    pub debt_maint: Wad,
    /// Unweighted collateral value (maintenance band's low prices).
    pub collateral_value: Wad,
    /// Unweighted debt value (maintenance band's high prices).
    pub debt_value: Wad,
    /// `C_maint / D_maint` (Wad; `u128::MAX` with no debt).
    pub health_factor: Wad,
    /// `C_init >= D_init`.
    pub meets_initial: bool,
    /// `C_maint < D_maint`.
    pub liquidatable: bool,
}
