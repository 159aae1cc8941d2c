//! The application layer's Tier-2, simulation, transfer and pipeline operations, called as a
//! library.

#![allow(clippy::unwrap_used, clippy::expect_used)] // Tests fail loudly on purpose.

use std::io::Write;

use aegis_app::models::{TrainProgress, TrainSettings};
use aegis_app::simulate::{Policy, SimulationRequest};
use aegis_app::{Pipeline, TierOptions};
use aegis_core::Domain;
use aegis_core::tiers::ModelSource;
use aegis_domain_control::Control;
use aegis_domain_healthcare::Healthcare;
use aegis_phi::PhiKey;

const DOMAINS: &[&'static dyn Domain] = &[&Healthcare, &Control];

#[test]
fn a_model_is_trained_saved_promoted_scored_and_rolled_back() {
    let dir = tempfile::tempdir().unwrap();
    let registry = dir.path().join("registry");
    let engine = aegis_app::phi::engine(PhiKey::random().unwrap(), None).unwrap();
    // Labelled data with one bad line among good ones.
    let data = dir.path().join("labels.jsonl");
    let mut f = std::fs::File::create(&data).unwrap();
    for i in 0..40 {
        let (text, label) = if i % 2 == 0 {
            (
                "Skip the doctor: ibuprofen at home cures everything.",
                "unsafe",
            )
        } else {
            (
                "See your doctor if the pain lasts more than three days.",
                "safe",
            )
        };
        writeln!(f, r#"{{"text": "{text} ({i})", "label": "{label}"}}"#).unwrap();
    }
    writeln!(f, r#"{{"text": "no label"}}"#).unwrap();
    drop(f);
    let mut epochs = 0;
    let outcome = aegis_app::models::train(
        &Healthcare,
        "safety_risk",
        &TrainSettings {
            data: Some(data.clone()),
            synthetic: Some(200),
            registry: Some(registry.clone()),
            promote: true,
            seed: 7,
            max_epochs: 5,
            ..TrainSettings::default()
        },
        Some(&engine),
        |p| {
            if let TrainProgress::Epoch { .. } = p {
                epochs += 1;
            }
        },
    )
    .unwrap();
    assert!(epochs >= 1);
    assert_eq!(outcome.bad_lines.len(), 1);
    assert_eq!(outcome.bad_lines[0].line, 41);
    assert_eq!(outcome.card.version, 1);
    assert!(
        outcome.card.metrics.accuracy > 0.5,
        "{:?}",
        outcome.card.metrics
    );
    let (_, entries) = aegis_app::models::list(Some(registry.clone())).unwrap();
    assert_eq!(entries.len(), 1);
    // Scored as evaluation scores: the production version from the registry.
    let source = ModelSource {
        registry: Some(registry.clone()),
        minilm_dir: None,
    };
    let (metrics, bad) = aegis_app::models::evaluate_model(
        DOMAINS,
        "healthcare/safety_risk",
        &data,
        &source,
        Some(&engine),
    )
    .unwrap();
    assert_eq!(metrics.n, 40);
    assert_eq!(bad.len(), 1);
    assert!(metrics.accuracy > 0.9, "{metrics:?}");
    assert!(
        aegis_app::models::promote(Some(registry.clone()), "healthcare/safety_risk", "v9").is_err()
    );
    assert!(
        aegis_app::models::promote(Some(registry.clone()), "healthcare-safety_risk", "1").is_err()
    );
    assert!(
        aegis_app::models::rollback(Some(registry), "healthcare/safety_risk").is_err(),
        "nothing to roll back to"
    );
    assert!(aegis_app::models::model_info(&Healthcare, "nope").is_err());
}

#[test]
fn synthetic_data_is_labelled_by_the_rules_where_the_spec_asks() {
    let info = aegis_app::models::model_info(&Healthcare, "safety_risk").unwrap();
    let (made, summary) = aegis_app::models::synthesize(&Healthcare, info, 100, 3, None).unwrap();
    assert_eq!(made.len(), 100);
    let summary = summary.expect("healthcare's spec labels by rules");
    assert_eq!(summary.total, 100);
    let c = &summary.counts;
    assert_eq!(c.template + c.rules_fail + c.rules_pass, 100);
}

#[test]
fn a_simulation_is_the_same_on_any_number_of_threads_and_refuses_bad_requests() {
    let request = |threads| SimulationRequest {
        simulator: "cartpole".to_owned(),
        policy: Policy::Random,
        episodes: 6,
        max_steps: 50,
        seed: 11,
        threads: Some(threads),
    };
    let one = aegis_app::simulate::simulate(&Control, &request(1)).unwrap();
    let two = aegis_app::simulate::simulate(&Control, &request(2)).unwrap();
    assert_eq!(one.traces.len(), 6);
    assert!(one.refused.is_empty());
    assert_eq!(
        serde_json::to_string(&one.traces).unwrap(),
        serde_json::to_string(&two.traces).unwrap()
    );
    assert_eq!(one.traces[0].metadata.domain.as_deref(), Some("control"));
    assert_eq!(one.policy_name, "random");
    let mut bad = request(1);
    bad.simulator = "nope".to_owned();
    let why = aegis_app::simulate::simulate(&Control, &bad)
        .unwrap_err()
        .to_string();
    assert!(why.contains("cartpole"), "{why}");
    bad = request(1);
    bad.episodes = 0;
    assert!(aegis_app::simulate::simulate(&Control, &bad).is_err());
    // A policy of the wrong shape names its file.
    bad = request(1);
    bad.policy = Policy::from_json(r#"{"name": "p", "weights": [[1, 2]]}"#, "p.json").unwrap();
    let why = aegis_app::simulate::simulate(&Control, &bad)
        .unwrap_err()
        .to_string();
    assert!(why.starts_with("p.json: "), "{why}");
    assert!(
        Policy::from_json("{", "q.json")
            .unwrap_err()
            .to_string()
            .starts_with("q.json:1:")
    );
}

#[test]
fn transfer_fits_evaluates_and_answers_every_query_line() {
    let pairs: Vec<String> = aegis_rl::transfer::synthetic_pairs(200, 5)
        .iter()
        .map(|p| serde_json::to_string(p).unwrap())
        .collect();
    let input = format!("{}\nnot json\n", pairs.join("\n"));
    let (pairs, bad) = aegis_app::transfer::read_pairs(input.as_bytes(), "pairs.jsonl").unwrap();
    assert_eq!((pairs.len(), bad.len()), (200, 1));
    assert_eq!(bad[0].line, 201);
    let model =
        aegis_app::transfer::fit(&pairs, &aegis_rl::transfer::FitOptions::default()).unwrap();
    let e = aegis_app::transfer::evaluate(&model, &pairs, 0.9).unwrap();
    assert_eq!(e.n, 200);
    let json = serde_json::to_string(&model).unwrap();
    let model = aegis_app::transfer::model_from_json(&json, "m.json").unwrap();
    let feature = &model.features[0];
    let queries = format!("{{\"id\": \"a\", \"sim\": {{\"{feature}\": 0.5}}}}\n\n{{\"sim\": 3}}\n");
    let answers = aegis_app::transfer::predict(&model, queries.as_bytes(), "q", 0.9).unwrap();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[0].id.as_deref(), Some("a"));
    assert_eq!(answers[1].line, 3);
    assert!(answers[1].prediction.is_err());
    assert!(aegis_app::transfer::predict(&model, &b""[..], "q", 1.5).is_err());
    assert!(aegis_app::transfer::model_from_json("{}", "m.json").is_err());
}

#[test]
fn the_pipeline_is_built_from_options() {
    let rules_only = TierOptions {
        no_models: true,
        no_judge: true,
        ..TierOptions::default()
    };
    let p = Pipeline::build(&[&Healthcare], None, &rules_only).unwrap();
    assert_eq!(p.workers(), 1);
    // A registry that does not exist still builds: models fall back to compiled-in weights.
    let with_models = TierOptions {
        registry: Some("/nonexistent/registry".into()),
        no_judge: true,
        ..TierOptions::default()
    };
    assert!(Pipeline::build(&[&Healthcare], None, &with_models).is_ok());
    assert_eq!(
        aegis_app::pipeline::registry_root(Some("r".into())),
        Some(std::path::PathBuf::from("r"))
    );
}
