//! Generates the spec-language test domains (`tests/data/kitchen_sink`, `tests/data/minimal`)
//! into `$OUT_DIR`, exactly as a domain crate's `build.rs` does, so that
//! `tests/generated_code_is_clean.rs` compiles them under `#[deny(warnings)]` (and clippy, under
//! `cargo clippy --all-targets -- -D warnings`).

fn main() {
    aegis_codegen::build::compile_domain("data/kitchen_sink/domain_spec.yaml");
    aegis_codegen::build::compile_domain("data/minimal/domain_spec.yaml");
}
