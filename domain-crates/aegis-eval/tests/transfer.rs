//! `aegis-eval transfer`: synthetic pairs, fit, held-out evaluation, prediction with intervals.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::text;

fn aegis(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

#[test]
fn fit_on_1000_pairs_then_measure_and_predict_on_held_out_ones() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let train = aegis(d, &["transfer", "synth", "--count", "1000", "--seed", "11"]);
    std::fs::write(d.join("train.jsonl"), &train.stdout).unwrap();
    let held = aegis(d, &["transfer", "synth", "--count", "4000", "--seed", "12"]);
    std::fs::write(d.join("held.jsonl"), &held.stdout).unwrap();
    // A bad line among the training pairs is reported by number and left out.
    let mut pairs = text(&train.stdout);
    pairs.push_str("{\"sim\": {\"sim_return\": \"secret\"}, \"real\": 1}\n");
    std::fs::write(d.join("train_bad.jsonl"), pairs).unwrap();
    let fit = aegis(
        d,
        &["transfer", "fit", "train_bad.jsonl", "-o", "model.json"],
    );
    assert_eq!(fit.status.code(), Some(3), "{}", text(&fit.stderr));
    let err = text(&fit.stderr);
    assert!(err.contains("train_bad.jsonl:1001: left out"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    assert!(
        err.contains("fitted on 1000 pairs (750 to train, 250 to calibrate)"),
        "{err}"
    );

    let eval = aegis(d, &["transfer", "eval", "-m", "model.json", "held.jsonl"]);
    assert_eq!(eval.status.code(), Some(0), "{}", text(&eval.stderr));
    let v: serde_json::Value = serde_json::from_slice(&eval.stdout).unwrap();
    let (mae, coverage) = (v["mae"].as_f64().unwrap(), v["coverage"].as_f64().unwrap());
    println!("held-out MAE {mae:.4}, 90 % coverage {coverage:.4}");
    assert!(mae < 0.1, "{v}");
    assert!((0.87..=0.93).contains(&coverage), "{v}");

    std::fs::write(
        d.join("q.jsonl"),
        "{\"id\": \"p1\", \"sim\": {\"sim_return\": 0.9, \"cost_rate\": 0.05, \"action_jerk\": 0.1}}\n{\"sim\": {\"sim_return\": 0.9}}\n",
    )
    .unwrap();
    let p = aegis(
        d,
        &[
            "transfer",
            "predict",
            "-m",
            "model.json",
            "q.jsonl",
            "--coverage",
            "0.8",
        ],
    );
    assert_eq!(p.status.code(), Some(3), "{}", text(&p.stderr));
    let lines: Vec<serde_json::Value> = text(&p.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let (low, mid, high) = (
        lines[0]["low"].as_f64().unwrap(),
        lines[0]["prediction"].as_f64().unwrap(),
        lines[0]["high"].as_f64().unwrap(),
    );
    assert!(
        low < mid && mid < high && lines[0]["id"] == "p1",
        "{}",
        lines[0]
    );
    assert_eq!(lines[1]["line"], 2);
    assert!(
        lines[1]["error"]
            .as_str()
            .unwrap()
            .contains("`action_jerk` is missing")
    );

    // A file that is not a model names itself and where.
    std::fs::write(d.join("nope.json"), "{\n\"format_version\": 1,\n}").unwrap();
    let bad = aegis(d, &["transfer", "predict", "-m", "nope.json", "q.jsonl"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("nope.json:3:"),
        "{}",
        text(&bad.stderr)
    );
}
