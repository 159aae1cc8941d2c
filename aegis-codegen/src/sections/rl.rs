//! The `rl` section: the thresholds at which the orchestrator's RL evaluators judge a trace's
//! episode.

use proc_macro2::TokenStream;
use quote::quote;

use crate::checked::*;
use crate::emit::Emitter;
use crate::load::Builder;
use crate::spec::*;

impl Builder<'_> {
    /// Checks the `rl` section: ranges ordered, numbers finite and in range.
    pub(crate) fn rl(&mut self, r: &RlSpec, spec: &DomainSpec) -> Option<RlThresholds> {
        let mut ok = true;
        let mut range = |b: &mut Self, v: &Located<Vec<f64>>, what: &str| -> Option<(f64, f64)> {
            match v.value.as_slice() {
                [lo, hi] if lo.is_finite() && hi.is_finite() && lo < hi => Some((*lo, *hi)),
                _ => {
                    b.error(
                        v.position,
                        format!(
                            "`{what}` must be `[low, high]`: two finite numbers, low below high"
                        ),
                    );
                    ok = false;
                    None
                }
            }
        };
        let reward_range = r
            .reward_range
            .as_ref()
            .and_then(|v| range(self, v, "reward_range"));
        let state_bounds: Vec<(f64, f64)> = r
            .state_bounds
            .iter()
            .filter_map(|v| range(self, v, "state_bounds"))
            .collect();
        let mut positive =
            |b: &mut Self, v: Option<&Located<f64>>, what: &str, default: f64, max: f64| -> f64 {
                match v {
                    None => default,
                    Some(x) if x.value.is_finite() && x.value >= 0.0 && x.value <= max => x.value,
                    Some(x) => {
                        b.error(
                            x.position,
                            format!("`{what}` must be a number from 0 to {max}"),
                        );
                        ok = false;
                        default
                    }
                }
            };
        let outlier_z = positive(self, r.outlier_z.as_ref(), "outlier_z", 6.0, 1e6);
        let cost_budget = r
            .cost_budget
            .as_ref()
            .map(|c| positive(self, Some(c), "cost_budget", f64::INFINITY, 1e12));
        let min_coverage = positive(self, r.min_coverage.as_ref(), "min_coverage", 0.0, 1.0);
        let mut count =
            |b: &mut Self, v: Option<&Located<usize>>, what: &str, default: usize| -> usize {
                match v {
                    None => default,
                    Some(x) if (1..=1000).contains(&x.value) => x.value,
                    Some(x) => {
                        b.error(
                            x.position,
                            format!("`{what}` must be a whole number from 1 to 1000"),
                        );
                        ok = false;
                        default
                    }
                }
            };
        let bins = count(self, r.bins.as_ref(), "bins", 10);
        let min_cycle_repeats = count(self, r.min_cycle_repeats.as_ref(), "min_cycle_repeats", 4);
        if state_bounds.len() > 8 && (bins as f64).powi(state_bounds.len() as i32) > 1e12 {
            self.error(
                spec.domain.position,
                "`rl.state_bounds`: too many bins in all (bins ^ dimensions above 10^12)",
            );
            ok = false;
        }
        ok.then_some(RlThresholds {
            reward_range,
            outlier_z,
            min_cycle_repeats,
            cost_budget,
            state_bounds,
            bins,
            min_coverage,
        })
    }
}

impl Emitter<'_> {
    /// The domain's `RlSettings` in its `DomainInfo` (`None` without an `rl` section).
    pub(crate) fn rl_settings(&self) -> TokenStream {
        match &self.domain.rl {
            None => quote!(None),
            Some(r) => {
                let range = match r.reward_range {
                    Some((lo, hi)) => quote!(Some((#lo, #hi))),
                    None => quote!(None),
                };
                let (z, rep, bins, cov) =
                    (r.outlier_z, r.min_cycle_repeats, r.bins, r.min_coverage);
                let budget = match r.cost_budget {
                    Some(b) if b.is_finite() => quote!(#b),
                    _ => quote!(::std::primitive::f64::INFINITY),
                };
                let bounds = r.state_bounds.iter().map(|(lo, hi)| quote!((#lo, #hi)));
                quote!(Some(::aegis_core::RlSettings {
                    reward_range: #range,
                    outlier_z: #z,
                    min_cycle_repeats: #rep,
                    cost_budget: #budget,
                    state_bounds: &[#(#bounds),*],
                    bins: #bins,
                    min_coverage: #cov,
                }))
            }
        }
    }
}
