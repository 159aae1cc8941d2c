//! The pipeline from configuration: Tier 0 with the organisation's engine, each domain's
//! Tier-2 models from the registry, and the Tier-3 judge where a provider is configured.

use std::path::PathBuf;
use std::sync::Arc;

use aegis_core::Domain;
use aegis_phi::PhiEngine;
use aegis_runtime::Orchestrator;

use crate::AppError;
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
            if let Some(judge) = aegis_llm::LlmJudge::from_config(&config, &infos, None)
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
