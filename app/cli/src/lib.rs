//! The `keel` command line as a library: every command runs against any [`Chain`]
//! (`keel_sdk::chain`), so the binary uses JSON-RPC and the tests use the in-process runtime with
//! the very same code.
//!
//! Bad input (unknown market, an amount with more decimals than the mint has, a missing keypair,
//! an unreachable cluster) ends in one [`CliError`] line and a non-zero exit, before anything is
//! sent.
//!
//! [`Chain`]: keel_sdk::chain::Chain
pub mod amount;
pub mod args;
pub mod config_file;
pub mod context;
pub mod gov;
pub mod localnet;
pub mod migrate;
pub mod orders;
pub mod output;
pub mod trader;

pub use args::{Cli, Command};
pub use context::{CliError, Context};

use keel_sdk::chain::Chain;

/// Run `command` in `ctx`.
pub async fn run<C: Chain>(
    ctx: &Context<C>,
    command: &Command,
) -> Result<output::Output, CliError> {
    let options = |authority: &Option<String>, print: bool| -> Result<gov::GovOptions, CliError> {
        let authority = match authority {
            Some(a) => context::pubkey("authority", a)?,
            None => ctx.signer(),
        };
        Ok(gov::GovOptions { authority, print })
    };
    match command {
        Command::Gov {
            authority,
            print,
            action,
        } => gov::run(ctx, &options(authority, *print)?, action).await,
        Command::Migrate {
            file,
            authority,
            print,
        } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| CliError(format!("cannot read '{file}': {e}")))?;
            migrate::run(ctx, &options(authority, *print)?, &text).await
        }
        Command::Order(order) => orders::run(ctx, order).await,
        Command::Emode { id, account } => orders::emode(ctx, *id, account.as_deref()).await,
        _ => trader::run(ctx, command).await,
    }
}
