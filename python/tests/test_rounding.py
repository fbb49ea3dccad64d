"""test_rounding.py - the vectorised rounding of the per-frame table gives exactly what printing
with %.6f / %.10g and reading back gives (what makes the table equal frames.csv), on seeded random
values of every scale, decimal ties, signed zeros, non-finite values and denormals."""
import numpy as np

from vox._trajectory import round_f6, round_g10


def reference(fmt, values):
    return np.array([float(fmt % v) for v in values.tolist()], dtype=np.float64)


def same(a, b):
    return np.array_equal(a, b, equal_nan=True) and np.array_equal(np.signbit(a), np.signbit(b))


def cases():
    rng = np.random.default_rng(20240601)
    yield rng.normal(0, 30, 50000)                                   # centres, Å
    yield rng.uniform(0, 1, 50000)                                   # circularity, uniformity
    yield np.round(rng.uniform(0, 100, 50000), 3)                    # axial lengths as the library rounds them
    yield rng.integers(0, 10 ** 5, 50000) * 1.331                    # volumes at 1.1 Å
    yield rng.normal(0, 1, 50000) * 10.0 ** rng.integers(-30, 30, 50000)
    yield (rng.integers(0, 10 ** 7, 50000) + 0.5) / 1e6              # %.6f ties
    yield (rng.integers(10 ** 9, 10 ** 10, 50000) + 0.5) / 10.0 ** rng.integers(0, 12, 50000)  # %.10g ties
    yield np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e-300, 1e-13, 1e10, 9999999999.5, 1e22, 1e300,
                    0.5e-6, 1.5e-6, 2.5e-6, -0.5e-6, 0.1, 9.99999999995, 0.12345678915, 1234567.0000005,
                    -2.5600000000000005, 45048.0, 0.99999999995, 0.999999999949])


def test_round_f6_is_printf():
    for v in cases():
        with np.errstate(all="ignore"):
            assert same(round_f6(v), reference("%.6f", v))


def test_round_g10_is_printf():
    for v in cases():
        with np.errstate(all="ignore"):
            assert same(round_g10(v), reference("%.10g", v))
