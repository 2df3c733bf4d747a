//! The command line, as clap parses it.
use clap::{Parser, Subcommand};

/// Trade and govern Keel pools.
#[derive(Parser, Debug)]
#[command(name = "keel", version, about = "Trade and govern Keel margin pools")]
pub struct Cli {
    /// JSON-RPC URL (default: the Solana CLI config's).
    #[arg(long, short = 'u', global = true)]
    pub url: Option<String>,
    /// Signer keypair file (default: the Solana CLI config's).
    #[arg(long, short = 'k', global = true)]
    pub keypair: Option<String>,
    /// The pool.
    #[arg(long, global = true)]
    pub pool: Option<String>,
    /// Print JSON instead of tables.
    #[arg(long, global = true)]
    pub json: bool,
    /// Price update account of a market, as MARKET=ACCOUNT (default: Pyth's sponsored feed).
    #[arg(long = "price", global = true, value_name = "MARKET=ACCOUNT")]
    pub prices: Vec<String>,
    /// The signer's token account of a mint, as MINT=ACCOUNT (default: its associated account).
    #[arg(long = "token-account", global = true, value_name = "MINT=ACCOUNT")]
    pub token_accounts: Vec<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Margin accounts: open, close, list.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Deposit into a market (market or mint address).
    Deposit {
        /// Market or mint.
        market: String,
        /// Amount in tokens, e.g. 12.5.
        amount: String,
        /// Margin account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// Withdraw from a market ("all" for everything).
    Withdraw {
        /// Market or mint.
        market: String,
        /// Amount in tokens, or "all".
        amount: String,
        /// Margin account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// Borrow from a market.
    Borrow {
        /// Market or mint.
        market: String,
        /// Amount in tokens.
        amount: String,
        /// Margin account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// Repay debt ("all" for everything), yours or any account's.
    Repay {
        /// Market or mint.
        market: String,
        /// Amount in tokens, or "all".
        amount: String,
        /// Margin account number (of the signer).
        #[arg(long, default_value_t = 0)]
        id: u64,
        /// Repay another margin account's debt.
        #[arg(long = "for")]
        for_account: Option<String>,
    },
    /// Positions, values, health and liquidation prices of a margin account.
    Status {
        /// Margin account number (of the signer).
        #[arg(long, default_value_t = 0)]
        id: u64,
        /// Any margin account, by address.
        #[arg(long)]
        account: Option<String>,
    },
}

/// Margin account commands.
#[derive(Subcommand, Debug)]
pub enum AccountCommand {
    /// Open margin account number `id`.
    Open {
        /// Account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// Close an empty margin account (its rent comes back).
    Close {
        /// Account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// List the signer's (or an owner's) margin accounts in the pool.
    List {
        /// Owner (default: the signer).
        #[arg(long)]
        owner: Option<String>,
    },
}
