//! The independent review's findings, each as the exploit it describes, run on the real runtime.
//! Every test was first run against the unfixed program and seen to fail (the exploit worked);
//! each now asserts the safe outcome. Named after what it attacks; the finding number is in the
//! doc comment.
//!
//! By area: oracle.rs, liquidation.rs, governance.rs, outflow.rs; shared fixtures here.
#![allow(unused_imports)]
pub(crate) use crate::common::*;
pub(crate) use anchor_lang::prelude::Pubkey;
pub(crate) use anchor_lang::{AnchorDeserialize, Discriminator};
pub(crate) use base64::Engine;
pub(crate) use keel::errors::KeelError;
pub(crate) use keel::events::Liquidated;
pub(crate) use keel::math::fixed::{Wad, WAD};
pub(crate) use keel::state::ChangeKind;
pub(crate) use keel::state::{OrderParams, OrderTrigger};
pub(crate) use keel_sdk::instructions as kix;
pub(crate) use keel_tests::env::{assert_keel_error, TxOutcome};
pub(crate) use keel_tests::invariants::check;
pub(crate) use keel_tests::pyth::{write_price, PriceSpec};
pub(crate) use keel_tests::tokens::{balance, spl_token, token_2022, MintExtension};
pub(crate) use keel_tests::world::USD;
pub(crate) use keel_tests::{MarketSpec, Trader, World};
pub(crate) use solana_sdk::signature::{Keypair, Signer};

mod authority;
pub(crate) mod economics;
mod feeds;
mod governance;
mod handover;
mod liquidation;
mod oracle;
mod outflow;
mod sources;

pub(crate) const HOUR: i64 = 3_600;

pub(crate) const DAY: i64 = 86_400;

/// The `Liquidated` event a transaction emitted.
pub(crate) fn liquidated(out: &TxOutcome) -> Liquidated {
    out.logs
        .iter()
        .filter_map(|l| keel_tests::native_logs::event_data(l))
        .filter_map(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
        .find(|d| d.len() > 8 && d[..8] == *Liquidated::DISCRIMINATOR)
        .map(|d| Liquidated::try_from_slice(&d[8..]).expect("decode Liquidated"))
        .expect("a Liquidated event")
}

/// SOL, USDC and a third $1 market (6 decimals, SPL Token) whose feed tests let go stale.
pub(crate) async fn three_markets() -> World {
    let mut w = sol_usdc().await;
    let spec = MarketSpec {
        token_program: spl_token(),
        decimals: 6,
        price: USD,
    };
    w.list_market(&spec, MintExtension::None, |_| {})
        .await
        .unwrap();
    w
}

pub(crate) async fn liquidator(w: &mut World) -> Trader {
    w.trader(&[0, 1_000_000 * USDC, 1_000_000 * USDC]).await
}

/// A deposit instruction that also carries the account's health accounts (so the program can see
/// the repair and restart the bonus clock).
pub(crate) async fn deposit_with_health(
    w: &mut World,
    t: &Trader,
    m: usize,
    amount: u64,
) -> TxOutcome {
    let mut ix = kix::deposit(
        t.key.pubkey(),
        t.margin,
        &w.markets[m].keys,
        t.tokens[m],
        amount,
    );
    ix.accounts.extend(w.health_metas(t.margin, Some(m)).await);
    w.send_as(&t.key, &[ix]).await.unwrap()
}

/// Governance: the guardian tightens market `m` with `f` applied to its config.
pub(crate) async fn guardian_tightens(
    w: &mut World,
    m: usize,
    f: impl FnOnce(&mut keel::state::MarketConfig),
) -> Result<TxOutcome, solana_sdk::transaction::TransactionError> {
    let mut c = w.market(m).await.config;
    f(&mut c);
    let guardian = w.guardian.insecure_clone();
    let ix = kix::tighten_market(guardian.pubkey(), w.pool, w.markets[m].keys.market, c);
    w.send_as(&guardian, &[ix]).await
}

pub(crate) async fn raise_delay(w: &mut World, delay: i64) {
    let admin = w.admin.insecure_clone();
    let ix = kix::raise_timelock(admin.pubkey(), w.pool, delay);
    w.send_as(&admin, &[ix]).await.unwrap();
}

/// SOL with a Switchboard second source at $100, a trader with 10 SOL backing 700 USDC.
pub(crate) async fn levered_with_second_source() -> (World, Trader) {
    let mut w = sol_usdc().await;
    w.add_secondary(0, 100 * USD, &[100 * USD, USD])
        .await
        .unwrap();
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 700 * USDC).await.unwrap();
    (w, trader)
}
