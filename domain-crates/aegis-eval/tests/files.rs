//! No command destroys a file it was given (issue 28): an output that names the input, the key
//! file, the vault or the store (or its log), directly or through a link, is refused before
//! anything is written; and an output is written whole or not at all.

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::text;

const TRACE: &str = r#"{"id": "t1", "output": "Take ibuprofen 800 mg every 4 hours.", "metadata": {"domain": "healthcare"}}"#;
const KEY: &str = "correct horse battery staple, long enough\n";

struct Files {
    _dir: tempfile::TempDir,
    root: PathBuf,
}

impl Files {
    fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::write(root.join("in.jsonl"), format!("{TRACE}\n")).unwrap();
        std::fs::write(root.join("key.txt"), KEY).unwrap();
        Files { _dir: dir, root }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root.join(name)
    }
}

fn aegis(dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
        .current_dir(dir)
        .env_remove("AEGIS_PHI_KEY")
        .env_remove("AEGIS_STORE")
        .args(args)
        .output()
        .unwrap()
}

fn refused(out: &std::process::Output, what: &str) {
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let err = text(&out.stderr);
    assert!(
        err.contains("refusing to write") && err.contains(what),
        "{err}"
    );
}

#[test]
fn run_refuses_to_write_results_over_the_key_file() {
    let f = Files::new();
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-o",
            "key.txt",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the key file");
    assert_eq!(std::fs::read_to_string(f.path("key.txt")).unwrap(), KEY);
}

#[test]
fn sanitize_refuses_to_write_over_the_key_file_or_the_input() {
    let f = Files::new();
    let out = aegis(
        &f.root,
        &[
            "sanitize",
            "in.jsonl",
            "-o",
            "key.txt",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the key file");
    assert_eq!(std::fs::read_to_string(f.path("key.txt")).unwrap(), KEY);
    let out = aegis(&f.root, &["sanitize", "in.jsonl", "-o", "./in.jsonl"]);
    refused(&out, "the input");
    assert!(
        std::fs::read_to_string(f.path("in.jsonl"))
            .unwrap()
            .contains("ibuprofen")
    );
}

#[test]
fn run_refuses_to_write_over_the_vault_and_the_vault_over_the_input() {
    let f = Files::new();
    let first = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-o",
            "/dev/null",
            "--phi-vault",
            "v.bin",
            "--phi-key-file",
            "key.txt",
        ],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let vault = std::fs::read(f.path("v.bin")).unwrap();
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-o",
            "v.bin",
            "--phi-vault",
            "v.bin",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the pseudonym vault");
    assert_eq!(
        std::fs::read(f.path("v.bin")).unwrap(),
        vault,
        "the vault is as it was"
    );
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "--phi-vault",
            "in.jsonl",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the input");
    assert!(
        std::fs::read_to_string(f.path("in.jsonl"))
            .unwrap()
            .contains("ibuprofen")
    );
}

#[test]
fn run_refuses_to_write_results_over_the_store_or_its_log() {
    let f = Files::new();
    let first = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-q",
            "-o",
            "/dev/null",
            "--store",
            "s.db",
            "--phi-key-file",
            "key.txt",
        ],
    );
    assert!(first.status.success(), "{}", text(&first.stderr));
    let before = std::fs::read(f.path("s.db")).unwrap();
    for target in ["s.db", "s.db-wal"] {
        let out = aegis(
            &f.root,
            &[
                "run",
                "in.jsonl",
                "-o",
                target,
                "--store",
                "s.db",
                "--phi-key-file",
                "key.txt",
            ],
        );
        refused(&out, "the store");
    }
    assert_eq!(std::fs::read(f.path("s.db")).unwrap(), before);
    let list = aegis(&f.root, &["traces", "list", "--store", "s.db", "--json"]);
    assert_eq!(
        text(&list.stdout).lines().count(),
        1,
        "the stored result is still there"
    );
    // The store may not be the input either.
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "--store",
            "in.jsonl",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the input");
    // Nor may report or review export write over it.
    for args in [
        &["report", "--store", "s.db", "-o", "s.db"][..],
        &["review", "export", "--store", "s.db", "-o", "s.db"][..],
    ] {
        refused(&aegis(&f.root, args), "the store");
    }
    assert_eq!(std::fs::read(f.path("s.db")).unwrap(), before);
}

#[cfg(unix)]
#[test]
fn a_link_to_a_kept_file_is_the_kept_file() {
    let f = Files::new();
    std::os::unix::fs::symlink(f.path("key.txt"), f.path("results.txt")).unwrap();
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-o",
            "results.txt",
            "--phi-key-file",
            "key.txt",
        ],
    );
    refused(&out, "the key file");
    assert_eq!(std::fs::read_to_string(f.path("key.txt")).unwrap(), KEY);
    std::fs::hard_link(f.path("in.jsonl"), f.path("copy.jsonl")).unwrap();
    let out = aegis(&f.root, &["run", "in.jsonl", "-o", "copy.jsonl"]);
    refused(&out, "the input");
}

#[test]
fn a_run_that_fails_leaves_the_old_output_as_it_was() {
    let f = Files::new();
    std::fs::write(f.path("out.txt"), "yesterday's results\n").unwrap();
    // The judge configuration cannot be read: the run stops after the output was opened.
    let out = aegis(
        &f.root,
        &[
            "run",
            "in.jsonl",
            "-o",
            "out.txt",
            "--config",
            "missing.toml",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(f.path("out.txt")).unwrap(),
        "yesterday's results\n"
    );
    let names: Vec<String> = std::fs::read_dir(&f.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!names.iter().any(|n| n.ends_with(".partial")), "{names:?}");
    // A run that succeeds replaces it.
    let out = aegis(
        &f.root,
        &["run", "in.jsonl", "-o", "out.txt", "-f", "jsonl"],
    );
    assert!(
        out.status.code().is_some_and(|c| c != 2),
        "{}",
        text(&out.stderr)
    );
    assert!(
        std::fs::read_to_string(f.path("out.txt"))
            .unwrap()
            .contains("\"verdict\"")
    );
}

#[test]
fn lines_not_evaluated_are_not_masked_by_a_tripped_gate() {
    let f = Files::new();
    std::fs::write(f.path("mixed.jsonl"), format!("{TRACE}\n{{not json\n")).unwrap();
    let out = aegis(
        &f.root,
        &[
            "run",
            "mixed.jsonl",
            "-q",
            "-f",
            "jsonl",
            "--fail-on",
            "high",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    // Without the bad line the gate speaks.
    let out = aegis(
        &f.root,
        &["run", "in.jsonl", "-q", "-f", "jsonl", "--fail-on", "high"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}
