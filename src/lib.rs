//! dlncheck: exact, certificate-checked verification of the theory of implicit bias in diagonal
//! linear networks (arXiv:2505.21423; the contract is SPEC.md, the user-facing formats are
//! `proofs/FORMAT.md` and `docs/instances.md`).
//!
//! The library is the untrusted producer. It reads instances, computes optima, fronts,
//! trajectories and spectra, and writes claim files; the kernel crate `dlncheck-kernel`
//! re-checks every claim in exact arithmetic, and only what the kernel accepts counts.
//!
//! The folders follow the data path, each importing only from the folders above it:
//!
//! | folder | holds | may import |
//! |---|---|---|
//! | [`numeric`] | rationals, the scalar trait and its float types, enclosures, LDLᵀ, simplex, QP, the PRNG | — |
//! | [`io`] readers | instance files ([`io::instance`]), `.npy`/`.npz` ([`io::npy`]), the claim schema ([`io::format`]) | `numeric`, the kernel |
//! | [`models`] | β(θ), loss, gradient, Hessian, Hessian-vector products (SPEC §1, §2) | `numeric`, `io::instance` |
//! | [`spectra`] | certified and float eigenvalues (SPEC §6) | `numeric`, `models` |
//! | [`theory`] | T1 optima, the front, generalization, several points, gradient flow, searches (SPEC §2, §3, §4, §5) | the above |
//! | [`dynamics`] | GD (float, arbitrary precision, certified), the Edge-of-Stability checks C1–C5 (SPEC §4, §4.1) | the above |
//! | [`io`] writers | claim files ([`io::claims`]), matrix inputs of `sharpness`/`audit` ([`io::matrix`]) and their `--theta` ([`io::theta`]), plots, Coq files | the above |
//! | [`report`] | each command's result as a typed, serialisable report (`report::gd`, `report::audit`, ...), the stdout JSON layout, the progress [`report::Observer`] | the above |
//! | [`cli`] | the `dlncheck` commands (SPEC §7): parse, call [`report`], print; imported only by the binary | everything |
//!
//! `ARCHITECTURE.md` at the repository root draws the same pipeline and the trusted boundary.

pub mod cli;
pub mod dynamics;
pub mod error;
pub mod io;
pub mod models;
pub mod numeric;
pub mod report;
pub mod spectra;
pub mod theory;
