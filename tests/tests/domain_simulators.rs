//! The robotics and trading simulators (`domains/robotics`, `domains/trading`), checked against
//! physics and bookkeeping whose answers are known.

use aegis_core::Action;
use aegis_core::env::Environment;
use aegis_domain_robotics::simulators::arm2::{Arm2, Params as ArmParams, State as ArmState};
use aegis_domain_trading::simulators::market::{Market, Params as MarketParams};

fn torque(t1: f64, t2: f64) -> Action {
    Action::Continuous(vec![t1, t2])
}

/// The arm's mechanical energy (uniform rods): kinetic ½ wᵀ M(q) w plus potential.
fn arm_energy(p: &ArmParams, s: &ArmState) -> f64 {
    let (lc1, lc2) = (p.l1 / 2.0, p.l2 / 2.0);
    let (i1, i2) = (p.m1 * p.l1 * p.l1 / 12.0, p.m2 * p.l2 * p.l2 / 12.0);
    let c2 = s.q2.cos();
    let m11 = p.m1 * lc1 * lc1 + p.m2 * (p.l1 * p.l1 + lc2 * lc2 + 2.0 * p.l1 * lc2 * c2) + i1 + i2;
    let m12 = p.m2 * (lc2 * lc2 + p.l1 * lc2 * c2) + i2;
    let m22 = p.m2 * lc2 * lc2 + i2;
    let kinetic = 0.5 * (m11 * s.w1 * s.w1 + 2.0 * m12 * s.w1 * s.w2 + m22 * s.w2 * s.w2);
    let y1 = lc1 * s.q1.sin();
    let y2 = p.l1 * s.q1.sin() + lc2 * (s.q1 + s.q2).sin();
    kinetic + p.g * (p.m1 * y1 + p.m2 * y2)
}

#[test]
fn the_arm_conserves_energy_without_friction_and_torque() {
    let params = ArmParams {
        friction: 0.0,
        ..Default::default()
    };
    let mut arm = Arm2::with_params(params);
    // Released from rest, 0.6 rad off hanging straight down: it swings, within its limits.
    arm.reset_to(&[-std::f64::consts::FRAC_PI_2 + 0.6, 0.3, 0.0, 0.0])
        .unwrap();
    let e0 = arm_energy(&params, &arm.state);
    let mut moved = 0.0_f64;
    for _ in 0..300 {
        let out = arm.step(&torque(0.0, 0.0)).unwrap();
        assert_eq!(out.cost, 0.0, "no limit is reached: {:?}", arm.state);
        moved = moved.max(arm.state.w1.abs());
    }
    let e1 = arm_energy(&params, &arm.state);
    assert!(moved > 1.0, "the arm swings: {moved}");
    assert!((e1 - e0).abs() < 1e-6 * e0.abs().max(1.0), "{e0} -> {e1}");
    // With friction, energy is lost.
    let mut damped = Arm2::default();
    damped
        .reset_to(&[-std::f64::consts::FRAC_PI_2 + 0.6, 0.3, 0.0, 0.0])
        .unwrap();
    for _ in 0..300 {
        damped.step(&torque(0.0, 0.0)).unwrap();
    }
    assert!(arm_energy(&damped.params, &damped.state) < e0 - 0.01);
}

#[test]
fn gravity_compensation_holds_the_arm_still_and_limits_are_costs() {
    let p = ArmParams::default();
    // Horizontal, elbow straight: the torques that balance gravity.
    let g1 = (p.m1 * p.l1 / 2.0 + p.m2 * p.l1) * p.g + p.m2 * p.l2 / 2.0 * p.g;
    let g2 = p.m2 * p.l2 / 2.0 * p.g;
    let mut arm = Arm2::default();
    arm.reset_to(&[0.0, 0.0, 0.0, 0.0]).unwrap();
    for _ in 0..100 {
        arm.step(&torque(g1, g2)).unwrap();
    }
    assert!(
        arm.state.q1.abs() < 1e-9 && arm.state.q2.abs() < 1e-9,
        "{:?}",
        arm.state
    );
    // Without it, the arm falls.
    arm.reset_to(&[0.0, 0.0, 0.0, 0.0]).unwrap();
    arm.step(&torque(0.0, 0.0)).unwrap();
    assert!(arm.state.w1 < 0.0);

    // Full elbow torque drives the elbow into its stop: a cost, and the joint stays at the limit.
    arm.reset_to(&[0.0, 2.5, 0.0, 0.0]).unwrap();
    let mut costs = 0.0;
    for _ in 0..50 {
        costs += arm.step(&torque(g1, 10.0)).unwrap().cost;
    }
    assert!(
        costs >= 1.0 && (arm.state.q2 - p.q2_limit).abs() < 1e-12,
        "{costs} {:?}",
        arm.state
    );
    // Speed is capped by the drives.
    arm.reset_to(&[0.0, 0.0, 5.9, 0.0]).unwrap();
    let out = arm.step(&torque(20.0, 0.0)).unwrap();
    assert!(arm.state.w1 <= p.max_speed && out.cost >= 1.0);

    // The end effector inside the keep-out zone is a cost: put the hand at (1.0, -0.5).
    let (x, y): (f64, f64) = (1.0, -0.5);
    let r = x.hypot(y);
    let q2 = -((r * r - 2.0) / 2.0).acos();
    let q1 = y.atan2(x) - (p.l2 * q2.sin()).atan2(p.l1 + p.l2 * q2.cos());
    arm.reset_to(&[q1, q2, 0.0, 0.0]).unwrap();
    let obs = arm.observe();
    assert!((obs[6] + p.target_x - x).abs() < 1e-9 && (obs[7] + p.target_y - y).abs() < 1e-9);
    assert!(arm.step(&torque(0.0, 0.0)).unwrap().cost >= 1.0);
}

#[test]
fn the_market_charges_fees_and_slippage_and_flags_limits() {
    // No drift and no volatility: the price stands still, so a round trip costs exactly the
    // fees and the slippage.
    let params = MarketParams {
        mu: 0.0,
        sigma: 0.0,
        ..Default::default()
    };
    let mut m = Market::with_params(params);
    m.reset_to(&[100.0, 0.0, 100_000.0, 100_000.0]).unwrap();
    let buy = m.step(&Action::Continuous(vec![1.0])).unwrap();
    let fill = 100.0 * (1.0 + params.slippage);
    let expected_cost = 500.0 * fill - 500.0 * 100.0 + params.fee_rate * 500.0 * fill;
    assert!(
        (buy.reward + expected_cost / 100_000.0).abs() < 1e-12,
        "{buy:?}"
    );
    assert_eq!(m.state.position, 500.0);
    assert_eq!(buy.cost, 0.0);
    // 1.5 × the limit: over it, a cost.
    let over = m.step(&Action::Continuous(vec![1.5])).unwrap();
    assert_eq!(over.cost, 1.0);
    assert!(m.step(&Action::Continuous(vec![0.5, 0.5])).is_err());

    // A crash (a strongly negative drift) while long: the drawdown limit is crossed.
    let crash = MarketParams {
        mu: -200.0,
        sigma: 0.0,
        ..Default::default()
    };
    let mut m = Market::with_params(crash);
    m.reset(1);
    let mut total_cost = 0.0;
    for _ in 0..20 {
        total_cost += m.step(&Action::Continuous(vec![1.0])).unwrap().cost;
    }
    assert!(total_cost >= 1.0, "{total_cost}");
}

#[test]
fn the_market_price_follows_its_drift_and_volatility() {
    // Daily log returns of geometric Brownian motion: mean (mu - sigma^2 / 2) dt, sd sigma sqrt(dt).
    let p = MarketParams::default();
    let mut m = Market::default();
    let mut returns = Vec::new();
    for seed in 0..40 {
        m.reset(seed);
        loop {
            let before = m.state.price;
            let out = m.step(&Action::Continuous(vec![0.0])).unwrap();
            returns.push((m.state.price / before).ln());
            if out.terminated || out.truncated {
                break;
            }
        }
    }
    let n = returns.len() as f64;
    assert_eq!(n, 40.0 * 252.0);
    let mean = returns.iter().sum::<f64>() / n;
    let sd = (returns.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let want_sd = p.sigma * p.dt.sqrt();
    let want_mean = (p.mu - p.sigma * p.sigma / 2.0) * p.dt;
    assert!((sd / want_sd - 1.0).abs() < 0.03, "{sd} vs {want_sd}");
    // The mean's standard error is want_sd / sqrt(n) ≈ 1.3e-4; allow four of them.
    assert!(
        (mean - want_mean).abs() < 4.0 * want_sd / n.sqrt(),
        "{mean} vs {want_mean}"
    );
    // Same seed, same path.
    let mut a = Market::default();
    let mut b = Market::default();
    assert_eq!(a.reset(9), b.reset(9));
    let hold = Action::Continuous(vec![0.3]);
    assert_eq!(a.step(&hold).unwrap(), b.step(&hold).unwrap());
}
