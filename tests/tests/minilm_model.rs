//! A Tier-2 model on the `minilm` backbone, end to end: declared in a spec (`domain!`), its head
//! trained on the spec's synthetic examples over the real all-MiniLM-L6-v2 encoder, saved and
//! promoted in a registry, loaded by the generated code and run by the orchestrator. Skipped,
//! saying so, when the encoder has not been fetched (`cargo xtask fetch-model minilm`; CI
//! fetches it).

#![allow(clippy::unwrap_used)] // Tests fail loudly on purpose.

use aegis_core::tiers::ModelSource;
use aegis_core::{Domain, ModuleOutcome, Tier, Trace, Verdict};
use aegis_models::{BackboneChoice, MiniLm, Registry, Task, TrainOptions, TrainRequest};
use aegis_runtime::Orchestrator;

mod tone_domain {
    aegis_macros::domain!("data/minilm_domain/domain_spec.yaml");
}

fn reply(output: &str) -> Trace {
    serde_json::from_value(serde_json::json!({ "input": "Where is my refund?", "output": output }))
        .unwrap()
}

/// The `hostile` score the `tone` model gave in a result.
fn p_hostile(r: &aegis_core::EvaluationResult) -> f64 {
    let tier = r.tiers.iter().find(|t| t.tier == Tier::Models).unwrap();
    assert_eq!(tier.modules[0].module, "tone");
    assert_ne!(tier.modules[0].outcome, ModuleOutcome::NotApplicable);
    assert!(
        tier.modules[0]
            .weights
            .as_deref()
            .is_some_and(|w| w.starts_with("v1 sha256:")),
        "{tier:?}"
    );
    tier.modules[0]
        .scores
        .iter()
        .find(|s| s.label == "hostile")
        .unwrap()
        .p
}

#[test]
fn a_minilm_model_from_a_spec_trains_loads_and_runs_in_the_orchestrator() {
    let Some(dir) = aegis_models::minilm::locate() else {
        eprintln!(
            "SKIPPED: the MiniLM model is not installed; run `cargo xtask fetch-model minilm` \
             (or set AEGIS_MINILM_DIR) to run this test"
        );
        return;
    };
    let encoder = MiniLm::load(&dir).unwrap();
    let domain = tone_domain::ToneDemo;
    let info = domain.info();
    let model = &info.models[0];
    assert_eq!((model.id, model.backbone), ("tone", "minilm"));

    // Cold start: the spec's templates, then the head trained over the frozen encoder.
    let made = aegis_models::synth::generate(model, 400, 7, |_| Vec::new()).unwrap();
    let examples: Vec<_> = made.into_iter().map(|m| m.example).collect();
    let request = TrainRequest {
        domain: info.name,
        model: model.id,
        spec_hash: info.spec_hash,
        task: Task::TextClassifier {
            labels: model.labels.iter().map(|l| (*l).to_owned()).collect(),
        },
        data_source: "synthetic".to_owned(),
    };
    let trained = aegis_models::train(
        &request,
        BackboneChoice::Minilm(&encoder),
        &examples,
        &TrainOptions::default(),
        |_| {},
    )
    .unwrap();
    assert!(
        trained.card.metrics.accuracy >= 0.9,
        "{:?}",
        trained.card.metrics
    );
    let root = std::env::temp_dir().join(format!("aegis-minilm-model-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let registry = Registry::new(&root);
    let card = registry.save(&trained).unwrap();
    registry.promote(info.name, model.id, card.version).unwrap();

    // The generated code loads the production version onto the shared encoder.
    let mut orchestrator = Orchestrator::new();
    let source = ModelSource {
        registry: Some(root.clone()),
        minilm_dir: Some(dir),
    };
    assert!(orchestrator.load_models(&domain, &source).unwrap());

    // Replies worded unlike any template.
    let rude = orchestrator.evaluate(
        &domain,
        reply("Your refund is not our concern. Quit pestering the support desk about it."),
    );
    let kind = orchestrator.evaluate(
        &domain,
        reply("I'm sorry your refund is late. I've checked, and it was sent this morning."),
    );
    let (rude_p, kind_p) = (p_hostile(&rude), p_hostile(&kind));
    assert!(
        rude_p > kind_p + 0.2,
        "a cold-start model should still rank the rude reply above the kind one: {rude_p} vs {kind_p}"
    );
    // Each verdict is what the spec's bands say for its score (no Tier 3 here: unsure ends in
    // review).
    for (r, p) in [(&rude, rude_p), (&kind, kind_p)] {
        let want = if p > 0.6 {
            Verdict::Fail
        } else if p >= 0.4 {
            Verdict::NeedsReview
        } else {
            Verdict::Pass
        };
        assert_eq!(r.verdict, want, "p = {p}: {r:?}");
        if want != Verdict::NeedsReview {
            assert_eq!(r.decided_by, Some(Tier::Models));
        }
        if want == Verdict::Fail {
            assert_eq!(r.issues[0].validator, "tone");
        }
    }
    let _ = std::fs::remove_dir_all(&root);
}
