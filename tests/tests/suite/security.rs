//! The security checklist of `../shared/design.md` as a mutation matrix: every instruction is built
//! valid (and confirmed valid by simulation), then each of its accounts is mutated by every class
//! that applies to it, and the mutated transaction must fail with an error of that class and change
//! no account (lamports, owner, data, so token balances too).
//!
//! | class \ instruction     | user: deposit withdraw borrow repay open close | keeper: accrue health liquidate execute | admin: add_market tighten queue cancel pause raise set_pending accept init_pool |
//! |-------------------------|-----------------------------------------------|------------------------------------------|--------------------------------------------------------------------------------|
//! | missing signer          | every signer slot                             | liquidator, executor                     | every signer slot                                                              |
//! | wrong owner (byte-copy) | margin, pool, market, vault, mint, token accs | market, margin, pool, change, prices      | pool, market, change, mint                                                     |
//! | type cosplay            | margin <-> market <-> pool                     | same, prices                              | pool, market, change                                                           |
//! | wrong relation          | other market/vault/mint/owner/pool B           | same                                      | same                                                                           |
//! | fake program            | token program                                 | token program                             | token, system program                                                          |
//! | duplicate mutable       | any two writable slots of one type            | liquidator = liquidatee, repay = seize    | -                                                                              |
//!
//! The user column also holds `set_delegate`, `post_order` and `cancel_order`, the keeper column
//! `execute_order` (an order on another account is its wrong relation).
//!
//! Separate tests: reinitialisation, non-canonical bumps, many tiny operations (rounding), price
//! manipulation of a thin collateral, duplicated remaining accounts (security_checks.rs); closing
//! with open positions (refusals.rs); stale / low-confidence / wrong-feed prices (oracle.rs), and a
//! second source's (second_source.rs); remaining accounts omitted, reordered or swapped
//! (remaining.rs and the matrix). The matrix prints the count of mutations refused per cell.
use crate::common::*;
use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::Discriminator;
use keel::errors::KeelError;
use keel::state::Role;
use keel::state::{
    ChangeKind, DeleverageOrder, MarginAccount, Market, OrderParams, OrderTrigger, PendingChange,
    Pool,
};
use keel_sdk::instructions::{self as kix, LiquidationKeys, MarketKeys};
use keel_sdk::pda;
use keel_tests::env::custom_error;
use keel_tests::invariants::check;
use keel_tests::tokens::{create_mint, mint_to, spl_token, MintExtension};
use keel_tests::world::{default_config, default_liquidation, USD};
use keel_tests::World;
use solana_sdk::account::Account;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Class {
    MissingSigner,
    WrongOwner,
    TypeCosplay,
    WrongRelation,
    FakeProgram,
    DuplicateMutable,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Pool,
    Market,
    Margin,
    Change,
    Order,
    Vault,
    Mint,
    Token,
    Price,
    Program,
    Other,
}

/// Errors each class may legitimately end in (the first check that catches the mutation).
fn expected(class: Class) -> Vec<u32> {
    let k = |e: KeelError| u32::from(e);
    let a = |e: Anchor| u32::from(e);
    let relation = vec![
        a(Anchor::ConstraintHasOne),
        a(Anchor::ConstraintRaw),
        a(Anchor::ConstraintSeeds),
        a(Anchor::ConstraintAddress),
        a(Anchor::ConstraintTokenMint),
        a(Anchor::ConstraintTokenOwner),
        a(Anchor::ConstraintMintTokenProgram),
        a(Anchor::ConstraintTokenTokenProgram),
        k(KeelError::WrongPool),
        k(KeelError::NotAccountOwner),
        k(KeelError::NotOwnerOrDelegate),
        k(KeelError::NotPoolAdmin),
        k(KeelError::NotAdminOrGuardian),
        k(KeelError::NotPendingAuthority),
        k(KeelError::NoPendingAuthority),
        k(KeelError::RemainingAccountMismatch),
        k(KeelError::MissingPositionPair),
        k(KeelError::DuplicateRemainingAccount),
        k(KeelError::OraclePriceAccountMismatch),
        k(KeelError::OracleFeedMismatch),
        k(KeelError::ChangeMarketMismatch),
        k(KeelError::NoDebt),
        k(KeelError::NoCollateralInSeizeMarket),
        k(KeelError::InsufficientDeposit),
        k(KeelError::SelfLiquidation),
        k(KeelError::SameMarket),
        k(KeelError::NotLiquidatable),
        k(KeelError::AccountNotEmpty),
        k(KeelError::InvalidInstructionsSysvar),
        k(KeelError::OrderMismatch),
        k(KeelError::OrderSelfExecution),
        k(KeelError::InvalidOrder),
        3, // SPL token: mint mismatch (a token account of another mint in a CPI)
        4, // SPL token: owner does not match
    ];
    match class {
        Class::MissingSigner => vec![a(Anchor::AccountNotSigner)],
        Class::WrongOwner => vec![
            a(Anchor::AccountOwnedByWrongProgram),
            a(Anchor::ConstraintAddress),
            k(KeelError::OracleWrongOwner),
            k(KeelError::RemainingAccountMismatch),
            k(KeelError::MissingPositionPair),
            k(KeelError::OraclePriceAccountMismatch),
            k(KeelError::InvalidInstructionsSysvar),
        ],
        Class::TypeCosplay => vec![
            a(Anchor::AccountDiscriminatorMismatch),
            a(Anchor::AccountOwnedByWrongProgram),
            a(Anchor::ConstraintAddress),
            k(KeelError::RemainingAccountMismatch),
            k(KeelError::MissingPositionPair),
            k(KeelError::OraclePriceAccountMismatch),
            k(KeelError::OracleWrongOwner),
        ],
        Class::WrongRelation => relation,
        Class::FakeProgram => vec![a(Anchor::InvalidProgramId)],
        Class::DuplicateMutable => {
            let mut v = relation;
            v.push(a(Anchor::ConstraintDuplicateMutableAccount));
            v
        }
    }
}

/// A fixture with every kind of account, and a valid instance of every instruction.
struct Fixture {
    w: World,
    keys: BTreeMap<Pubkey, Keypair>,
    kinds: BTreeMap<Pubkey, Kind>,
    siblings: BTreeMap<Pubkey, Pubkey>,
    cases: Vec<(&'static str, Instruction)>,
}

async fn kind_of(w: &mut World, key: Pubkey) -> Kind {
    let Some(acc) = w.env.account(key).await else {
        return Kind::Other;
    };
    if acc.executable {
        return Kind::Program;
    }
    if acc.owner == keel::ID {
        let d = &acc.data[..8];
        return if d == Pool::DISCRIMINATOR {
            Kind::Pool
        } else if d == Market::DISCRIMINATOR {
            Kind::Market
        } else if d == MarginAccount::DISCRIMINATOR {
            Kind::Margin
        } else if d == PendingChange::DISCRIMINATOR {
            Kind::Change
        } else if d == DeleverageOrder::DISCRIMINATOR {
            Kind::Order
        } else {
            Kind::Other
        };
    }
    if acc.owner == pyth_solana_receiver_sdk::ID {
        return Kind::Price;
    }
    if acc.owner == spl_token() || acc.owner == keel_tests::tokens::token_2022() {
        if acc.data.len() == 82 {
            return Kind::Mint;
        }
        return Kind::Token;
    }
    Kind::Other
}

async fn fixture() -> Fixture {
    let mut w = sol_usdc().await;
    let (_lender, trader) = funded(&mut w).await;
    w.borrow(&trader, 1, 100 * USDC).await.unwrap();
    let victim = w.trader(&[10 * SOL, 0]).await;
    w.deposit(&victim, 0, 10 * SOL).await.unwrap();
    w.borrow(&victim, 1, 790 * USDC).await.unwrap();
    let liq = w.trader(&[0, 1_000_000 * USDC]).await;
    let empty = w.trader(&[0, 0]).await;
    let authority = w.mint_authority.insecure_clone();
    let sol = w.markets[0].keys;
    mint_to(
        &mut w.env,
        sol.token_program,
        &sol.mint,
        &authority,
        &trader.tokens[0],
        5 * SOL,
    )
    .await;
    // pool B, with the same SOL mint listed: its market and vault are the "other pool's"
    let payer = w.env.payer();
    let admin_b = Keypair::new();
    let init_b = kix::init_pool(
        payer.pubkey(),
        9,
        admin_b.pubkey(),
        Pubkey::new_unique(),
        0,
        default_liquidation(),
    );
    w.env.send(&[init_b], &[]).await.unwrap();
    let pool_b = pda::pool(&payer.pubkey(), 9);
    let sol_b = MarketKeys::new(&pool_b, sol.mint, spl_token());
    let add_b = kix::add_market(
        admin_b.pubkey(),
        payer.pubkey(),
        pool_b,
        &sol_b,
        default_config(w.markets[0].feed_id),
    );
    w.env.send(&[add_b], &[&admin_b]).await.unwrap();
    let queue_b = kix::queue_change(
        admin_b.pubkey(),
        payer.pubkey(),
        pool_b,
        0,
        ChangeKind::UnpauseBorrowing,
    );
    w.env.send(&[queue_b], &[&admin_b]).await.unwrap();
    let change_b = pda::pending_change(&pool_b, 0);
    // a queued change, a pending admin, a fresh mint to list
    let change = w.queue(ChangeKind::UnpauseBorrowing).await.unwrap();
    let (admin, guardian) = (w.admin.insecure_clone(), w.guardian.insecure_clone());
    let next_admin = Keypair::new();
    let propose = kix::set_pending_authority(
        admin.pubkey(),
        w.pool,
        Role::Admin,
        Some(next_admin.pubkey()),
    );
    w.send_as(&admin, &[propose]).await.unwrap();
    let new_mint = create_mint(
        &mut w.env,
        spl_token(),
        6,
        &authority.pubkey(),
        MintExtension::None,
    )
    .await;
    // orders on the trader's account: 1 to cancel, 2 a stop-loss (SOL <= $95) to execute; one
    // on the victim's, their sibling in another relation
    let stop = OrderParams {
        trigger: OrderTrigger::PriceAtOrBelow {
            market: sol.market,
            price: keel::math::fixed::Wad::from_int(95),
        },
        max_repay: 50 * USDC,
        min_bonus_bps: 100,
        max_bonus_bps: 100,
        expires_at: 0,
    };
    let usdc_market = w.markets[1].keys.market;
    for id in [1u8, 2] {
        let ix = kix::post_order(
            (trader.key.pubkey(), payer.pubkey()),
            trader.margin,
            (usdc_market, sol.market),
            id,
            stop,
        );
        w.send_as(&trader.key, &[ix]).await.unwrap();
    }
    let ix = kix::post_order(
        (victim.key.pubkey(), payer.pubkey()),
        victim.margin,
        (usdc_market, sol.market),
        1,
        stop,
    );
    w.send_as(&victim.key, &[ix]).await.unwrap();
    let (order_1, order_2) = (pda::order(&trader.margin, 1), pda::order(&trader.margin, 2));
    let victims_order = pda::order(&victim.margin, 1);
    w.set_price(0, 92 * USD).await; // the victim is liquidatable; the trader is not

    let (pool, usdc) = (w.pool, w.markets[1].keys);
    let newcomer = Keypair::new();
    let trader_metas = w.health_metas(trader.margin, None).await;
    let victim_metas = w.health_metas(victim.margin, None).await;
    let mut tighter = w.market(1).await.config;
    tighter.borrow_cap /= 2;
    let next_id = w.pool_state().await.next_change_id;
    let liquidation = LiquidationKeys {
        liquidator: liq.key.pubkey(),
        margin_account: victim.margin,
        pool,
        repay: usdc,
        seize: sol,
        repay_source: liq.tokens[1],
        seize_destination: liq.tokens[0],
        deposit_into: None,
    };
    let cases = vec![
        (
            "set_delegate",
            kix::set_delegate(trader.key.pubkey(), trader.margin, newcomer.pubkey()),
        ),
        (
            "deposit",
            kix::deposit(
                trader.key.pubkey(),
                trader.margin,
                &sol,
                trader.tokens[0],
                SOL,
            ),
        ),
        (
            "withdraw",
            kix::withdraw(
                trader.key.pubkey(),
                trader.margin,
                &sol,
                trader.tokens[0],
                SOL / 10,
                &trader_metas,
            ),
        ),
        (
            "borrow",
            kix::borrow(
                trader.key.pubkey(),
                trader.margin,
                &usdc,
                trader.tokens[1],
                10 * USDC,
                &trader_metas,
            ),
        ),
        (
            "repay",
            kix::repay(
                trader.key.pubkey(),
                trader.margin,
                &usdc,
                trader.tokens[1],
                5 * USDC,
            ),
        ),
        (
            "open_account",
            kix::open_account(newcomer.pubkey(), payer.pubkey(), pool, 0),
        ),
        (
            "close_account",
            kix::close_account(empty.key.pubkey(), empty.margin),
        ),
        ("accrue", kix::accrue(usdc.market)),
        ("health", kix::health(trader.margin, &trader_metas)),
        (
            "liquidate",
            kix::liquidate(&liquidation, u64::MAX, &victim_metas),
        ),
        (
            "execute_change",
            kix::execute_change(liq.key.pubkey(), pool, change, payer.pubkey(), None),
        ),
        (
            "post_order",
            kix::post_order(
                (trader.key.pubkey(), payer.pubkey()),
                trader.margin,
                (usdc.market, sol.market),
                0,
                stop,
            ),
        ),
        (
            "cancel_order",
            kix::cancel_order(trader.key.pubkey(), trader.margin, order_1, payer.pubkey()),
        ),
        (
            "execute_order",
            kix::execute_order(
                &kix::ExecutionKeys {
                    executor: liq.key.pubkey(),
                    order: order_2,
                    margin_account: trader.margin,
                    payer: payer.pubkey(),
                    repay: usdc,
                    seize: sol,
                    repay_source: liq.tokens[1],
                    seize_destination: liq.tokens[0],
                },
                10 * USDC,
                &trader_metas,
            ),
        ),
        (
            "add_market",
            kix::add_market(
                admin.pubkey(),
                payer.pubkey(),
                pool,
                &MarketKeys::new(&pool, new_mint, spl_token()),
                default_config([7; 32]),
            ),
        ),
        (
            "tighten_market",
            kix::tighten_market(guardian.pubkey(), pool, usdc.market, tighter),
        ),
        (
            "queue_change",
            kix::queue_change(
                admin.pubkey(),
                payer.pubkey(),
                pool,
                next_id,
                ChangeKind::UnpauseBorrowing,
            ),
        ),
        (
            "cancel_change",
            kix::cancel_change(admin.pubkey(), pool, change, payer.pubkey()),
        ),
        ("pause", kix::pause(guardian.pubkey(), pool, true, true)),
        (
            "raise_timelock",
            kix::raise_timelock(admin.pubkey(), pool, 3_600),
        ),
        (
            "set_pending_authority",
            kix::set_pending_authority(
                admin.pubkey(),
                pool,
                Role::Guardian,
                Some(newcomer.pubkey()),
            ),
        ),
        (
            "accept_authority",
            kix::accept_authority(next_admin.pubkey(), pool, Role::Admin),
        ),
        (
            "init_pool",
            kix::init_pool(
                newcomer.pubkey(),
                3,
                newcomer.pubkey(),
                newcomer.pubkey(),
                0,
                default_liquidation(),
            ),
        ),
    ];
    let mut keys = BTreeMap::new();
    for k in [
        &trader.key,
        &victim.key,
        &liq.key,
        &empty.key,
        &admin,
        &guardian,
        &next_admin,
        &newcomer,
        &payer,
    ] {
        keys.insert(k.pubkey(), k.insecure_clone());
    }
    // fund the newcomer (init_pool creator)
    let fund = solana_system_interface::instruction::transfer(
        &payer.pubkey(),
        &newcomer.pubkey(),
        1_000_000_000,
    );
    w.env.send(&[fund], &[]).await.unwrap();

    let mut kinds = BTreeMap::new();
    for (_, ix) in &cases {
        for m in &ix.accounts {
            let k = kind_of(&mut w, m.pubkey).await;
            kinds.insert(m.pubkey, k);
        }
    }
    // a same-type account in another relation, for each account that has one
    let mut siblings = BTreeMap::new();
    let pairs = [
        (sol.market, usdc.market),
        (pda::vault(&sol.market), pda::vault(&usdc.market)),
        (sol.mint, usdc.mint),
        (w.markets[0].price_account, w.markets[1].price_account),
        (pool, pool_b),
        (trader.margin, victim.margin),
        (victim.margin, trader.margin),
        (empty.margin, trader.margin),
        (change, change_b),
        (order_1, victims_order),
        (order_2, victims_order),
    ];
    for (a, b) in pairs {
        siblings.insert(a, b);
        siblings.entry(b).or_insert(a);
    }
    siblings.insert(usdc.market, sol_b.market); // another pool's market
    for t in [&trader, &victim, &liq, &empty] {
        siblings.insert(t.tokens[0], t.tokens[1]);
        siblings.insert(t.tokens[1], t.tokens[0]);
    }
    kinds.insert(pda::vault(&sol.market), Kind::Vault);
    kinds.insert(pda::vault(&usdc.market), Kind::Vault);
    Fixture {
        w,
        keys,
        kinds,
        siblings,
        cases,
    }
}

/// Vaults and users' token accounts are one family for duplicates (a vault passed as the user's
/// own token account is the attack).
fn family(k: Kind) -> Kind {
    if k == Kind::Vault {
        Kind::Token
    } else {
        k
    }
}

/// A byte-copy of `key` at a new address, owned by another program.
async fn foreign_copy(w: &mut World, key: Pubkey) -> Pubkey {
    let mut acc: Account = w.env.account(key).await.expect("account");
    acc.owner = Pubkey::new_unique();
    let copy = Pubkey::new_unique();
    w.env.set_account(&copy, &acc.into());
    copy
}

/// Slots any account of the right type may fill by design: anyone repays for anyone, asks for
/// anyone's health, accrues any market.
const FREE_SLOTS: [(&str, usize); 3] = [("repay", 1), ("health", 0), ("accrue", 0)];

/// Every mutation of `ix` of `class`, each as the replaced meta list.
async fn mutations(
    f: &mut Fixture,
    name: &str,
    ix: &Instruction,
    class: Class,
) -> Vec<Vec<AccountMeta>> {
    let mut out = vec![];
    for (i, m) in ix.accounts.iter().enumerate() {
        if class == Class::WrongRelation && FREE_SLOTS.contains(&(name, i)) {
            continue;
        }
        let kind = f.kinds.get(&m.pubkey).copied().unwrap_or(Kind::Other);
        let replacement: Option<Pubkey> = match class {
            Class::MissingSigner => {
                // the fee payer signs every transaction whatever the meta says
                if m.is_signer && m.pubkey != f.w.env.payer().pubkey() {
                    let mut metas = ix.accounts.clone();
                    for x in metas.iter_mut().filter(|x| x.pubkey == m.pubkey) {
                        x.is_signer = false;
                    }
                    out.push(metas);
                }
                None
            }
            Class::WrongOwner => match kind {
                Kind::Pool
                | Kind::Market
                | Kind::Margin
                | Kind::Change
                | Kind::Order
                | Kind::Vault
                | Kind::Mint
                | Kind::Token
                | Kind::Price => Some(foreign_copy(&mut f.w, m.pubkey).await),
                _ => None,
            },
            Class::TypeCosplay => match kind {
                Kind::Pool => Some(f.w.markets[0].keys.market),
                Kind::Market => Some(f.w.pool),
                Kind::Margin | Kind::Change | Kind::Order | Kind::Price => {
                    Some(f.w.markets[1].keys.market)
                }
                _ => None,
            },
            Class::WrongRelation => f.siblings.get(&m.pubkey).copied(),
            Class::FakeProgram => {
                (kind == Kind::Program && m.pubkey != keel::ID).then_some(keel::ID)
            }
            Class::DuplicateMutable => {
                if m.is_writable {
                    ix.accounts
                        .iter()
                        .enumerate()
                        .find(|(j, o)| {
                            *j != i
                                && o.is_writable
                                && o.pubkey != m.pubkey
                                && kind != Kind::Other
                                && f.kinds.get(&o.pubkey).map(|k| family(*k)) == Some(family(kind))
                        })
                        .map(|(_, o)| o.pubkey)
                } else {
                    None
                }
            }
        };
        if let Some(r) = replacement {
            let mut metas = ix.accounts.clone();
            metas[i].pubkey = r;
            out.push(metas);
        }
    }
    out
}

#[tokio::test]
async fn every_checklist_class_against_every_instruction() {
    let mut f = fixture().await;
    let classes = [
        Class::MissingSigner,
        Class::WrongOwner,
        Class::TypeCosplay,
        Class::WrongRelation,
        Class::FakeProgram,
        Class::DuplicateMutable,
    ];
    let cases = f.cases.clone();
    let mut table: BTreeMap<&str, BTreeMap<Class, usize>> = BTreeMap::new();
    for (name, ix) in &cases {
        // the unmutated instruction is valid
        let signers: Vec<Keypair> = ix
            .accounts
            .iter()
            .filter(|m| m.is_signer)
            .filter_map(|m| f.keys.get(&m.pubkey))
            .map(|k| k.insecure_clone())
            .collect();
        let refs: Vec<&Keypair> = signers.iter().collect();
        let ok = f.w.env.simulate(std::slice::from_ref(ix), &refs).await;
        assert!(ok.is_ok(), "{name}: the valid instruction fails: {ok:?}");
        for class in classes {
            for metas in mutations(&mut f, name, ix, class).await {
                let mutated = Instruction {
                    program_id: ix.program_id,
                    accounts: metas.clone(),
                    data: ix.data.clone(),
                };
                let signers: Vec<Keypair> = metas
                    .iter()
                    .filter(|m| m.is_signer)
                    .filter_map(|m| f.keys.get(&m.pubkey))
                    .map(|k| k.insecure_clone())
                    .collect();
                let refs: Vec<&Keypair> = signers.iter().collect();
                let mut watched: Vec<Pubkey> = metas
                    .iter()
                    .chain(ix.accounts.iter())
                    .map(|m| m.pubkey)
                    .filter(|k| *k != f.w.env.payer().pubkey())
                    .collect();
                watched.sort();
                watched.dedup();
                let before = f.w.env.snapshot(&watched).await;
                let r = f.w.env.send(&[mutated], &refs).await;
                let code = match &r {
                    Ok(_) => panic!("{name} / {class:?}: mutated instruction succeeded: {metas:?}"),
                    Err(e) => custom_error(e),
                };
                assert!(
                    code.is_some_and(|c| expected(class).contains(&c)),
                    "{name} / {class:?}: unexpected error {r:?} for {metas:?}"
                );
                let after = f.w.env.snapshot(&watched).await;
                assert_eq!(before, after, "{name} / {class:?}: an account changed");
                *table.entry(name).or_default().entry(class).or_default() += 1;
            }
        }
    }
    println!("FIGURE security matrix (mutations refused per instruction and class):");
    for (name, row) in &table {
        println!("  {name:<22} {row:?}");
    }
    let total: usize = table.values().flat_map(|r| r.values()).sum();
    println!("FIGURE security matrix total={total}");
    assert!(table.len() == cases.len(), "every instruction mutated");
    check(&mut f.w).await;
}
