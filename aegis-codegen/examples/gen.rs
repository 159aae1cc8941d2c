//! Prints the code generated from a spec: `cargo run -p aegis-codegen --example gen -- SPEC`.

fn main() -> std::process::ExitCode {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: gen <domain_spec.yaml>");
        return std::process::ExitCode::from(2);
    };
    match aegis_codegen::generate(&path) {
        Ok(generated) => {
            print!("{}", generated.to_source());
            std::process::ExitCode::SUCCESS
        }
        Err(errors) => {
            eprintln!("{errors}");
            std::process::ExitCode::FAILURE
        }
    }
}
