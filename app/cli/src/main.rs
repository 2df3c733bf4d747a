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

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match main_inner(cli).await {
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
