//! Domain crates outside the workspace (`examples/external/`), built and tested the way a third
//! party's CI would: `cargo test --manifest-path …`, each crate its own workspace. One generates
//! in `build.rs` (and is exactly what `cargo xtask new-domain acme` scaffolds), the other with
//! `aegis_macros::domain!`.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::path::PathBuf;
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `<target>/external`, beside the workspace's own build (found from this test's binary:
/// `<target>/debug/deps/external_crates-…`).
fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).expect("target dir").to_path_buf();
    target.join("external")
}

fn cargo_test(krate: &str) {
    let manifest = repo()
        .join("examples/external")
        .join(krate)
        .join("Cargo.toml");
    let out = Command::new(env!("CARGO"))
        .args([
            "test",
            "--offline",
            "--locked",
            "--quiet",
            "--manifest-path",
        ])
        .arg(&manifest)
        .env("CARGO_TARGET_DIR", target_dir())
        .env_remove("RUSTFLAGS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{krate}:\n{stdout}\n{stderr}");
    // Its own tests ran and passed (not zero of them).
    assert!(
        stdout.contains("test result: ok. 1 passed"),
        "{krate}:\n{stdout}"
    );
}

#[test]
fn a_crate_generating_in_build_rs_builds_and_evaluates() {
    cargo_test("aegis-domain-acme");
}

#[test]
fn a_crate_generating_with_the_domain_macro_builds_and_evaluates() {
    cargo_test("aegis-domain-widgets");
}

#[test]
fn the_build_rs_crate_is_exactly_what_new_domain_scaffolds() {
    let scratch = tempfile_dir();
    let files = aegis_codegen::scaffold::new_domain(&scratch, "acme").unwrap();
    let krate = repo().join("examples/external/aegis-domain-acme");
    for f in files {
        let local = f
            .path
            .strip_prefix("domains/acme/")
            .map(str::to_owned)
            .or_else(|| f.path.strip_prefix("examples/").map(str::to_owned))
            .unwrap();
        let on_disk = std::fs::read_to_string(krate.join(&local)).unwrap_or_default();
        assert_eq!(
            on_disk, f.content,
            "examples/external/aegis-domain-acme/{local} differs from the scaffold: copy it again"
        );
    }
}

fn tempfile_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("aegis-new-domain-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
