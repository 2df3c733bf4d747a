//! Governance commands. Each either sends, or with `--print` prints a message a multisig can
//! propose (base58 and base64 of the legacy message, fee payer = the authority).
use crate::args::{GovAction, RoleArg};
use crate::config_file::{diff, LiquidationConfigFile, MarketConfigFile};
use crate::context::{pubkey, CliError, Context};
use crate::output::{table, Output};
use anchor_lang::prelude::Pubkey;
use base64::Engine;
use keel::state::Role;
use keel::state::{ChangeKind, PendingChange};
use keel_sdk::chain::{filters, Chain};
use keel_sdk::instructions::{self as kix, MarketKeys};
use serde_json::json;
use solana_sdk::instruction::Instruction;
use solana_sdk::message::Message;

/// Who signs and whether to print instead of sending.
pub struct GovOptions {
    /// The authority (admin, guardian, or proposed key).
    pub authority: Pubkey,
    /// Print a message instead of sending.
    pub print: bool,
}

/// A message proposing `ixs` with `authority` as fee payer and signer.
pub fn proposal(ixs: &[Instruction], authority: &Pubkey) -> Output {
    let bytes = Message::new(ixs, Some(authority)).serialize();
    let b58 = solana_sdk::bs58::encode(&bytes).into_string();
    let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
    Output {
        lines: vec![
            format!("message (base58): {b58}"),
            format!("message (base64): {b64}"),
        ],
        json: json!({ "message_base58": b58, "message_base64": b64, "instructions": ixs.len() }),
    }
}

async fn submit<C: Chain>(
    ctx: &Context<C>,
    opts: &GovOptions,
    ixs: Vec<Instruction>,
    what: &str,
) -> Result<Output, CliError> {
    if opts.print {
        return Ok(proposal(&ixs, &opts.authority));
    }
    let signature = ctx.send(&ixs).await?;
    Ok(Output {
        lines: vec![format!("{what}: {signature}")],
        json: json!({ "action": what, "signature": signature }),
    })
}

fn role(r: RoleArg) -> Role {
    match r {
        RoleArg::Admin => Role::Admin,
        RoleArg::Guardian => Role::Guardian,
    }
}

fn read(file: &str) -> Result<String, CliError> {
    std::fs::read_to_string(file).map_err(|e| CliError(format!("cannot read '{file}': {e}")))
}

/// The queued change account `id` of the pool.
async fn change<C: Chain>(ctx: &Context<C>, id: u64) -> Result<(Pubkey, PendingChange), CliError> {
    let key = keel_sdk::pda::pending_change(&ctx.pool, id);
    let account = ctx
        .chain
        .account(&key)
        .await?
        .ok_or_else(|| CliError(format!("no queued change {id} in pool {}", ctx.pool)))?;
    let change = anchor_lang::AccountDeserialize::try_deserialize(&mut &account.data[..])
        .map_err(|_| CliError(format!("{key} is not a queued change")))?;
    Ok((key, change))
}

/// The pool's queued changes, oldest first.
pub async fn queued<C: Chain>(ctx: &Context<C>) -> Result<Vec<PendingChange>, CliError> {
    let found = ctx
        .chain
        .program_accounts(&filters::queued_changes(&ctx.pool))
        .await?;
    let mut out: Vec<PendingChange> = found
        .into_iter()
        .filter_map(|(_, a)| {
            anchor_lang::AccountDeserialize::try_deserialize(&mut &a.data[..]).ok()
        })
        .collect();
    out.sort_by_key(|c| c.id);
    Ok(out)
}

/// A queue instruction for `kind` as change number `id` (the pool's next id when it lands).
pub fn queue_ix<C: Chain>(
    ctx: &Context<C>,
    opts: &GovOptions,
    kind: ChangeKind,
    id: u64,
) -> Instruction {
    let payer = if opts.print {
        opts.authority
    } else {
        ctx.signer()
    };
    kix::queue_change(opts.authority, payer, ctx.pool, id, kind)
}

/// Queue `kind` at the pool's next id.
async fn queue<C: Chain>(
    ctx: &Context<C>,
    opts: &GovOptions,
    kind: ChangeKind,
    what: &str,
) -> Result<Output, CliError> {
    let id = ctx.pool_state().await?.next_change_id;
    submit(ctx, opts, vec![queue_ix(ctx, opts, kind, id)], what).await
}

/// Run a governance action.
pub async fn run<C: Chain>(
    ctx: &Context<C>,
    opts: &GovOptions,
    action: &GovAction,
) -> Result<Output, CliError> {
    let (pool, auth) = (ctx.pool, opts.authority);
    match action {
        GovAction::Show => show(ctx).await,
        GovAction::Pause {
            borrow,
            liquidation,
        } => {
            if !borrow && !liquidation {
                return Err(CliError(
                    "say what to pause: --borrow and/or --liquidation".into(),
                ));
            }
            submit(
                ctx,
                opts,
                vec![kix::pause(auth, pool, *borrow, *liquidation)],
                "paused",
            )
            .await
        }
        GovAction::ResumeLiquidation => {
            submit(
                ctx,
                opts,
                vec![kix::resume_liquidation(auth, pool)],
                "liquidation resumed",
            )
            .await
        }
        GovAction::RaiseTimelock { secs } => {
            submit(
                ctx,
                opts,
                vec![kix::raise_timelock(auth, pool, *secs)],
                "timelock raised",
            )
            .await
        }
        GovAction::SetAuthority { role: r, key } => {
            let new = if key.eq_ignore_ascii_case("none") {
                None
            } else {
                Some(pubkey("key", key)?)
            };
            submit(
                ctx,
                opts,
                vec![kix::set_pending_authority(auth, pool, role(*r), new)],
                "authority proposal set",
            )
            .await
        }
        GovAction::Accept { role: r } => {
            submit(
                ctx,
                opts,
                vec![kix::accept_authority(auth, pool, role(*r))],
                "authority accepted",
            )
            .await
        }
        GovAction::Tighten { market, file } => {
            let (key, _) = ctx.market(market).await?;
            let config = MarketConfigFile::parse(&read(file)?)?.to_config()?;
            submit(
                ctx,
                opts,
                vec![kix::tighten_market(auth, pool, key, config)],
                "market tightened",
            )
            .await
        }
        GovAction::QueueMarket { market, file } => {
            let (key, _) = ctx.market(market).await?;
            let config = MarketConfigFile::parse(&read(file)?)?.to_config()?;
            queue(
                ctx,
                opts,
                ChangeKind::MarketConfig {
                    market: key,
                    config,
                },
                "market change queued",
            )
            .await
        }
        GovAction::QueueLiquidation { file } => {
            let config = LiquidationConfigFile::parse(&read(file)?)?;
            queue(
                ctx,
                opts,
                ChangeKind::LiquidationConfig { config },
                "liquidation change queued",
            )
            .await
        }
        GovAction::QueueTimelock { secs } => {
            queue(
                ctx,
                opts,
                ChangeKind::TimelockDelay { delay_secs: *secs },
                "timelock change queued",
            )
            .await
        }
        GovAction::QueueUnpause => {
            queue(ctx, opts, ChangeKind::UnpauseBorrowing, "unpause queued").await
        }
        GovAction::Cancel { id } => {
            let (key, c) = change(ctx, *id).await?;
            submit(
                ctx,
                opts,
                vec![kix::cancel_change(auth, pool, key, c.rent_payer)],
                "change cancelled",
            )
            .await
        }
        GovAction::Execute { id } => {
            let (key, c) = change(ctx, *id).await?;
            let market = match c.kind {
                ChangeKind::MarketConfig { market, .. } => Some(market),
                _ => None,
            };
            let ix = kix::execute_change(ctx.signer(), pool, key, c.rent_payer, market);
            let signature = ctx.send(&[ix]).await?;
            Ok(Output {
                lines: vec![format!("change {id} executed: {signature}")],
                json: json!({ "action": "executed", "id": id, "signature": signature }),
            })
        }
        GovAction::ListMarket {
            mint,
            file,
            token_program,
        } => {
            let mint = pubkey("mint", mint)?;
            let program = match token_program {
                Some(p) => pubkey("token program", p)?,
                None => anchor_spl::token::ID,
            };
            let config = MarketConfigFile::parse(&read(file)?)?.to_config()?;
            let payer = if opts.print { auth } else { ctx.signer() };
            let ix = kix::add_market(
                auth,
                payer,
                pool,
                &MarketKeys::new(&pool, mint, program),
                config,
            );
            submit(ctx, opts, vec![ix], "market listed").await
        }
    }
}

fn kind_text(kind: &ChangeKind) -> String {
    match kind {
        ChangeKind::MarketConfig { market, .. } => format!("market config of {market}"),
        ChangeKind::LiquidationConfig { .. } => "liquidation parameters".into(),
        ChangeKind::TimelockDelay { delay_secs } => format!("timelock delay -> {delay_secs} s"),
        ChangeKind::UnpauseBorrowing => "lift the borrow pause".into(),
    }
}

/// Authorities, flags, timelock and the queue with diffs.
async fn show<C: Chain>(ctx: &Context<C>) -> Result<Output, CliError> {
    let p = ctx.pool_state().await?;
    let now = ctx.chain.clock().await?.unix_timestamp;
    let markets = ctx.markets().await?;
    let mut lines = vec![
        format!("pool {}", ctx.pool),
        format!("admin {}  pending {}", p.admin, p.pending_admin),
        format!("guardian {}  pending {}", p.guardian, p.pending_guardian),
        format!(
            "timelock {} s  borrow paused {}  liquidation paused {}",
            p.timelock_delay_secs, p.borrow_paused, p.liquidation_paused
        ),
    ];
    let mut rows = vec![vec![
        "ID".into(),
        "CHANGE".into(),
        "ETA".into(),
        "STATUS".into(),
    ]];
    let mut items = vec![];
    let mut diffs = vec![];
    for c in queued(ctx).await? {
        let status = if now >= c.eta {
            "executable".to_string()
        } else {
            format!("in {} s", c.eta - now)
        };
        rows.push(vec![
            c.id.to_string(),
            kind_text(&c.kind),
            c.eta.to_string(),
            status.clone(),
        ]);
        let mut d = vec![];
        if let ChangeKind::MarketConfig { market, config } = &c.kind {
            if let Some((_, m)) = markets.iter().find(|(k, _)| k == market) {
                d = diff(&m.config, config);
                diffs.extend(d.iter().map(|line| format!("  change {}: {line}", c.id)));
            }
        }
        items.push(json!({ "id": c.id, "change": kind_text(&c.kind), "eta": c.eta, "status": status, "diff": d }));
    }
    lines.extend(table(&rows));
    lines.extend(diffs);
    Ok(Output {
        lines,
        json: json!({
            "pool": ctx.pool.to_string(),
            "admin": p.admin.to_string(),
            "guardian": p.guardian.to_string(),
            "timelock_secs": p.timelock_delay_secs,
            "borrow_paused": p.borrow_paused,
            "liquidation_paused": p.liquidation_paused,
            "queue": items,
        }),
    })
}
