//! `keel-validator`: the local cluster `keel localnet` starts (see the library's docs).
//!
//! ```text
//! keel-validator [--rpc-port 8899] [--ws-port 8900] [--slot-ms 400] [--host 127.0.0.1]
//! ```
//! Prints `ready <rpc url> <ws url>` on stdout once it serves, then runs until interrupted (or,
//! with `--exit-with-stdin`, until its standard input closes: the parent that started it is gone).
use keel_validator::{Options, Validator};
use std::io::Write;
use std::process::ExitCode;

fn parse(args: &[String]) -> Result<(Options, bool), String> {
    let mut options = Options::default();
    let mut with_stdin = false;
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .cloned()
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        let number = |v: String| {
            v.parse::<u64>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--rpc-port" => options.rpc_port = number(value()?)? as u16,
            "--ws-port" => options.ws_port = number(value()?)? as u16,
            "--slot-ms" => options.slot_ms = number(value()?)?.max(1),
            "--host" => options.host = value()?,
            "--exit-with-stdin" => with_stdin = true,
            "-h" | "--help" => {
                return Err(
                    "keel-validator [--rpc-port 8899] [--ws-port 8900] [--slot-ms 400] [--host 127.0.0.1] [--exit-with-stdin]"
                        .into(),
                )
            }
            other => return Err(format!("unknown argument {other}")),
        }
    }
    Ok((options, with_stdin))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (options, with_stdin) = match parse(&args) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let validator = match Validator::start(&options) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("keel-validator: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("ready {} {}", validator.rpc_url(), validator.ws_url());
    let _ = std::io::stdout().flush();
    let (gone_tx, mut gone) = tokio::sync::oneshot::channel::<()>();
    if with_stdin {
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            let _ = gone_tx.send(());
        });
    }
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("keel-validator: {e}");
            return ExitCode::FAILURE;
        }
    };
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(1));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = term.recv() => break,
            _ = &mut gone, if with_stdin => break,
            _ = tick.tick() => {
                validator.drain();
            }
        }
    }
    ExitCode::SUCCESS
}
