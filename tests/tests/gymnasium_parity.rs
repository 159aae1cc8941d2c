//! Parity with Gymnasium: the simulators generated from `domains/control/domain_spec.yaml`
//! replay trajectories that Gymnasium 1.4.0 itself recorded (`tests/data/gymnasium/`, made by
//! `bash scripts/gymnasium/record.sh`): the same initial state through `reset_to`, the same
//! actions, and every observation (a float32 in Gymnasium), reward and termination compared
//! over whole episodes.

use aegis_core::Action;
use aegis_core::env::Environment;
use aegis_domain_control::simulators::{cartpole::Cartpole, pendulum::Pendulum};
use serde_json::Value;

/// How far apart two float32 values are, in units in the last place.
fn ulps(a: f32, b: f32) -> u32 {
    if a == b {
        return 0;
    }
    let key = |x: f32| {
        let bits = x.to_bits() as i64;
        if bits < 0x8000_0000 {
            bits
        } else {
            0x8000_0000 - bits
        }
    };
    u32::try_from((key(a) - key(b)).unsigned_abs()).unwrap_or(u32::MAX)
}

/// What a replay found.
#[derive(Debug, Default)]
struct Replay {
    episodes: usize,
    steps: usize,
    /// Observation values that are not the same float32.
    observation_mismatches: usize,
    worst_observation_ulps: u32,
    /// Rewards that are not the same float64.
    reward_mismatches: usize,
    worst_reward_error: f64,
    flag_mismatches: Vec<String>,
}

fn numbers(v: &Value) -> Vec<f64> {
    v.as_array()
        .expect("a list of numbers")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

fn replay(file: &str, env: &mut dyn Environment, action: fn(&Value) -> Action) -> Replay {
    let path = format!("{}/data/gymnasium/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the recordings are checked in");
    let mut r = Replay::default();
    let compare_obs = |r: &mut Replay, ours: &[f64], theirs: &[f64]| {
        assert_eq!(ours.len(), theirs.len(), "observation length");
        for (a, b) in ours.iter().zip(theirs) {
            // Gymnasium returns float32 observations; its recorded values are exact float32s.
            let d = ulps(*a as f32, *b as f32);
            if d > 0 {
                r.observation_mismatches += 1;
            }
            r.worst_observation_ulps = r.worst_observation_ulps.max(d);
        }
    };
    for line in text.lines() {
        let ep: Value = serde_json::from_str(line).expect("a JSON episode");
        let seed = &ep["seed"];
        let obs = env
            .reset_to(&numbers(&ep["initial_state"]))
            .expect("a valid initial state");
        compare_obs(&mut r, &obs, &numbers(&ep["initial_observation"]));
        let steps = ep["steps"].as_array().expect("steps");
        for (t, step) in steps.iter().enumerate() {
            let out = env.step(&action(&step["action"])).expect("a valid action");
            compare_obs(&mut r, &out.observation, &numbers(&step["observation"]));
            let reward = step["reward"].as_f64().expect("a reward");
            if out.reward != reward {
                r.reward_mismatches += 1;
                r.worst_reward_error = r.worst_reward_error.max((out.reward - reward).abs());
            }
            let flags = (step["terminated"].as_bool(), step["truncated"].as_bool());
            if flags != (Some(out.terminated), Some(out.truncated)) {
                r.flag_mismatches.push(format!(
                    "seed {seed} step {t}: Gymnasium {flags:?}, ours ({}, {})",
                    out.terminated, out.truncated
                ));
            }
            r.steps += 1;
        }
        r.episodes += 1;
    }
    r
}

fn check(name: &str, r: &Replay, episodes: usize) {
    println!("{name}: {r:?}");
    assert_eq!(r.episodes, episodes, "{name}: every recorded episode");
    assert!(
        r.flag_mismatches.is_empty(),
        "{name}: {:?}",
        r.flag_mismatches
    );
    assert_eq!(
        (r.observation_mismatches, r.reward_mismatches),
        (0, 0),
        "{name}: observations and rewards must be Gymnasium's own: {r:?}"
    );
}

#[test]
fn cartpole_replays_gymnasium_cartpole_v1_exactly() {
    let r = replay("cartpole_v1.jsonl", &mut Cartpole::default(), |a| {
        Action::Discrete(a.as_i64().expect("a discrete action"))
    });
    check("CartPole-v1", &r, 33);
    // Random episodes end by termination; the balancing ones reach the 500-step limit.
    assert!(r.steps > 2000, "{}", r.steps);
}

#[test]
fn pendulum_replays_gymnasium_pendulum_v1_exactly() {
    let r = replay("pendulum_v1.jsonl", &mut Pendulum::default(), |a| {
        Action::Continuous(numbers(a))
    });
    check("Pendulum-v1", &r, 12);
    assert_eq!(r.steps, 12 * 200);
}

#[test]
fn a_changed_parameter_breaks_parity_so_the_comparison_can_fail() {
    let mut env = Cartpole::default();
    env.params.gravity = 9.81;
    let r = replay("cartpole_v1.jsonl", &mut env, |a| {
        Action::Discrete(a.as_i64().expect("a discrete action"))
    });
    assert!(r.observation_mismatches > 100, "{r:?}");
}

#[test]
fn resets_are_seeded_and_bad_actions_and_states_are_errors() {
    let mut a = Pendulum::default();
    let mut b = Pendulum::default();
    assert_eq!(a.reset(7), b.reset(7));
    assert_ne!(a.reset(7), a.reset(8));
    let first = a.reset(3);
    // th in [-pi, pi), thdot in [-1, 1): the observation is (cos th, sin th, thdot).
    assert!(first[2].abs() <= 1.0 && (first[0].hypot(first[1]) - 1.0).abs() < 1e-12);
    assert!(a.step(&Action::Discrete(0)).is_err());
    assert!(a.step(&Action::Continuous(vec![0.0, 1.0])).is_err());
    assert!(a.step(&Action::Continuous(vec![f64::NAN])).is_err());
    let err = a.reset_to(&[1.0]).unwrap_err();
    assert!(err.0.contains("2 values"), "{err}");
    let mut c = Cartpole::default();
    c.reset(0);
    assert!(c.step(&Action::Discrete(2)).is_err());
    assert!(c.step(&Action::Discrete(-1)).is_err());
    // Out-of-box torques are clipped, as Gymnasium clips them.
    a.reset_to(&[0.5, 0.0]).unwrap();
    let big = a.step(&Action::Continuous(vec![50.0])).unwrap();
    a.reset_to(&[0.5, 0.0]).unwrap();
    let max = a.step(&Action::Continuous(vec![2.0])).unwrap();
    assert_eq!(big, max);
}
