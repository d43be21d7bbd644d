//! The sample order of mini-batch stochastic gradient descent (`gd --batch B --seed S`,
//! `docs/sgd.md`).
//!
//! SGD on L = ‖Xβ − y‖²/(2n) takes, at each step, a batch of B sample indices and the step
//! θ ← θ − η∇L_B(θ) with L_B = (1/(2B))·Σ_{i ∈ batch} r_i² (a repeated index counts as often as
//! it was drawn). The step itself is the one generic GD step of [`crate::dynamics::gd`] restricted
//! to the batch's rows; this module only decides which rows, from the project's one PRNG
//! ([`SplitMix64`], seeded by `--seed`), so the order is the same on every machine:
//!
//! - **without replacement** (the default): each epoch starts from the identity [0, 1, …, n−1]
//!   and shuffles it by Fisher–Yates — for i = n−1 down to 1, j = `below(i + 1)`, swap entries i
//!   and j; the epoch's batches are the consecutive slices of B entries, and a last short slice
//!   (n mod B entries) is a batch of its own, normalised by its own size; then a new epoch;
//! - **with replacement** (`--replacement`): each batch is B draws `below(n)`.
//!
//! `below(m)` is the unbiased rejection method of [`SplitMix64::below`]. The indices of a batch
//! are visited in increasing order (the gradient is a sum over a set, so the order is a choice;
//! this one makes B = n without replacement the plain GD step bit for bit, since every epoch is
//! then the whole of 0..n).

use crate::numeric::random::SplitMix64;

/// The settings of mini-batch SGD.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sgd {
    /// Batch size B, 1 ≤ B ≤ n.
    pub batch: usize,
    /// Seed of the sample order.
    pub seed: u64,
    /// I.i.d. uniform indices instead of epochs of a shuffled order.
    pub replacement: bool,
}

/// The stream of batches of an [`Sgd`] run over n samples.
#[derive(Clone, Debug)]
pub struct SampleOrder {
    n: usize,
    sgd: Sgd,
    rng: SplitMix64,
    /// The current epoch's permutation (without replacement) and the next unused position.
    perm: Vec<usize>,
    next: usize,
    out: Vec<usize>,
}

impl SampleOrder {
    /// The order of `sgd` over n ≥ 1 samples (the batch is clamped to 1..=n; callers refuse other
    /// batch sizes before a run).
    pub fn new(sgd: &Sgd, n: usize) -> Self {
        let n = n.max(1);
        SampleOrder {
            n,
            sgd: Sgd {
                batch: sgd.batch.clamp(1, n),
                ..sgd.clone()
            },
            rng: SplitMix64::new(sgd.seed),
            perm: Vec::with_capacity(n),
            next: n,
            out: Vec::with_capacity(sgd.batch.clamp(1, n)),
        }
    }

    /// The next batch, its indices in increasing order.
    pub fn next_batch(&mut self) -> &[usize] {
        self.out.clear();
        if self.sgd.replacement {
            for _ in 0..self.sgd.batch {
                self.out.push(self.rng.below(self.n as u64) as usize);
            }
        } else {
            if self.next == self.n {
                self.shuffle();
            }
            let end = (self.next + self.sgd.batch).min(self.n);
            self.out.extend_from_slice(&self.perm[self.next..end]);
            self.next = end;
        }
        self.out.sort_unstable();
        &self.out
    }

    /// A new epoch: the identity, shuffled by Fisher–Yates.
    fn shuffle(&mut self) {
        self.perm.clear();
        self.perm.extend(0..self.n);
        for i in (1..self.n).rev() {
            let j = self.rng.below(i as u64 + 1) as usize;
            self.perm.swap(i, j);
        }
        self.next = 0;
    }
}
