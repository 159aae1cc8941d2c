//! The `phi` section: which classes of protected health information a domain carries, how
//! Tier 0 replaces them, and whose they are.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::checked::*;
use crate::emit::Emitter;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    /// Checks the `phi` section: class labels, mode, and the subject field.
    pub(crate) fn phi(&mut self, spec: &PhiSpec, schema: &Schema) -> Option<PhiPolicy> {
        let classes = match &spec.detect.value {
            PhiDetect::Keyword(PhiDetectKeyword::None) => {
                if spec
                    .reason
                    .as_ref()
                    .is_none_or(|r| r.value.trim().is_empty())
                {
                    self.error(
                        spec.detect.position,
                        "`detect: none` needs a `reason`: say why this domain's traces carry no PHI (Tier 0 will not run, and their text is stored as it is)",
                    );
                }
                return None;
            }
            PhiDetect::Keyword(PhiDetectKeyword::All) => aegis_core::PhiClass::ALL.to_vec(),
            PhiDetect::Classes(labels) => {
                let mut classes = Vec::new();
                for label in labels {
                    match label.parse::<aegis_core::PhiClass>() {
                        Ok(c) if !classes.contains(&c) => classes.push(c),
                        Ok(_) => {}
                        Err(e) => self.error(spec.detect.position, format!("`{label}` is {e}")),
                    }
                }
                classes.sort();
                classes
            }
        };
        let mode = match (&spec.mode, spec.pseudonymize) {
            (Some(m), _) => match m.value.parse::<aegis_core::PhiMode>() {
                Ok(mode) => mode,
                Err(e) => {
                    self.error(m.position, e);
                    aegis_core::PhiMode::Redact
                }
            },
            (None, true) => aegis_core::PhiMode::Pseudonymize,
            (None, false) => aegis_core::PhiMode::Redact,
        };
        if let (Some(m), true) = (&spec.mode, spec.pseudonymize)
            && m.value.parse::<aegis_core::PhiMode>() != Ok(aegis_core::PhiMode::Pseudonymize)
        {
            self.error(
                m.position,
                "`pseudonymize: true` contradicts this `mode`; keep only `mode`",
            );
        }
        let subject = spec.subject.as_ref().and_then(|s| {
            let path: Vec<String> = s.value.split('.').map(str::to_owned).collect();
            match schema.data_at(&path) {
                Some(DataTree::Field(_)) => Some(s.value.clone()),
                Some(DataTree::Group(_)) => {
                    self.error(s.position, format!("`subject: {}` names a group of the `data` section; name a field (such as `patient.id`)", s.value));
                    None
                }
                None => {
                    self.error(s.position, format!("`subject: {}` is not a field of the `data` section", s.value));
                    None
                }
            }
        });
        if let Some(r) = &spec.reason {
            self.error(
                r.position,
                "`reason` says why a domain carries no PHI: it goes with `detect: none` only",
            );
        }
        let mut keep = aegis_core::PhiKeep::default();
        if let Some(k) = &spec.keep {
            for item in &k.value {
                match item.as_str() {
                    "year" => keep.year = true,
                    "zip3" => keep.zip3 = true,
                    other => self.error(
                        k.position,
                        format!("`keep: [{other}]`: Safe Harbor lets Tier 0 keep `year` or `zip3`"),
                    ),
                }
            }
            if keep.year
                && matches!(
                    mode,
                    aegis_core::PhiMode::Pseudonymize | aegis_core::PhiMode::Hash
                )
            {
                self.error(
                    k.position,
                    format!("`keep: [year]` goes with `mode: redact` or `mask`: `{}` replaces a whole date", mode.name()),
                );
            }
        }
        Some(PhiPolicy {
            classes,
            mode,
            subject,
            keep,
        })
    }
}

impl Emitter<'_> {
    /// The domain's `PhiSettings` in its `DomainInfo` (`None` when it declares no PHI).
    pub(crate) fn phi_settings(&self) -> TokenStream {
        match &self.domain.phi {
            None => quote!(None),
            Some(p) => {
                let classes = p.classes.iter().map(|c| {
                    let v = format_ident!("{}", format!("{c:?}"));
                    quote!(::aegis_core::PhiClass::#v)
                });
                let mode = format_ident!("{}", format!("{:?}", p.mode));
                let (year, zip3) = (p.keep.year, p.keep.zip3);
                let subject = match &p.subject {
                    Some(s) => quote!(Some(#s)),
                    None => quote!(None),
                };
                quote!(Some(::aegis_core::PhiSettings {
                    classes: ::aegis_core::PhiClasses::of(&[#(#classes),*]),
                    mode: ::aegis_core::PhiMode::#mode,
                    subject_field: #subject,
                    keep: ::aegis_core::PhiKeep { year: #year, zip3: #zip3 },
                }))
            }
        }
    }
}
