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
    /// Run the risk simulator: the real program and liquidator on an embedded chain, through a
    /// crash (the built-in Black Thursday scenario, or --scenario FILE). Needs no cluster.
    Simulate(keel_simulator::cli::SimulateArgs),
    /// A local Solana JSON-RPC endpoint over the embedded chain, with a pool listed: start one
    /// (`keel localnet`), or move a running one's prices and mint test tokens (`price`, `mint`).
    Localnet(crate::localnet::LocalnetArgs),
    /// Margin accounts: open, close, list.
    #[command(subcommand)]
    Account(AccountCommand),
    /// A margin account's delegate: a key that may deposit, repay, and borrow or withdraw to your
    /// own token accounts (never its own); cleared at once.
    #[command(subcommand)]
    Delegate(DelegateCommand),
    /// Deleverage orders on your margin account (pre-liquidation, take-profit, stop-loss):
    /// anyone executes a triggered order for its bonus; health must improve.
    #[command(subcommand)]
    Order(OrderCommand),
    /// The pool's e-mode groups, and the group your account is in (every debt inside one
    /// group: its collateral of the group at the group's weights).
    Emode {
        /// Margin account number (of the signer).
        #[arg(long, default_value_t = 0)]
        id: u64,
        /// Any margin account, by address.
        #[arg(long)]
        account: Option<String>,
    },
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
    /// Governance: every admin and guardian action, the queue, and executing matured changes.
    Gov {
        /// Who signs (default: the signer), e.g. a multisig vault with --print.
        #[arg(long, global = true)]
        authority: Option<String>,
        /// Print the instruction(s) as a message for a multisig proposal instead of sending.
        #[arg(long, global = true)]
        print: bool,
        /// The action.
        #[command(subcommand)]
        action: GovAction,
    },
    /// Apply a declarative pool listing (TOML): list what is missing, tighten at once or queue what
    /// differs, report what it did. Running it twice does nothing the second time.
    Migrate {
        /// The listing file.
        file: String,
        /// Who signs (default: the signer), e.g. a multisig vault with --print.
        #[arg(long)]
        authority: Option<String>,
        /// Print the instructions for a multisig proposal instead of sending.
        #[arg(long)]
        print: bool,
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

/// Order commands.
#[derive(Subcommand, Debug)]
pub enum OrderCommand {
    /// Post an order: when triggered, repay up to MAX_REPAY of REPAY's debt with WITH's collateral.
    Post {
        /// Market (or mint) whose debt is repaid.
        repay: String,
        /// Market (or mint) whose collateral pays.
        with: String,
        /// Most debt to repay over the order's life, in tokens.
        max_repay: String,
        /// Trigger: health factor below this (e.g. 1.15).
        #[arg(long)]
        health_below: Option<String>,
        /// Trigger: the watched market's price at or below this many USD (a stop-loss).
        #[arg(long)]
        price_below: Option<String>,
        /// Trigger: the watched market's price at or above this many USD (a take-profit).
        #[arg(long)]
        price_above: Option<String>,
        /// The market a price trigger watches (default: WITH).
        #[arg(long)]
        watch: Option<String>,
        /// The executor's bonus at the trigger, bps.
        #[arg(long, default_value_t = 50)]
        min_bonus_bps: u16,
        /// The executor's bonus as health reaches 1.0 (price orders pay it), bps.
        #[arg(long, default_value_t = 200)]
        max_bonus_bps: u16,
        /// Expire after this many seconds (default: never).
        #[arg(long)]
        expires_in_secs: Option<i64>,
        /// Order id 0-7 (default: the first free one).
        #[arg(long)]
        order_id: Option<u8>,
        /// Margin account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// Cancel order ORDER_ID (its rent goes back to whoever paid it).
    Cancel {
        /// The order's id.
        order_id: u8,
        /// Margin account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
    /// List a margin account's orders.
    List {
        /// Margin account number (of the signer).
        #[arg(long, default_value_t = 0)]
        id: u64,
        /// Any margin account, by address.
        #[arg(long)]
        account: Option<String>,
    },
}

/// Delegate commands.
#[derive(Subcommand, Debug)]
pub enum DelegateCommand {
    /// Name `delegate` for margin account `id` with its powers (replacing a delegate, or its
    /// powers, voids the orders the earlier one posted).
    Set {
        /// The delegate's key.
        delegate: String,
        /// Account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
        /// What it may do: deposit, borrow, withdraw (to your own token accounts only), orders
        /// (bonus-free deleverage orders), comma-separated.
        #[arg(long, value_delimiter = ',', default_value = "deposit,borrow,withdraw")]
        powers: Vec<String>,
    },
    /// Remove margin account `id`'s delegate.
    Clear {
        /// Account number.
        #[arg(long, default_value_t = 0)]
        id: u64,
    },
}

/// Margin-account commands.
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

/// A pool role.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum RoleArg {
    /// The governance authority.
    Admin,
    /// The emergency authority.
    Guardian,
}

/// Governance actions.
#[derive(Subcommand, Debug)]
pub enum GovAction {
    /// The pool's authorities, pause flags, timelock, and every queued change with its diff.
    Show,
    /// Pause borrowing and/or liquidation (admin or guardian).
    Pause {
        /// Pause borrow, withdraw and new positions.
        #[arg(long)]
        borrow: bool,
        /// Pause liquidation.
        #[arg(long)]
        liquidation: bool,
    },
    /// Resume liquidation, after its grace period (admin).
    ResumeLiquidation,
    /// Lengthen the timelock delay at once (admin).
    RaiseTimelock {
        /// New delay, seconds.
        secs: i64,
    },
    /// Propose a new admin or guardian, or withdraw the proposal with "none" (admin).
    SetAuthority {
        /// Which role.
        role: RoleArg,
        /// The proposed key, or "none".
        key: String,
    },
    /// Accept a proposed role (signed by the proposed key).
    Accept {
        /// Which role.
        role: RoleArg,
    },
    /// Apply a tighter market configuration at once (admin or guardian).
    Tighten {
        /// Market or mint.
        market: String,
        /// Market configuration file (TOML).
        file: String,
    },
    /// Queue a market configuration behind the timelock (admin).
    QueueMarket {
        /// Market or mint.
        market: String,
        /// Market configuration file (TOML).
        file: String,
    },
    /// Queue new pool liquidation parameters (admin).
    QueueLiquidation {
        /// Liquidation configuration file (TOML).
        file: String,
    },
    /// Queue a shorter timelock delay (admin).
    QueueTimelock {
        /// New delay, seconds.
        secs: i64,
    },
    /// Queue lifting the borrow pause (admin).
    QueueUnpause,
    /// Cancel queued change `id` (admin or guardian).
    Cancel {
        /// Change id.
        id: u64,
    },
    /// Execute matured change `id` (anyone).
    Execute {
        /// Change id.
        id: u64,
    },
    /// List a token (admin); it takes effect after the timelock.
    ListMarket {
        /// The mint.
        mint: String,
        /// Market configuration file (TOML).
        file: String,
        /// Its token program (default: SPL Token).
        #[arg(long)]
        token_program: Option<String>,
    },
}
