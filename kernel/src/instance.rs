//! Instances (SPEC §7) and the one validator of every precondition (SPEC §2, §3).
//!
//! [`from_tree`] reads an instance table against its closed schema (canonical rationals only, as
//! in claim files). [`validate`] checks every precondition once, before any claim of any kind and
//! before any command of the producer: the producer's own fast reader builds the same
//! [`Instance`] and calls the same [`validate`], so there is one copy of each check.

use crate::Error;
use crate::linalg::{is_pd, is_psd, is_symmetric};
use crate::number::{Q, short};
use crate::tree::{MAX_LIST, Numbers, Table, Tree};
use num_traits::{One, Signed, Zero};

/// Largest number of data points n, and of n·d.
pub const MAX_POINTS: usize = 10_000;
pub const MAX_ENTRIES: usize = 10_000_000;
/// Largest number of teacher atoms.
pub const MAX_ATOMS: usize = 100_000;

/// Parametrisation of the network (SPEC §1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// β = w ⊙ w.
    Shared,
    /// β = u ⊙ v.
    Uv,
    /// β = u ⊙ u − v ⊙ v.
    Pm,
    /// β = w^{⊙D}, 2 ≤ D ≤ 64.
    SharedDepth(u32),
}

impl Model {
    pub fn name(&self) -> &'static str {
        match self {
            Model::Shared => "shared",
            Model::Uv => "uv",
            Model::Pm => "pm",
            Model::SharedDepth(_) => "shared-depth",
        }
    }
    /// Parameters per coordinate of β.
    pub fn block(&self) -> usize {
        match self {
            Model::Shared | Model::SharedDepth(_) => 1,
            Model::Uv | Model::Pm => 2,
        }
    }
    /// Whether every reachable β is ≥ 0 (SPEC §1).
    pub fn nonnegative(&self) -> bool {
        matches!(self, Model::Shared) || matches!(self, Model::SharedDepth(d) if d % 2 == 0)
    }
}

/// Initialisation of GD and GF (SPEC §4).
#[derive(Clone, Debug, PartialEq)]
pub enum Init {
    Alpha(Q),
    Theta(Vec<Q>),
}

/// Teacher prior (SPEC §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Teacher {
    /// Atoms (weight p_a, β*_a).
    Discrete { atoms: Vec<(Q, Vec<Q>)> },
    /// Mean m and second moment M2 = E[β*β*ᵀ].
    Moments {
        mean: Vec<Q>,
        second_moment: Vec<Vec<Q>>,
    },
}

/// Population covariance Σ (SPEC §3).
#[derive(Clone, Debug, PartialEq)]
pub enum Covariance {
    Identity,
    Matrix(Vec<Vec<Q>>),
}

/// An instance. `x` holds the rows x_j (one row in the one-point form `x = [...]`, `y = "..."`).
#[derive(Clone, Debug, PartialEq)]
pub struct Instance {
    /// File name, for messages.
    pub source: String,
    pub model: Model,
    pub x: Vec<Vec<Q>>,
    pub y: Vec<Q>,
    pub one_point: bool,
    pub init: Option<Init>,
    pub teacher: Option<Teacher>,
    pub covariance: Covariance,
    /// `[test]`: held-out `X`, `y` for the producer's test loss (no claim reads them; the
    /// producer turns `[test] npz = "FILE"` into these before reading the instance).
    pub test: Option<(Vec<Vec<Q>>, Vec<Q>)>,
}

impl Instance {
    pub fn dim(&self) -> usize {
        self.x.first().map_or(0, Vec::len)
    }
    /// Σ as a matrix.
    pub fn sigma(&self) -> Vec<Vec<Q>> {
        match &self.covariance {
            Covariance::Identity => crate::linalg::identity(self.dim()),
            Covariance::Matrix(m) => m.clone(),
        }
    }
    /// Whether coordinate i of the one-point data can carry the label (SPEC §2: x_i·y > 0 for a
    /// model with β ≥ 0, x_i ≠ 0 otherwise).
    pub fn can_carry(&self, i: usize) -> bool {
        let (x, y) = (&self.x[0][i], &self.y[0]);
        if self.model.nonnegative() {
            x.is_positive() == y.is_positive() && !x.is_zero()
        } else {
            !x.is_zero()
        }
    }
}

/// Keys of an instance table.
pub const KEYS: &[&str] = &[
    "model",
    "x",
    "y",
    "X",
    "depth",
    "init",
    "teacher",
    "population",
    "test",
    "title",
    "comment",
];

/// Reads the instance table `tree` at path `at` of `file` with the number parser `numbers`
/// (canonical rationals in claim files), then runs [`validate`]: the one entry point of both the
/// kernel and the producer.
pub fn load(file: &str, tree: &Tree, at: &str, numbers: Numbers) -> Result<Instance, Error> {
    let inst = from_tree(file, tree, at, numbers)?;
    validate(&inst)
        .map_err(|(field, reason)| Error::field(file, &crate::tree::join(at, &field), reason))?;
    Ok(inst)
}

/// Reads an instance table; shapes are checked here, every other precondition by [`validate`].
pub fn from_tree(file: &str, tree: &Tree, at: &str, numbers: Numbers) -> Result<Instance, Error> {
    let t = Table::new(file, tree, at, KEYS)?.with_numbers(numbers);
    for key in ["title", "comment"] {
        if t.has(key) {
            t.str(key)?;
        }
    }
    let model = match t.str("model")? {
        "shared" => Model::Shared,
        "uv" => Model::Uv,
        "pm" => Model::Pm,
        "shared-depth" => match t.uint("depth")? {
            d @ 2..=64 => Model::SharedDepth(d as u32),
            d => {
                return Err(t.err(
                    "depth",
                    format!("must be an integer from 2 to 64, found {d}"),
                ));
            }
        },
        other => {
            return Err(t.err(
                "model",
                format!("unknown model `{other}` (expected shared, uv, pm or shared-depth)"),
            ));
        }
    };
    if !matches!(model, Model::SharedDepth(_)) && t.has("depth") {
        return Err(t.err("depth", "only model shared-depth has a depth"));
    }
    let (x, y, one_point) = match (t.opt("x"), t.opt("X")) {
        (Some(_), Some(_)) => {
            return Err(t.err(
                "X",
                "give either `x` (one point) or `X` (several points), not both",
            ));
        }
        (Some(_), None) => (vec![t.qs("x")?], vec![t.q("y")?], true),
        (None, Some(_)) => {
            let (x, y) = rows(&t)?;
            (x, y, false)
        }
        (None, None) => {
            return Err(t.err("x", "missing (give `x` for one point or `X` for several)"));
        }
    };
    let d = x.first().map_or(0, Vec::len);
    shape(&t, if one_point { "x" } else { "X" }, &x, &y, d)?;
    let init = match t.opt("init") {
        None => None,
        Some(_) => Some(read_init(
            &t.child("init", &["alpha", "theta", "u", "v"])?,
            model,
            d,
        )?),
    };
    let teacher = match t.opt("teacher") {
        None => None,
        Some(_) => Some(read_teacher(
            &t.child("teacher", &["kind", "atoms", "mean", "second_moment"])?,
            d,
        )?),
    };
    let covariance = match t.opt("population") {
        None => Covariance::Identity,
        Some(_) => {
            let p = t.child("population", &["covariance"])?;
            match p.opt("covariance") {
                None => Covariance::Identity,
                Some(Tree::Str(s)) if s == "identity" => Covariance::Identity,
                Some(Tree::Str(s)) => {
                    return Err(p.err(
                        "covariance",
                        format!("`{s}`: expected \"identity\" or a matrix"),
                    ));
                }
                Some(_) => Covariance::Matrix(sized(&p, "covariance", p.matrix("covariance")?, d)?),
            }
        }
    };
    let test = match t.opt("test") {
        None => None,
        Some(_) => {
            let held_out = t.child("test", &["X", "y"])?;
            let (x, y) = rows(&held_out)?;
            shape(&held_out, "X", &x, &y, d)?;
            Some((x, y))
        }
    };
    Ok(Instance {
        source: file.to_string(),
        model,
        x,
        y,
        one_point,
        init,
        teacher,
        covariance,
        test,
    })
}

/// `X` (a list of rows) and `y` of a table.
fn rows(t: &Table) -> Result<(Vec<Vec<Q>>, Vec<Q>), Error> {
    let Tree::List(list) = t.req("X")? else {
        let found = t.req("X")?.kind();
        return Err(t.err("X", format!("expected a list of rows, found {found}")));
    };
    let x = (list.iter().enumerate())
        .map(|(j, r)| t.qs_at(r, &format!("{}[{j}]", t.path("X"))))
        .collect::<Result<_, _>>()?;
    Ok((x, t.qs("y")?))
}

/// The limits on data (key `data`, rows `x`, labels `y`) with d entries per row:
/// 1 ≤ n ≤ [`MAX_POINTS`], 1 ≤ d ≤ [`MAX_LIST`], n·d ≤ [`MAX_ENTRIES`], n labels.
fn shape(t: &Table, data: &str, x: &[Vec<Q>], y: &[Q], d: usize) -> Result<(), Error> {
    let n = x.len();
    if n == 0 || n > MAX_POINTS || d == 0 || d > MAX_LIST || n * d > MAX_ENTRIES {
        return Err(t.err(data, format!("dimensions n = {n}, d = {d} outside the limits 1 ≤ n ≤ {MAX_POINTS}, 1 ≤ d, n·d ≤ {MAX_ENTRIES}")));
    }
    if let Some(j) = x.iter().position(|r| r.len() != d) {
        let why = format!("row {j} has {} entries, expected d = {d}", x[j].len());
        return Err(t.err(&format!("{data}[{j}]"), why));
    }
    match y.len() == n {
        true => Ok(()),
        false => Err(t.err("y", format!("X has {n} rows but y has {} entries", y.len()))),
    }
}

fn sized(t: &Table, key: &str, m: Vec<Vec<Q>>, d: usize) -> Result<Vec<Vec<Q>>, Error> {
    if m.len() == d {
        Ok(m)
    } else {
        Err(t.err(
            key,
            format!("must be {d} × {d}, found {} × {}", m.len(), m.len()),
        ))
    }
}

fn sized_list(t: &Table, key: &str, d: usize) -> Result<Vec<Q>, Error> {
    let v = t.qs(key)?;
    if v.len() == d {
        Ok(v)
    } else {
        Err(t.err(key, format!("expected {d} entries, found {}", v.len())))
    }
}

/// `[init]`: exactly one of `alpha` (every parameter α), `theta` (θ0 itself), or, for the
/// two-block models `uv` and `pm`, the pair `u`, `v` (u0 = u·1, v0 = v·1: the literature's
/// named starts, e.g. u0 = a·1, v0 = 0), read as the θ0 it names.
fn read_init(t: &Table, model: Model, d: usize) -> Result<Init, Error> {
    let blocks = t.has("u") || t.has("v");
    match (t.has("alpha"), t.has("theta"), blocks) {
        (true, false, false) => Ok(Init::Alpha(t.q("alpha")?)),
        (false, true, false) => Ok(Init::Theta(sized_list(t, "theta", d * model.block())?)),
        (false, false, true) if model.block() == 2 => {
            let (u, v) = (t.q("u")?, t.q("v")?);
            Ok(Init::Theta([vec![u; d], vec![v; d]].concat()))
        }
        (false, false, true) => Err(t.err(
            if t.has("u") { "u" } else { "v" },
            format!(
                "`u` and `v` name the blocks of models uv and pm, not {}",
                model.name()
            ),
        )),
        _ => Err(Error::field(
            t.file,
            t.at(),
            "give exactly one of `alpha`, `theta`, or the pair `u`, `v`",
        )),
    }
}

fn read_teacher(t: &Table, d: usize) -> Result<Teacher, Error> {
    match t.str("kind")? {
        "discrete" => {
            t.forbid(&["mean", "second_moment"], "by a discrete prior")?;
            let list = t.list("atoms")?;
            if list.is_empty() || list.len() > MAX_ATOMS {
                return Err(t.err(
                    "atoms",
                    format!("expected 1 to {MAX_ATOMS} atoms, found {}", list.len()),
                ));
            }
            let mut atoms = Vec::with_capacity(list.len());
            for (a, tree) in list.iter().enumerate() {
                let at = format!("{}[{a}]", t.path("atoms"));
                let atom = t.nested(tree, &at, &["weight", "beta"])?;
                atoms.push((atom.q("weight")?, sized_list(&atom, "beta", d)?));
            }
            Ok(Teacher::Discrete { atoms })
        }
        "moments" => {
            t.forbid(&["atoms"], "by a moments prior")?;
            Ok(Teacher::Moments {
                mean: sized_list(t, "mean", d)?,
                second_moment: sized(t, "second_moment", t.matrix("second_moment")?, d)?,
            })
        }
        other => Err(t.err(
            "kind",
            format!("unknown prior `{other}` (expected discrete or moments)"),
        )),
    }
}

/// The first parameter of θ0 that GD and gradient flow can never move, and why. `shared` and
/// `shared-depth`: ∂L/∂w_i is a multiple of w_i, so w_i = 0 stays 0. `pm`: ∂L/∂u_i = 2x_i·r·u_i
/// and ∂L/∂v_i = −2x_i·r·v_i, so a zero u_i or v_i stays 0. `uv`: ∂L/∂u_i = x_i·r·v_i and
/// ∂L/∂v_i = x_i·r·u_i, so u_i = 0 moves while v_i ≠ 0 (and v_i while u_i ≠ 0); only
/// u_i = v_i = 0 is a fixed point (reported at u_i).
pub fn frozen_parameter(model: Model, theta: &[Q]) -> Option<(usize, String)> {
    let d = theta.len() / model.block();
    match model {
        Model::Uv => (0..d)
            .find(|&i| theta[i].is_zero() && theta[d + i].is_zero())
            .map(|i| {
                let why = format!(
                    "u_{i} = v_{i} = 0: a fixed point of GD for model uv (∂L/∂u_i = x_i·r·v_i, \
                     ∂L/∂v_i = x_i·r·u_i); a zero u_i with v_i ≠ 0, or v_i with u_i ≠ 0, is allowed"
                );
                (i, why)
            }),
        Model::Pm => theta.iter().position(Zero::is_zero).map(|k| {
            let (block, i) = if k < d { ("u", k) } else { ("v", k - d) };
            let why = format!(
                "{block}_{i} = 0 never moves under GD for model pm (∂L/∂{block}_i is a multiple \
                 of {block}_i); β_{i} then keeps one sign"
            );
            (k, why)
        }),
        Model::Shared | Model::SharedDepth(_) => theta.iter().position(Zero::is_zero).map(|i| {
            let why = "zero entry: ∂L/∂w_i is a multiple of w_i, so w_i = 0 never moves under GD";
            (i, why.to_string())
        }),
    }
}

/// A discrete prior: weights > 0 summing to 1, no zero teacher, β* ≥ 0 for a model with β ≥ 0.
fn atoms_valid(atoms: &[(Q, Vec<Q>)], model: Model) -> Result<(), Invalid> {
    let negative = "negative entry: a teacher of model shared has β* ≥ 0";
    let zero = "the zero teacher: its label y = 0 is excluded (SPEC §2)";
    for (a, (p, beta)) in atoms.iter().enumerate() {
        let at = format!("teacher.atoms[{a}]");
        if !p.is_positive() {
            return fail(
                format!("{at}.weight"),
                format!("weight {} is not > 0", short(p)),
            );
        }
        if let Some(i) = beta
            .iter()
            .position(|b| b.is_negative() && model.nonnegative())
        {
            return fail(format!("{at}.beta[{i}]"), negative);
        }
        if beta.iter().all(Zero::is_zero) {
            return fail(format!("{at}.beta"), zero);
        }
    }
    let total: Q = atoms.iter().map(|(p, _)| p).sum();
    let why = format!("weights sum to {}, not 1", short(&total));
    match total.is_one() {
        true => Ok(()),
        false => fail("teacher.atoms", why),
    }
}

/// A failed precondition: the field and the reason.
pub type Invalid = (String, String);

fn fail<T>(field: impl Into<String>, reason: impl Into<String>) -> Result<T, Invalid> {
    Err((field.into(), reason.into()))
}

/// Every precondition of SPEC §2–§3 that does not depend on the claim or command: y ≠ 0,
/// feasibility of one point (P ≠ ∅), a usable init, a teacher prior (one point, `shared`,
/// x > 0, atoms ≥ 0 and non-zero with weights > 0 summing to 1, or a realisable moments
/// prior) and Σ symmetric positive definite. Returns the first failure.
pub fn validate(inst: &Instance) -> Result<(), Invalid> {
    let data = if inst.one_point { "x" } else { "X" };
    if inst.y.iter().all(Zero::is_zero) {
        return fail(
            "y",
            "y = 0 is excluded (SPEC §2: the zero predictor already fits)",
        );
    }
    if inst.x.len() == 1 && !(0..inst.dim()).any(|i| inst.can_carry(i)) {
        let why = if inst.model.nonnegative() {
            "no coordinate has x_i·y > 0, so no β ≥ 0 fits the label"
        } else {
            "x = 0 cannot fit y ≠ 0"
        };
        return fail(data, format!("infeasible: {why} (SPEC §2: P is empty)"));
    }
    match &inst.init {
        Some(Init::Alpha(a)) if a.is_zero() => {
            return fail(
                "init.alpha",
                "alpha = 0 is a stationary point; GD would never move",
            );
        }
        Some(Init::Theta(t)) => {
            if let Some((i, why)) = frozen_parameter(inst.model, t) {
                return fail(format!("init.theta[{i}]"), why);
            }
        }
        _ => {}
    }
    if let Some(why) = crate::limits::instance_work(inst).refusal("validating Σ and M2") {
        let field = match inst.covariance {
            Covariance::Matrix(_) => "population.covariance",
            Covariance::Identity => "teacher.second_moment",
        };
        return fail(field, why);
    }
    if let Covariance::Matrix(m) = &inst.covariance
        && !(is_symmetric(m) && is_pd(m))
    {
        return fail(
            "population.covariance",
            "Σ must be symmetric positive definite",
        );
    }
    let Some(teacher) = &inst.teacher else {
        return Ok(());
    };
    if !inst.one_point {
        // SPEC §5.4: at n > 1 points a discrete prior's atoms label the data (y_a = Xβ*_a) for
        // the float GD learner of models shared, uv and pm; T1-G claims need one point.
        let why = "at n > 1 points a teacher is a discrete prior of model shared, uv or pm";
        return match teacher {
            Teacher::Discrete { atoms }
                if inst.model.block() == 2 || inst.model == Model::Shared =>
            {
                atoms_valid(atoms, inst.model)
            }
            _ => fail("teacher", format!("{why} (SPEC §5.4)")),
        };
    }
    if inst.model != Model::Shared {
        return fail(
            "teacher",
            "a teacher prior on one point `x` (T1-G, SPEC §3) needs model shared",
        );
    }
    if let Some(i) = inst.x[0].iter().position(|v| !v.is_positive()) {
        return fail(
            format!("x[{i}]"),
            "T1-G (a teacher prior) needs every x_i > 0",
        );
    }
    match teacher {
        Teacher::Discrete { atoms } => atoms_valid(atoms, inst.model)?,
        Teacher::Moments {
            mean,
            second_moment: m2,
        } => {
            let d = mean.len();
            if !is_symmetric(m2) || m2.iter().flatten().any(Signed::is_negative) || !is_psd(m2) {
                return fail(
                    "teacher.second_moment",
                    "M2 = E[β*β*ᵀ] of teachers β* ≥ 0 is symmetric, ≥ 0 entrywise and PSD",
                );
            }
            if m2.iter().flatten().all(Zero::is_zero) {
                return fail(
                    "teacher.second_moment",
                    "M2 = 0: the teacher is zero almost surely",
                );
            }
            let centred: Vec<Vec<Q>> = (0..d)
                .map(|i| (0..d).map(|j| &m2[i][j] - &mean[i] * &mean[j]).collect())
                .collect();
            if mean.iter().any(Signed::is_negative) || !is_psd(&centred) {
                return fail(
                    "teacher.mean",
                    "no prior of teachers β* ≥ 0 has this mean and second moment (need m ≥ 0 and M2 − mmᵀ ⪰ 0)",
                );
            }
        }
    }
    Ok(())
}
