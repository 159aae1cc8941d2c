//! Tier 3 as the orchestrator sees it: each domain's generated judges, asked through the
//! provider its configuration names.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use aegis_core::judge::JudgeVerdict;
use aegis_core::tiers::{JudgeTier, TierDecision};
use aegis_core::{
    DomainInfo, Issue, JudgeCall, ModuleOutcome, ModuleResult, Sanitized, Tier, Trace, UsdCost,
    Verdict,
};

use crate::client::{JudgeClient, JudgeFailure};
use crate::config::JudgeConfig;
use crate::error::ConfigError;
use crate::ledger::{Ledger, SpendLedger};

/// The organisation a trace without `metadata.organisation` is charged to.
pub const DEFAULT_ORGANISATION: &str = "default";

/// Tier 3: asks each domain's judges about the traces that reach it.
#[derive(Debug)]
pub struct LlmJudge {
    clients: BTreeMap<&'static str, Arc<JudgeClient>>,
}

impl LlmJudge {
    /// A judge for every domain in `domains` that has a provider configured; `Ok(None)` when
    /// none has. A domain that declares no judge needs no provider.
    ///
    /// Spend is charged to `ledger` when one is given (a ledger shared by several processes,
    /// such as the store's), for every domain; `spend_ledger` in the configuration is then not
    /// used. Without one, each configured `spend_ledger` file is opened as a [`SpendLedger`]
    /// (domains naming the same file, or none, share one).
    pub fn from_config(
        config: &JudgeConfig,
        domains: &[&'static DomainInfo],
        ledger: Option<Arc<dyn Ledger>>,
    ) -> Result<Option<LlmJudge>, ConfigError> {
        let mut clients = BTreeMap::new();
        let mut ledgers: BTreeMap<Option<std::path::PathBuf>, Arc<dyn Ledger>> = BTreeMap::new();
        for d in domains {
            let Some(settings) = config.for_domain(d.name)? else {
                continue;
            };
            let ledger = match (&ledger, ledgers.get(&settings.spend_ledger)) {
                (Some(given), _) => {
                    if let Some(file) = &settings.spend_ledger {
                        tracing::info!(
                            domain = d.name,
                            file = %file.display(),
                            "spend_ledger is not used: the spend is kept in the ledger given ({given:?})"
                        );
                    }
                    Arc::clone(given)
                }
                (None, Some(l)) => Arc::clone(l),
                (None, None) => {
                    let l: Arc<dyn Ledger> =
                        Arc::new(SpendLedger::open(settings.spend_ledger.clone()).map_err(
                            |message| ConfigError::Invalid {
                                domain: d.name.to_owned(),
                                field: "spend_ledger".to_owned(),
                                message,
                            },
                        )?);
                    ledgers.insert(settings.spend_ledger.clone(), Arc::clone(&l));
                    l
                }
            };
            let client =
                JudgeClient::new(settings, ledger).map_err(|message| ConfigError::Invalid {
                    domain: d.name.to_owned(),
                    field: "provider".to_owned(),
                    message,
                })?;
            clients.insert(d.name, Arc::new(client));
        }
        Ok((!clients.is_empty()).then_some(LlmJudge { clients }))
    }

    /// A judge with one client for the named domains (for tests and embedding).
    pub fn with_client(domains: &[&'static str], client: JudgeClient) -> LlmJudge {
        let client = Arc::new(client);
        LlmJudge {
            clients: domains.iter().map(|d| (*d, Arc::clone(&client))).collect(),
        }
    }
}

impl LlmJudge {
    /// The largest concurrency limit of its providers: how many traces a batch should
    /// evaluate at once.
    pub fn concurrency(&self) -> usize {
        self.clients
            .values()
            .map(|c| c.settings().concurrency)
            .max()
            .unwrap_or(1)
    }
}

impl JudgeTier for LlmJudge {
    fn unavailable_for(&self, domain: &DomainInfo) -> Option<String> {
        (!self.clients.contains_key(domain.name)).then(|| {
            format!(
                "no LLM provider is configured for domain `{}` ([judge.domains.{}] or [judge] in aegis.toml); the trace goes on to expert review",
                domain.name, domain.name
            )
        })
    }

    fn evaluate(
        &self,
        domain: &DomainInfo,
        trace: &Sanitized<Trace>,
        issues: &[Issue],
    ) -> TierDecision {
        let mut decision = TierDecision {
            verdict: None,
            issues: Vec::new(),
            modules: Vec::new(),
            cost: UsdCost::ZERO,
            reason: String::new(),
            abstained: false,
        };
        let Some(client) = self.clients.get(domain.name) else {
            decision.reason = format!("no LLM provider is configured for domain `{}`", domain.name);
            return decision;
        };
        let judges: Vec<_> = domain
            .judges
            .iter()
            .filter(|j| (j.applies)(trace))
            .collect();
        if judges.is_empty() {
            decision.reason = if domain.judges.is_empty() {
                format!("domain `{}` declares no Tier-3 judge", domain.name)
            } else {
                "no Tier-3 judge of the domain applies to this trace".to_owned()
            };
            return decision;
        }
        let organisation = trace
            .metadata
            .organisation
            .as_deref()
            .filter(|o| !o.is_empty())
            .unwrap_or(DEFAULT_ORGANISATION);
        let settings = client.settings();
        let (mut fails, mut passes) = (0usize, 0usize);
        let mut unsure = Vec::new();
        for j in &judges {
            let prompt = (j.build_prompt)(trace, issues);
            let judged = client.ask(organisation, j.id, &prompt, j.parse_verdict);
            decision.cost += judged.cost;
            let mut call = JudgeCall {
                provider: settings.provider.as_str().to_owned(),
                model: settings.model.clone(),
                mode: judged.mode.as_str().to_owned(),
                prompt_hash: prompt.hash(),
                cache_key: judged.cache_key.clone(),
                cached: judged.cached,
                requests: judged.requests,
                input_tokens: judged.input_tokens,
                output_tokens: judged.output_tokens,
                cost_usd: judged.cost,
                rationale: None,
            };
            let (outcome, score, raised) = match judged.result {
                Ok(JudgeVerdict {
                    verdict,
                    score,
                    rationale,
                    ..
                }) => {
                    call.rationale = rationale.clone();
                    match verdict {
                        Some(Verdict::Fail) => {
                            fails += 1;
                            decision.issues.push(Issue {
                                validator: j.id.to_owned(),
                                tier: Tier::Judge,
                                severity: j.severity,
                                message: rationale
                                    .unwrap_or_else(|| format!("judge `{}` fails the trace", j.id)),
                                evidence: Vec::new(),
                            });
                            (ModuleOutcome::Failed, score, 1)
                        }
                        Some(_) => {
                            passes += 1;
                            (ModuleOutcome::Passed, score, 0)
                        }
                        None => {
                            unsure.push(format!("judge `{}` is uncertain", j.id));
                            (ModuleOutcome::Unsure, score, 0)
                        }
                    }
                }
                Err(e) => {
                    if matches!(e, JudgeFailure::Call(_)) {
                        tracing::warn!(judge = j.id, error = %e, "Tier-3 call failed");
                    }
                    unsure.push(format!("judge `{}`: {e}", j.id));
                    (ModuleOutcome::Unsure, None, 0)
                }
            };
            decision.modules.push(ModuleResult {
                module: Cow::Borrowed(j.id),
                outcome,
                issues: raised,
                score,
                scores: Vec::new(),
                call: Some(Box::new(call)),
                weights: None,
            });
        }
        // One failing judge fails the trace; it passes only when every judge passes.
        if fails > 0 {
            decision.verdict = Some(Verdict::Fail);
            decision.reason = format!("{fails} of {} judges fail the trace", judges.len());
        } else if passes == judges.len() {
            decision.verdict = Some(Verdict::Pass);
            decision.reason = format!("every judge ({passes}) passes the trace");
        } else {
            decision.reason = unsure.join("; ");
        }
        decision
    }
}
