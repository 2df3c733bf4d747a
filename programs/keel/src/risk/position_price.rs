//! Pricing one position of a margin account (risk/account_health.rs walks the account): its
//! market read in place (state/market_view.rs), its price from the market's pinned sources
//! (oracle/), its amounts at the interest accrued to now and its weights in force.
use super::account_health::{LoadedMarket, PriceMode, Quote};
use crate::errors::KeelError;
use crate::math::emode::elevated;
use crate::math::health::{PositionHealthInput, RiskWeights};
use crate::math::shares::{debt_amount, deposit_amount};
use crate::math::size_aware::priced_weights;
use crate::oracle::rules::{PriceSource, SourcedPrice};
use crate::oracle::{load_market_price, MarketPrice, Sources};
use crate::state::market_view::MarketView;
use crate::state::{MarginAccount, Position};
use anchor_lang::prelude::*;

/// Verify one (market, price[, second price]) group against `position` and price it. The
/// position's market: the instruction's own copy when it holds one (it may have changed in
/// memory), else the group's account (owner, discriminator and size checked), read in place
/// (state/market_view.rs).
pub(super) fn price_position(
    account: &MarginAccount,
    position: &Position,
    group: &[AccountInfo],
    loaded: &[LoadedMarket],
    now: i64,
    mode: PriceMode,
) -> Result<Quote> {
    if let Some(l) = loaded.iter().find(|l| l.key == position.market) {
        return price_in(
            account,
            position,
            MarketView::Loaded(l.market),
            group,
            now,
            mode,
        );
    }
    let info = &group[0];
    require_keys_eq!(*info.owner, crate::ID, KeelError::RemainingAccountMismatch);
    let data = info.try_borrow_data()?;
    price_in(
        account,
        position,
        MarketView::of_data(&data)?,
        group,
        now,
        mode,
    )
}

/// [`price_position`] in `market`, of the account's pool.
#[inline(never)]
fn price_in(
    account: &MarginAccount,
    position: &Position,
    market: MarketView,
    group: &[AccountInfo],
    now: i64,
    mode: PriceMode,
) -> Result<Quote> {
    require_keys_eq!(market.pool(), account.pool, KeelError::WrongPool);
    let step = market.projected_accrual(now)?;
    let deposit = deposit_amount(position.deposit_shares, step.deposit_index)?;
    let debt = debt_amount(position.borrow_shares, step.borrow_index)?;
    let mut priced = price_group(&market, group, now, mode, debt == 0, &position.market)?;
    let source = priced.sourced.source;
    if mode == PriceMode::Initial {
        initial_source_rules(&mut priced, debt)?;
    }
    let in_force = market.weights_at(now);
    let emode = market.emode();
    let decimals = market.decimals();
    let (weights, emode_weights) = match &priced.sourced.price {
        Some(p) => {
            let deposits = || Ok((market.total_deposit_shares(), step.deposit_index));
            let limit = (market.init_value_limit_usd(), decimals);
            let weights = priced_weights(in_force, p, &market.guard(), limit, deposits)?;
            let elevated_weights = match emode.is_set() {
                true => emode_weights(&market, in_force, p, step.deposit_index, now)?,
                false => weights,
            };
            (weights, elevated_weights)
        }
        None => (in_force, in_force),
    };
    Ok(Quote {
        market: position.market,
        input: PositionHealthInput {
            deposit,
            debt,
            decimals,
            weights,
            price: priced.sourced.price,
        },
        source,
        publish_time: priced.primary_time,
        secondary_publish_time: priced.secondary_time,
        group: emode.group,
        emode_weights,
    })
}

/// What borrowing and withdrawing ask of a market's sources (its own frame: SBF's 4 KiB).
#[inline(never)]
fn initial_source_rules(priced: &mut MarketPrice, debt: u64) -> Result<()> {
    let source = priced.sourced.source;
    require!(
        source != PriceSource::Divergent,
        KeelError::OracleSourcesDiverge
    );
    // a pull feed is only as fresh as someone makes it: a borrower who leaves it stale must not
    // thereby skip the divergence check
    require!(
        source != PriceSource::PrimaryOnly,
        KeelError::SecondaryOracleUnavailable
    );
    // nor one who leaves Pyth stale: the second source alone (anyone can crank it) prices no
    // borrowing (issue 26): a debt refuses, a collateral counts zero (so a griefer who keeps the
    // feed cranked blocks no withdrawal); a liquidation may still use it
    require!(
        source != PriceSource::Secondary || debt == 0,
        KeelError::OracleNeedsBothSources
    );
    if source == PriceSource::Secondary {
        priced.sourced.price = None;
    }
    Ok(())
}

/// The weights of a deposit in `market` inside its e-mode group, priced as the ordinary ones (out
/// of line: only markets of a group pay for it).
#[inline(never)]
fn emode_weights(
    market: &MarketView,
    in_force: RiskWeights,
    price: &crate::math::health::OraclePrice,
    deposit_index: crate::math::fixed::Wad,
    now: i64,
) -> Result<RiskWeights> {
    let e = market.emode();
    let raised = elevated(
        in_force,
        e.init_asset_weight_bps,
        market.emode_maint_at(now),
    );
    let limit = (market.init_value_limit_usd(), market.decimals());
    let deposits = || Ok((market.total_deposit_shares(), deposit_index));
    priced_weights(raised, price, &market.guard(), limit, deposits)
}

/// The market's price from the group's price accounts (oracle/mod.rs), with the limits `mode`
/// applies. A position without debt and without a usable price is priced `None` (its collateral
/// counts zero); with debt that refuses.
#[inline(never)]
fn price_group(
    market: &MarketView,
    group: &[AccountInfo],
    now: i64,
    mode: PriceMode,
    debt_free: bool,
    key: &Pubkey,
) -> Result<MarketPrice> {
    let oracle = match mode {
        PriceMode::Initial => market.oracle(),
        PriceMode::Maintenance => market.maintenance_oracle_at(now),
    };
    let (secondary, guard) = (market.secondary(), market.guard());
    let (primary_not_before, secondary_not_before) = market.last_publish_times();
    let sources = Sources {
        primary: &oracle,
        primary_not_before,
        secondary: &secondary,
        secondary_not_before,
        strict_secondary: mode == PriceMode::Initial,
        hold_last_price: mode == PriceMode::Maintenance,
        guard: &guard,
    };
    match load_market_price(&sources, &group[1], group.get(2), now) {
        Ok(p) => Ok(p),
        Err(e) if debt_free && counts_zero(&e, mode) => {
            msg!(
                "position {}: oracle unusable, collateral counted as zero",
                key
            );
            Ok(MarketPrice {
                sourced: SourcedPrice {
                    price: None,
                    source: PriceSource::None,
                },
                primary_time: 0,
                secondary_time: 0,
            })
        }
        Err(e) => Err(e),
    }
}

/// Whether a collateral-only position whose pricing failed with `e` counts zero (else the
/// instruction refuses): a stale or too-uncertain price always; an unusable pinned account only
/// for health, liquidation and orders, so that no feed authority can stop them (issue 26).
/// Borrowing and withdrawing keep refusing with the account's own error; a debt-holder can
/// always repay, which needs no price.
fn counts_zero(e: &Error, mode: PriceMode) -> bool {
    match crate::oracle::rules::Reading::from_quality_error(e) {
        Some(crate::oracle::rules::Reading::Unusable(_)) => mode == PriceMode::Maintenance,
        Some(_) => true,
        None => false,
    }
}
