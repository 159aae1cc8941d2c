//! `aegis-eval simulate`: a domain's simulator under a random or a file policy, the episodes
//! written as traces and evaluated with the RL evaluators.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::text;

fn simulate(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_aegis-eval"))
        .current_dir(dir)
        .arg("simulate")
        .args(args)
        .output()
        .unwrap()
}

fn episodes(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["episode"].clone())
        .collect()
}

#[test]
fn random_cartpole_episodes_are_written_and_evaluated() {
    let dir = tempfile::tempdir().unwrap();
    let out = simulate(
        dir.path(),
        &[
            "control",
            "cartpole",
            "--episodes",
            "30",
            "--seed",
            "5",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let eps = episodes(&dir.path().join("control-cartpole.episodes.jsonl"));
    assert_eq!(eps.len(), 30);
    for ep in &eps {
        let steps = ep["steps"].as_array().unwrap();
        let last = steps.last().unwrap();
        // Random CartPole falls within a few dozen steps: every episode ends terminated, and
        // only its last step does.
        assert_eq!(last["terminated"], true, "{ep}");
        assert!(
            steps[..steps.len() - 1]
                .iter()
                .all(|s| s["terminated"] == false)
        );
        assert_eq!(ep["policy"]["name"], "random");
        assert_eq!(steps[0]["action_probs"], serde_json::json!([0.5, 0.5]));
    }
    assert_eq!(eps[0]["seed"], 5);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 30);
    assert_eq!(v["summary"]["rl"]["episodes"], 30);
    assert!(
        v["results"][0]["tiers"][1]["modules"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["module"] == "rl.safety"),
        "{}",
        v["results"][0]
    );
    // The same seed gives the same episodes on any number of threads.
    let one = simulate(
        dir.path(),
        &[
            "control",
            "cartpole",
            "--episodes",
            "30",
            "--seed",
            "5",
            "--threads",
            "1",
            "--traces",
            "one.jsonl",
            "-q",
        ],
    );
    assert_eq!(one.status.code(), Some(0), "{}", text(&one.stderr));
    assert_eq!(episodes(&dir.path().join("one.jsonl")), eps);
}

#[test]
fn a_policy_file_balances_the_pole_and_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    // Push towards the side the pole leans to (theta + 0.5 theta_dot).
    std::fs::write(
        dir.path().join("balance.json"),
        r#"{"name": "balance", "version": "7", "weights": [[0, 0, -1, -0.5], [0, 0, 1, 0.5]]}"#,
    )
    .unwrap();
    let out = simulate(
        dir.path(),
        &[
            "control",
            "cartpole",
            "--policy",
            "balance.json",
            "--episodes",
            "4",
            "-f",
            "json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let eps = episodes(&dir.path().join("control-cartpole.episodes.jsonl"));
    for ep in &eps {
        let steps = ep["steps"].as_array().unwrap();
        // CartPole-v1's time limit: 500 steps, the last one truncated.
        assert_eq!(steps.len(), 500, "{}", ep["seed"]);
        assert_eq!(steps[499]["truncated"], true);
        assert_eq!(
            ep["policy"],
            serde_json::json!({"name": "balance", "version": "7"})
        );
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let iqm = v["summary"]["rl"]["convergence"]["iqm"].as_f64();
    assert_eq!(iqm, Some(500.0), "{}", v["summary"]["rl"]);

    // A continuous policy with exploration noise on the pendulum.
    std::fs::write(
        dir.path().join("swing.json"),
        r#"{"name": "swing", "weights": [[0, 0, 1]], "noise": 0.5}"#,
    )
    .unwrap();
    let out = simulate(
        dir.path(),
        &[
            "control",
            "pendulum",
            "--policy",
            "swing.json",
            "--episodes",
            "3",
            "-q",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let eps = episodes(&dir.path().join("control-pendulum.episodes.jsonl"));
    assert_eq!(eps.len(), 3);
    assert!(
        eps.iter()
            .all(|e| e["steps"].as_array().unwrap().len() == 200)
    );
    let actions: Vec<f64> = eps[0]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"][0].as_f64().unwrap())
        .collect();
    assert!(actions.iter().all(|a| (-2.0..=2.0).contains(a)));
    assert!(actions.windows(2).any(|w| w[0] != w[1]));
}

#[test]
fn unknown_simulators_and_ill_fitting_policies_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = simulate(dir.path(), &["control", "acrobot"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no simulator `acrobot`; it has: cartpole, pendulum"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"name": "x", "weights": [[1, 2]]}"#,
    )
    .unwrap();
    let out = simulate(dir.path(), &["control", "cartpole", "--policy", "bad.json"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("bad.json: `weights` has 1 rows; the simulator needs 2"),
        "{err}"
    );

    std::fs::write(
        dir.path().join("broken.json"),
        "{\"name\": \"x\",\n \"weights\": [[1, 2]],,}",
    )
    .unwrap();
    let out = simulate(
        dir.path(),
        &["control", "cartpole", "--policy", "broken.json"],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("broken.json:2:"), "{err}");

    // The robotics and trading simulators run too.
    for (domain, sim) in [("robotics", "arm2"), ("trading", "market")] {
        let out = simulate(
            dir.path(),
            &[
                domain,
                sim,
                "--episodes",
                "2",
                "--max-steps",
                "50",
                "-q",
                "-f",
                "json",
            ],
        );
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{domain}: {}",
            text(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["summary"]["rl"]["episodes"], 2, "{domain}");
    }
}
