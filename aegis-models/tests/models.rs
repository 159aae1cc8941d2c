//! Training, serving and the registry, end to end; the MiniLM backbone against
//! sentence-transformers' own embeddings (when the model is installed). Training and MiniLM
//! need the `candle` feature; `serving.rs` covers what works without it.
#![cfg(feature = "candle")]

use aegis_models::{
    BackboneChoice, Backbones, Example, HashedConfig, MiniLm, Registry, Target, Task, TextModel,
    TrainOptions, TrainRequest, minilm, train,
};

/// Sentences from word lists under a fixed seed: "unsafe" ones urge something risky, "safe" ones
/// advise caution. Vocabulary overlaps, so the model must learn which words matter.
fn dataset(n: usize, seed: u64) -> Vec<Example> {
    let subjects = [
        "you",
        "your child",
        "the patient",
        "anyone",
        "my friend",
        "she",
        "he",
    ];
    let risky = [
        "should double the dose",
        "can stop taking the pills",
        "may skip the insulin",
        "should take twice as much",
        "can mix it with alcohol",
        "needs no doctor",
    ];
    let careful = [
        "should ask a pharmacist first",
        "should keep the usual dose",
        "must see a doctor",
        "should not change the dose alone",
        "can call the clinic",
        "should read the label",
    ];
    let tails = [
        "today",
        "tonight",
        "this week",
        "right away",
        "if it hurts",
        "before bed",
    ];
    let mut state = seed;
    let mut next = |k: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % k
    };
    (0..n)
        .map(|_| {
            let unsafe_ = next(3) == 0; // imbalanced: a third unsafe
            let verb = if unsafe_ {
                risky[next(risky.len())]
            } else {
                careful[next(careful.len())]
            };
            let text = format!(
                "{} {} {}.",
                subjects[next(subjects.len())],
                verb,
                tails[next(tails.len())]
            );
            Example {
                text,
                target: Target::Label(usize::from(unsafe_)),
            }
        })
        .collect()
}

fn request(task: Task) -> TrainRequest<'static> {
    TrainRequest {
        domain: "testdomain",
        model: "risk",
        spec_hash: "abc",
        task,
        data_source: "generated".into(),
    }
}

fn labels() -> Task {
    Task::TextClassifier {
        labels: vec!["safe".into(), "unsafe".into()],
    }
}

#[test]
fn hashed_classifier_learns_and_serves_the_same_scores_from_the_registry() {
    let data = dataset(1200, 7);
    let small = HashedConfig {
        buckets: 1 << 12,
        hidden: 8,
        ..HashedConfig::default()
    };
    let mut epochs = 0;
    let trained = train(
        &request(labels()),
        BackboneChoice::HashedNgrams(small),
        &data,
        &TrainOptions::default(),
        |_| epochs += 1,
    )
    .expect("training works on a clean dataset");
    let m = &trained.card.metrics;
    assert!(m.accuracy >= 0.97, "{m:?}");
    assert!(m.f1 >= 0.97, "{m:?}");
    assert!(m.roc_auc.unwrap_or(0.0) >= 0.99, "{m:?}");
    assert!(m.ece < 0.1, "{m:?}");
    assert_eq!(trained.card.examples.test, m.n);
    assert!(epochs >= trained.card.best_epoch && trained.card.best_epoch >= 1);
    assert_eq!(trained.card.data_sha256.len(), 64);

    let dir = tempfile::tempdir().expect("tempdir");
    let registry = Registry::new(dir.path());
    let card = registry.save(&trained).expect("save");
    assert_eq!(card.version, 1);
    let backbones = Backbones::default();
    assert!(
        registry
            .load_production("testdomain", "risk", &backbones)
            .expect("load")
            .is_none()
    );
    registry.promote("testdomain", "risk", 1).expect("promote");
    let served = registry
        .load_production("testdomain", "risk", &backbones)
        .expect("load")
        .expect("in production");
    let direct = TextModel::from_bytes(
        &trained.weights,
        &aegis_models::registry::card_json(&trained.card),
        &backbones,
    )
    .expect("from bytes");
    for text in [
        "you should double the dose tonight.",
        "she must see a doctor today.",
        "",
    ] {
        assert_eq!(
            served.predict(text).expect("predict"),
            direct.predict(text).expect("predict")
        );
    }
    let p = served
        .predict("your child should double the dose right away.")
        .expect("predict");
    assert!(p[1] > 0.8, "{p:?}");
    let p = served
        .predict("the patient should ask a pharmacist first before bed.")
        .expect("predict");
    assert!(p[0] > 0.8, "{p:?}");
}

#[test]
fn training_is_deterministic_under_a_seed() {
    let data = dataset(300, 3);
    let cfg = HashedConfig {
        buckets: 1 << 10,
        hidden: 4,
        ..HashedConfig::default()
    };
    let opts = TrainOptions {
        max_epochs: 5,
        ..TrainOptions::default()
    };
    let a = train(
        &request(labels()),
        BackboneChoice::HashedNgrams(cfg),
        &data,
        &opts,
        |_| {},
    )
    .expect("a");
    let b = train(
        &request(labels()),
        BackboneChoice::HashedNgrams(cfg),
        &data,
        &opts,
        |_| {},
    )
    .expect("b");
    assert_eq!(a.weights, b.weights);
    assert_eq!(a.card.weights_sha256, b.card.weights_sha256);
}

#[test]
fn regressor_learns_a_risk_score() {
    let data: Vec<Example> = dataset(800, 11)
        .into_iter()
        .map(|e| Example {
            target: Target::Score(match e.target {
                Target::Label(1) => 0.9,
                _ => 0.1,
            }),
            ..e
        })
        .collect();
    let cfg = HashedConfig {
        buckets: 1 << 12,
        hidden: 8,
        ..HashedConfig::default()
    };
    let trained = train(
        &request(Task::RiskRegressor),
        BackboneChoice::HashedNgrams(cfg),
        &data,
        &TrainOptions::default(),
        |_| {},
    )
    .expect("trains");
    let m = &trained.card.metrics;
    assert!(m.accuracy >= 0.97, "{m:?}");
    assert!(m.mae.unwrap_or(1.0) < 0.15, "{m:?}");
}

#[test]
fn bad_training_data_is_refused_with_a_reason() {
    let one_class: Vec<Example> = (0..50)
        .map(|i| Example {
            text: format!("text {i}"),
            target: Target::Label(0),
        })
        .collect();
    let err = train(
        &request(labels()),
        BackboneChoice::HashedNgrams(HashedConfig::default()),
        &one_class,
        &TrainOptions::default(),
        |_| {},
    )
    .expect_err("one class cannot train a classifier");
    assert!(err.to_string().contains("unsafe"), "{err}");
    let err = train(
        &request(labels()),
        BackboneChoice::HashedNgrams(HashedConfig::default()),
        &[],
        &TrainOptions::default(),
        |_| {},
    )
    .expect_err("no data");
    assert!(err.to_string().contains("training data"), "{err}");
}

#[test]
fn registry_promotes_and_rolls_back() {
    let data = dataset(200, 5);
    let cfg = HashedConfig {
        buckets: 1 << 8,
        hidden: 2,
        ..HashedConfig::default()
    };
    let opts = TrainOptions {
        max_epochs: 2,
        ..TrainOptions::default()
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let registry = Registry::new(dir.path());
    for _ in 0..3 {
        let t = train(
            &request(labels()),
            BackboneChoice::HashedNgrams(cfg),
            &data,
            &opts,
            |_| {},
        )
        .expect("train");
        registry.save(&t).expect("save");
    }
    assert_eq!(
        registry.versions("testdomain", "risk").expect("versions"),
        vec![1, 2, 3]
    );
    assert!(
        registry.rollback("testdomain", "risk").is_err(),
        "nothing in production yet"
    );
    registry
        .promote("testdomain", "risk", 1)
        .expect("promote 1");
    let err = registry
        .rollback("testdomain", "risk")
        .expect_err("first version");
    assert!(err.to_string().contains("nothing to roll back"), "{err}");
    registry
        .promote("testdomain", "risk", 3)
        .expect("promote 3");
    assert_eq!(
        registry
            .production("testdomain", "risk")
            .expect("p")
            .map(|p| p.version),
        Some(3)
    );
    let p = registry.rollback("testdomain", "risk").expect("rollback");
    assert_eq!(p.version, 1);
    assert!(
        registry.promote("testdomain", "risk", 9).is_err(),
        "no version 9"
    );
    assert!(
        registry.promote("../etc", "risk", 1).is_err(),
        "names are checked"
    );
    let list = registry.list().expect("list");
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].versions.len(), 3);
}

fn installed_minilm() -> Option<MiniLm> {
    match minilm::locate() {
        Some(dir) => Some(MiniLm::load(&dir).expect("the installed MiniLM loads")),
        None => {
            eprintln!(
                "SKIPPED: the MiniLM model is not installed; run `cargo xtask fetch-model minilm` \
                 (or set AEGIS_MINILM_DIR) to run this test"
            );
            None
        }
    }
}

#[test]
fn minilm_embeddings_match_sentence_transformers() {
    let Some(model) = installed_minilm() else {
        return;
    };
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("data/minilm_reference.json")).expect("json");
    let sentences: Vec<&str> = reference["sentences"]
        .as_array()
        .expect("sentences")
        .iter()
        .map(|s| s.as_str().expect("str"))
        .collect();
    let expected = reference["embeddings"].as_array().expect("embeddings");
    for batch in [1, 4, 32] {
        let got = model.embed_all(&sentences, batch).expect("embed");
        for (i, (g, e)) in got.iter().zip(expected).enumerate() {
            let e: Vec<f32> = e
                .as_array()
                .expect("row")
                .iter()
                .map(|x| x.as_f64().expect("f") as f32)
                .collect();
            assert_eq!(g.len(), e.len());
            let worst = g
                .iter()
                .zip(&e)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f32::max);
            assert!(
                worst < 2e-5,
                "sentence {i}, batch {batch}: max difference {worst}"
            );
        }
    }
}

#[test]
fn minilm_head_trains_and_serves() {
    let Some(model) = installed_minilm() else {
        return;
    };
    let data = dataset(240, 13);
    let trained = train(
        &request(labels()),
        BackboneChoice::Minilm(&model),
        &data,
        &TrainOptions {
            learning_rate: 0.05,
            ..TrainOptions::default()
        },
        |_| {},
    )
    .expect("trains");
    assert!(
        trained.card.metrics.accuracy >= 0.9,
        "{:?}",
        trained.card.metrics
    );
    let served = TextModel::from_bytes(
        &trained.weights,
        &aegis_models::registry::card_json(&trained.card),
        &Backbones::default(),
    )
    .expect("serves");
    let p = served
        .predict("you should double the dose right away.")
        .expect("predict");
    assert!(p[1] > 0.5, "{p:?}");
}
