//! The `acme` domain: generated at build time from `domain_spec.yaml` by `build.rs`.
//! [`Acme`] implements [`aegis_core::Domain`].

include!(concat!(env!("OUT_DIR"), "/acme.rs"));
