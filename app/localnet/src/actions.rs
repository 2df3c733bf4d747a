//! `World`'s user actions: one method per instruction a trader, a keeper or a liquidator sends
//! (deposit, withdraw, borrow, repay, accrue, health, liquidate, settle bad debt, prices).
use crate::env::TxOutcome;
use crate::world::{Trader, World};
use anchor_lang::prelude::{AccountMeta, Pubkey};
use anchor_lang::AnchorDeserialize;
use keel::state::HealthReport;
use keel_sdk::instructions as kix;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signer};
use solana_sdk::transaction::TransactionError;

impl World {
    /// Send instructions signed by `signer`.
    pub async fn send_as(
        &mut self,
        signer: &Keypair,
        ixs: &[Instruction],
    ) -> Result<TxOutcome, TransactionError> {
        self.env.send(ixs, &[signer]).await
    }

    /// `deposit` of `amount` into market `m` from the trader's token account.
    pub async fn deposit(
        &mut self,
        t: &Trader,
        m: usize,
        amount: u64,
    ) -> Result<TxOutcome, TransactionError> {
        let ix = kix::deposit(
            t.key.pubkey(),
            t.margin,
            &self.markets[m].keys,
            t.tokens[m],
            amount,
        );
        self.send_as(&t.key, &[ix]).await
    }

    /// `withdraw` of `amount` from market `m` to the trader's token account.
    pub async fn withdraw(
        &mut self,
        t: &Trader,
        m: usize,
        amount: u64,
    ) -> Result<TxOutcome, TransactionError> {
        let metas = self.health_metas(t.margin, None).await;
        let ix = kix::withdraw(
            t.key.pubkey(),
            t.margin,
            &self.markets[m].keys,
            t.tokens[m],
            amount,
            &metas,
        );
        self.send_as(&t.key, &[ix]).await
    }

    /// `borrow` of `amount` from market `m` to the trader's token account.
    pub async fn borrow(
        &mut self,
        t: &Trader,
        m: usize,
        amount: u64,
    ) -> Result<TxOutcome, TransactionError> {
        let metas = self.health_metas(t.margin, Some(m)).await;
        self.borrow_with(t, m, amount, &metas).await
    }

    /// `borrow` with explicit health accounts (for the remaining-accounts refusal tests).
    pub async fn borrow_with(
        &mut self,
        t: &Trader,
        m: usize,
        amount: u64,
        metas: &[AccountMeta],
    ) -> Result<TxOutcome, TransactionError> {
        let ix = kix::borrow(
            t.key.pubkey(),
            t.margin,
            &self.markets[m].keys,
            t.tokens[m],
            amount,
            metas,
        );
        self.send_as(&t.key, &[ix]).await
    }

    /// `repay` by `payer` of `amount` of `margin`'s debt in market `m`.
    pub async fn repay(
        &mut self,
        payer: &Trader,
        margin: Pubkey,
        m: usize,
        amount: u64,
    ) -> Result<TxOutcome, TransactionError> {
        let ix = kix::repay(
            payer.key.pubkey(),
            margin,
            &self.markets[m].keys,
            payer.tokens[m],
            amount,
        );
        self.send_as(&payer.key, &[ix]).await
    }

    /// `accrue` on market `m`.
    pub async fn accrue(&mut self, m: usize) -> Result<TxOutcome, TransactionError> {
        let ix = kix::accrue(self.markets[m].keys.market);
        self.env.send(&[ix], &[]).await
    }

    /// The program's `health` report for `margin`.
    pub async fn health(&mut self, margin: Pubkey) -> Result<HealthReport, TransactionError> {
        let metas = self.health_metas(margin, None).await;
        let out = self
            .env
            .simulate(&[kix::health(margin, &metas)], &[])
            .await?;
        let data = out.return_data.expect("health sets return data");
        Ok(HealthReport::try_from_slice(&data).expect("decode HealthReport"))
    }

    /// Instruction for `liquidator` to liquidate `margin`: repay in `repay`, seize in `seize`.
    pub async fn liquidate_ix(
        &mut self,
        liquidator: &Trader,
        margin: Pubkey,
        repay: usize,
        seize: usize,
        max_repay: u64,
    ) -> Instruction {
        self.liquidate_ix_with(liquidator, margin, repay, seize, max_repay, None)
            .await
    }

    /// As [`World::liquidate_ix`], the seized collateral credited as a deposit to `deposit_into`
    /// (the liquidator's own margin account) when given.
    pub async fn liquidate_ix_with(
        &mut self,
        liquidator: &Trader,
        margin: Pubkey,
        repay: usize,
        seize: usize,
        max_repay: u64,
        deposit_into: Option<Pubkey>,
    ) -> Instruction {
        let metas = self.health_metas(margin, None).await;
        let keys = kix::LiquidationKeys {
            liquidator: liquidator.key.pubkey(),
            margin_account: margin,
            pool: self.pool,
            repay: self.markets[repay].keys,
            seize: self.markets[seize].keys,
            repay_source: liquidator.tokens[repay],
            seize_destination: liquidator.tokens[seize],
            deposit_into,
        };
        kix::liquidate(&keys, max_repay, &metas)
    }

    /// `liquidate` by `liquidator` of `margin`: repay in `repay`, seize in `seize`.
    pub async fn liquidate(
        &mut self,
        liquidator: &Trader,
        margin: Pubkey,
        repay: usize,
        seize: usize,
        max_repay: u64,
    ) -> Result<TxOutcome, TransactionError> {
        let ix = self
            .liquidate_ix(liquidator, margin, repay, seize, max_repay)
            .await;
        self.send_as(&liquidator.key, &[ix]).await
    }

    /// `settle_bad_debt` of `margin` in market `m` (permissionless: the fee payer signs).
    pub async fn settle_bad_debt(
        &mut self,
        margin: Pubkey,
        m: usize,
    ) -> Result<TxOutcome, TransactionError> {
        let ix = kix::settle_bad_debt(margin, self.markets[m].keys.market);
        self.env.send(&[ix], &[]).await
    }

    /// `book_provision` of `margin`'s loss in its debt market `m` (permissionless: the fee payer
    /// signs).
    pub async fn book_provision(
        &mut self,
        margin: Pubkey,
        m: usize,
    ) -> Result<TxOutcome, TransactionError> {
        let metas = self.health_metas(margin, None).await;
        let ix = kix::book_provision(margin, (self.pool, self.markets[m].keys.market), &metas);
        self.env.send(&[ix], &[]).await
    }

    /// Refresh every market's price at its current value (after a clock warp).
    pub async fn refresh_prices(&mut self, prices: &[i64]) {
        for (m, p) in prices.iter().enumerate() {
            self.set_price(m, *p).await;
        }
    }
}
