//! The fuzzer's delegate actions: an owner names (or clears) another trader as its delegate, and
//! that trader borrows or withdraws on the owner's account, to the owner's token account (allowed
//! within health) or to its own (must be refused with `DelegatePaysOwnerOnly`); a trader who is
//! not the delegate must be refused with `NotOwnerOrDelegate`.
use super::{amount, TRADERS};
use keel::errors::KeelError;
use keel::state::DelegatePower;
use keel_sdk::instructions as kix;
use keel_tests::env::custom_error;
use keel_tests::invariants::assert_initial_health;
use keel_tests::{Trader, World};
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

/// Owner `t` names trader `by` its delegate (`clear`: removes any), or, with `act`, trader `by`
/// borrows (`borrow`) or withdraws `whole` units of market `m` on `t`'s account, paid to the
/// owner or (`to_self`) to itself.
pub async fn delegate(
    w: &mut World,
    traders: &[Trader],
    (t, by, m, whole): (usize, usize, usize, u64),
    (act, borrow, to_self, clear): (bool, bool, bool, bool),
) -> Result<Option<Result<(), TransactionError>>, String> {
    let (owner, agent) = (&traders[t], &traders[by % TRADERS]);
    if !act {
        let key = if clear || by % TRADERS == t {
            anchor_lang::prelude::Pubkey::default()
        } else {
            agent.key.pubkey()
        };
        let powers = match key == anchor_lang::prelude::Pubkey::default() {
            true => vec![],
            false => DelegatePower::ALL.to_vec(),
        };
        let ix = kix::set_delegate(owner.key.pubkey(), owner.margin, key, &powers);
        return Ok(Some(w.send_as(&owner.key, &[ix]).await.map(|_| ())));
    }
    let keys = w.markets[m].keys;
    let to = if to_self {
        agent.tokens[m]
    } else {
        owner.tokens[m]
    };
    let metas = w.health_metas(owner.margin, Some(m)).await;
    let a = amount(m, whole);
    let me = agent.key.pubkey();
    let ix = if borrow {
        kix::borrow(me, owner.margin, &keys, to, a, &metas)
    } else {
        kix::withdraw(me, owner.margin, &keys, to, a, &metas)
    };
    let delegate = w.margin(owner.margin).await.delegate;
    let r = w.send_as(&agent.key, &[ix]).await.map(|_| ());
    let code = r.as_ref().err().and_then(custom_error);
    let is_owner = by % TRADERS == t;
    if !is_owner && delegate != me {
        if code != Some(KeelError::NotOwnerOrDelegate.into()) {
            return Err(format!("a stranger acted on an account: {r:?}"));
        }
    } else if !is_owner && to_self && code != Some(KeelError::DelegatePaysOwnerOnly.into()) {
        return Err(format!("a delegate paid itself: {r:?}"));
    }
    if r.is_ok() {
        assert_initial_health(w, owner.margin).await;
    }
    Ok(Some(r))
}
