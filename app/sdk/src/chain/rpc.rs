//! The JSON-RPC backend, through `solana-client`.
#![allow(deprecated)]
use super::{signed_transaction, transport, Chain, ChainError, Filter, Simulation};
use anchor_lang::prelude::Pubkey;
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_config::{RpcAccountInfoConfig, RpcProgramAccountsConfig};
use solana_client::rpc_filter::{Memcmp, RpcFilterType};
use solana_sdk::account::Account;
use solana_sdk::clock::Clock;
use solana_sdk::instruction::Instruction;
use solana_sdk::signature::{Keypair, Signature};
use solana_sdk::transaction::VersionedTransaction;

/// JSON-RPC backend.
pub struct RpcChain {
    client: RpcClient,
    payer: Keypair,
    tables: crate::lookup::TableSet,
}

impl RpcChain {
    /// `ixs` behind a compute limit, signed by the payer and `signers` on the latest blockhash.
    async fn signed(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<VersionedTransaction, ChainError> {
        let blockhash = self
            .client
            .get_latest_blockhash()
            .await
            .map_err(rpc_error)?;
        signed_transaction(
            &self.payer,
            signers,
            ixs,
            compute_units,
            blockhash,
            &self.tables.read(),
        )
    }

    /// A backend on the cluster at `url`, paying with `payer`, at `confirmed` commitment (the
    /// Solana CLI's: a transaction counts once a supermajority voted on its block, about a second;
    /// `finalized` waits 32 more slots, about 13 s).
    pub fn new(url: &str, payer: Keypair) -> RpcChain {
        RpcChain {
            client: RpcClient::new_with_commitment(
                url.to_string(),
                solana_client::rpc_config::CommitmentConfig::confirmed(),
            ),
            payer,
            tables: Default::default(),
        }
    }
}

fn rpc_error(e: solana_client::client_error::ClientError) -> ChainError {
    match e.get_transaction_error() {
        Some(t) => ChainError::Transaction(t),
        None => transport(e),
    }
}

impl Chain for RpcChain {
    async fn account(&self, key: &Pubkey) -> Result<Option<Account>, ChainError> {
        Ok(self
            .accounts(std::slice::from_ref(key))
            .await?
            .pop()
            .flatten())
    }

    async fn accounts(&self, keys: &[Pubkey]) -> Result<Vec<Option<Account>>, ChainError> {
        let mut out = Vec::with_capacity(keys.len());
        for chunk in keys.chunks(100) {
            out.extend(
                self.client
                    .get_multiple_accounts(chunk)
                    .await
                    .map_err(rpc_error)?,
            );
        }
        Ok(out)
    }

    async fn program_accounts(
        &self,
        filters: &[Filter],
    ) -> Result<Vec<(Pubkey, Account)>, ChainError> {
        let config = RpcProgramAccountsConfig {
            filters: Some(
                filters
                    .iter()
                    .map(|f| {
                        RpcFilterType::Memcmp(Memcmp::new_raw_bytes(f.offset, f.bytes.clone()))
                    })
                    .collect(),
            ),
            account_config: RpcAccountInfoConfig {
                encoding: Some(solana_client::rpc_config::UiAccountEncoding::Base64),
                ..RpcAccountInfoConfig::default()
            },
            ..RpcProgramAccountsConfig::default()
        };
        // the typed variant (deprecated in favour of UI accounts, still served) decodes base64 for us
        self.client
            .get_program_accounts_with_config(&keel::ID, config)
            .await
            .map_err(rpc_error)
    }

    async fn send(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Signature, ChainError> {
        let tx = self.signed(ixs, signers, compute_units).await?;
        self.client
            .send_and_confirm_transaction(&tx)
            .await
            .map_err(rpc_error)
    }

    async fn simulate(
        &self,
        ixs: &[Instruction],
        signers: &[&Keypair],
        compute_units: u32,
    ) -> Result<Simulation, ChainError> {
        let tx = self.signed(ixs, signers, compute_units).await?;
        let sim = self
            .client
            .simulate_transaction(&tx)
            .await
            .map_err(rpc_error)?
            .value;
        if let Some(err) = sim.err {
            return Err(ChainError::Transaction(err.into()));
        }
        Ok(Simulation {
            compute_units: sim.units_consumed.unwrap_or(0),
            logs: sim.logs.unwrap_or_default(),
            return_data: sim.return_data.and_then(|r| {
                use base64::Engine;
                base64::engine::general_purpose::STANDARD
                    .decode(r.data.0)
                    .ok()
            }),
        })
    }

    async fn clock(&self) -> Result<Clock, ChainError> {
        let account = self
            .account(&solana_sdk::sysvar::clock::ID)
            .await?
            .ok_or_else(|| transport("no clock sysvar"))?;
        bincode::deserialize(&account.data).map_err(transport)
    }

    fn payer(&self) -> &Keypair {
        &self.payer
    }

    fn set_lookup_tables(&self, tables: Vec<solana_sdk::message::AddressLookupTableAccount>) {
        self.tables.set(tables);
    }
}
