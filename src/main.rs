//! The `dlncheck` binary: a thin layer over the library (see `dlncheck --help`).

use clap::{Parser, Subcommand};
use dlncheck::cli;
use std::path::PathBuf;
use std::process::ExitCode;

/// Check, with exact arithmetic and machine-checkable certificates, the theory of implicit bias
/// in diagonal linear networks: minimum-norm versus minimum-sharpness zero-loss solutions
/// (arXiv:2505.21423). Instance and claim files hold exact rationals as strings ("p/q").
#[derive(Parser)]
#[command(name = "dlncheck", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Mini-batch SGD (docs/sgd.md): the options `gd` and `sweep` share.
#[derive(clap::Args)]
struct Sgd {
    /// Mini-batch SGD: each step uses B of the n points, gradient of Σ_batch r_i²/(2B)
    /// (1 ≤ B ≤ n; B = n is plain GD; not with --certify); `sweep` uses it at every rate.
    /// docs/sgd.md.
    #[arg(long, value_name = "B")]
    batch: Option<u64>,
    /// Seed of the SGD sample order (SplitMix64; default 0); every rate of a sweep uses the same
    /// order.
    #[arg(long, value_name = "S")]
    seed: Option<u64>,
    /// SGD batches of i.i.d. uniform indices instead of epochs of a shuffled order.
    #[arg(long)]
    replacement: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Solve the one-point setting T1 exactly: min-norm, min-sharpness, conflict, Pareto front.
    Solve {
        /// Instance file (TOML or JSON).
        file: PathBuf,
        /// Print one JSON object (all numbers exact rational strings).
        #[arg(long)]
        json: bool,
    },
    /// Solve an instance and write a claim file with certificates the kernel re-checks.
    Certify {
        /// Instance file (TOML or JSON).
        file: PathBuf,
        /// Output claim file (`.toml` or `.json`); written atomically.
        #[arg(short, long)]
        out: PathBuf,
        /// Title recorded in the claim file.
        #[arg(long)]
        title: Option<String>,
        /// Also list every dual slack w_i ∓ λ·x_i of the optimum claims (the kernel recomputes
        /// them anyway; listed, each inequality of a small claim can be read by hand).
        #[arg(long)]
        slacks: bool,
    },
    /// Search T1-G instances (SPEC §3) where a claim holds (`neither-bias`: both ends of the Pareto
    /// front lose) or fails (`end-optimal`); shrink each hit and write it with a verified claim file.
    Search {
        /// The claim to look for.
        #[arg(long, value_parser = ["neither-bias", "end-optimal"], default_value = "neither-bias")]
        claim: String,
        /// Seed of the deterministic sampler (results do not depend on --jobs).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Smallest dimension d sampled.
        #[arg(long, default_value_t = 2)]
        min_dim: usize,
        /// Largest dimension d sampled (at most 12).
        #[arg(long, default_value_t = 4)]
        max_dim: usize,
        /// Number of hits to shrink and write (0: only sample --max-samples and report how often
        /// the claim holds).
        #[arg(long, default_value_t = 1)]
        count: usize,
        /// Stop after this many samples even with fewer hits.
        #[arg(long, default_value_t = 100_000)]
        max_samples: u64,
        /// Worker threads (default: all cores).
        #[arg(long)]
        jobs: Option<usize>,
        /// Folder receiving `<claim>-s<seed>-<sample>.toml` and `.claim.toml` per hit.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Certified enclosures [lo, hi] of λ_max, λ_min and max|λ| of a rational symmetric matrix
    /// (SPEC §6): exact LDLᵀ inertia, a Rayleigh witness vector and Kato–Temple bounds; float
    /// matrices (.npy/.npz) of side ≥ 48 by a verified binary64 Cholesky and a double-double
    /// witness (docs/verified-sharpness.md).
    #[command(group = clap::ArgGroup::new("source").required(true).args(["matrix", "instance"]))]
    Sharpness {
        /// The matrix: JSON/TOML `{"matrix": [["1", "1/2"], ["1/2", "3"]]}` of rationals, a
        /// `.npy` of float32/float64 read as the exact binary values it holds, or an `.npz` of
        /// such matrices (a batch: one per checkpoint).
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// An instance file: certify λ_max of the loss Hessian at `--theta` (secular equation for
        /// `shared` with one point, exact dense Hessian otherwise).
        #[arg(long, requires = "theta")]
        instance: Option<PathBuf>,
        /// The parameters θ (`w` for shared; `u` then `v` for uv, pm): comma-separated
        /// rationals, or a file: text (rationals/decimals separated by commas, spaces or
        /// newlines), a JSON list (strings exact, numbers as their binary64 value), the output of
        /// `gd --json` (its exact `final.theta`), or a float32/float64 `.npy` vector (exact
        /// binary values).
        #[arg(long, requires = "instance", allow_hyphen_values = true)]
        theta: Option<String>,
        /// Target relative width (hi − lo)/|λ| of each enclosure.
        #[arg(long, default_value = "1e-12")]
        width: String,
        /// Print one JSON object (`lambda_max.lo`, `lambda_max.hi`, ... as rational strings).
        #[arg(long)]
        json: bool,
        /// Certify (H + Hᵀ)/2 of a non-symmetric matrix, taken exactly, and report the largest
        /// asymmetry removed (as `audit --symmetrize`; JSON matrices may then hold plain floats).
        #[arg(long, requires = "matrix")]
        symmetrize: bool,
        /// Print CSV: one row per matrix (checkpoint) with both ends.
        #[arg(long)]
        csv: bool,
        /// Also write the certificates as a claim file (checked by the kernel before writing).
        #[arg(long)]
        claim: Option<PathBuf>,
    },
    /// Audit float eigenvalue estimates (power iteration, Lanczos; f32/f64) or outside
    /// estimates against certified enclosures computed once per matrix: absolute, relative and
    /// ulp error, iterations, the end of the spectrum each estimate is compared with, and a
    /// verdict (`lambda_max`, `lambda_min`, or `interior`: certified strictly between the ends by
    /// more than one ulp). SPEC §6; docs/audit.md.
    #[command(group = clap::ArgGroup::new("source").required(true).args(["matrix", "instance"]))]
    Audit {
        /// A matrix file (as for `sharpness`; JSON matrices may also hold plain floats, each read
        /// as the exact binary64 value it denotes), or an `.npz` batch (one per checkpoint).
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// An instance file: audit the loss Hessian ∇²L(θ) at `--theta` (floats use
        /// Hessian-vector products; the enclosure certifies the exact rational Hessian, by the
        /// O(d) secular route for `shared` with one data point).
        #[arg(long, requires = "theta")]
        instance: Option<PathBuf>,
        /// The parameters θ (`w` for shared; `u` then `v` for uv, pm): comma-separated
        /// rationals, or a file (text, JSON list, `gd --json` output, or `.npy`; as for
        /// `sharpness --theta`).
        #[arg(long, requires = "instance", allow_hyphen_values = true)]
        theta: Option<String>,
        /// Audit this outside estimate (e.g. from a paper's experiment) instead of running ours:
        /// `VALUE` or `NAME=VALUE` (an exact decimal or p/q). Repeat for several; the enclosures
        /// are computed once.
        #[arg(long, allow_hyphen_values = true)]
        estimate: Vec<String>,
        /// A file of named outside estimates: CSV with header `name,value[,precision]`, or JSON
        /// `{"name": value, ...}` or `[{"name": .., "value": .., "precision": ..}, ...]`.
        #[arg(long)]
        estimates: Option<PathBuf>,
        /// Float type: of the outside estimates (for ulps), or of the estimators run (default both).
        #[arg(long)]
        precision: Option<String>,
        /// Maximum matrix-vector products per estimator.
        #[arg(long, default_value_t = 300)]
        iters: usize,
        /// Target relative width of the certified enclosures.
        #[arg(long, default_value = "1e-20")]
        width: String,
        /// Certify λ_max only (λ_min is not computed or printed; `interior` then uses
        /// λ_min ≤ min_i H_ii).
        #[arg(long)]
        max_only: bool,
        /// Audit (H + Hᵀ)/2, taken exactly, of a matrix that is not symmetric (an autodiff
        /// Hessian's triangles differ by rounding), and report the asymmetry removed.
        #[arg(long, conflicts_with = "instance")]
        symmetrize: bool,
        /// Absolute tolerance of the verdicts: an estimate within it of an end is judged that
        /// end, never `interior` (default 8·d·u·‖H‖, u the unit roundoff of its float type;
        /// docs/audit.md).
        #[arg(long)]
        tol: Option<String>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
        /// Print CSV: one row per checkpoint (an `.npz` batch) and estimate.
        #[arg(long)]
        csv: bool,
    },
    /// Several data points (T2, SPEC §5): exact min-norm by an LP with a dual certificate and,
    /// for `shared`, certified lower and upper bounds on the minimum sharpness
    /// S = (4/n)·λ_max(X diag(β) Xᵀ), and whether the two biases conflict.
    Multipoint {
        /// Instance file with `X = [[...], ...]` and `y = [...]`.
        file: PathBuf,
        /// Print one JSON object (all numbers exact rational strings).
        #[arg(long)]
        json: bool,
        /// Also write the claims with certificates (checked by the kernel before writing).
        #[arg(long)]
        claim: Option<PathBuf>,
        /// Frank–Wolfe steps searching for a low-sharpness β.
        #[arg(long, default_value_t = 30)]
        iters: usize,
        /// Target relative width of the λ_max enclosures.
        #[arg(long, default_value = "1e-12")]
        width: String,
    },
    /// The gradient-flow limit of an instance (SPEC §5.2; models shared, pm, uv; any n): β∞ = β(ν)
    /// with ν the root of X·β(ν) = y, certified by a Krawczyk box with --certify (boxes of β∞,
    /// N(β∞), S(β∞)), or the reason it is not (a non-coercive Φ is named).
    Flow {
        /// Instance file (TOML or JSON); `[init]` gives θ₀ (default α = 1/10).
        file: PathBuf,
        /// Certify the limit (without it: an untrusted binary64 estimate of β∞).
        #[arg(long)]
        certify: bool,
        /// Target relative width of the N, S and β boxes.
        #[arg(long, default_value = "1e-30")]
        width: String,
        /// Print one JSON object (`certified` with exact rational {lo, hi} boxes).
        #[arg(long)]
        json: bool,
        /// With --certify: write a `gf-limit` claim file (checked by the kernel first).
        #[arg(long)]
        claim: Option<PathBuf>,
    },
    /// Verify claim files with the trusted kernel (default: every *.claim.toml under proofs/).
    /// Exit 0: all verified; 1: some claim rejected; 2: unreadable or malformed input.
    Check {
        /// Claim files or directories.
        paths: Vec<PathBuf>,
        /// Print a JSON summary instead of a table.
        #[arg(long)]
        json: bool,
        /// Decide with the kernel's plain reference code only: switch off its faster variants
        /// (kernel/src/fast/, proved to give the same verdicts; docs/checking.md).
        #[arg(long)]
        plain: bool,
    },
    /// Restate claim files as Coq theorems about their literal data (SPEC §8): writes the Coq
    /// library, one .v file per claim file and a Makefile into DIR; `make -C DIR` then proves
    /// every covered claim by reflection (Coq 8.16). Kinds not covered are listed, never skipped
    /// silently; an unreadable or malformed file is named and skipped (exit 2). The generator
    /// reads files with the kernel's parser but never runs its checks: Coq decides.
    Coq {
        /// Claim files (TOML or JSON).
        #[arg(required = true)]
        claims: Vec<PathBuf>,
        /// Output folder: new, empty, or an earlier output of `dlncheck coq` (then emptied).
        #[arg(short = 'o', long = "out", value_name = "DIR")]
        out: PathBuf,
    },
    /// Write a reproducible random one-point instance (SplitMix64 from --seed).
    Random {
        /// Model: shared, uv or pm.
        #[arg(long, default_value = "shared")]
        model: String,
        /// Dimension d.
        #[arg(long)]
        d: usize,
        /// Bits of every numerator and denominator.
        #[arg(long, default_value_t = 64)]
        bits: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Only positive x (the paper's setting); otherwise random signs.
        #[arg(long)]
        positive: bool,
        /// Output instance file (.toml or .json).
        #[arg(short, long)]
        out: PathBuf,
    },
    /// Run gradient descent (every model: shared, uv, pm, shared-depth; one data point `x` or
    /// n points `X`) from the instance's [init] (default θ0 = α·1 with α = 1/10;
    /// docs/models.md) and report the final loss, full-Hessian sharpness S (n = 1: secular
    /// equation of diag + rank one; n > 1: binary64 dense eigen-solve, Lanczos above 64
    /// parameters), norm N, β and the exact endpoint θ (SPEC §4, docs/trajectory.md). Stops
    /// when max_j |r_j| ≤ tol·max_j |y_j|, on divergence (reported with the step, no NaN), or at
    /// the step limit.
    Gd {
        /// Instance file (TOML or JSON).
        file: PathBuf,
        /// Learning rate η > 0, a rational such as "1/10" or "0.1".
        #[arg(long = "lr", value_name = "ETA", allow_hyphen_values = true)]
        lr: String,
        /// Maximum number of steps (exact rationals: at most 6). Optional with --certify
        /// (default 100000).
        #[arg(long, value_name = "K")]
        steps: Option<u64>,
        /// Arithmetic: f32, f64, a bit count 16..=65536 (binary floats), or exact (rationals).
        #[arg(long, default_value = "f64", value_name = "P")]
        precision: String,
        /// Relative residual |r|/|y| counted as converged (default: f32 2^-15, f64 2^-40,
        /// BITS 2^-(BITS-12), exact 0).
        #[arg(long, value_name = "TOL")]
        tol: Option<String>,
        /// Write the per-step record (loss, S, N, β, and sharpness_end: `top` when S = λ_max,
        /// `bottom` when S = −λ_min) to this file: .csv, or .json.
        #[arg(long, value_name = "FILE")]
        trace: Option<PathBuf>,
        /// Run the checks C1–C3 of SPEC §4 (certified gradient flow for η_c; exact endpoint S).
        /// With n > 1 points: C1 with S certified at the endpoint by the dense route; C2, C3 n/a.
        #[arg(long)]
        checks: bool,
        /// Precision audit instead of a run: f32 and f64 trajectories against 256 bits (and
        /// 256 bits against exact rationals for the first 8 steps); prints JSON.
        #[arg(long)]
        audit: bool,
        /// Print one JSON object (`converged`, `diverged`, `steps`, `final`).
        #[arg(long)]
        json: bool,
        /// Also certify the limit of the exact GD trajectory (SPEC §4.1): interval enclosures
        /// at --bits P (default: 64, 128, … until it works) and the tail theorem; adds
        /// `certified` (docs/certified-gd.md).
        #[arg(long)]
        certify: bool,
        /// Precision of certified GD in significant bits (2..=4096).
        #[arg(long, value_name = "P")]
        bits: Option<u64>,
        /// With --certify: write a `gd-limit` claim file (checked by the kernel first).
        #[arg(long, value_name = "OUT")]
        claim: Option<PathBuf>,
        /// With --trace or --plot: certify S = max|λ| of the exact Hessian at the float iterate
        /// every K steps (and at the last step): trace columns certified_lo, certified_hi
        /// (rounded outward) and a JSON `trajectory` list (docs/trajectory.md).
        #[arg(long, value_name = "K")]
        certify_every: Option<u64>,
        /// Write DIR/sharpness_trajectory.svg and .png: S along the steps, 2/η, and the
        /// certified enclosures of --certify-every as bars.
        #[arg(long, value_name = "DIR")]
        plot: Option<PathBuf>,
        #[command(flatten)]
        sgd: Sgd,
    },
    /// The GD learner (SPEC §4.1): certified GD on every atom's own label y_a of a discrete
    /// prior, from the same w0 and η; encloses the expected error E_GD(η) and says whether GD
    /// provably beats (or loses to) the exact min-norm and min-sharpness ends (SPEC §3).
    Learner {
        /// Instance file with a discrete teacher.
        file: PathBuf,
        /// Learning rate η > 0, a rational.
        #[arg(long = "lr", value_name = "ETA", allow_hyphen_values = true)]
        lr: String,
        /// Step limit per atom.
        #[arg(long, default_value_t = 100_000, value_name = "K")]
        steps: u64,
        /// Precision in significant bits (default: 64, 128, … until it works).
        #[arg(long, value_name = "P")]
        bits: Option<u64>,
        /// Write a `gd-learner` claim file (checked by the kernel first).
        #[arg(long, value_name = "OUT")]
        claim: Option<PathBuf>,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
    },
    /// Combine the folders of `sweep --shard i/N` (all N of them) into exactly what the
    /// unsharded sweep writes: sweep.csv, sweep.json and the plots (docs/cluster.md). Refuses
    /// overlapping, missing, incomplete or mismatched shards (instance, grid, options, version).
    Merge {
        /// The shard folders (any order).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Print the sweep's JSON summary (as `sweep --json`).
        #[arg(long)]
        json: bool,
    },
    /// Gradient descent over a grid of learning rates in parallel: writes DIR/sweep.csv,
    /// DIR/sweep.json and plots (sharpness, norm, and expected error with a teacher) in SVG and
    /// PNG, with η_norm, η_c (certified gradient flow) and η_max marked, and the checks C1–C5
    /// (every model runs, on one data point or n > 1; the marks and C2–C4 need the certified
    /// flow of model shared on one point, C5 a teacher on one point).
    Sweep {
        /// Instance file (TOML or JSON).
        file: PathBuf,
        /// Smallest learning rate (rational > 0).
        #[arg(long, value_name = "A", allow_hyphen_values = true)]
        lr_from: String,
        /// Largest learning rate (rational ≥ A).
        #[arg(long, value_name = "B", allow_hyphen_values = true)]
        lr_to: String,
        /// Number of learning rates.
        #[arg(long, value_name = "N")]
        points: usize,
        /// Log-spaced rates (rounded to 12 significant digits) instead of evenly spaced.
        #[arg(long)]
        log: bool,
        /// Output directory (created if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Step limit per learning rate.
        #[arg(long, default_value_t = 10_000, value_name = "K")]
        steps: u64,
        /// Arithmetic: f32, f64 or a bit count.
        #[arg(long, default_value = "f64", value_name = "P")]
        precision: String,
        /// Relative residual counted as converged.
        #[arg(long, value_name = "TOL")]
        tol: Option<String>,
        /// Print a JSON summary (checks, gradient flow, thresholds) to stdout.
        #[arg(long)]
        json: bool,
        /// Also certify every rate's exact GD limit (SPEC §4.1: enclosures of N, S and the EoS
        /// margin 2/η − S) and, with a discrete teacher, the GD learner's expected error; the CSV
        /// gains `_lo`/`_hi` columns (rounded outward) and the plots certified error bars.
        #[arg(long)]
        certify: bool,
        /// With --certify: precision of certified GD in significant bits (default adaptive).
        #[arg(long, value_name = "P")]
        bits: Option<u64>,
        /// With --certify: step limit of each certified run.
        #[arg(long, default_value_t = 100_000, value_name = "K")]
        certify_steps: u64,
        #[command(flatten)]
        sgd: Sgd,
        /// Also write β per rate to sweep.csv (columns beta_1 … beta_d).
        #[arg(long)]
        beta: bool,
        /// Run only shard i of N (0 ≤ i < N): the rates of grid index k with k mod N = i, written
        /// to --out as the shard's rows and manifest; `dlncheck merge` combines the N shard
        /// folders into exactly what the unsharded sweep writes (docs/cluster.md). A folder
        /// holding this shard complete is skipped; an interrupted one resumes.
        #[arg(long, value_name = "i/N")]
        shard: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Solve { file, json } => cli::solve::run(&file, json),
        Command::Certify {
            file,
            out,
            title,
            slacks,
        } => cli::certify::run(&file, &out, title.as_deref(), slacks),
        Command::Check { paths, json, plain } => {
            dlncheck_kernel::fast::set_enabled(!plain);
            cli::check::run(&paths, json)
        }
        Command::Coq { claims, out } => cli::coq::run(&claims, &out),
        Command::Random {
            model,
            d,
            bits,
            seed,
            positive,
            out,
        } => cli::random::run(
            &dlncheck::numeric::random::Spec {
                model,
                d,
                bits,
                seed,
                positive,
            },
            &out,
        ),
        Command::Search {
            claim,
            seed,
            min_dim,
            max_dim,
            count,
            max_samples,
            jobs,
            out,
            json,
        } => {
            let target = if claim == "end-optimal" {
                dlncheck::theory::search::Target::EndOptimal
            } else {
                dlncheck::theory::search::Target::NeitherBias
            };
            let jobs =
                jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let cfg = dlncheck::theory::search::Config {
                target,
                seed,
                dims: (min_dim, max_dim),
                count,
                max_samples,
                jobs,
            };
            cli::search::run(&cfg, out.as_deref(), json)
        }
        Command::Gd {
            file,
            lr,
            steps,
            precision,
            tol,
            trace,
            checks,
            audit,
            json,
            certify,
            bits,
            claim,
            certify_every,
            plot,
            sgd,
        } => cli::gd::run(&cli::gd::Args {
            file,
            lr,
            steps,
            precision,
            tol,
            trace,
            checks,
            audit,
            json,
            certify,
            bits,
            claim,
            certify_every,
            plot,
            batch: sgd.batch,
            seed: sgd.seed,
            replacement: sgd.replacement,
        }),
        Command::Learner {
            file,
            lr,
            steps,
            bits,
            claim,
            json,
        } => cli::learner::run(&cli::learner::Args {
            file,
            lr,
            steps,
            bits,
            claim,
            json,
        }),
        Command::Merge { dirs, out, json } => cli::merge::run(&dirs, &out, json),
        Command::Sweep {
            file,
            lr_from,
            lr_to,
            points,
            log,
            out,
            steps,
            precision,
            tol,
            json,
            certify,
            bits,
            certify_steps,
            sgd,
            beta,
            shard,
        } => cli::sweep::run(&cli::sweep::Args {
            file,
            out,
            json,
            shard,
            options: dlncheck::report::sweep::Options {
                lr_from,
                lr_to,
                points,
                log,
                steps,
                precision,
                tol,
                certify,
                bits,
                certify_steps,
                batch: sgd.batch,
                seed: sgd.seed,
                replacement: sgd.replacement,
                beta,
            },
        }),
        Command::Audit {
            matrix,
            instance,
            theta,
            estimate,
            estimates,
            precision,
            iters,
            width,
            max_only,
            symmetrize,
            tol,
            json,
            csv,
        } => {
            let source = match (&matrix, &instance, &theta) {
                (Some(m), _, _) => Some(cli::audit::Source::Matrix(m)),
                (None, Some(i), Some(t)) => Some(cli::audit::Source::Hessian {
                    instance: i,
                    theta: t,
                }),
                _ => None,
            };
            match source {
                Some(source) => cli::audit::run(
                    cli::audit::Options {
                        source,
                        estimates: estimate.iter().map(String::as_str).collect(),
                        given: Vec::new(),
                        estimates_file: estimates.as_deref(),
                        precision: precision.as_deref(),
                        iterations: iters,
                        width: &width,
                        batch: csv,
                        max_only,
                        symmetrize,
                        tolerance: tol.as_deref(),
                    },
                    json,
                    csv,
                ),
                None => Err(dlncheck::error::Error::Usage(
                    "give --matrix FILE or --instance FILE --theta LIST".into(),
                )),
            }
        }
        Command::Flow {
            file,
            certify,
            width,
            json,
            claim,
        } => cli::flow::run(&cli::flow::Options {
            file: &file,
            certify,
            width: &width,
            json,
            claim: claim.as_deref(),
        }),
        Command::Multipoint {
            file,
            json,
            claim,
            iters,
            width,
        } => cli::multipoint::run(&cli::multipoint::Options {
            file: &file,
            json,
            claim: claim.as_deref(),
            iterations: iters,
            width: &width,
        }),
        Command::Sharpness {
            matrix,
            instance,
            theta,
            width,
            symmetrize,
            json,
            csv,
            claim,
        } => match (matrix, instance, theta) {
            (Some(m), _, _) => {
                cli::sharpness::run(&m, &width, symmetrize, json, csv, claim.as_deref())
            }
            (None, Some(i), Some(t)) => {
                cli::sharpness::run_hessian(&i, &t, &width, json, claim.as_deref())
            }
            _ => Err(dlncheck::error::Error::Usage(
                "give --matrix FILE or --instance FILE --theta LIST".into(),
            )),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            // Echoed input (paths, keys, kinds) reaches the terminal escaped.
            eprintln!("error: {}", dlncheck::io::terminal::escape(&e.to_string()));
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
