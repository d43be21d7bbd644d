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
    /// Verify claim files with the trusted kernel (default: every *.claim.toml under proofs/).
    /// Exit 0: all verified; 1: some claim rejected; 2: unreadable or malformed input.
    Check {
        /// Claim files or directories.
        paths: Vec<PathBuf>,
        /// Print a JSON summary instead of a table.
        #[arg(long)]
        json: bool,
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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Solve { file, json } => cli::solve::run(&file, json),
        Command::Certify { file, out, title } => cli::certify::run(&file, &out, title.as_deref()),
        Command::Check { paths, json } => Ok(cli::check::run(&paths, json)),
        Command::Random { model, d, bits, seed, positive, out } => {
            cli::random::run(&dlncheck::random::Spec { model, d, bits, seed, positive }, &out)
        }
        Command::Search { claim, seed, min_dim, max_dim, count, max_samples, jobs, out, json } => {
            let target = if claim == "end-optimal" { dlncheck::search::Target::EndOptimal } else { dlncheck::search::Target::NeitherBias };
            let jobs = jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            let cfg = dlncheck::search::Config { target, seed, dims: (min_dim, max_dim), count, max_samples, jobs };
            cli::search::run(&cfg, out.as_deref(), json)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
