#!/usr/bin/env python3
"""Record Gymnasium CartPole-v1 and Pendulum-v1 trajectories as JSONL reference data.

Normally run through record.sh, which makes the pinned venv (setup.sh) and calls this script.
Every episode uses a fresh `gymnasium.make(...)` env (TimeLimit, OrderEnforcing and
PassiveEnvChecker wrappers, as users get it: 500 / 200 steps), `env.reset(seed=seed)`, then
steps until terminated or truncated (whole episodes, never past the end). Any warning is an
error, so a recording that made Gymnasium warn is never written.

Output, one episode per line (compact JSON, keys in this order):
  {"env", "gymnasium", "numpy", "seed", "policy", "initial_state", "initial_observation",
   "steps": [{"action", "observation", "reward", "terminated", "truncated"}, ...]}
"action" is an int (CartPole) or a one-element list [float] (Pendulum, the float32 action of
shape (1,)). Floats are written as Python floats (repr, which round-trips float64 exactly): the
float64 state, the float32 observations and Pendulum actions as their exact values, the reward.

Episodes:
  CartPole-v1  seeds 1000..1029  policy "random"         env.action_space.seed(seed), sample()
               seeds 1030..1031  policy "balance"        1 if theta + 0.5*theta_dot > 0 else 0
               seed  1032        policy "balance_eps0.1" as "balance", but with probability 0.1
                                 a random action (numpy.random.default_rng(seed): random() < 0.1
                                 then integers(2))
  Pendulum-v1  seeds 2000..2009  policy "random"         env.action_space.seed(seed), sample()
               seeds 2010..2011  policy "wide_random"    numpy.random.default_rng(seed)
                                 .uniform(-3, 3, size=1).astype(float32), outside the [-2, 2]
                                 box on purpose (Pendulum clips it to max_torque)

Usage: record.py OUT_DIR
"""

import json
import sys
import warnings
from pathlib import Path

import gymnasium
import numpy as np

VERSIONS = {"gymnasium": gymnasium.__version__, "numpy": np.__version__}


def floats(xs):
    return [float(x) for x in xs]


def episode(env_id, seed, policy, choose, encode_action):
    """Runs one whole episode; `choose(env, obs, rng)` returns the action to pass to step."""
    env = gymnasium.make(env_id)
    obs, _ = env.reset(seed=seed)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    line = {
        "env": env_id,
        **VERSIONS,
        "seed": seed,
        "policy": policy,
        "initial_state": floats(env.unwrapped.state),
        "initial_observation": floats(obs),
        "steps": [],
    }
    while True:
        action = choose(env, obs, rng)
        obs, reward, terminated, truncated, _ = env.step(action)
        line["steps"].append(
            {
                "action": encode_action(action),
                "observation": floats(obs),
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": bool(truncated),
            }
        )
        if terminated or truncated:
            break
    env.close()
    return line


def cartpole_random(env, obs, rng):
    return env.action_space.sample()


def cartpole_balance(env, obs, rng):
    return 1 if obs[2] + 0.5 * obs[3] > 0 else 0


def cartpole_balance_eps(env, obs, rng):
    if rng.random() < 0.1:
        return int(rng.integers(2))
    return cartpole_balance(env, obs, rng)


def pendulum_random(env, obs, rng):
    return env.action_space.sample()


def pendulum_wide(env, obs, rng):
    return rng.uniform(-3.0, 3.0, size=1).astype(np.float32)


def cartpole_action(a):
    return int(a)


def pendulum_action(a):
    assert isinstance(a, np.ndarray) and a.dtype == np.float32 and a.shape == (1,), a
    return [float(a[0])]


def write(path, lines):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(json.dumps(line, separators=(",", ":"), allow_nan=False) + "\n")
    print(f"{path}: {len(lines)} episodes, {sum(len(l['steps']) for l in lines)} steps")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: record.py OUT_DIR")
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cartpole = [episode("CartPole-v1", s, "random", cartpole_random, cartpole_action)
                    for s in range(1000, 1030)]
        cartpole += [episode("CartPole-v1", s, "balance", cartpole_balance, cartpole_action)
                     for s in (1030, 1031)]
        cartpole.append(episode("CartPole-v1", 1032, "balance_eps0.1", cartpole_balance_eps,
                                cartpole_action))
        pendulum = [episode("Pendulum-v1", s, "random", pendulum_random, pendulum_action)
                    for s in range(2000, 2010)]
        pendulum += [episode("Pendulum-v1", s, "wide_random", pendulum_wide, pendulum_action)
                     for s in (2010, 2011)]
    write(out / "cartpole_v1.jsonl", cartpole)
    write(out / "pendulum_v1.jsonl", pendulum)


if __name__ == "__main__":
    main()
