"""The runtime contract: the GIL is released, Ctrl-C interrupts, a panic is an exception, and the
Enclosure class decides containment exactly."""

import os
import signal
import threading
import time
from fractions import Fraction

import pytest

import dlncheck
from dlncheck import _dlncheck as ext


def test_ctrl_c_interrupts_a_long_call():
    # A process started in the background by a shell without job control inherits SIGINT as
    # ignored, and Python then installs no handler: restore Python's own for this test.
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        _interrupt_a_long_call()
    finally:
        signal.signal(signal.SIGINT, previous)


def _interrupt_a_long_call():
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        ext._sleep(20.0)
    elapsed = time.monotonic() - start
    timer.join()
    assert elapsed < 2.0, elapsed
    # the package still works after an interruption
    assert dlncheck.lambda_max([[1]]).contains(1)


def test_gil_is_released_during_a_call():
    ticks = []
    stop = threading.Event()

    def count():
        while not stop.is_set():
            ticks.append(1)
            time.sleep(0.005)

    t = threading.Thread(target=count)
    t.start()
    try:
        ext._sleep(0.5)
    finally:
        stop.set()
        t.join()
    # up to 100 ticks of 5 ms in 0.5 s; a thread blocked on the GIL would tick once or twice
    assert len(ticks) > 10, len(ticks)


def test_calls_from_several_threads():
    results = {}

    def work(k):
        results[k] = dlncheck.lambda_max([[k, 1], [1, k]], width="1e-20")

    threads = [threading.Thread(target=work, args=(k,)) for k in range(1, 5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[k].contains(k + 1) for k in range(1, 5))  # eigenvalues k ± 1


def test_panic_is_an_exception_not_a_crash():
    with pytest.raises(RuntimeError, match="internal error"):
        ext._panic()
    assert dlncheck.lambda_max([[2]]).contains(2)


def test_enclosure_semantics():
    e = dlncheck.Enclosure(Fraction(1, 3), "1/2")
    assert e.lo == Fraction(1, 3) and e.hi == Fraction(1, 2)
    assert e.width == Fraction(1, 6) and e.mid == Fraction(5, 12)
    assert e.contains(Fraction(1, 3)) and e.contains("0.5") and 0.4 in e
    assert not e.contains(0.3333333333333333)  # the float below 1/3
    assert e.contains(0.33333333333333337)  # the float above 1/3
    assert not e.contains(float("nan")) and not e.contains(float("inf"))
    assert e["lo"] == e.lo and list(e) == [e.lo, e.hi] and e.keys() == ["lo", "hi"]
    assert "Enclosure([3.3333333333333333e-01, 5e-01]" in repr(e)
    with pytest.raises(ValueError):
        dlncheck.Enclosure(1, 0)
    with pytest.raises(AttributeError):
        e.lo = 0


def test_repr_rounds_outward():
    # the printed decimals enclose the exact interval: lo rounded down, hi rounded up
    e = dlncheck.Enclosure(Fraction(2, 3), Fraction(2, 3))
    text = repr(e)
    lo, hi = text[len("Enclosure(["):text.index("]")].split(", ")
    assert Fraction(lo) < Fraction(2, 3) < Fraction(hi)
    n = dlncheck.Enclosure(Fraction(-2, 3), Fraction(-1, 7))
    lo, hi = repr(n)[len("Enclosure(["):repr(n).index("]")].split(", ")
    assert Fraction(lo) <= Fraction(-2, 3) and Fraction(-1, 7) <= Fraction(hi)


def test_pickle_round_trip():
    import pickle

    e = dlncheck.lambda_max([[1, 0], [0, 2]])
    f = pickle.loads(pickle.dumps(e))
    assert f == e and f.certificate == e.certificate
