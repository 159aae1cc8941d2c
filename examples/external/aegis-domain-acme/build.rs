//! Generates the `acme` domain from its spec into `$OUT_DIR` (spec errors fail the build with
//! `domain_spec.yaml:LINE:COL` messages).

fn main() {
    aegis_codegen::build::compile_domain("domain_spec.yaml");
}
