//! What `cargo xtask gen-domain --all --check` checks, as a test: every checked-in generated
//! file (domain crates, the aegis-eval crate, the JSON Schema) matches its specs.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::path::PathBuf;

#[test]
fn checked_in_generated_files_are_up_to_date() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let files = aegis_codegen::scaffold::workspace_files(&root, None)
        .expect("every shipped spec generates");
    assert!(
        files
            .iter()
            .any(|f| f.path == "domain-crates/aegis-domain-healthcare/Cargo.toml")
    );
    let stale = aegis_codegen::scaffold::sync(&root, &files, true).expect("files are readable");
    assert!(
        stale.is_empty(),
        "stale generated files: {stale:?}; run `cargo xtask gen-domain --all`"
    );
}
