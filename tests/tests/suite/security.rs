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
//! `execute_order` (an order on another account is its wrong relation), `flash_borrow` and
//! `flash_repay` (each mutated inside its pair), `settle_bad_debt`, `book_provision` and
//! `rebalance_insurance`, the admin column `resume_liquidation` and `veto_guardian_handover`
//! (after a pause or a proposal in the same transaction): security/keeper_cases.rs. Every
//! instruction of the program is in the matrix (checked against the IDL). The authority class (a
//! stranger, a powerless or revoked delegate, the owner and delegate where they must not act, an
//! old admin or guardian, the admin where only the guardian may act) is security/authority.rs.
//!
//! Separate tests: reinitialisation, non-canonical bumps, many tiny operations (rounding), price
//! manipulation of a thin collateral, duplicated remaining accounts (security_checks.rs); closing
//! with open positions (refusals.rs); stale / low-confidence / wrong-feed prices (oracle.rs), and a
//! second source's (second_source.rs); remaining accounts omitted, reordered or swapped
//! (remaining.rs and the matrix). The matrix prints the count of mutations refused per cell.
mod authority;
mod fixture;
mod keeper_cases;

use crate::common::*;
use anchor_lang::error::ErrorCode as Anchor;
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::Discriminator;
use fixture::{fixture, Fixture};
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
        k(KeelError::AccountHasCollateral),
        k(KeelError::NotGuardian),
        3, // SPL token: mint mismatch (a token account of another mint in a CPI)
        4, // SPL token: owner does not match
    ];
    // a flash loan's halves check each other (instructions/flash/): the borrow refuses a repay
    // that names another market or none, and the repay one without its borrow
    let flash = [
        k(KeelError::FlashRepayMismatch),
        k(KeelError::FlashLoanNotRepaid),
        k(KeelError::NoFlashLoan),
    ];
    let with_flash = |mut v: Vec<u32>| {
        v.extend(flash);
        v
    };
    match class {
        Class::MissingSigner => vec![a(Anchor::AccountNotSigner)],
        Class::WrongOwner => with_flash(vec![
            a(Anchor::AccountOwnedByWrongProgram),
            a(Anchor::ConstraintAddress),
            k(KeelError::OracleWrongOwner),
            k(KeelError::RemainingAccountMismatch),
            k(KeelError::MissingPositionPair),
            k(KeelError::OraclePriceAccountMismatch),
            k(KeelError::InvalidInstructionsSysvar),
        ]),
        Class::TypeCosplay => with_flash(vec![
            a(Anchor::AccountDiscriminatorMismatch),
            a(Anchor::AccountOwnedByWrongProgram),
            a(Anchor::ConstraintAddress),
            k(KeelError::RemainingAccountMismatch),
            k(KeelError::MissingPositionPair),
            k(KeelError::OraclePriceAccountMismatch),
            k(KeelError::OracleWrongOwner),
        ]),
        Class::WrongRelation => with_flash(relation),
        Class::FakeProgram => vec![a(Anchor::InvalidProgramId)],
        Class::DuplicateMutable => {
            let mut v = with_flash(relation);
            v.push(a(Anchor::ConstraintDuplicateMutableAccount));
            v
        }
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
/// anyone's health or books anyone's provision (from that account's own prices), accrues any
/// market.
const FREE_SLOTS: [(&str, usize); 4] = [
    ("repay", 1),
    ("health", 0),
    ("accrue", 0),
    ("book_provision", 0),
];

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
        // the instructions it sits between (a flash loan's other half), none for most
        let (before, after) = f.around.get(name).cloned().unwrap_or_default();
        let tx = |target: Instruction| -> Vec<Instruction> {
            let mut all = before.clone();
            all.push(target);
            all.extend(after.iter().cloned());
            all
        };
        let signers_of = |ixs: &[Instruction], keys: &BTreeMap<Pubkey, Keypair>| -> Vec<Keypair> {
            let mut out: Vec<Keypair> = vec![];
            for m in ixs
                .iter()
                .flat_map(|ix| ix.accounts.iter())
                .filter(|m| m.is_signer)
            {
                if let Some(k) = keys.get(&m.pubkey) {
                    if out.iter().all(|o| o.pubkey() != k.pubkey()) {
                        out.push(k.insecure_clone());
                    }
                }
            }
            out
        };
        // the unmutated instruction is valid
        let valid = tx(ix.clone());
        let signers = signers_of(&valid, &f.keys);
        let refs: Vec<&Keypair> = signers.iter().collect();
        let ok = f.w.env.simulate(&valid, &refs).await;
        assert!(ok.is_ok(), "{name}: the valid instruction fails: {ok:?}");
        for class in classes {
            for metas in mutations(&mut f, name, ix, class).await {
                let mutated = Instruction {
                    program_id: ix.program_id,
                    accounts: metas.clone(),
                    data: ix.data.clone(),
                };
                let mut sent = tx(mutated);
                if class == Class::MissingSigner {
                    // a key unsigned in the target is unsigned in the whole transaction (the
                    // other half of a flash loan would otherwise sign for it)
                    let unsigned: Vec<Pubkey> = ix
                        .accounts
                        .iter()
                        .zip(&metas)
                        .filter(|(a, b)| a.is_signer && !b.is_signer)
                        .map(|(a, _)| a.pubkey)
                        .collect();
                    for m in sent.iter_mut().flat_map(|i| i.accounts.iter_mut()) {
                        if unsigned.contains(&m.pubkey) {
                            m.is_signer = false;
                        }
                    }
                }
                let signers = signers_of(&sent, &f.keys);
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
                let r = f.w.env.send(&sent, &refs).await;
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
    // every instruction the program has (its IDL) is in the matrix
    let idl: serde_json::Value =
        serde_json::from_str(include_str!("../../../idl/keel.json")).unwrap();
    for ix in idl["instructions"].as_array().unwrap() {
        let name = ix["name"].as_str().unwrap();
        assert!(table.contains_key(name), "{name} is not in the matrix");
    }
    check(&mut f.w).await;
}
