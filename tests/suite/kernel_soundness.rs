//! Soundness of the kernel, tested the way a proof checker is: random instances get true claims
//! from the producer, then the claims (or the instance) are perturbed *semantically* — mass moved
//! along ⟨x, β⟩ = y, an optimum replaced by a worse feasible point with a consistent value and
//! dual, a face minimum replaced by another point of the face with consistent multipliers and
//! the whole front recomputed around it, coordinates swapped, the label scaled, a prior's second
//! moment broken — and whenever the kernel still accepts, the claim is re-derived here by an
//! independent route (closed forms of SPEC §2 written out below; face minima by enumerating
//! supports with a Gaussian elimination written here) and must be true.
//!
//! `cargo test` runs a short version (the case counts below); set PROPTEST_CASES for a long one.

use dlncheck::io::instance::JsonTree as _;
use dlncheck::numeric::rational::{Q, fmt_q, parse_q};
use num_traits::{One, Signed, Zero};
use proptest::prelude::*;
use serde_json::{Value, json};

fn q(v: &Value) -> Q {
    parse_q(v.as_str().expect("rational string")).expect("rational")
}

fn qs(v: &Value) -> Vec<Q> {
    v.as_array().expect("list").iter().map(q).collect()
}

fn s(v: &Q) -> Value {
    Value::String(fmt_q(v))
}

/// Whether the kernel passes the file (every claim verified, `expect` matched).
fn passes(file: &Value) -> bool {
    dlncheck_kernel::check_text("perturbed.json", &file.to_string()).is_ok_and(|r| r.passed())
}

// ---------- independent route: one point (SPEC §2) ----------

struct Point {
    model: String,
    x: Vec<Q>,
    y: Q,
}

impl Point {
    fn of(file: &Value) -> Point {
        let i = &file["instance"];
        Point {
            model: i["model"].as_str().unwrap().to_string(),
            x: qs(&i["x"]),
            y: q(&i["y"]),
        }
    }
    fn weights(&self) -> (Q, Q) {
        if self.model == "uv" {
            (Q::from_integer(2.into()), Q::from_integer(2.into()))
        } else {
            (Q::one(), Q::from_integer(4.into()))
        }
    }
    fn carries(&self, i: usize) -> bool {
        !self.x[i].is_zero()
            && (self.model != "shared" || self.x[i].is_positive() == self.y.is_positive())
    }
    /// (cost, lowest index) of the cheapest vertex: N = a|y/x_i| or S = b|y||x_i|.
    fn best(&self, norm: bool) -> (Q, usize) {
        let (a, b) = self.weights();
        let cost = |i: usize| {
            if norm {
                &a * (&self.y / &self.x[i]).abs()
            } else {
                &b * self.y.abs() * self.x[i].abs()
            }
        };
        let mut best: Option<(Q, usize)> = None;
        for i in (0..self.x.len()).filter(|&i| self.carries(i)) {
            let c = cost(i);
            if best.as_ref().is_none_or(|(b, _)| c < *b) {
                best = Some((c, i));
            }
        }
        best.expect("P is not empty")
    }
}

/// Whether a T1 claim is true of its instance.
fn t1_true(p: &Point, claim: &Value) -> bool {
    let d = p.x.len();
    let canonical = |k: usize| {
        (0..d)
            .map(|i| if i == k { &p.y / &p.x[k] } else { Q::zero() })
            .collect::<Vec<_>>()
    };
    match claim["kind"].as_str().unwrap() {
        kind @ ("min-norm" | "min-sharpness") => {
            let (value, k) = p.best(kind == "min-norm");
            q(&claim["value"]) == value && qs(&claim["beta"]) == canonical(k)
        }
        "conflict" => {
            let abs: Vec<Q> = (0..d)
                .filter(|&i| p.carries(i))
                .map(|i| p.x[i].abs())
                .collect();
            let ratio = abs.iter().max().unwrap() / abs.iter().min().unwrap();
            q(&claim["ratio"]) == ratio && claim["coincide"].as_bool() == Some(ratio.is_one())
        }
        "pareto-front" => {
            let (a, b) = p.weights();
            let mut levels: Vec<(Q, usize)> = Vec::new();
            for i in (0..d).filter(|&i| p.carries(i)) {
                if !levels.iter().any(|(v, _)| *v == p.x[i].abs()) {
                    levels.push((p.x[i].abs(), i));
                }
            }
            levels.sort_by(|u, v| v.0.cmp(&u.0));
            let want: Vec<Value> = levels.iter().map(|(v, i)| json!({"index": i, "norm": s(&(&a * p.y.abs() / v)), "sharpness": s(&(&b * p.y.abs() * v))})).collect();
            claim["vertices"].as_array() == Some(&want)
        }
        _ => false,
    }
}

// ---------- independent route: T1-G (SPEC §3) ----------

struct Gen {
    x: Vec<Q>,
    atoms: Vec<(Q, Vec<Q>)>,
}

impl Gen {
    fn of(file: &Value) -> Gen {
        let i = &file["instance"];
        let atoms = i["teacher"]["atoms"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| (q(&a["weight"]), qs(&a["beta"])))
            .collect();
        Gen {
            x: qs(&i["x"]),
            atoms,
        }
    }
    /// E(c) by its definition, atom by atom, with Σ = I: Σ_a p_a |y_a c − β*_a|².
    fn error(&self, c: &[Q]) -> Q {
        self.atoms
            .iter()
            .map(|(p, b)| {
                let y: Q = b.iter().zip(&self.x).map(|(u, v)| u * v).sum();
                p * c
                    .iter()
                    .zip(b)
                    .map(|(ci, bi)| {
                        let r = &y * ci - bi;
                        &r * &r
                    })
                    .sum::<Q>()
            })
            .sum()
    }
    /// min E over {c ≥ 0 on `support`, 0 elsewhere, ⟨x, c⟩ = 1}: the minimiser of a strictly
    /// convex QP is the equality-constrained minimiser on its own support F, so enumerate F ⊆ S,
    /// solve the KKT system on F by Gaussian elimination and keep the feasible ones.
    fn face_min(&self, support: &[usize]) -> Q {
        let d = self.x.len();
        // E(c) = A|c|² − 2bᵀc + const with A = Σ p y², b = Σ p y β* (Σ = I).
        let a: Q = self
            .atoms
            .iter()
            .map(|(p, b)| {
                let y: Q = b.iter().zip(&self.x).map(|(u, v)| u * v).sum();
                p * &y * &y
            })
            .sum();
        let bv: Vec<Q> = (0..d)
            .map(|i| {
                self.atoms
                    .iter()
                    .map(|(p, b)| {
                        let y: Q = b.iter().zip(&self.x).map(|(u, v)| u * v).sum();
                        p * &y * &b[i]
                    })
                    .sum()
            })
            .collect();
        let mut best: Option<Q> = None;
        for mask in 1u32..(1 << support.len()) {
            let f: Vec<usize> = (0..support.len())
                .filter(|k| mask >> k & 1 == 1)
                .map(|k| support[k])
                .collect();
            // Unknowns c_F and ν: 2A c_i − ν x_i = 2b_i (i ∈ F), Σ x_i c_i = 1.
            let n = f.len() + 1;
            let mut m: Vec<Vec<Q>> = vec![vec![Q::zero(); n + 1]; n];
            for (r, &i) in f.iter().enumerate() {
                m[r][r] = Q::from_integer(2.into()) * &a;
                m[r][n - 1] = -self.x[i].clone();
                m[r][n] = Q::from_integer(2.into()) * &bv[i];
                m[n - 1][r] = self.x[i].clone();
            }
            m[n - 1][n] = Q::one();
            for col in 0..n {
                let Some(piv) = (col..n).find(|&r| !m[r][col].is_zero()) else {
                    continue;
                };
                m.swap(col, piv);
                for r in 0..n {
                    if r != col && !m[r][col].is_zero() {
                        let f = &m[r][col] / &m[col][col];
                        for k in col..=n {
                            let t = &f * &m[col][k];
                            m[r][k] -= t;
                        }
                    }
                }
            }
            let mut c = vec![Q::zero(); d];
            for (r, &i) in f.iter().enumerate() {
                c[i] = &m[r][n] / &m[r][r];
            }
            if c.iter().all(|v| !v.is_negative()) {
                let e = self.error(&c);
                if best.as_ref().is_none_or(|b| e < *b) {
                    best = Some(e);
                }
            }
        }
        best.expect("a vertex of the face is always feasible")
    }
    fn levels(&self) -> Vec<Vec<usize>> {
        let mut values: Vec<Q> = self.x.clone();
        values.sort();
        values.dedup();
        values
            .iter()
            .rev()
            .map(|v| (0..self.x.len()).filter(|&i| self.x[i] == *v).collect())
            .collect()
    }
}

/// Whether a T1-G claim is true of its instance (Σ = I in these tests).
fn t1g_true(g: &Gen, claim: &Value) -> bool {
    let levels = g.levels();
    let last = levels.len() - 1;
    let e_norm = g.face_min(&levels[0]);
    let e_sharp = g.face_min(&levels[last]);
    let star = (0..last)
        .map(|j| g.face_min(&[levels[j].clone(), levels[j + 1].clone()].concat()))
        .min()
        .unwrap_or_else(|| e_norm.clone());
    match claim["kind"].as_str().unwrap() {
        "neither-bias" => q(&claim["value"]) == star && e_norm > star && e_sharp > star,
        "end-optimal" => {
            let ok = match claim["end"].as_str().unwrap() {
                "min-norm" => e_norm == star && e_sharp > star,
                "min-sharpness" => e_sharp == star && e_norm > star,
                _ => e_norm == star && e_sharp == star,
            };
            ok && q(&claim["value"]) == star
        }
        "best-linear" => q(&claim["value"]) == g.face_min(&(0..g.x.len()).collect::<Vec<_>>()),
        "bayes" => {
            let labels: Vec<Q> = g
                .atoms
                .iter()
                .map(|(_, b)| b.iter().zip(&g.x).map(|(u, v)| u * v).sum())
                .collect();
            let total: Q = g
                .atoms
                .iter()
                .enumerate()
                .map(|(a, (p, beta))| {
                    let group: Vec<usize> = (0..g.atoms.len())
                        .filter(|&k| labels[k] == labels[a])
                        .collect();
                    let mass: Q = group.iter().map(|&k| g.atoms[k].0.clone()).sum();
                    p * (0..g.x.len())
                        .map(|i| {
                            let m = group
                                .iter()
                                .map(|&k| &g.atoms[k].0 * &g.atoms[k].1[i])
                                .sum::<Q>()
                                / &mass
                                - &beta[i];
                            &m * &m
                        })
                        .sum::<Q>()
                })
                .sum();
            q(&claim["value"]) == total
        }
        _ => false,
    }
}

/// Whether every claim of a file is true by the independent routes.
fn all_true(file: &Value) -> bool {
    let teacher = file["instance"].get("teacher").is_some();
    let p = Point::of(file);
    file["claim"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| match c["kind"].as_str().unwrap() {
            "min-norm" | "min-sharpness" | "conflict" | "pareto-front" => t1_true(&p, c),
            _ if teacher => t1g_true(&Gen::of(file), c),
            _ => false,
        })
}

// ---------- instances and claims from the producer ----------

fn claim_file(inst: &dlncheck::io::instance::Instance, teacher: bool) -> Value {
    let mut claims = dlncheck::io::claims::t1_claims(inst, false).unwrap();
    if teacher {
        claims.extend(dlncheck::io::claims::generalization_claims(inst).unwrap());
    }
    dlncheck::io::claims::claim_file(
        "random",
        Some(dlncheck::io::claims::claim_instance(inst, teacher, false)),
        claims,
    )
}

fn one_point() -> impl Strategy<Value = (String, Vec<Q>, Q)> {
    let model = prop::sample::select(vec!["shared", "uv", "pm"]).prop_map(str::to_string);
    let entry = (-4i64..=4, 1i64..=2).prop_map(|(n, d)| Q::new(n.into(), d.into()));
    let y = (1i64..=6, any::<bool>())
        .prop_map(|(n, neg)| Q::from_integer((if neg { -n } else { n }).into()));
    (model, prop::collection::vec(entry, 1..=5), y)
}

fn t1_instance(model: &str, x: &[Q], y: &Q) -> Option<dlncheck::io::instance::Instance> {
    let tree = json!({"model": model, "x": x.iter().map(s).collect::<Vec<_>>(), "y": s(y)});
    dlncheck::io::instance::parse_instance(
        "random",
        &dlncheck::io::instance::Tree::from_json(&tree),
    )
    .ok()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Produced claims pass and are true; every semantic perturbation the kernel accepts is true.
    #[test]
    fn t1_perturbations_accepted_only_when_true((model, x, y) in one_point(), j in 0usize..5, swap in (0usize..5, 0usize..5)) {
        let Some(inst) = t1_instance(&model, &x, &y) else { return Ok(()) };
        let file = claim_file(&inst, false);
        prop_assert!(passes(&file) && all_true(&file));
        let p = Point::of(&file);
        let d = x.len();
        let mut variants = Vec::new();
        // Move the whole label to another carrier j, with a consistent value and dual.
        let j = j % d;
        if p.carries(j) {
            let (a, b) = p.weights();
            for (k, norm) in [(0usize, true), (1, false)] {
                // Alone in its file, so that no later claim (conflict) gives the change away.
                let mut f = file.clone();
                f["claim"] = json!([file["claim"][k].clone()]);
                f["expect"] = json!([file["claim"][k]["kind"].clone()]);
                let k = 0;
                let value = if norm { &a * (&y / &x[j]).abs() } else { &b * y.abs() * x[j].abs() };
                f["claim"][k]["beta"] = json!((0..d).map(|i| s(&if i == j { &y / &x[j] } else { Q::zero() })).collect::<Vec<_>>());
                f["claim"][k]["value"] = s(&value);
                f["claim"][k]["dual"] = s(&(&value / &y));
                variants.push(f);
            }
        }
        // Mass split between two carriers (still on ⟨x, β⟩ = y).
        if let Some(k2) = (0..d).find(|&i| i != j && p.carries(i)) && p.carries(j) {
            let mut f = file.clone();
            f["claim"] = json!([file["claim"][0].clone()]);
            f["expect"] = json!(["min-norm"]);
            let half = &y / Q::from_integer(2.into());
            f["claim"][0]["beta"] = json!((0..d).map(|i| s(&if i == j { &half / &x[j] } else if i == k2 { &half / &x[k2] } else { Q::zero() })).collect::<Vec<_>>());
            variants.push(f);
        }
        // Same certificate, changed instance: swapped coordinates, doubled label.
        let mut f = file.clone();
        let (u, v) = (swap.0 % d, swap.1 % d);
        let xs = f["instance"]["x"].as_array_mut().unwrap();
        xs.swap(u, v);
        variants.push(f);
        let mut f = file.clone();
        f["instance"]["y"] = s(&(&y * Q::from_integer(2.into())));
        variants.push(f);
        for f in variants {
            if passes(&f) {
                prop_assert!(all_true(&f), "accepted a false file: {}", f);
            }
        }
    }
}

/// The face certificate of `c` on `support` with multipliers from stationarity (ν from the first
/// coordinate of the support with c_i > 0) and its value E(c): consistent but not optimal.
fn face_at(g: &Gen, c: &[Q], support: &[usize]) -> Value {
    let d = g.x.len();
    let a: Q = g
        .atoms
        .iter()
        .map(|(p, b)| {
            let y: Q = b.iter().zip(&g.x).map(|(u, v)| u * v).sum();
            p * &y * &y
        })
        .sum();
    let bv: Vec<Q> = (0..d)
        .map(|i| {
            g.atoms
                .iter()
                .map(|(p, b)| {
                    let y: Q = b.iter().zip(&g.x).map(|(u, v)| u * v).sum();
                    p * &y * &b[i]
                })
                .sum()
        })
        .collect();
    let grad: Vec<Q> = (0..d)
        .map(|i| Q::from_integer(2.into()) * (&a * &c[i] - &bv[i]))
        .collect();
    let k = support
        .iter()
        .copied()
        .find(|&i| c[i].is_positive())
        .unwrap();
    let nu = &grad[k] / &g.x[k];
    let mu: Vec<Q> = (0..d)
        .map(|i| {
            if support.contains(&i) {
                &grad[i] - &nu * &g.x[i]
            } else {
                Q::zero()
            }
        })
        .collect();
    json!({"value": s(&g.error(c)), "c": c.iter().map(s).collect::<Vec<_>>(), "nu": s(&nu), "mu": mu.iter().map(s).collect::<Vec<_>>()})
}

/// Rebuilds the front claim's summary fields (value, segment, t, c, margins, kind) from its face
/// certificates, as a consistent forger would.
fn refront(g: &Gen, claim: &mut Value) {
    let levels = g.levels();
    let segs: Vec<Value> = claim["segments"].as_array().unwrap().clone();
    let e_norm = q(&claim["min_norm"]["value"]);
    let e_sharp = q(&claim["min_sharpness"]["value"]);
    let star = segs
        .iter()
        .map(|v| q(&v["value"]))
        .min()
        .unwrap_or_else(|| e_norm.clone());
    claim["value"] = s(&star);
    if let Some(j) = segs.iter().position(|v| q(&v["value"]) == star) {
        claim["segment"] = json!(j);
        let c = qs(&segs[j]["c"]);
        claim["t"] = s(&levels[j + 1].iter().map(|&i| &g.x[i] * &c[i]).sum());
        claim["c"] = segs[j]["c"].clone();
    }
    claim["margin_norm"] = s(&(&e_norm - &star));
    claim["margin_sharpness"] = s(&(&e_sharp - &star));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn t1g_perturbations_accepted_only_when_true(seed in 0u64..1000, index in 0u64..1000, pick in 0usize..8) {
        let cand = dlncheck::theory::search::Candidate::sample(seed, index, (1, 4));
        let inst = cand.instance("random");
        prop_assume!(inst.covariance == dlncheck::io::instance::Covariance::Identity);
        let file = claim_file(&inst, true);
        prop_assert!(passes(&file));
        prop_assert!(all_true(&file), "a produced file is false: {}", file);
        let g = Gen::of(&file);
        let levels = g.levels();
        let front = file["claim"].as_array().unwrap().iter().position(|c| c["kind"] == "neither-bias" || c["kind"] == "end-optimal").unwrap();
        let mut variants = Vec::new();
        // Replace one face minimum by a vertex rule of that face (a feasible, usually worse point
        // with consistent multipliers), then rebuild the whole front around it.
        let faces: Vec<(String, Vec<usize>)> = std::iter::once(("min_norm".to_string(), levels[0].clone()))
            .chain(std::iter::once(("min_sharpness".to_string(), levels[levels.len() - 1].clone())))
            .chain((0..levels.len() - 1).map(|j| (format!("segments/{j}"), [levels[j].clone(), levels[j + 1].clone()].concat())))
            .collect();
        let (key, support) = &faces[pick % faces.len()];
        for &i in support {
            let c: Vec<Q> = (0..g.x.len()).map(|k| if k == i { g.x[i].recip() } else { Q::zero() }).collect();
            let mut f = file.clone();
            *f["claim"][front].pointer_mut(&format!("/{key}")).unwrap() = face_at(&g, &c, support);
            refront(&g, &mut f["claim"][front]);
            let verdict = if q(&f["claim"][front]["margin_norm"]).is_positive() && q(&f["claim"][front]["margin_sharpness"]).is_positive() { "neither-bias" } else { "end-optimal" };
            f["claim"][front]["kind"] = json!(verdict);
            f["expect"][front] = json!(verdict);
            variants.push(f);
        }
        // The certificate kept, the instance changed: coordinates swapped.
        let mut f = file.clone();
        f["instance"]["x"].as_array_mut().unwrap().reverse();
        variants.push(f);
        for f in variants {
            if passes(&f) {
                prop_assert!(all_true(&f), "accepted a false file: {}", f);
            }
        }
    }

    /// A moments prior whose second moment is broken (not PSD, or a negative entry, or below
    /// m mᵀ) is never accepted: the kernel must call the file malformed. Independent route:
    /// the principal-minor test of PSD-ness, written here for 2 × 2.
    #[test]
    fn broken_priors_are_never_accepted(m00 in 0i64..4, m01 in -4i64..4, m11 in 0i64..4, mean in 0i64..3) {
        let file = json!({
            "version": 2,
            "instance": {"model": "shared", "x": ["1", "2"], "y": "1",
                "teacher": {"kind": "moments", "mean": [mean.to_string(), "0"], "second_moment": [[m00.to_string(), m01.to_string()], [m01.to_string(), m11.to_string()]]}},
            "claim": [{"kind": "bayes", "value": "0"}],
        });
        let realisable = m01 >= 0 && m00 * m11 >= m01 * m01 && (m00 - mean * mean) >= 0 && (m00 - mean * mean) * m11 >= m01 * m01 && (m00 + m11 + 2 * m01) > 0;
        let result = dlncheck_kernel::check_text("prior.json", &file.to_string());
        prop_assert_eq!(result.is_ok(), realisable, "{:?}", result);
    }
}
