//! What `keel localnet` runs, found or built: the SBF `keel.so` (`scripts/build-sbf`) and the
//! validator (`keel-validator`, the Agave 4.x workspace in `cu/`). Each is taken from a flag, then
//! an environment variable, then the source tree this `keel` was built from; when none exists and
//! the source tree is there, it is built, with the build's own output on the terminal.
use crate::context::CliError;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The source tree this binary was built from.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn first_existing(candidates: &[PathBuf]) -> Option<PathBuf> {
    candidates.iter().find(|p| p.is_file()).cloned()
}

/// The file a flag (`given`) or the environment (`var`) names, if either does: it must exist.
fn named(given: Option<&Path>, var: &str, what: &str) -> Option<Result<PathBuf, CliError>> {
    let p = given
        .map(Path::to_path_buf)
        .or_else(|| std::env::var_os(var).map(PathBuf::from))?;
    Some(if p.is_file() {
        Ok(p)
    } else {
        Err(CliError(format!("{what} not found at {}", p.display())))
    })
}

/// One build at a time (several localnets may start at once in a test run).
static BUILD: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn run(what: &str, cmd: &mut Command) -> Result<(), CliError> {
    let status = cmd
        .status()
        .map_err(|e| CliError(format!("{what}: cannot run {:?}: {e}", cmd.get_program())))?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError(format!(
            "{what} failed ({status}); its output is above"
        )))
    }
}

/// `keel.so`: `given`, else `KEEL_SO`, else `target/deploy/keel.so`, built by `scripts/build-sbf`
/// when missing.
pub fn keel_so(given: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(named) = named(given, "KEEL_SO", "keel.so") {
        return named;
    }
    let built = repo().join("target/deploy/keel.so");
    // checked again once the lock is ours: another start may have built it meanwhile
    let _one = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if built.is_file() {
        return Ok(built);
    }
    let script = repo().join("scripts/build-sbf");
    if !script.is_file() {
        return Err(CliError(
            "keel.so not found: give --keel-so PATH (or KEEL_SO), or run from a Keel source tree"
                .into(),
        ));
    }
    eprintln!(
        "keel localnet: building keel.so with scripts/build-sbf (a few minutes the first time)"
    );
    run(
        "scripts/build-sbf",
        Command::new(&script).current_dir(repo()),
    )?;
    first_existing(&[built])
        .ok_or_else(|| CliError("scripts/build-sbf left no target/deploy/keel.so".into()))
}

/// `keel-validator`: `given`, else `KEEL_VALIDATOR`, else the source tree's, built with cargo in
/// `cu/` (the Agave 4.x workspace) when missing or older than its sources. Its dev profile, the
/// one the compute-unit suite builds too, so the two share their dependencies.
pub fn validator(given: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(named) = named(given, "KEEL_VALIDATOR", "keel-validator") {
        return named;
    }
    let cu = repo().join("cu");
    let binary = cu.join("target/debug/keel-validator");
    if !cu.join("Cargo.toml").is_file() {
        return Err(CliError(
            "keel-validator not found: give --validator PATH (or KEEL_VALIDATOR), or run from a Keel source tree".into(),
        ));
    }
    let _one = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    if binary.is_file() && !stale(&binary, &cu) {
        return Ok(binary);
    }
    eprintln!(
        "keel localnet: building the validator (Surfpool 1.7 on the Agave 4.3 crates, cu/validator): \
         about 7 minutes cold on 2 cores"
    );
    // the cargo on PATH, without what a calling cargo (`cargo test`, `cargo run`) sets: another
    // target directory would put the binary elsewhere
    let mut cargo = Command::new("cargo");
    cargo
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("CARGO_BUILD_TARGET_DIR");
    run(
        "building keel-validator",
        cargo
            .args([
                "build",
                "--locked",
                "--ignore-rust-version",
                "-p",
                "keel-validator",
            ])
            .current_dir(&cu),
    )?;
    first_existing(&[binary]).ok_or_else(|| CliError("the build left no keel-validator".into()))
}

/// Whether a source of the validator (its crate, the workspace's manifest or lockfile) changed
/// after `binary` was built. Asking cargo instead costs a second or two at every start, and a
/// minute's relink whenever the caller's environment differs from the last build's.
fn stale(binary: &Path, cu: &Path) -> bool {
    let Ok(built) = std::fs::metadata(binary).and_then(|m| m.modified()) else {
        return true;
    };
    let newer = |p: &Path| {
        std::fs::metadata(p)
            .and_then(|m| m.modified())
            .is_ok_and(|t| t > built)
    };
    let mut sources = vec![
        cu.join("Cargo.toml"),
        cu.join("Cargo.lock"),
        cu.join("validator/Cargo.toml"),
    ];
    if let Ok(entries) = std::fs::read_dir(cu.join("validator/src")) {
        sources.extend(entries.flatten().map(|e| e.path()));
    }
    sources.iter().any(|p| newer(p))
}
