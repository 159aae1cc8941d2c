//! `aegis-eval run` over RL episodes: per-episode evaluators with the rules, run-level
//! convergence and policy divergence in the summary.

#![allow(clippy::unwrap_used)]

mod common;

use std::process::Command;

use common::{text, with_stdin};

fn episode(version: &str, favourite: i64, ret: f64, cost: f64) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = (0..20)
        .map(|i| {
            serde_json::json!({
                "state": [i as f64 * 0.1],
                "action": if i % 5 == 0 { 1 - favourite } else { favourite },
                "reward": ret / 20.0,
                "cost": cost,
            })
        })
        .collect();
    serde_json::json!({
        "metadata": {"domain": "trading"},
        "episode": {"policy": {"name": "ppo", "version": version}, "environment": "MarketSim", "steps": steps}
    })
}

#[test]
fn episodes_are_evaluated_and_the_run_is_summed_up() {
    let mut lines = Vec::new();
    for i in 0..8 {
        lines.push(episode("v1", 0, 10.0 + i as f64, 0.0).to_string());
    }
    for i in 0..8 {
        lines.push(episode("v2", 1, 20.0 + i as f64, 0.0).to_string());
    }
    let mut c = Command::new(env!("CARGO_BIN_EXE_aegis-eval"));
    c.args(["run", "-", "-f", "json", "--no-models"]);
    let out = with_stdin(&mut c, &(lines.join("\n") + "\n"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let rl = &v["summary"]["rl"];
    assert_eq!(rl["episodes"], 16);
    assert!(rl["convergence"]["trend"].as_f64().unwrap() > 0.0, "{rl}");
    let shift = &rl["policy_shifts"][0];
    assert_eq!(shift[0], "ppo@v1");
    assert_eq!(shift[1], "ppo@v2");
    assert!(
        shift[2].as_f64().unwrap() > 0.2,
        "favourite action flipped: {shift}"
    );
    // Each episode went through the RL evaluators with the rules.
    let r0 = &v["results"][0];
    let modules: Vec<&str> = r0["tiers"][1]["modules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["module"].as_str().unwrap())
        .collect();
    assert!(
        modules.contains(&"rl.safety") && modules.contains(&"rl.reward_shaping"),
        "{modules:?}"
    );
    assert!(
        text(&out.stderr).contains("RL: 16 episodes"),
        "{}",
        text(&out.stderr)
    );
}
