//! A domain that declares no Tier-2 model does not compile candle: its generated code names
//! nothing of `aegis-models`, its generated manifest does not depend on it, and what it does
//! depend on (`aegis-core`, and `aegis-codegen` at build time) pulls in no candle crate.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn workspace_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

#[test]
fn generated_code_of_a_model_less_spec_names_no_model_crate() {
    let without =
        aegis_codegen::generate(workspace_root().join("tests/data/kitchen_sink/domain_spec.yaml"))
            .expect("kitchen sink generates");
    assert!(!without.has_models());
    let source = without.to_source();
    for needle in ["aegis_models", "candle"] {
        assert!(
            !source.contains(needle),
            "model-less generated code mentions {needle}"
        );
    }
    let with =
        aegis_codegen::generate(workspace_root().join("domains/healthcare/domain_spec.yaml"))
            .expect("healthcare generates");
    assert!(with.has_models());
    assert!(with.to_source().contains("aegis_models"));
}

#[test]
fn generated_manifest_depends_on_aegis_models_only_with_models() {
    let manifest = |has_models| {
        aegis_codegen::scaffold::domain_crate("kitchen_sink", "", has_models)
            .into_iter()
            .find(|f| f.path.ends_with("Cargo.toml"))
            .expect("a Cargo.toml")
            .content
    };
    assert!(
        !manifest(false).contains("aegis-models"),
        "{}",
        manifest(false)
    );
    assert!(
        manifest(true).contains("aegis-models"),
        "{}",
        manifest(true)
    );
}

/// Every crate (normal and build dependencies, for this host) that `packages` compile with.
fn compiled_with(packages: &[&str]) -> BTreeSet<String> {
    let mut args = vec![
        "tree",
        "--offline",
        "-e",
        "normal,build",
        "--prefix",
        "none",
    ];
    for p in packages {
        args.extend(["-p", p]);
    }
    let out = Command::new(env!("CARGO"))
        .current_dir(workspace_root())
        .args(&args)
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn the_crates_a_model_less_domain_needs_pull_in_no_candle() {
    let reached = compiled_with(&["aegis-core", "aegis-codegen"]);
    assert!(
        reached.contains("regex"),
        "the tree lists dependencies: {reached:?}"
    );
    let candle: Vec<&String> = reached.iter().filter(|n| n.starts_with("candle")).collect();
    assert!(
        candle.is_empty(),
        "a model-less domain would compile {candle:?}"
    );
    // The check can fail: aegis-models, which a domain with models depends on, pulls candle in.
    assert!(compiled_with(&["aegis-models"]).contains("candle-core"));
}
