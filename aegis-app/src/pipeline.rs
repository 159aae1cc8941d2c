//! The pipeline from configuration: Tier 0 with the organisation's engine, each domain's
//! Tier-2 models from the registry, and the Tier-3 judge where a provider is configured, its
//! spend kept in a store when one is named ([`TierOptions::spend_store`]).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use aegis_core::Domain;
use aegis_phi::PhiEngine;
use aegis_runtime::Orchestrator;

use crate::AppError;
use crate::ledger::StoreLedger;
use crate::phi::SharedEngine;

/// Which tiers after Tier 1 to install, and from where.
#[derive(Debug, Clone, Default)]
pub struct TierOptions {
    /// The model registry whose production versions Tier 2 uses (default:
    /// `$AEGIS_MODEL_REGISTRY`, else `models/registry` when it exists; models without one use
    /// their compiled-in weights).
    pub registry: Option<PathBuf>,
    /// The MiniLM directory, for models on the minilm backbone.
    pub minilm_dir: Option<PathBuf>,
    /// Run without Tier 2.
    pub no_models: bool,
    /// The configuration file with the Tier-3 judge settings (default: `$AEGIS_CONFIG`, else
    /// `./aegis.toml` when it exists); `AEGIS_JUDGE_*` variables override it.
    pub judge_config: Option<PathBuf>,
    /// Run without Tier 3 even when a provider is configured.
    pub no_judge: bool,
    /// Keep the Tier-3 spend ledger in this store file ([`StoreLedger`]): every process that
    /// evaluates with the same store shares one spend cap per organisation, exactly. `None`:
    /// the `spend_ledger` file of the judge configuration, which only this process sees.
    pub spend_store: Option<PathBuf>,
}

/// The registry to use: `flag`, else `$AEGIS_MODEL_REGISTRY`, else `models/registry` when it
/// exists (`None`: compiled-in weights only).
pub fn registry_root(flag: Option<PathBuf>) -> Option<PathBuf> {
    flag.or_else(|| std::env::var_os(aegis_models::registry::ROOT_ENV).map(PathBuf::from))
        .or_else(|| {
            let default = PathBuf::from(aegis_models::registry::DEFAULT_ROOT);
            default.is_dir().then_some(default)
        })
}

/// The spend ledger of the store at `store`, when some domain has a judge configured (no
/// store is opened for a pipeline without Tier 3). Its reservations count for an hour, or for
/// twice the longest request timeout configured and a minute if that is longer, so that a
/// reservation never expires while its call can still be in flight.
fn store_ledger(
    store: &Path,
    config: &aegis_llm::JudgeConfig,
    domains: &[&'static aegis_core::DomainInfo],
) -> Result<Option<Arc<dyn aegis_llm::Ledger>>, AppError> {
    let mut longest = None;
    for d in domains {
        if let Some(s) = config
            .for_domain(d.name)
            .map_err(|e| AppError::Judge(e.to_string()))?
        {
            longest = longest.max(Some(s.timeout));
        }
    }
    let Some(longest) = longest else {
        return Ok(None);
    };
    let hold = aegis_store::SqliteLedger::DEFAULT_HOLD
        .max(longest.saturating_mul(2) + Duration::from_secs(60));
    tracing::debug!(store = %store.display(), hold_secs = hold.as_secs(), "Tier-3 spend kept in the store");
    Ok(Some(Arc::new(StoreLedger::open(store, hold)?)))
}

/// An orchestrator with every tier this configuration provides, and how many traces it can
/// usefully evaluate at once (more than one only when a judge waits on the network).
pub struct Pipeline {
    orchestrator: Orchestrator,
    workers: usize,
}

impl Pipeline {
    /// Builds the pipeline for `domains`: Tier 0 with `engine` (`None`: traces are taken as
    /// already sanitised, as for replay from the store), then Tier 2 and Tier 3 as `options`
    /// say.
    pub fn build(
        domains: &[&'static dyn Domain],
        engine: Option<&Arc<PhiEngine>>,
        options: &TierOptions,
    ) -> Result<Pipeline, AppError> {
        let mut orchestrator = match engine {
            Some(e) => Orchestrator::without_sanitizer()
                .with_sanitizer(Box::new(SharedEngine(Arc::clone(e)))),
            None => Orchestrator::without_sanitizer(),
        };
        if !options.no_models {
            let source = aegis_core::tiers::ModelSource {
                registry: registry_root(options.registry.clone()),
                minilm_dir: options.minilm_dir.clone(),
            };
            for d in domains {
                let loaded = orchestrator.load_models(*d, &source).map_err(|e| {
                    AppError::Models(format!(
                        "domain `{}`: {e}\n(run with --no-models to evaluate without Tier 2)",
                        d.info().name
                    ))
                })?;
                if loaded {
                    tracing::debug!(domain = d.info().name, "Tier-2 models loaded");
                }
            }
        }
        // Tier 3: the judges of every domain that has a provider configured.
        let mut workers = 1;
        if !options.no_judge {
            let config = aegis_llm::JudgeConfig::load(options.judge_config.as_deref())
                .map_err(|e| AppError::Judge(e.to_string()))?;
            let infos: Vec<&'static aegis_core::DomainInfo> =
                domains.iter().map(|d| d.info()).collect();
            let ledger = match &options.spend_store {
                Some(store) => store_ledger(store, &config, &infos)?,
                None => None,
            };
            if let Some(judge) = aegis_llm::LlmJudge::from_config(&config, &infos, ledger)
                .map_err(|e| AppError::Judge(e.to_string()))?
            {
                workers = judge.concurrency();
                tracing::debug!(workers, "Tier-3 judge configured");
                orchestrator = orchestrator.with_judge(Box::new(judge));
            }
        }
        Ok(Pipeline {
            orchestrator,
            workers,
        })
    }

    /// The pipeline with `queue` as Tier 4.
    pub fn with_review_queue(mut self, queue: Box<dyn aegis_core::tiers::ReviewQueue>) -> Self {
        self.orchestrator = self.orchestrator.with_review_queue(queue);
        self
    }

    /// The orchestrator.
    pub fn orchestrator(&self) -> &Orchestrator {
        &self.orchestrator
    }

    /// How many traces to evaluate at once.
    pub fn workers(&self) -> usize {
        self.workers
    }
}
