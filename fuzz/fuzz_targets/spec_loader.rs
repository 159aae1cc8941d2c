//! The spec loader: any bytes as `domain_spec.yaml`. It must answer with a domain or with
//! located errors, never panic, and never be slow.

#![no_main]

mod common;

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let dir = std::env::temp_dir().join(format!("aegis-fuzz-spec-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("domain_spec.yaml");
    let Ok(mut f) = std::fs::File::create(&path) else {
        return;
    };
    if f.write_all(data).is_err() {
        return;
    }
    drop(f);
    common::timed(data.len(), "the spec loader", || {
        if let Err(errors) = aegis_codegen::generate(&path) {
            // Every error names where it is.
            for e in &errors.errors {
                let shown = e.to_string();
                assert!(shown.contains("domain_spec.yaml"), "an error without its place: {shown}");
            }
        }
    });
});
