"""The BG/NBD model of repeat buying (Fader, Hardie and Lee 2005, "Counting your customers the easy way"),
fitted by maximum likelihood with numpy and scipy. Imported only when a report needs it (`clv`, the
Whales tab's p_alive): scipy is a tenth of a second to import, which no other report should pay.

Per customer: x = repeat purchases (frequency), t_x = time of the last purchase since the first (recency),
T = time since the first purchase (tenure), all in one time unit (the fit's alpha is in that unit; r, a, b
have none). While alive a customer buys at rate lambda ~ Gamma(r, alpha); after each purchase they drop out
with probability p ~ Beta(a, b).

The fit maximises the log-likelihood (FHL 2005, eq. 6) over the logarithms of the four parameters with
L-BFGS-B and the analytic gradient; customers with the same (x, t_x, T) are counted once with a weight,
which at a daily time unit folds most one-time buyers of a day into one row.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy.optimize import minimize
from scipy.special import digamma, expit, gammaln, hyp2f1

# log-parameters stay within these (1e-7 .. 1e8): a store with too few repeat buyers to identify the model
# runs its parameters towards 0 or infinity, and a bounded fit still answers (and says it did not settle)
_LOG_BOUNDS = (-16.0, 18.4)


class Fit(NamedTuple):
    r: float
    alpha: float
    a: float
    b: float
    log_likelihood: float
    customers: int
    settled: bool          # the optimiser converged with no parameter at a bound

    def describe(self, unit: str = "days") -> str:
        text = f"BG/NBD fit on {self.customers:,} customers: r {self.r:.3g}, alpha {self.alpha:.3g} {unit}, " \
               f"a {self.a:.3g}, b {self.b:.3g}"
        if not self.settled:
            text += " (the fit did not settle: too few repeat buyers; read p_alive and expectations as rough)"
        return text


def _terms(log_params: np.ndarray, x, tx, T):
    """Per-row log-likelihood pieces: the shared part, and the two terms summed by logaddexp."""
    r, alpha, a, b = np.exp(log_params)
    shared = (gammaln(r + x) - gammaln(r) + r * np.log(alpha)
              + gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x))
    log_T = np.log(alpha + T)
    log_tx = np.log(alpha + tx)
    first = -(r + x) * log_T                                    # alive at T
    repeat = x > 0
    # dropped out right after the last purchase (only possible after a repeat purchase)
    second = np.where(repeat, np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * log_tx, -np.inf)
    return r, alpha, a, b, shared, first, second, log_T, log_tx, repeat


def log_likelihood(log_params: np.ndarray, x, tx, T, weights=None) -> float:
    *_, shared, first, second, _, _, _ = _terms(np.asarray(log_params, dtype=float), x, tx, T)
    ll = shared + np.logaddexp(first, second)
    return float(ll.sum() if weights is None else (weights * ll).sum())


def _objective(log_params: np.ndarray, x, tx, T, w, n: float):
    """Minus the mean log-likelihood and its gradient in the log-parameters."""
    r, alpha, a, b, shared, first, second, log_T, log_tx, repeat = _terms(log_params, x, tx, T)
    total = np.logaddexp(first, second)
    w_first = np.exp(first - total)          # the share of each term in the sum: how its derivative counts
    w_second = np.exp(second - total)
    bx1 = np.where(repeat, b + x - 1, 1.0)
    d_r = digamma(r + x) - digamma(r) + np.log(alpha) - w_first * log_T - w_second * log_tx
    d_alpha = r / alpha - (r + x) * (w_first / (alpha + T) + w_second / (alpha + tx))
    d_a = digamma(a + b) - digamma(a + b + x) + w_second / a
    d_b = digamma(a + b) + digamma(b + x) - digamma(b) - digamma(a + b + x) - w_second / bx1
    ll = (w * (shared + total)).sum()
    grad = np.array([(w * d_r).sum() * r, (w * d_alpha).sum() * alpha, (w * d_a).sum() * a, (w * d_b).sum() * b])
    return -ll / n, -grad / n


def fit(x, tx, T) -> Fit:
    """The maximum-likelihood fit for customers with repeat purchases x, recency tx and tenure T."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    n = len(x)
    if n == 0:
        raise ValueError("no customers to fit")
    rows, weights = np.unique(np.column_stack((x, tx, T)), axis=0, return_counts=True)
    ux, utx, uT = rows[:, 0], rows[:, 1], rows[:, 2]
    w = weights.astype(float)
    # start where the data is: alpha near the mean tenure (a gamma with mean r / alpha ~ 1 / mean T)
    start = np.array([0.0, np.log(max(float(T.mean()), 1e-3)), 0.0, 0.0])
    result = minimize(_objective, start, args=(ux, utx, uT, w, float(n)), jac=True, method="L-BFGS-B",
                      bounds=[_LOG_BOUNDS] * 4, options={"maxiter": 500, "ftol": 1e-13, "gtol": 1e-9})
    at_bound = np.any(np.isclose(result.x, _LOG_BOUNDS[0], atol=1e-3) | np.isclose(result.x, _LOG_BOUNDS[1], atol=1e-3))
    r, alpha, a, b = (float(v) for v in np.exp(result.x))
    # without a repeat purchase nothing tells the drop-out parameters a and b: they stay where they started
    identified = bool((x > 0).any())
    return Fit(r, alpha, a, b, -float(result.fun) * n, n, bool(result.success) and not at_bound and identified)


def p_alive(f: Fit, x, tx, T) -> np.ndarray:
    """P(still a customer at T | x, t_x, T) (FHL 2005, eq. 11): 1 for a customer without a repeat purchase."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    repeat = x > 0
    log_odds = (np.log(f.a) - np.log(np.where(repeat, f.b + x - 1, 1.0))
                + (f.r + x) * (np.log(f.alpha + T) - np.log(f.alpha + tx)))
    return np.where(repeat, expit(-log_odds), 1.0)


def expected_purchases(f: Fit, t: float, x, tx, T) -> np.ndarray:
    """E[purchases in the next t | x, t_x, T] (FHL 2005, eq. 10). The Gaussian hypergeometric term
    2F1(r+x, b+x; a+b+x-1; z) x (1-z)^(r+x) is taken through Euler's transformation as
    (1-z)^(a-1) x 2F1(a+b-1-r, a-1; a+b+x-1; z): the same value, with parameters that do not grow with x,
    so a customer with hundreds of orders neither overflows nor loses the series' convergence."""
    x, tx, T = (np.asarray(v, dtype=float) for v in (x, tx, T))
    a = f.a if abs(f.a - 1.0) > 1e-9 else 1.0 + 1e-9      # the formula's a - 1 divides: a = 1 is its limit
    z = t / (f.alpha + T + t)
    log_one_minus_z = np.log(f.alpha + T) - np.log(f.alpha + T + t)
    c = a + f.b + x - 1
    tail = np.exp((a - 1) * log_one_minus_z) * hyp2f1(a + f.b - 1 - f.r, a - 1, c, z)
    return (c / (a - 1)) * (1.0 - tail) * p_alive(f, x, tx, T)
