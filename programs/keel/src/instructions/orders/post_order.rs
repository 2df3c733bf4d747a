//! `post_order`: the owner, or a delegate holding the Orders power, posts a deleverage order on a
//! margin account. A delegate's order pays no bonus: the executor's bonus comes out of the owner's
//! collateral, and a delegate (or a second key of its) could otherwise collect it.
//!
//! ```text
//! signer    = owner or delegate                     else NotOwnerOrDelegate
//!             a delegate holds the Orders power     else DelegateLacksPower
//!             a delegate's order: max bonus = 0     else DelegateOrderBonus
//! recorded  the poster and the account's delegate epoch: the order executes only while its
//!           poster stands behind it (state/delegate.rs)
//! order_id  < MAX_ORDERS (8)                        else InvalidOrderId (the PDA is per id)
//! markets   = two different markets of the account's pool
//! bounds    max_repay > 0; min_bonus <= max_bonus <= seize market's max liquidation bonus
//!           (so (1 + b) * w_maint < 100 %: an execution always improves health);
//!           health trigger in (1.0, 3.0]; price trigger > 0 on the repay or the seize market;
//!           expires_at = 0 or in the future                    else InvalidOrder
//! effects   the order PDA (rent from `payer`), account.open_orders + 1
//! ```
//! Allowed while borrowing is paused: an order only ever reduces risk.
// Anchor's `init` codegen (the create-account closures of `try_accounts`) measures above the
// 4 KiB threshold in host MIR; it is generated code this crate cannot restructure (as
// open_account.rs); the handler itself is small.
#![allow(clippy::large_stack_frames)]
use crate::constants::{MAX_ORDERS, MAX_ORDER_TRIGGER_HF_BPS, ORDER_SEED};
use crate::errors::KeelError;
use crate::events::OrderPosted;
use crate::state::{
    Actor, DelegatePower, DeleverageOrder, MarginAccount, MarketPricing, OrderParams, OrderTrigger,
};
use anchor_lang::prelude::*;

/// Accounts of `post_order`.
#[derive(Accounts)]
#[instruction(order_id: u8)]
pub struct PostOrder<'info> {
    /// The account's owner or delegate.
    pub authority: Signer<'info>,
    /// Pays the order's rent (and gets it back when the order closes).
    #[account(mut)]
    pub payer: Signer<'info>,
    /// The margin account the order deleverages.
    #[account(
        mut,
        constraint = margin_account.load()?.may_act(authority.key) @ KeelError::NotOwnerOrDelegate
    )]
    pub margin_account: AccountLoader<'info, MarginAccount>,
    /// The market whose debt the order repays.
    /// CHECK: read by `MarketPricing::from_account` (owner, discriminator, size), its pool the
    /// account's, in the handler.
    pub repay_market: UncheckedAccount<'info>,
    /// The market whose collateral pays for it.
    /// CHECK: as `repay_market`.
    pub seize_market: UncheckedAccount<'info>,
    /// The new order.
    #[account(
        init,
        payer = payer,
        space = 8 + DeleverageOrder::INIT_SPACE,
        seeds = [ORDER_SEED, margin_account.key().as_ref(), &[order_id]],
        bump
    )]
    pub order: Box<Account<'info, DeleverageOrder>>,
    /// System program.
    pub system_program: Program<'info, System>,
}

/// Post order `order_id` with `params`.
pub fn post_order(ctx: Context<PostOrder>, order_id: u8, params: OrderParams) -> Result<()> {
    require!(order_id < MAX_ORDERS, KeelError::InvalidOrderId);
    let now = Clock::get()?.unix_timestamp;
    let a = ctx.accounts;
    let (repay_key, seize_key) = (a.repay_market.key(), a.seize_market.key());
    let (pool, epoch) = {
        let account = a.margin_account.load()?;
        let actor = account.authorize(a.authority.key, DelegatePower::Orders)?;
        require!(
            actor == Actor::Owner || params.max_bonus_bps == 0,
            KeelError::DelegateOrderBonus
        );
        (account.pool, account.delegate_epoch)
    };
    let max_bonus_bps = {
        let repay = MarketPricing::from_account(&a.repay_market)?;
        let seize = MarketPricing::from_account(&a.seize_market)?;
        require_keys_eq!(repay.pool, pool, KeelError::WrongPool);
        require_keys_eq!(seize.pool, pool, KeelError::WrongPool);
        seize.config.bonus.max_bonus_bps
    };
    validate(&params, (repay_key, seize_key), max_bonus_bps, now)?;
    let order = &mut a.order;
    order.margin_account = a.margin_account.key();
    order.pool = pool;
    order.payer = a.payer.key();
    order.repay_market = repay_key;
    order.seize_market = seize_key;
    order.trigger = params.trigger;
    order.remaining_repay = params.max_repay;
    order.min_bonus_bps = params.min_bonus_bps;
    order.max_bonus_bps = params.max_bonus_bps;
    order.expires_at = params.expires_at;
    order.created_at = now;
    order.order_id = order_id;
    order.bump = ctx.bumps.order;
    order.posted_by = a.authority.key();
    order.delegate_epoch = epoch;
    {
        let mut account = a.margin_account.load_mut()?;
        account.open_orders = account
            .open_orders
            .checked_add(1)
            .ok_or_else(|| error!(KeelError::MathOverflow))?;
    }
    crate::events::emit_event!(OrderPosted {
        order: order.key(),
        margin_account: order.margin_account,
        authority: a.authority.key(),
        order_id,
        repay_market: repay_key,
        seize_market: seize_key,
        trigger: params.trigger,
        max_repay: params.max_repay,
        min_bonus_bps: params.min_bonus_bps,
        max_bonus_bps: params.max_bonus_bps,
        expires_at: params.expires_at,
    });
    Ok(())
}

/// The bounds of the module's header.
fn validate(
    p: &OrderParams,
    (repay, seize): (Pubkey, Pubkey),
    seize_max_bonus_bps: u16,
    now: i64,
) -> Result<()> {
    let trigger_ok = match p.trigger {
        OrderTrigger::HealthBelow { hf_bps } => {
            hf_bps > 10_000 && hf_bps <= MAX_ORDER_TRIGGER_HF_BPS
        }
        OrderTrigger::PriceAtOrBelow { market, price }
        | OrderTrigger::PriceAtOrAbove { market, price } => {
            price.0 > 0 && (market == repay || market == seize)
        }
    };
    require!(
        repay != seize
            && p.max_repay > 0
            && p.min_bonus_bps <= p.max_bonus_bps
            && p.max_bonus_bps <= seize_max_bonus_bps
            && trigger_ok
            && (p.expires_at == 0 || p.expires_at > now),
        KeelError::InvalidOrder
    );
    Ok(())
}
