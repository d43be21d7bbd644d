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
    };
    match result {
        Ok(code) => ExitCode::from(code as u8),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
