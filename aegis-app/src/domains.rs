//! The domains a program links, found by name.

use aegis_core::Domain;

use crate::AppError;

/// Finds a linked domain by name; the error lists the names known.
pub fn find_domain(
    domains: &[&'static dyn Domain],
    name: &str,
) -> Result<&'static dyn Domain, AppError> {
    domains
        .iter()
        .copied()
        .find(|d| d.info().name == name)
        .ok_or_else(|| AppError::UnknownDomain {
            name: name.to_owned(),
            known: domain_names(domains).join(", "),
        })
}

/// The names of the linked domains, in the order given.
pub fn domain_names(domains: &[&'static dyn Domain]) -> Vec<&'static str> {
    domains.iter().map(|d| d.info().name).collect()
}

/// Whether any of these domains pseudonymises PHI (and so needs a stable key to keep
/// pseudonyms, and pseudonymised trace ids, the same across runs).
pub fn any_pseudonymises(domains: &[&'static dyn Domain]) -> bool {
    domains.iter().any(|d| {
        d.info()
            .phi
            .is_some_and(|p| p.mode == aegis_core::PhiMode::Pseudonymize)
    })
}
