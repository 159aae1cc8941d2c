//! The `widgets` domain, generated inline from `domain_spec.yaml` by `aegis_macros::domain!`.
//! [`Widgets`] implements [`aegis_core::Domain`].

aegis_macros::domain!("domain_spec.yaml");
