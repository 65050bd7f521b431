"""The noise of a daily or weekly count series: AR(1) plus white noise on the log scale.

Real daily series of negative content carry multiplicative noise that persists from day to day
(a story runs for a week) on top of count noise that does not. On the working (log) scale of a
count GLM the residual ``e_t = (y_t - mu_t) / mu_t`` is modelled as

    e_t = u_t + w_t,   u_t = phi u_(t-1) + shock (stationary, variance ``ar_var``),
    w_t independent, variance ``white + 1 / mu_t`` (extra-Poisson plus Poisson),

the model the validation simulates and the one ``benchmarks/calibrate_noise.py`` measured on
real series. Its three parameters are fitted by restricted maximum likelihood (REML, which
accounts for the fitted mean terms), in O(n) per evaluation: the AR(1) correlation has a
tridiagonal inverse, so the covariance is solved through a banded Cholesky factor.

The engine's errors for long daily and weekly series come from this model: the variance of
each coefficient under the fitted noise (:func:`coefficient_variances`), with t degrees of
freedom that carry the uncertainty of the fitted noise (:func:`satterthwaite_df`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

PHI_BOUNDS = (0.0, 0.99)  # persistence only: a negative rho fitted to noise would shrink errors
VARIANCE_BOUNDS = (1e-6, 10.0)


@dataclass(frozen=True)
class NoiseModel:
    phi: float  # AR(1) coefficient of the persistent part
    ar_var: float  # its stationary variance (log scale)
    white: float  # extra-Poisson variance of the part that does not persist

    def times(self, m: np.ndarray, poisson: np.ndarray) -> np.ndarray:
        """``C @ m`` for the covariance ``C`` of the working residuals (``poisson``: 1 / mu)."""
        m = m if m.ndim == 2 else m[:, None]
        white = m * (self.white + poisson)[:, None]
        if self.ar_var <= 0:
            return white
        return self.ar_var * ar_correlation_times(self.phi, m) + white


def ar_correlation_times(phi: float, m: np.ndarray) -> np.ndarray:
    """``R @ m`` for the unit-variance AR(1) correlation ``R[i, j] = phi^|i - j|``: a forward
    and a backward recursive filter, O(n) instead of the dense n x n product."""
    from scipy.signal import lfilter

    forward = lfilter([1.0], [1.0, -phi], m, axis=0)
    backward = lfilter([1.0], [1.0, -phi], m[::-1], axis=0)[::-1]
    return forward + backward - m


def solve(model_params: tuple[float, float, float], poisson: np.ndarray, m: np.ndarray
          ) -> tuple[np.ndarray, float]:
    """``C^-1 m`` and ``log |C|`` for ``C = ar_var R_phi + diag(white + poisson)``, by Woodbury
    with the tridiagonal ``R_phi^-1``: ``C^-1 = D^-1 - D^-1 (D^-1 + R^-1 / ar_var)^-1 D^-1``."""
    from scipy.linalg import cho_solve_banded, cholesky_banded

    phi, ar_var, white = model_params
    inverse_white = 1.0 / (white + poisson)
    n = len(poisson)
    scale = 1.0 / (ar_var * (1.0 - phi * phi))
    band = np.zeros((2, n))
    band[1] = inverse_white + scale * (1.0 + phi * phi)
    band[1, 0] = band[1, -1] = inverse_white[0] + scale
    band[1, -1] = inverse_white[-1] + scale
    band[0, 1:] = -phi * scale
    factor = cholesky_banded(band, lower=False)
    scaled = inverse_white[:, None] * m
    out = scaled - inverse_white[:, None] * cho_solve_banded((factor, False), scaled)
    log_det = (-np.sum(np.log(inverse_white)) + n * math.log(ar_var)
               + (n - 1) * math.log(1.0 - phi * phi) + 2.0 * np.sum(np.log(factor[1])))
    return out, float(log_det)


def restricted_deviance(params: tuple[float, float, float], z: np.ndarray, x: np.ndarray,
                        poisson: np.ndarray) -> float:
    """-2 x the restricted log likelihood (up to a constant) of ``z = x b + e``."""
    k = x.shape[1]
    try:
        solved, log_det = solve(params, poisson, np.column_stack([x, z]))
        information = x.T @ solved[:, :k]
        score = x.T @ solved[:, k]
        _, log_det_x = np.linalg.slogdet(information)
        return log_det + log_det_x + float(z @ solved[:, k] - score @ np.linalg.solve(
            information, score))
    except (np.linalg.LinAlgError, ValueError):
        return math.inf


@dataclass(frozen=True)
class NoiseFit:
    """A REML fit: the model, and what the errors need to carry its uncertainty."""

    model: NoiseModel
    point: np.ndarray  # the optimum on the fitting scale (atanh phi, log ar_var, log white)
    free: tuple  # parameters inside their bounds (the others are held where they are)
    information: np.ndarray  # Hessian of the restricted deviance over the free parameters


def fit_noise(residuals: np.ndarray, x: np.ndarray, mu: np.ndarray, total_extra: float
              ) -> NoiseFit:
    """The AR(1) + white noise of working residuals ``(y - mu) / mu`` by REML.

    ``x`` is the design the means were fitted with (REML needs only the residuals, the mean
    terms being in ``x``); ``total_extra`` (the NB2 alpha of the fit) starts the split between
    the persistent and the white part. A part that the data do not show ends at its lower bound
    (1e-6): the white-noise model of the plain GLM, or an AR(1) without white noise."""
    from scipy.optimize import minimize

    poisson = 1.0 / mu
    start = max(total_extra / 2, 1e-3)

    def objective(p):
        return restricted_deviance(natural(p), residuals, x, poisson)

    bounds = [tuple(math.atanh(b) for b in PHI_BOUNDS),
              tuple(math.log(b) for b in VARIANCE_BOUNDS),
              tuple(math.log(b) for b in VARIANCE_BOUNDS)]
    fitted = minimize(objective, np.array([math.atanh(0.5), math.log(start), math.log(start)]),
                      method="L-BFGS-B", bounds=bounds)
    point = np.asarray(fitted.x, float)
    free = tuple(i for i, (low, high) in enumerate(bounds) if low + 1e-3 < point[i] < high - 1e-3)
    information = _hessian(objective, point, free)
    return NoiseFit(NoiseModel(*natural(point)), point, free, information)


def natural(p) -> tuple[float, float, float]:
    """(phi, ar_var, white) from the fitting scale."""
    return math.tanh(p[0]), math.exp(p[1]), math.exp(p[2])


def _hessian(f, point: np.ndarray, free: tuple, step: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of ``f`` over the ``free`` coordinates."""
    out = np.empty((len(free), len(free)))
    for a, i in enumerate(free):
        for b, j in enumerate(free[a:], start=a):
            moves = []
            for si, sj in ((1, 1), (1, -1), (-1, 1), (-1, -1)):
                p = point.copy()
                p[i] += si * step
                p[j] += sj * step
                moves.append(f(p))
            out[a, b] = out[b, a] = (moves[0] - moves[1] - moves[2] + moves[3]) / (4 * step**2)
    return out


def coefficient_variances(model: NoiseModel, weighted_design: np.ndarray, bread: np.ndarray,
                          poisson: np.ndarray) -> np.ndarray:
    """Variances of GLM coefficients whose estimating equations are ``(W X)' e = 0`` when the
    working residuals ``e`` have this noise: ``bread (W X)' C (W X) bread``."""
    meat = weighted_design.T @ model.times(weighted_design, poisson)
    return np.diag(bread @ meat @ bread).copy()


def satterthwaite_df(noise: NoiseFit, weighted_design: np.ndarray, bread: np.ndarray,
                     poisson: np.ndarray, ceiling: float) -> np.ndarray:
    """Per coefficient, the t degrees of freedom of its error when the noise is estimated:
    ``2 V^2 / Var(V_hat)``, with ``Var(V_hat)`` from the gradient of the variance in the noise
    parameters and their REML covariance (twice the inverse Hessian of the deviance), as
    Satterthwaite and Kenward and Roger do for mixed models. A noise well measured (mostly
    white, or a long series) gives many degrees of freedom; a persistent noise, whose long-run
    variance rests on a few effective observations, gives few. At most ``ceiling``."""
    k = bread.shape[0]
    if not noise.free:
        return np.full(k, ceiling)
    # a direction in which the deviance is flat (or curves the wrong way: a saddle the
    # optimiser stopped on) is one the data do not pin down: near-infinite variance, few df
    values, vectors = np.linalg.eigh(noise.information)
    floor = 1e-9 * max(float(np.abs(values).max()), 1e-12)
    covariance = 2.0 * (vectors / np.maximum(values, floor)) @ vectors.T
    variance = coefficient_variances(noise.model, weighted_design, bread, poisson)
    gradient = np.empty((k, len(noise.free)))
    step = 1e-4
    for column, i in enumerate(noise.free):
        moved = []
        for sign in (1, -1):
            p = noise.point.copy()
            p[i] += sign * step
            moved.append(coefficient_variances(NoiseModel(*natural(p)), weighted_design, bread,
                                               poisson))
        gradient[:, column] = (moved[0] - moved[1]) / (2 * step)
    spread = np.einsum("kf,fg,kg->k", gradient, covariance, gradient)
    with np.errstate(divide="ignore", invalid="ignore"):
        df = np.where(spread > 0, 2.0 * variance**2 / spread, ceiling)
    return np.clip(df, 1.0, ceiling)
