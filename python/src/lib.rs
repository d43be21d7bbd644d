//! `dlncheck._dlncheck`: the pyo3 layer of the Python package. The Python module
//! (`python/dlncheck/__init__.py`) converts Python values to exact text, calls one of the
//! functions below, and turns the JSON text it gets back into Python objects (rationals as
//! `fractions.Fraction`). All library work is in [`bridge`].
//!
//! Every call runs the library on a worker thread with the GIL released; the calling thread
//! waits in slices of 50 ms and checks for signals between them, so Ctrl-C raises
//! `KeyboardInterrupt` within about 50 ms. Rust cannot stop a thread from outside: an
//! interrupted computation keeps running on its worker thread until it ends, and its result is
//! dropped. A library error becomes `ValueError` with the CLI's one-line message; a panic (a bug)
//! is caught on the worker thread and becomes `RuntimeError`, never a crash of the interpreter.

mod bridge;

use bridge::{AuditArgs, Error, EstimateIn, GdArgs, InstanceSource, MatrixSource};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde_json::Value;
use std::path::PathBuf;
use std::sync::mpsc::{RecvTimeoutError, channel};
use std::time::Duration;

/// How often the waiting thread checks for Ctrl-C.
const POLL: Duration = Duration::from_millis(50);

/// Stack of the worker thread: larger than the 8 MiB main thread the CLI runs on.
const STACK: usize = 64 << 20;

type Outcome = std::thread::Result<Result<String, Error>>;

/// Runs `f` on a worker thread without the GIL and returns its JSON text; see the module doc.
fn run<F>(py: Python<'_>, f: F) -> PyResult<String>
where
    F: FnOnce() -> Result<Value, Error> + Send + 'static,
{
    let (tx, rx) = channel::<Outcome>();
    std::thread::Builder::new()
        .name("dlncheck".into())
        .stack_size(STACK)
        .spawn(move || {
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f().map(|v| v.to_string())
            }));
            // The receiver is gone when the call was interrupted: the result is dropped.
            let _ = tx.send(outcome);
        })
        .map_err(|e| {
            PyRuntimeError::new_err(format!("dlncheck: cannot start a worker thread: {e}"))
        })?;
    let mut rx = rx;
    loop {
        // `Receiver` is not `Sync`: it moves into the GIL-free closure and back out.
        let (received, back) = py.detach(move || (rx.recv_timeout(POLL), rx));
        rx = back;
        match received {
            Ok(Ok(Ok(text))) => return Ok(text),
            Ok(Ok(Err(e))) => return Err(PyValueError::new_err(e.to_string())),
            Ok(Err(payload)) => {
                let what = payload
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| payload.downcast_ref::<String>().cloned())
                    .unwrap_or_else(|| "unknown panic".into());
                return Err(PyRuntimeError::new_err(format!(
                    "dlncheck internal error (a bug; please report it with the input): {what}"
                )));
            }
            Err(RecvTimeoutError::Timeout) => py.check_signals()?,
            Err(RecvTimeoutError::Disconnected) => {
                return Err(PyRuntimeError::new_err(
                    "dlncheck internal error: the worker thread ended without a result",
                ));
            }
        }
    }
}

fn matrix_source(npy: Option<&Bound<'_, PyBytes>>, json: Option<String>) -> PyResult<MatrixSource> {
    match (npy, json) {
        (Some(b), None) => Ok(MatrixSource::Npy(b.as_bytes().to_vec())),
        (None, Some(t)) => Ok(MatrixSource::Json(t)),
        _ => Err(PyValueError::new_err(
            "internal: give exactly one of npy, json",
        )),
    }
}

fn instance_source(
    path: Option<String>,
    name: String,
    text: Option<String>,
) -> PyResult<InstanceSource> {
    match (path, text) {
        (Some(p), None) => Ok(InstanceSource::Path(PathBuf::from(p))),
        (None, Some(text)) => Ok(InstanceSource::Json { name, text }),
        _ => Err(PyValueError::new_err(
            "internal: give exactly one of path, text",
        )),
    }
}

#[pyfunction]
#[pyo3(signature = (name, npy, json, width))]
fn _lambda_max(
    py: Python<'_>,
    name: String,
    npy: Option<Bound<'_, PyBytes>>,
    json: Option<String>,
    width: String,
) -> PyResult<String> {
    let src = matrix_source(npy.as_ref(), json)?;
    run(py, move || bridge::lambda_max(&name, &src, &width))
}

#[pyfunction]
#[pyo3(signature = (name, npy, json, width))]
fn _spectrum(
    py: Python<'_>,
    name: String,
    npy: Option<Bound<'_, PyBytes>>,
    json: Option<String>,
    width: String,
) -> PyResult<String> {
    let src = matrix_source(npy.as_ref(), json)?;
    run(py, move || bridge::spectrum(&name, &src, &width))
}

#[pyfunction]
#[pyo3(signature = (name, npy, json, estimates, width, precision, iterations, max_only, symmetrize))]
#[allow(clippy::too_many_arguments)]
fn _audit(
    py: Python<'_>,
    name: String,
    npy: Option<Bound<'_, PyBytes>>,
    json: Option<String>,
    estimates: Vec<(Option<String>, String, Option<String>, Option<String>)>,
    width: String,
    precision: Option<String>,
    iterations: usize,
    max_only: bool,
    symmetrize: bool,
) -> PyResult<String> {
    let src = matrix_source(npy.as_ref(), json)?;
    let estimates: Vec<EstimateIn> = estimates
        .into_iter()
        .map(|(name, text, precision, end)| EstimateIn {
            name,
            text,
            precision,
            end,
        })
        .collect();
    let args = AuditArgs {
        width,
        precision,
        iterations,
        max_only,
        symmetrize,
    };
    run(py, move || bridge::audit(&name, &src, estimates, &args))
}

#[pyfunction]
#[pyo3(signature = (path, name, text))]
fn _solve(
    py: Python<'_>,
    path: Option<String>,
    name: String,
    text: Option<String>,
) -> PyResult<String> {
    let src = instance_source(path, name, text)?;
    run(py, move || bridge::solve(&src))
}

#[pyfunction]
#[pyo3(signature = (path, name, text, lr, steps, precision, tol, checks, certify, bits, trace, batch=None, seed=None, replacement=false))]
#[allow(clippy::too_many_arguments)]
fn _gd(
    py: Python<'_>,
    path: Option<String>,
    name: String,
    text: Option<String>,
    lr: String,
    steps: Option<u64>,
    precision: String,
    tol: Option<String>,
    checks: bool,
    certify: bool,
    bits: Option<u64>,
    trace: bool,
    batch: Option<u64>,
    seed: Option<u64>,
    replacement: bool,
) -> PyResult<String> {
    let src = instance_source(path, name, text)?;
    let args = GdArgs {
        lr,
        steps,
        precision,
        tol,
        checks,
        certify,
        bits,
        trace,
        batch,
        seed,
        replacement,
    };
    run(py, move || bridge::gd(&src, &args))
}

#[pyfunction]
#[pyo3(signature = (path, name, text, lr, steps, bits))]
fn _learner(
    py: Python<'_>,
    path: Option<String>,
    name: String,
    text: Option<String>,
    lr: String,
    steps: u64,
    bits: Option<u64>,
) -> PyResult<String> {
    let src = instance_source(path, name, text)?;
    run(py, move || bridge::learner(&src, &lr, steps, bits))
}

#[pyfunction]
#[pyo3(signature = (path, name, text, certify, width))]
fn _flow(
    py: Python<'_>,
    path: Option<String>,
    name: String,
    text: Option<String>,
    certify: bool,
    width: String,
) -> PyResult<String> {
    let src = instance_source(path, name, text)?;
    run(py, move || bridge::flow(&src, certify, &width))
}

#[pyfunction]
#[pyo3(signature = (model, x, y, theta, width))]
fn _sharpness_of(
    py: Python<'_>,
    model: String,
    x: Vec<String>,
    y: String,
    theta: Vec<String>,
    width: String,
) -> PyResult<String> {
    run(py, move || {
        bridge::sharpness_of(&model, &x, &y, &theta, &width)
    })
}

#[pyfunction]
#[pyo3(signature = (paths,))]
fn _check(py: Python<'_>, paths: Vec<String>) -> PyResult<String> {
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    run(py, move || Ok(bridge::check(&paths)))
}

/// Sleeps `seconds` on the worker thread (tests of interruption; no library call).
#[pyfunction]
fn _sleep(py: Python<'_>, seconds: f64) -> PyResult<String> {
    run(py, move || {
        std::thread::sleep(Duration::from_secs_f64(seconds.max(0.0)));
        Ok(Value::Null)
    })
}

/// Panics on the worker thread (tests of the panic guard).
#[pyfunction]
fn _panic(py: Python<'_>) -> PyResult<String> {
    run(py, || panic!("deliberate panic for the test of the guard"))
}

#[pymodule]
fn _dlncheck(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_lambda_max, m)?)?;
    m.add_function(wrap_pyfunction!(_spectrum, m)?)?;
    m.add_function(wrap_pyfunction!(_audit, m)?)?;
    m.add_function(wrap_pyfunction!(_solve, m)?)?;
    m.add_function(wrap_pyfunction!(_gd, m)?)?;
    m.add_function(wrap_pyfunction!(_learner, m)?)?;
    m.add_function(wrap_pyfunction!(_flow, m)?)?;
    m.add_function(wrap_pyfunction!(_sharpness_of, m)?)?;
    m.add_function(wrap_pyfunction!(_check, m)?)?;
    m.add_function(wrap_pyfunction!(_sleep, m)?)?;
    m.add_function(wrap_pyfunction!(_panic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
