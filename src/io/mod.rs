//! Files in and out. The readers ([`instance`], [`npy`], [`theta`]) sit below everything: they import only
//! [`crate::numeric`] and the kernel's instance types, so every other folder may read an
//! instance. The writers ([`atomic`], the one writer of output files; [`claims`], [`plot`], [`coq`]) and [`matrix`] (the matrix inputs and
//! enclosure JSON shared by `sharpness` and `audit`, which import [`crate::spectra`]) sit above the theory and dynamics whose
//! results they write, and nothing but the CLI imports them.

pub mod atomic;
pub mod claims;
pub mod coq;
pub mod format;
pub mod instance;
pub mod json_numbers;
pub mod matrix;
pub mod npy;
pub mod plot;
pub mod terminal;
pub mod theta;
pub mod walk;
