#!/usr/bin/env python3
"""Gymnasium CartPole-v1 single-environment step speed with random actions, for comparison.

Four variants, each run for at least MIN_SECONDS (so the whole run takes about 4x that):
  make, wrappers   gymnasium.make("CartPole-v1") as users get it (TimeLimit(500),
                   OrderEnforcing, PassiveEnvChecker around CartPoleEnv)
  unwrapped        gymnasium.make("CartPole-v1").unwrapped, the bare CartPoleEnv (no time limit)
each with actions pre-generated (random 0/1 Python ints, so sampling cost is excluded) and with
env.action_space.sample() per step. The env is reset (no seed) whenever an episode ends
(terminated or truncated); those resets are part of the measured time, as in real use.
Run with the pinned venv:
  usage: "$(bash scripts/gymnasium/setup.sh)" benches/rl/gym_cartpole.py [min-seconds, default 5]
"""

import platform
import sys
import time

import gymnasium
import numpy as np

CHUNK = 8192  # steps between clock reads


def run_pregenerated(env, actions, secs):
    step, reset = env.step, env.reset
    reset(seed=0)
    steps = episodes = 0
    t0 = time.perf_counter()
    while True:
        for a in actions:
            _, _, terminated, truncated, _ = step(a)
            if terminated or truncated:
                reset()
                episodes += 1
        steps += len(actions)
        elapsed = time.perf_counter() - t0
        if elapsed >= secs:
            return steps, episodes, elapsed


def run_sampled(env, secs):
    step, reset, sample = env.step, env.reset, env.action_space.sample
    reset(seed=0)
    env.action_space.seed(0)
    steps = episodes = 0
    t0 = time.perf_counter()
    while True:
        for _ in range(CHUNK):
            _, _, terminated, truncated, _ = step(sample())
            if terminated or truncated:
                reset()
                episodes += 1
        steps += CHUNK
        elapsed = time.perf_counter() - t0
        if elapsed >= secs:
            return steps, episodes, elapsed


def report(label, result):
    steps, episodes, elapsed = result
    print(
        f"gymnasium CartPole-v1 ({label}): {steps / elapsed:.0f} steps/s, "
        f"{elapsed / steps * 1e9:.0f} ns/step  ({steps} steps, {episodes} episodes, {elapsed:.2f} s)",
        flush=True,
    )


def main():
    secs = float(sys.argv[1]) if len(sys.argv) > 1 else 5.0
    print(
        f"gymnasium {gymnasium.__version__}, numpy {np.__version__}, "
        f"python {platform.python_version()}; at least {secs:g} s per variant",
        flush=True,
    )
    actions = np.random.default_rng(0).integers(0, 2, size=CHUNK).tolist()
    made = lambda: gymnasium.make("CartPole-v1")  # noqa: E731
    # Short warm-up so the first variant does not pay for imports / first-call checks.
    run_pregenerated(made(), actions[:1024], 0.0)
    report("make, wrappers", run_pregenerated(made(), actions, secs))
    report("make, wrappers, action_space.sample()", run_sampled(made(), secs))
    report("unwrapped", run_pregenerated(made().unwrapped, actions, secs))
    report("unwrapped, action_space.sample()", run_sampled(made().unwrapped, secs))


if __name__ == "__main__":
    main()
