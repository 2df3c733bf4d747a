//! `keel migrate <file>`: a declarative listing of a pool's markets, applied idempotently.
//!
//! ```toml
//! [[market]]
//! mint = "..."
//! token_program = "..."        # optional, SPL Token by default
//! [market.config]              # a market configuration (see config_file.rs)
//! feed_id = "0x..."
//! ...
//! ```
//! Per market: missing -> listed (behind the timelock); same config -> unchanged; tighter ->
//! tightened at once; otherwise queued, unless the same change is already queued.
use crate::config_file::Listing;
use crate::context::{pubkey, CliError, Context};
use crate::gov::{proposal, queue_ix, queued, GovOptions};
use crate::output::Output;
use keel::governance::classify::is_tightening;
use keel::state::ChangeKind;
use keel_sdk::chain::Chain;
use keel_sdk::instructions::{self as kix, MarketKeys};
use serde_json::json;

/// Apply the listing in `text`.
pub async fn run<C: Chain>(
    ctx: &Context<C>,
    opts: &GovOptions,
    text: &str,
) -> Result<Output, CliError> {
    let listing: Listing =
        toml::from_str(text).map_err(|e| CliError(format!("invalid listing: {}", e.message())))?;
    let markets = ctx.markets().await?;
    let pending = queued(ctx).await?;
    let mut lines = vec![];
    let mut report = vec![];
    let mut ixs = vec![];
    let mut next_id = ctx.pool_state().await?.next_change_id;
    for entry in &listing.market {
        let mint = pubkey("mint", &entry.mint)?;
        let program = match &entry.token_program {
            Some(p) => pubkey("token program", p)?,
            None => anchor_spl::token::ID,
        };
        let config = entry.config.to_config()?;
        let keys = MarketKeys::new(&ctx.pool, mint, program);
        let (action, ix) = match markets.iter().find(|(k, _)| *k == keys.market) {
            None => {
                let payer = if opts.print {
                    opts.authority
                } else {
                    ctx.signer()
                };
                (
                    "listed",
                    Some(kix::add_market(
                        opts.authority,
                        payer,
                        ctx.pool,
                        &keys,
                        config,
                    )),
                )
            }
            Some((_, m)) if m.config == config => ("unchanged", None),
            Some((_, m)) if is_tightening(&m.config, &config) => (
                "tightened",
                Some(kix::tighten_market(
                    opts.authority,
                    ctx.pool,
                    keys.market,
                    config,
                )),
            ),
            Some(_) => {
                let wanted = ChangeKind::MarketConfig {
                    market: keys.market,
                    config,
                };
                if pending.iter().any(|c| c.kind == wanted) {
                    ("already queued", None)
                } else {
                    // several queued in one run take consecutive ids
                    let ix = queue_ix(ctx, opts, wanted, next_id);
                    next_id += 1;
                    ("queued", Some(ix))
                }
            }
        };
        lines.push(format!("{action}: {} ({mint})", keys.market));
        report.push(json!({ "market": keys.market.to_string(), "mint": mint.to_string(), "action": action }));
        ixs.extend(ix.map(|ix| (format!("{action} {mint}"), ix)));
    }
    if ixs.is_empty() {
        lines.push("nothing to do".into());
        return Ok(Output {
            lines,
            json: json!({ "markets": report }),
        });
    }
    if opts.print {
        let all: Vec<_> = ixs.into_iter().map(|(_, ix)| ix).collect();
        let p = proposal(&all, &opts.authority);
        lines.extend(p.lines);
        return Ok(Output {
            lines,
            json: json!({ "markets": report, "proposal": p.json }),
        });
    }
    // one transaction per instruction: listings are large and each stands on its own
    for (what, ix) in ixs {
        ctx.send(&[ix])
            .await
            .map_err(|e| CliError(format!("{what}: {e}")))?;
    }
    Ok(Output {
        lines,
        json: json!({ "markets": report }),
    })
}
