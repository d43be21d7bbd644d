//! The `gd-witness` claim (SPEC §4 C5): every number in the shipped file is pinned by a kernel
//! check, and the exact expected error agrees between the two routes that compute it.

use dlncheck::dynamics::linear_rule_error;
use dlncheck::instance::{Covariance, Teacher};
use dlncheck::kernel::{self, Outcome};
use dlncheck::rational::{fmt_q, parse_q, Q};
use proptest::prelude::*;
use serde_json::Value;

fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, c)| leaves(c, format!("{at}/{k}"), out)),
        Value::Array(a) => a.iter().enumerate().for_each(|(i, c)| leaves(c, format!("{at}/{i}"), out)),
        Value::String(s) if parse_q(s).is_ok() => out.push(at),
        Value::Number(_) | Value::Bool(_) => out.push(at),
        _ => {}
    }
}

fn verified(tree: &Value) -> bool {
    kernel::check_tree("w", tree).is_ok_and(|v| v.iter().all(|v| matches!(v.outcome, Outcome::Verified(_))))
}

#[test]
fn every_number_of_the_shipped_witness_is_pinned() {
    let tree = dlncheck::instance::read_tree(std::path::Path::new("proofs/gd-witness-eos.claim.toml")).expect("claim file");
    assert!(verified(&tree), "verifies untouched");
    let mut ptrs = Vec::new();
    leaves(&tree, String::new(), &mut ptrs);
    assert!(ptrs.len() >= 15, "{ptrs:?}");
    for p in &ptrs {
        let mut t = tree.clone();
        let leaf = t.pointer_mut(p).expect("leaf");
        *leaf = match &*leaf {
            Value::String(s) => Value::String(fmt_q(&(parse_q(s).expect("q") + Q::from_integer(1.into())))),
            Value::Number(n) => Value::from(n.as_u64().expect("uint") + 1),
            Value::Bool(b) => Value::Bool(!*b),
            other => other.clone(),
        };
        assert!(!verified(&t), "tampering at {p} was accepted");
    }
}

fn q(n: i64, d: i64) -> Q {
    Q::new(n.into(), d.into())
}

proptest! {
    /// E is linear in the prior's second moment: a discrete prior and the moments prior with
    /// M2 = Σ_a p_a β*_a β*_aᵀ give the same exact error for every rule c (SPEC §3).
    #[test]
    fn discrete_and_moments_priors_agree(
        atoms in prop::collection::vec((1i64..5, prop::collection::vec(0i64..6, 3)), 1..4),
        c in prop::collection::vec(-5i64..6, 3),
    ) {
        let x = vec![q(3, 1), q(1, 2), q(2, 1)];
        let total: i64 = atoms.iter().map(|a| a.0).sum();
        let atoms: Vec<(Q, Vec<Q>)> = atoms.iter().map(|(w, b)| (q(*w, total), b.iter().map(|v| q(*v, 1)).collect())).collect();
        let mut m2 = vec![vec![Q::from_integer(0.into()); 3]; 3];
        let mut mean = vec![Q::from_integer(0.into()); 3];
        for (p, b) in &atoms {
            for i in 0..3 {
                mean[i] += p * &b[i];
                for j in 0..3 {
                    m2[i][j] += p * &b[i] * &b[j];
                }
            }
        }
        let c: Vec<Q> = c.iter().map(|v| q(*v, 7)).collect();
        let cov = Covariance::Matrix(vec![vec![q(2, 1), q(1, 2), q(0, 1)], vec![q(1, 2), q(1, 1), q(0, 1)], vec![q(0, 1), q(0, 1), q(3, 1)]]);
        let discrete = Teacher::Discrete { atoms: atoms.clone() };
        let moments = Teacher::Moments { mean, second_moment: m2 };
        // Independent route: the definition E = Σ_a p_a (y_a c − β*_a)ᵀΣ(y_a c − β*_a).
        let sig = [[q(2, 1), q(1, 2), q(0, 1)], [q(1, 2), q(1, 1), q(0, 1)], [q(0, 1), q(0, 1), q(3, 1)]];
        let by_definition: Q = atoms.iter().map(|(p, b)| {
            let ya: Q = x.iter().zip(b).map(|(xi, bi)| xi * bi).sum();
            let e: Vec<Q> = c.iter().zip(b).map(|(ci, bi)| &ya * ci - bi).collect();
            let quad: Q = (0..3).map(|i| (0..3).map(|j| &e[i] * &sig[i][j] * &e[j]).sum::<Q>()).sum();
            p * quad
        }).sum();
        prop_assert_eq!(linear_rule_error(&x, &discrete, &cov, &c), by_definition.clone());
        prop_assert_eq!(linear_rule_error(&x, &moments, &cov, &c), by_definition);
    }
}
