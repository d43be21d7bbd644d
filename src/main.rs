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
    },
    /// Certified enclosures [lo, hi] of λ_max, λ_min and max|λ| of a rational symmetric matrix
    /// (SPEC §6): exact LDLᵀ inertia, a Rayleigh witness vector and Kato–Temple bounds.
    #[command(group = clap::ArgGroup::new("source").required(true).args(["matrix", "instance"]))]
    Sharpness {
        /// The matrix: JSON/TOML `{"matrix": [["1", "1/2"], ["1/2", "3"]]}` of rationals, or a
        /// `.npy` of float32/float64 read as the exact binary values it holds.
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// An instance file: certify λ_max of the loss Hessian at `--theta` (secular equation for
        /// `shared` with one point, exact dense Hessian otherwise).
        #[arg(long, requires = "theta")]
        instance: Option<PathBuf>,
        /// The parameters θ as comma-separated rationals.
        #[arg(long, requires = "instance")]
        theta: Option<String>,
        /// Target relative width (hi − lo)/|λ| of each enclosure.
        #[arg(long, default_value = "1e-12")]
        width: String,
        /// Print one JSON object (`lambda_max.lo`, `lambda_max.hi`, ... as rational strings).
        #[arg(long)]
        json: bool,
        /// Also write the certificates as a claim file (checked by the kernel before writing).
        #[arg(long)]
        claim: Option<PathBuf>,
    },
    /// Audit float eigenvalue estimates (power iteration, Lanczos; f32/f64) or an outside
    /// estimate against certified enclosures: absolute, relative and ulp error, iterations, and
    /// which end of the spectrum each estimate found (SPEC §6).
    #[command(group = clap::ArgGroup::new("source").required(true).args(["matrix", "instance"]))]
    Audit {
        /// A matrix file (as for `sharpness`).
        #[arg(long)]
        matrix: Option<PathBuf>,
        /// An instance file: audit the loss Hessian ∇²L(θ) at `--theta` (floats use
        /// Hessian-vector products; the enclosure certifies the exact rational Hessian).
        #[arg(long, requires = "theta")]
        instance: Option<PathBuf>,
        /// The parameters θ as comma-separated rationals (`w` for shared; `u` then `v` for uv, pm).
        #[arg(long, requires = "instance")]
        theta: Option<String>,
        /// Audit this outside estimate (e.g. from a paper's experiment) instead of running ours.
        #[arg(long, allow_hyphen_values = true)]
        estimate: Option<String>,
        /// Float type: of the outside estimate (for ulps), or of the estimators run (default both).
        #[arg(long)]
        precision: Option<String>,
        /// Maximum matrix-vector products per estimator.
        #[arg(long, default_value_t = 300)]
        iters: usize,
        /// Target relative width of the certified enclosures.
        #[arg(long, default_value = "1e-20")]
        width: String,
        /// Print one JSON object.
        #[arg(long)]
        json: bool,
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
    /// Verify claim files with the trusted kernel (default: every *.claim.toml under proofs/).
    /// Exit 0: all verified; 1: some claim rejected; 2: unreadable or malformed input.
    Check {
        /// Claim files or directories.
        paths: Vec<PathBuf>,
        /// Print a JSON summary instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Solve { file, json } => cli::solve::run(&file, json),
        Command::Certify { file, out, title } => cli::certify::run(&file, &out, title.as_deref()),
        Command::Check { paths, json } => Ok(cli::check::run(&paths, json)),
        Command::Audit { matrix, instance, theta, estimate, precision, iters, width, json } => {
            let source = match (&matrix, &instance, &theta) {
                (Some(m), _, _) => Some(cli::audit::Source::Matrix(m)),
                (None, Some(i), Some(t)) => Some(cli::audit::Source::Hessian { instance: i, theta: t }),
                _ => None,
            };
            match source {
                Some(source) => cli::audit::run(&cli::audit::Options { source, estimate: estimate.as_deref(), precision: precision.as_deref(), iterations: iters, width: &width, json }),
                None => Err(dlncheck::error::Error::Usage("give --matrix FILE or --instance FILE --theta LIST".into())),
            }
        }
        Command::Multipoint { file, json, claim, iters, width } => {
            cli::multipoint::run(&cli::multipoint::Options { file: &file, json, claim: claim.as_deref(), iterations: iters, width: &width })
        }
        Command::Sharpness { matrix, instance, theta, width, json, claim } => match (matrix, instance, theta) {
            (Some(m), _, _) => cli::sharpness::run(&m, &width, json, claim.as_deref()),
            (None, Some(i), Some(t)) => cli::sharpness::run_hessian(&i, &t, &width, json, claim.as_deref()),
            _ => Err(dlncheck::error::Error::Usage("give --matrix FILE or --instance FILE --theta LIST".into())),
        },
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
