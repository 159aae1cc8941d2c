//! The architecture invariants a machine can check (ARCHITECTURE.md, "Architecture
//! invariants"): the layers' dependencies, read from `cargo metadata` and `cargo tree`.
//!
//! * `aegis-core` depends on no other workspace crate.
//! * `aegis-runtime` depends on `aegis-core`, `aegis-phi` and `aegis-rl` only among the
//!   workspace crates, and neither it nor `examples/embed` (a program that only evaluates)
//!   compiles candle, tokenizers, reqwest or rusqlite.
//! * Front ends sit on the application layer: `aegis-cli` and `aegis-server` depend on
//!   `aegis-app`, `aegis-server` on no other front end and on nothing below `aegis-app` but
//!   the crates whose types it renders, and `aegis-app` on no front end.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

fn cargo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(args)
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Each workspace member's declared dependencies (normal and build) that are workspace members.
fn workspace_dependencies() -> Vec<(String, BTreeSet<String>)> {
    let meta: serde_json::Value = serde_json::from_str(&cargo(&[
        "metadata",
        "--offline",
        "--format-version",
        "1",
        "--no-deps",
    ]))
    .expect("cargo metadata is JSON");
    let packages = meta["packages"].as_array().expect("packages");
    let members: BTreeSet<String> = packages
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    packages
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].as_str() != Some("dev"))
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .filter(|n| members.contains(n))
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

fn deps_of(name: &str) -> BTreeSet<String> {
    workspace_dependencies()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("{name} is a workspace member"))
        .1
}

/// Every crate `package` compiles with (normal and build dependencies, for this host), with
/// the features a build of that package alone turns on.
fn compiled_with(package: &str) -> BTreeSet<String> {
    cargo(&[
        "tree",
        "--offline",
        "-e",
        "normal,build",
        "--prefix",
        "none",
        "-p",
        package,
    ])
    .lines()
    .filter_map(|l| l.split_whitespace().next())
    .map(str::to_owned)
    .collect()
}

const HEAVY: [&str; 5] = [
    "candle-core",
    "candle-nn",
    "tokenizers",
    "reqwest",
    "rusqlite",
];

#[test]
fn aegis_core_depends_on_no_workspace_crate() {
    let deps = deps_of("aegis-core");
    assert!(deps.is_empty(), "aegis-core depends on {deps:?}");
    // The check can fail: the domain crates do depend on workspace crates.
    assert!(deps_of("aegis-domain-legal").contains("aegis-core"));
}

#[test]
fn the_runtime_depends_on_core_phi_and_rl_only() {
    let deps = deps_of("aegis-runtime");
    let allowed: BTreeSet<String> = ["aegis-core", "aegis-phi", "aegis-rl"]
        .map(str::to_owned)
        .into();
    assert!(
        deps.is_subset(&allowed),
        "aegis-runtime depends on {:?}",
        deps.difference(&allowed).collect::<Vec<_>>()
    );
}

#[test]
fn front_ends_sit_on_the_application_layer() {
    assert!(deps_of("aegis-cli").contains("aegis-app"));
    assert!(deps_of("aegis-eval").contains("aegis-cli"));
    let app = deps_of("aegis-app");
    assert!(
        !app.contains("aegis-cli") && !app.contains("aegis-eval") && !app.contains("aegis-server"),
        "aegis-app depends on a front end: {app:?}"
    );
    // The HTTP service is glue over the application layer: it reaches the store, tiers and
    // runtime only through aegis-app (aegis-core and aegis-store for the types it renders).
    let server = deps_of("aegis-server");
    let allowed: BTreeSet<String> = ["aegis-app", "aegis-core", "aegis-store"]
        .map(str::to_owned)
        .into();
    assert!(server.contains("aegis-app"));
    assert!(
        server.is_subset(&allowed),
        "aegis-server depends on {:?}",
        server.difference(&allowed).collect::<Vec<_>>()
    );
}

#[test]
fn evaluating_alone_compiles_no_model_http_or_database_crate() {
    for package in ["aegis-runtime", "aegis-example-embed"] {
        let reached = compiled_with(package);
        assert!(
            reached.contains("aegis-core"),
            "the tree lists dependencies: {reached:?}"
        );
        let heavy: Vec<&str> = HEAVY.into_iter().filter(|h| reached.contains(*h)).collect();
        assert!(heavy.is_empty(), "{package} compiles {heavy:?}");
    }
    // The check can fail: the command line compiles all of them.
    let cli = compiled_with("aegis-cli");
    for h in HEAVY {
        assert!(cli.contains(h), "aegis-cli compiles {h}");
    }
}
