//! The fuzzer's flash-loan actions: honest loans (alone, around a deposit and withdrawal of the
//! lent tokens, around a liquidation), and every malformed shape, which must be refused with its
//! own error. Invariants are checked after each, as after every step.
use super::{amount, MARKETS};
use keel::errors::KeelError;
use keel_sdk::instructions as kix;
use keel_tests::env::custom_error;
use keel_tests::relay::relay_ix;
use keel_tests::Trader;
use keel_tests::World;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::Signer;
use solana_sdk::transaction::TransactionError;

/// What a fuzzed flash loan does.
#[derive(Clone, Copy, Debug)]
pub enum FlashShape {
    /// Borrow and repay with the fee.
    Plain,
    /// Deposit the lent tokens into the borrower's margin account and withdraw them again.
    RoundTrip,
    /// Around a liquidation of the first liquidatable account (repaying its debt in the market).
    Liquidate,
    /// Repay the principal only.
    Short,
    /// Repay to the next market.
    OtherMarket,
    /// A second loan inside the first.
    Nested,
    /// No repay.
    Unrepaid,
    /// The borrow through the CPI relay.
    Cpi,
}

impl FlashShape {
    /// All shapes, for the strategy.
    pub const ALL: [FlashShape; 8] = [
        FlashShape::Plain,
        FlashShape::RoundTrip,
        FlashShape::Liquidate,
        FlashShape::Short,
        FlashShape::OtherMarket,
        FlashShape::Nested,
        FlashShape::Unrepaid,
        FlashShape::Cpi,
    ];

    /// The error a malformed shape must be refused with (None: an honest shape).
    fn refusal(self) -> Option<KeelError> {
        match self {
            FlashShape::Plain | FlashShape::RoundTrip | FlashShape::Liquidate => None,
            FlashShape::Short | FlashShape::OtherMarket => Some(KeelError::FlashRepayMismatch),
            FlashShape::Nested => Some(KeelError::FlashLoanNested),
            FlashShape::Unrepaid => Some(KeelError::FlashLoanNotRepaid),
            FlashShape::Cpi => Some(KeelError::FlashLoanCpi),
        }
    }

    /// Stats name.
    pub fn name(self) -> &'static str {
        match self {
            FlashShape::Plain => "flash_plain",
            FlashShape::RoundTrip => "flash_round_trip",
            FlashShape::Liquidate => "flash_liquidate",
            FlashShape::Short => "flash_short",
            FlashShape::OtherMarket => "flash_other_market",
            FlashShape::Nested => "flash_nested",
            FlashShape::Unrepaid => "flash_unrepaid",
            FlashShape::Cpi => "flash_cpi",
        }
    }
}

/// Run one fuzzed flash loan of `whole` units of market `m` by trader `t` (the liquidator for the
/// liquidation shape). A malformed shape refused with any other error is a failure; an honest
/// shape may be refused (liquidity, health), as a user's would be.
pub async fn flash(
    w: &mut World,
    (traders, liquidator): (&[Trader], &Trader),
    t: usize,
    m: usize,
    whole: u64,
    shape: FlashShape,
) -> Result<Option<Result<(), TransactionError>>, String> {
    let lent = amount(m, whole);
    let fee_bps = w.market(m).await.config.flash_fee_bps;
    let owed = kix::flash_owed(lent, fee_bps).map_err(|e| format!("{e:?}"))?;
    let other = (m + 1) % MARKETS;
    let who: &Trader = match shape {
        FlashShape::Liquidate => liquidator,
        _ => &traders[t],
    };
    let me = who.key.pubkey();
    let keys = w.markets[m].keys;
    let lend = kix::flash_borrow(me, &keys, who.tokens[m], lent);
    let market_keys: Vec<_> = w.markets.iter().map(|f| f.keys).collect();
    let tokens = who.tokens.clone();
    let pay = |amount: u64, market: usize| {
        kix::flash_repay(me, &market_keys[market], tokens[market], amount)
    };
    let ixs: Vec<Instruction> = match shape {
        FlashShape::Plain => vec![lend, pay(owed, m)],
        FlashShape::RoundTrip => {
            let metas = w.health_metas(who.margin, Some(m)).await;
            vec![
                lend,
                kix::deposit(me, who.margin, &keys, who.tokens[m], lent),
                kix::withdraw(me, who.margin, &keys, who.tokens[m], lent, &metas),
                pay(owed, m),
            ]
        }
        FlashShape::Liquidate => {
            let mut target = None;
            for trader in traders {
                if w.health(trader.margin).await.is_ok_and(|h| h.liquidatable) {
                    target = Some(trader.margin);
                    break;
                }
            }
            let Some(margin) = target else {
                return Ok(None);
            };
            let account = w.margin(margin).await;
            let Some(seize) = account
                .active()
                .iter()
                .filter(|p| p.deposit_shares > 0)
                .find_map(|p| w.market_index(&p.market))
            else {
                return Ok(None);
            };
            if seize == m {
                return Ok(None);
            }
            let liquidate = w.liquidate_ix(liquidator, margin, m, seize, lent).await;
            vec![lend, liquidate, pay(owed, m)]
        }
        FlashShape::Short => vec![lend, pay(lent, m)],
        FlashShape::OtherMarket => vec![lend, pay(owed, other)],
        FlashShape::Nested => {
            let inner_owed = kix::flash_owed(amount(other, 1), 0).unwrap_or(0);
            let inner = kix::flash_borrow(
                me,
                &w.markets[other].keys,
                who.tokens[other],
                amount(other, 1),
            );
            vec![lend, inner, pay(inner_owed, other), pay(owed, m)]
        }
        FlashShape::Unrepaid => vec![lend],
        FlashShape::Cpi => vec![relay_ix(&lend), pay(owed, m)],
    };
    let signer = who.key.insecure_clone();
    let r = w.send_as(&signer, &ixs).await.map(|_| ());
    if let Some(expected) = shape.refusal() {
        // a loan larger than the vault lends is refused before its repayment is looked for
        let code = r.as_ref().err().and_then(custom_error);
        let allowed = [expected, KeelError::InsufficientLiquidity];
        if !allowed.iter().any(|e| code == Some((*e).into())) {
            return Err(format!(
                "{shape:?} flash loan: expected {expected:?}, got {r:?}"
            ));
        }
    }
    Ok(Some(r))
}
