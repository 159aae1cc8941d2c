//! `domain!`: generates a domain inline from its spec, exactly as a domain crate's `build.rs`
//! does (both call `aegis_codegen::generate`).
//!
//! ```ignore
//! mod healthcare {
//!     aegis_macros::domain!("../domains/healthcare/domain_spec.yaml");
//! }
//! let result = healthcare::Healthcare.evaluate_rules(&trace);
//! ```
//!
//! The path is relative to the invoking crate's `Cargo.toml`. The expansion needs `aegis-core`
//! as a dependency of that crate. Spec errors become compile errors on the path literal, each
//! naming `file:line:col`. Editing the spec or its tables rebuilds the crate.

use std::path::PathBuf;

use proc_macro::TokenStream;
use quote::quote;
use syn::{LitStr, parse_macro_input};

/// Generates the domain whose spec is at the given path (relative to `CARGO_MANIFEST_DIR`).
#[proc_macro]
pub fn domain(input: TokenStream) -> TokenStream {
    let path = parse_macro_input!(input as LitStr);
    expand(&path)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

fn expand(path: &LitStr) -> syn::Result<proc_macro2::TokenStream> {
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| syn::Error::new(path.span(), "CARGO_MANIFEST_DIR is not set"))?;
    let spec = PathBuf::from(path.value());
    let generated = aegis_codegen::generate_for_crate(&dir, &spec).map_err(|errors| {
        let mut all: Option<syn::Error> = None;
        for e in &errors.errors {
            let one = syn::Error::new(path.span(), e.to_string());
            match &mut all {
                Some(a) => a.combine(one),
                None => all = Some(one),
            }
        }
        all.unwrap_or_else(|| syn::Error::new(path.span(), errors.to_string()))
    })?;
    // `include_bytes!` of every input (weights are binary) makes Cargo rebuild this crate when
    // one changes. Inputs are named from the crate's directory, so that the expansion holds no
    // path of the machine that built it.
    let tracked = generated.inputs().iter().map(|p| {
        let path = match p.strip_prefix(&dir) {
            Ok(relative) => {
                let relative = relative.to_string_lossy().replace('\\', "/");
                quote!(::core::concat!(::core::env!("CARGO_MANIFEST_DIR"), "/", #relative))
            }
            Err(_) => {
                let p = p.to_string_lossy().into_owned();
                quote!(#p)
            }
        };
        quote!(
            const _: &[u8] = ::core::include_bytes!(#path);
        )
    });
    let tokens = generated.tokens();
    Ok(quote! {
        #(#tracked)*
        #tokens
    })
}
