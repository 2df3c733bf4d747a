//! Surfpool's cheat codes over JSON-RPC (`surfnet_setAccount`, `surfnet_writeProgram`), and the
//! two ordinary RPC calls a local setup needs besides a `Chain` (an airdrop, its confirmation).
use crate::chain::ChainError;
use crate::oracle::{price_update_data, PriceSpec};
use anchor_lang::prelude::Pubkey;
use serde_json::{json, Value};
use solana_client::nonblocking::rpc_client::RpcClient;
use solana_client::rpc_request::RpcRequest;
use std::time::{Duration, Instant};

/// Lamports a price account holds (rent-exempt for a `PriceUpdateV2`).
const PRICE_ACCOUNT_LAMPORTS: u64 = 10_000_000;
/// Bytes of program per `surfnet_writeProgram` call.
const PROGRAM_CHUNK: usize = 1 << 20;

/// A client of one local cluster's cheat codes.
pub struct Surfnet {
    client: RpcClient,
    url: String,
}

fn transport(method: &str, e: impl std::fmt::Display) -> ChainError {
    ChainError::Transport(format!("{method}: {e}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Surfnet {
    /// The cluster at `url`.
    pub fn new(url: &str) -> Surfnet {
        Surfnet {
            client: RpcClient::new_with_commitment(
                url.to_string(),
                solana_client::rpc_config::CommitmentConfig::confirmed(),
            ),
            url: url.to_string(),
        }
    }

    /// The cluster's URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn call(&self, method: &'static str, params: Value) -> Result<Value, ChainError> {
        self.client
            .send::<Value>(RpcRequest::Custom { method }, params)
            .await
            .map_err(|e| transport(method, e))
    }

    /// Wait until the cluster answers `getHealth` (at most `timeout`).
    pub async fn wait_ready(&self, timeout: Duration) -> Result<(), ChainError> {
        let started = Instant::now();
        loop {
            match self.client.get_health().await {
                Ok(()) => return Ok(()),
                Err(e) if started.elapsed() > timeout => {
                    return Err(transport(
                        "getHealth",
                        format!("{} after {timeout:?}: {e}", self.url),
                    ))
                }
                Err(_) => tokio::time::sleep(Duration::from_millis(100)).await,
            }
        }
    }

    /// Whether the cluster serves Surfpool's cheat codes (a real cluster does not).
    pub async fn has_cheat_codes(&self) -> bool {
        self.call("surfnet_getSurfnetInfo", json!([])).await.is_ok()
    }

    /// Set `key`'s lamports, data and owner.
    pub async fn set_account(
        &self,
        key: &Pubkey,
        lamports: u64,
        data: &[u8],
        owner: &Pubkey,
    ) -> Result<(), ChainError> {
        let params = json!([
            key.to_string(),
            { "lamports": lamports, "data": hex(data), "owner": owner.to_string() }
        ]);
        self.call("surfnet_setAccount", params).await.map(drop)
    }

    /// Deploy `elf` as an upgradeable program at `id` (Surfpool's deploy: the loader's accounts
    /// written directly).
    pub async fn write_program(&self, id: &Pubkey, elf: &[u8]) -> Result<(), ChainError> {
        for (i, chunk) in elf.chunks(PROGRAM_CHUNK).enumerate() {
            let params = json!([id.to_string(), hex(chunk), i * PROGRAM_CHUNK]);
            self.call("surfnet_writeProgram", params).await?;
        }
        Ok(())
    }

    /// Write the Pyth price account at `key`.
    pub async fn write_price(&self, key: &Pubkey, spec: &PriceSpec) -> Result<(), ChainError> {
        let data = price_update_data(spec);
        self.set_account(key, PRICE_ACCOUNT_LAMPORTS, &data, &spec.owner)
            .await
    }

    /// Airdrop `lamports` to `to` and wait for it to land.
    pub async fn airdrop(&self, to: &Pubkey, lamports: u64) -> Result<(), ChainError> {
        let signature = self
            .client
            .request_airdrop(to, lamports)
            .await
            .map_err(|e| transport("requestAirdrop", e))?;
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if self
                .client
                .confirm_transaction(&signature)
                .await
                .map_err(|e| transport("getSignatureStatuses", e))?
            {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Err(transport("requestAirdrop", "not confirmed in 30 s"))
    }
}
