//! The generator library spawns no process (no `rustfmt`, no compiler): it reads the spec and
//! the files it names and returns text. `cargo xtask` may run tools; the library may not.

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path.display().to_string(), text));
        }
    }
}

#[test]
fn the_library_spawns_no_process() {
    let mut files = Vec::new();
    sources(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    assert!(files.len() > 10, "the sources are found");
    for (path, text) in &files {
        for needle in ["process::Command", "Command::new", "rustfmt\")"] {
            assert!(
                !text.contains(needle),
                "{path} spawns a process (`{needle}`)"
            );
        }
    }
}
