//! `keel`: the command line for Keel traders and governance. See `keel --help`.
use clap::Parser;
use keel_cli::context::{pubkey, CliError, Context};
use keel_cli::{run, Cli, Command};
use keel_sdk::chain::RpcChain;
use solana_sdk::signature::read_keypair_file;
use std::process::ExitCode;

async fn main_inner(cli: Cli) -> Result<String, CliError> {
    if let Command::Simulate(args) = &cli.command {
        // The simulator brings its own chain: no cluster, keypair or pool. The native build of the
        // program prints its `msg!` lines to stdout (solana-msg has no stub off-chain); silence
        // stdout while it runs so the report is all the command prints.
        let silenced = gag::Gag::stdout().ok();
        let result = keel_simulator::cli::simulate(args, cli.json).await;
        drop(silenced);
        return result.map_err(|e| CliError(e.to_string()));
    }
    if let Command::Localnet(args) = &cli.command {
        // its own validator when it starts one; a running one at --url (never the Solana CLI
        // config's cluster)
        let url = cli
            .url
            .clone()
            .unwrap_or_else(|| "http://127.0.0.1:8899".into());
        // `mint` without --to: the signer's wallet (--keypair, else the Solana CLI's)
        let keypair = cli.keypair.clone().or_else(|| {
            solana_cli_config::CONFIG_FILE
                .as_ref()
                .and_then(|f| solana_cli_config::Config::load(f).ok())
                .map(|c| c.keypair_path)
        });
        let signer = keypair.and_then(|k| {
            read_keypair_file(keel_sdk::paths::expand_home(&k))
                .ok()
                .map(|key| solana_sdk::signature::Signer::pubkey(&key).to_string())
        });
        return keel_cli::localnet::run(args, &url, signer).await;
    }
    // defaults the way Solana users expect: the Solana CLI's config file
    let config = solana_cli_config::CONFIG_FILE
        .as_ref()
        .and_then(|f| solana_cli_config::Config::load(f).ok())
        .unwrap_or_default();
    let url = cli.url.clone().unwrap_or(config.json_rpc_url);
    let keypair_path =
        keel_sdk::paths::expand_home(&cli.keypair.clone().unwrap_or(config.keypair_path));
    let signer = read_keypair_file(&keypair_path).map_err(|_| {
        CliError(format!(
            "cannot read keypair file '{}'",
            keypair_path.display()
        ))
    })?;
    let pool = pubkey(
        "pool",
        cli.pool
            .as_deref()
            .ok_or_else(|| CliError("give --pool".into()))?,
    )?;
    let ctx = Context::new(RpcChain::new(&url, signer), pool, &cli)?;
    let out = run(&ctx, &cli.command).await?;
    Ok(out.render(cli.json))
}

/// mimalloc for every allocation of the binary: `keel simulate` allocates per transaction and per
/// account read, and glibc's malloc and free were a tenth of its profile.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // Quiet unless asked: the embedded chain of `keel simulate` (solana-program-test) turns the
    // runtime's DEBUG logging on whenever RUST_LOG is unset, tens of MB of it per run. Set before
    // any thread exists, so nothing reads the environment concurrently.
    if std::env::var_os("RUST_LOG").is_none() {
        std::env::set_var("RUST_LOG", "error");
    }
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(main_inner(cli)) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
