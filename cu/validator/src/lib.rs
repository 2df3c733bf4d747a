//! The local cluster behind `keel localnet`: [Surfpool](https://github.com/txtx/surfpool) 1.7
//! (Solana Foundation; LiteSVM on the Agave 4.3 crates) serving the full Solana JSON-RPC surface
//! over HTTP and websocket PubSub on fixed ports, producing a slot every `slot_ms` (400 ms, like a
//! cluster) with rotating blockhashes that expire, offline (no mainnet fallback).
//!
//! It starts empty but for the programs LiteSVM carries (System, SPL Token, Token-2022,
//! Associated Token, Memo, the loaders). `keel localnet` deploys `keel.so` and lists a pool on it
//! through Surfpool's `surfnet_*` cheat codes and ordinary transactions.
use crossbeam_channel::Receiver;
use std::time::Duration;
use surfpool_core::surfnet::locker::SurfnetSvmLocker;
use surfpool_core::surfnet::svm::{SurfnetSvm, SurfnetSvmConfig};
use surfpool_types::{
    BlockProductionMode, RpcConfig, SimnetCommand, SimnetConfig, SimnetEvent, SurfpoolConfig,
    SvmFeatureConfig,
};

/// How to run the cluster.
#[derive(Clone, Debug)]
pub struct Options {
    /// Interface to bind (127.0.0.1).
    pub host: String,
    /// HTTP JSON-RPC port (8899, as `solana-test-validator`; 0: a free port).
    pub rpc_port: u16,
    /// Websocket PubSub port (8900; 0: a free port).
    pub ws_port: u16,
    /// Milliseconds a slot lasts (400).
    pub slot_ms: u64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            host: "127.0.0.1".into(),
            rpc_port: 8899,
            ws_port: 8900,
            slot_ms: 400,
        }
    }
}

/// A running cluster; dropping it shuts it down.
pub struct Validator {
    rpc_url: String,
    ws_url: String,
    commands: crossbeam_channel::Sender<SimnetCommand>,
    events: Receiver<SimnetEvent>,
}

fn free_port() -> Result<u16, String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    listener
        .local_addr()
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

fn port_free(host: &str, port: u16) -> Result<(), String> {
    std::net::TcpListener::bind((host, port))
        .map(drop)
        .map_err(|e| format!("{host}:{port} is taken ({e}): is another validator running?"))
}

impl Validator {
    /// Start a cluster and wait until it serves.
    pub fn start(options: &Options) -> Result<Validator, String> {
        let pick = |p: u16| if p == 0 { free_port() } else { Ok(p) };
        let (rpc_port, ws_port) = (pick(options.rpc_port)?, pick(options.ws_port)?);
        port_free(&options.host, rpc_port)?;
        port_free(&options.host, ws_port)?;
        let simnet = SimnetConfig {
            offline_mode: true,
            remote_rpc_url: None,
            slot_time: options.slot_ms,
            block_production_mode: BlockProductionMode::Clock,
            instruction_profiling_enabled: false,
            ..Default::default()
        };
        let config = SurfpoolConfig {
            simnets: vec![simnet.clone()],
            rpc: RpcConfig {
                bind_host: options.host.clone(),
                bind_port: rpc_port,
                ws_port,
                ..Default::default()
            },
            ..Default::default()
        };
        let svm_config = SurfnetSvmConfig {
            surfnet_id: simnet.surfnet_id.clone(),
            slot_time: simnet.slot_time,
            instruction_profiling_enabled: simnet.instruction_profiling_enabled,
            max_profiles: simnet.max_profiles,
            log_bytes_limit: simnet.log_bytes_limit,
            feature_config: SvmFeatureConfig::default(),
            skip_blockhash_check: false,
        };
        let (svm, events, geyser) =
            SurfnetSvm::new(svm_config).map_err(|e| format!("starting the SVM: {e}"))?;
        let (commands, commands_rx) = crossbeam_channel::unbounded();
        let locker = SurfnetSvmLocker::new(svm);
        let tx = commands.clone();
        std::thread::Builder::new()
            .name("keel-validator".into())
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()
                    .expect("a tokio runtime for the validator");
                let run = surfpool_core::runloops::start_local_surfnet_runloop(
                    locker,
                    config,
                    tx,
                    commands_rx,
                    geyser,
                );
                if let Err(e) = runtime.block_on(run) {
                    eprintln!("keel-validator: the cluster stopped: {e}");
                }
            })
            .map_err(|e| e.to_string())?;
        loop {
            match events.recv_timeout(Duration::from_secs(60)) {
                Ok(SimnetEvent::CoreStarted(_)) => break,
                Ok(SimnetEvent::Aborted(e)) => return Err(format!("the cluster aborted: {e}")),
                Ok(SimnetEvent::Shutdown) => return Err("the cluster shut down at start".into()),
                Ok(_) => {}
                Err(e) => return Err(format!("the cluster did not start: {e}")),
            }
        }
        Ok(Validator {
            rpc_url: format!("http://{}:{rpc_port}", options.host),
            ws_url: format!("ws://{}:{ws_port}", options.host),
            commands,
            events,
        })
    }

    /// The HTTP JSON-RPC URL.
    pub fn rpc_url(&self) -> &str {
        &self.rpc_url
    }

    /// The websocket PubSub URL.
    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The cluster's events (logs, errors), for a caller that wants them; unread ones are
    /// dropped by [`Validator::drain`].
    pub fn events(&self) -> &Receiver<SimnetEvent> {
        &self.events
    }

    /// Discard the events queued so far (the channel is unbounded).
    pub fn drain(&self) -> usize {
        self.events.try_iter().count()
    }
}

impl Drop for Validator {
    fn drop(&mut self) {
        let _ = self.commands.send(SimnetCommand::Terminate(None));
    }
}
