//! The committed IDL (`idl/keel.json`) is the one the program generates: this test builds it with
//! Anchor's IDL builder (the program's `idl-build` feature) and fails when the file is stale.
//! Regenerate with `KEEL_UPDATE_IDL=1 cargo test -p keel-tests --test idl`.
use anchor_lang_idl::build::IdlBuilder;
use std::path::PathBuf;

#[test]
fn committed_idl_is_current() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    // The builder re-invokes `cargo +$RUSTUP_TOOLCHAIN` when that is set (and would try to install
    // it); the one toolchain on PATH is the right one. This binary has no other test to race with.
    unsafe { std::env::remove_var("RUSTUP_TOOLCHAIN") };
    let target = root.join("target/idl-build");
    let idl = IdlBuilder::new()
        .program_path(root.join("programs/keel"))
        .cargo_args(vec![
            "--locked".into(),
            "--target-dir".into(),
            target.to_string_lossy().into_owned(),
        ])
        .build()
        .expect("build the IDL");
    let generated = serde_json::to_string_pretty(&idl).unwrap() + "\n";
    let committed_path = root.join("idl/keel.json");
    if std::env::var("KEEL_UPDATE_IDL").is_ok() {
        std::fs::create_dir_all(committed_path.parent().unwrap()).unwrap();
        std::fs::write(&committed_path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&committed_path).unwrap_or_default();
    assert!(
        committed == generated,
        "idl/keel.json is stale: run KEEL_UPDATE_IDL=1 cargo test -p keel-tests --test idl"
    );
    // and it describes the program
    assert_eq!(idl.address, keel::ID.to_string());
    for ix in [
        "deposit",
        "withdraw",
        "borrow",
        "repay",
        "liquidate",
        "queue_change",
        "health",
    ] {
        assert!(
            idl.instructions.iter().any(|i| i.name == ix),
            "instruction {ix} in the IDL"
        );
    }
}
