"""The AR(1) + white noise model behind the errors of long daily and weekly fits."""

import math

import numpy as np
import pytest

from negtrend.analysis import noise_model


def _dense(phi, ar_var, white, poisson):
    n = len(poisson)
    lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
    return ar_var * phi**lag + np.diag(white + poisson)


def _ar1(rng, n, phi, sd):
    out = np.empty(n)
    out[0] = rng.normal(0, sd / math.sqrt(1 - phi**2))
    for t in range(1, n):
        out[t] = phi * out[t - 1] + rng.normal(0, sd)
    return out


def test_banded_solve_equals_the_dense_covariance():
    rng = np.random.default_rng(1)
    poisson = 1 / rng.uniform(5, 300, 120)
    m = rng.normal(size=(120, 3))
    for phi, ar_var, white in ((0.5, 0.08, 0.05), (0.95, 0.3, 0.0001), (-0.4, 0.02, 0.2)):
        dense = _dense(phi, ar_var, white, poisson)
        solved, log_det = noise_model.solve((phi, ar_var, white), poisson, m)
        assert solved == pytest.approx(np.linalg.solve(dense, m), rel=1e-8, abs=1e-10)
        assert log_det == pytest.approx(np.linalg.slogdet(dense)[1], rel=1e-10)
        times = noise_model.NoiseModel(phi, ar_var, white).times(m, poisson)
        assert times == pytest.approx(dense @ m, rel=1e-10)


def test_reml_recovers_the_noise_of_a_long_series():
    """Known truth: AR(1) rho 0.6, persistent variance 0.1, white 0.05 on top of Poisson noise,
    around a mean with a step; the REML estimates land near the truth, and a series with no
    persistent part gets no autocorrelation."""
    rng = np.random.default_rng(7)
    n = 2000
    x = np.column_stack([np.ones(n), (np.arange(n) >= 900).astype(float)])
    mu = rng.uniform(50, 400, n)
    persistent = _ar1(rng, n, 0.6, math.sqrt(0.1 * (1 - 0.36)))
    residuals = persistent + rng.normal(0, np.sqrt(0.05 + 1 / mu))
    fitted = noise_model.fit_noise(residuals, x, mu, 0.15).model
    assert fitted.phi == pytest.approx(0.6, abs=0.08)
    assert fitted.ar_var == pytest.approx(0.1, rel=0.25)
    assert fitted.white == pytest.approx(0.05, abs=0.02)
    white_only = rng.normal(0, np.sqrt(0.05 + 1 / mu))
    plain = noise_model.fit_noise(white_only, x, mu, 0.05).model
    # with no persistence the two parts are one white noise (at rho 0 they cannot be told
    # apart): no autocovariance, the right total
    assert abs(plain.phi * plain.ar_var) < 0.005
    assert plain.ar_var + plain.white == pytest.approx(0.05, abs=0.01)


def test_coefficient_variance_is_the_sandwich_under_the_fitted_noise():
    rng = np.random.default_rng(3)
    n = 150
    x = np.column_stack([np.ones(n), (np.arange(n) >= 70).astype(float)])
    mu = rng.uniform(20, 200, n)
    weighted = x * (mu / (1 + 0.1 * mu))[:, None]
    bread = np.linalg.inv(x.T @ weighted)
    model = noise_model.NoiseModel(0.7, 0.2, 0.05)
    dense = _dense(0.7, 0.2, 0.05, 1 / mu)
    expected = np.diag(bread @ weighted.T @ dense @ weighted @ bread)
    got = noise_model.coefficient_variances(model, weighted, bread, 1 / mu)
    assert got == pytest.approx(expected, rel=1e-10)


def test_satterthwaite_df_falls_as_the_noise_persists():
    """Persistent noise leaves few effective observations to measure a window's variance: the
    degrees of freedom of a 70-day window's coefficient fall from near the residual df (white
    noise) to a handful (rho 0.9)."""
    rng = np.random.default_rng(5)
    n = 220
    x = np.column_stack([np.ones(n), ((np.arange(n) >= 80) & (np.arange(n) < 150)).astype(float),
                         (np.arange(n) >= 150).astype(float)])
    mu = np.full(n, 200.0)
    weighted = x * (mu / (1 + 0.1 * mu))[:, None]
    bread = np.linalg.inv(x.T @ weighted)
    dfs = {}
    for phi in (0.0, 0.9):
        sd = math.sqrt(0.1 * (1 - phi**2))
        draws = []
        for _ in range(5):
            residuals = (_ar1(rng, n, phi, sd) if phi else rng.normal(0, math.sqrt(0.1), n))
            residuals = residuals + rng.normal(0, np.sqrt(0.02 + 1 / mu))
            noise = noise_model.fit_noise(residuals, x, mu, 0.12)
            draws.append(noise_model.satterthwaite_df(noise, weighted, bread, 1 / mu,
                                                      n - 3)[1])
        dfs[phi] = float(np.median(draws))
    assert dfs[0.0] > 60
    assert dfs[0.9] < 20
