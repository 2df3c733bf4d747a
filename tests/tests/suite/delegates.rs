//! Delegates on the real runtime (instructions/user/set_delegate.rs, owner_transfer.rs): the
//! owner names a key that may deposit, repay, and borrow or withdraw to the owner's own token
//! accounts; it can never send funds to itself, never name another delegate or close the
//! account, and a revocation is effective at once.
use crate::cli::keel_as;
use crate::common::*;
use keel::errors::KeelError;
use keel::state::DelegatePower;
use keel_sdk::instructions as kix;
use keel_tests::env::assert_keel_error;
use keel_tests::invariants::{assert_initial_health, check};
use keel_tests::tokens::balance;
use keel_tests::{Trader, World};
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;

/// `deposit`, `withdraw` or `borrow` of market `m` on `owner`'s account, signed by `by`, with
/// `by`'s token account of `m` as the other side unless `to` names one.
async fn as_delegate(
    w: &mut World,
    (by, owner): (&Trader, &Trader),
    (kind, m, amount): (&str, usize, u64),
    to: Option<anchor_lang::prelude::Pubkey>,
) -> Result<(), solana_sdk::transaction::TransactionError> {
    let keys = w.markets[m].keys;
    let token = to.unwrap_or(by.tokens[m]);
    let me = by.key.pubkey();
    let metas = w.health_metas(owner.margin, Some(m)).await;
    let ix: Instruction = match kind {
        "deposit" => kix::deposit(me, owner.margin, &keys, token, amount),
        "withdraw" => kix::withdraw(me, owner.margin, &keys, token, amount, &metas),
        _ => kix::borrow(me, owner.margin, &keys, token, amount, &metas),
    };
    w.send_as(&by.key, &[ix]).await.map(|_| ())
}

#[tokio::test]
async fn a_delegate_manages_the_account_but_pays_only_the_owner() {
    let mut w = sol_usdc().await;
    let (_lender, owner) = funded(&mut w).await; // 10 SOL deposited
    let bot = w.trader(&[5 * SOL, 100 * USDC]).await;
    let stranger = w.trader(&[SOL, 0]).await;
    // the owner names the bot through the CLI (which pays its fees from the owner's wallet)
    keel_tests::world::fund(&mut w.env, &owner.key.pubkey(), SOL);
    let out = keel_as(
        &w,
        &owner.key,
        &owner.tokens,
        &["delegate", "set", &bot.key.pubkey().to_string()],
    )
    .await
    .unwrap();
    assert_eq!(out["delegate"], bot.key.pubkey().to_string());
    assert_eq!(w.margin(owner.margin).await.delegate, bot.key.pubkey());

    // allowed: a deposit from the bot's own tokens, a borrow and a withdrawal to the owner
    as_delegate(&mut w, (&bot, &owner), ("deposit", 0, SOL), None)
        .await
        .unwrap();
    let owner_usdc = balance(&mut w.env, owner.tokens[1]).await;
    as_delegate(
        &mut w,
        (&bot, &owner),
        ("borrow", 1, 200 * USDC),
        Some(owner.tokens[1]),
    )
    .await
    .unwrap();
    assert_eq!(
        balance(&mut w.env, owner.tokens[1]).await,
        owner_usdc + 200 * USDC
    );
    assert_initial_health(&mut w, owner.margin).await;
    let owner_sol = balance(&mut w.env, owner.tokens[0]).await;
    as_delegate(
        &mut w,
        (&bot, &owner),
        ("withdraw", 0, SOL),
        Some(owner.tokens[0]),
    )
    .await
    .unwrap();
    assert_eq!(balance(&mut w.env, owner.tokens[0]).await, owner_sol + SOL);

    // refused, changing nothing: the bot's own token account as the destination; a stranger;
    // the bot naming a delegate or closing the account
    let keys = watched(&w, &[&owner, &bot, &stranger]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        as_delegate(&mut w, (&bot, &owner), ("borrow", 1, 10 * USDC), None).await,
        KeelError::DelegatePaysOwnerOnly,
    );
    assert_keel_error(
        as_delegate(&mut w, (&bot, &owner), ("withdraw", 0, SOL), None).await,
        KeelError::DelegatePaysOwnerOnly,
    );
    assert_keel_error(
        as_delegate(&mut w, (&stranger, &owner), ("deposit", 0, SOL), None).await,
        KeelError::NotOwnerOrDelegate,
    );
    let rename = kix::set_delegate(
        bot.key.pubkey(),
        owner.margin,
        stranger.key.pubkey(),
        &DelegatePower::ALL,
    );
    assert_keel_error(
        w.send_as(&bot.key, &[rename]).await,
        KeelError::NotAccountOwner,
    );
    let close = kix::close_account(bot.key.pubkey(), owner.margin);
    assert_keel_error(
        w.send_as(&bot.key, &[close]).await,
        KeelError::NotAccountOwner,
    );
    let itself = kix::set_delegate(
        owner.key.pubkey(),
        owner.margin,
        owner.key.pubkey(),
        &DelegatePower::ALL,
    );
    assert_keel_error(
        w.send_as(&owner.key, &[itself]).await,
        KeelError::InvalidDelegate,
    );
    assert_unchanged(&mut w, &keys, &before).await;

    // revoked: refused from the next instruction on
    keel_as(&w, &owner.key, &owner.tokens, &["delegate", "clear"])
        .await
        .unwrap();
    assert_keel_error(
        as_delegate(&mut w, (&bot, &owner), ("deposit", 0, SOL), None).await,
        KeelError::NotOwnerOrDelegate,
    );
    // the owner itself still pays anywhere it likes
    w.withdraw(&owner, 0, SOL).await.unwrap();
    check(&mut w).await;
}

/// A delegate who could liquidate its principal would profit from the leverage it chose for it:
/// borrow the owner to the edge, wait for a dip, collect the bonus. Refused like a
/// self-liquidation; anyone else liquidates as usual.
#[tokio::test]
async fn a_delegate_cannot_liquidate_the_account_it_manages() {
    use keel_tests::world::USD;
    let mut w = sol_usdc().await;
    let (_lender, owner) = funded(&mut w).await; // 10 SOL
    let bot = w.trader(&[0, 10_000 * USDC]).await;
    let ix = kix::set_delegate(
        owner.key.pubkey(),
        owner.margin,
        bot.key.pubkey(),
        &DelegatePower::ALL,
    );
    w.send_as(&owner.key, &[ix]).await.unwrap();
    // the bot borrows the owner to its initial limit, to the owner's token account
    as_delegate(
        &mut w,
        (&bot, &owner),
        ("borrow", 1, 790 * USDC),
        Some(owner.tokens[1]),
    )
    .await
    .unwrap();
    w.set_price(0, 92 * USD).await;
    assert!(w.health(owner.margin).await.unwrap().liquidatable);
    let keys = watched(&w, &[&owner, &bot]);
    let before = snapshot(&mut w, &keys).await;
    assert_keel_error(
        w.liquidate(&bot, owner.margin, 1, 0, u64::MAX).await,
        KeelError::SelfLiquidation,
    );
    assert_unchanged(&mut w, &keys, &before).await;
    let other = w.trader(&[0, 10_000 * USDC]).await;
    w.liquidate(&other, owner.margin, 1, 0, u64::MAX)
        .await
        .unwrap();
    check(&mut w).await;
}
