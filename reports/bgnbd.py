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
    # start where the data is: alpha near the mean tenure (a gamma with mean r / alpha ~ 1 / mean T), and at
    # least one time unit: when every customer bought first on the last day the likelihood is flat and the
    # start is the answer, where 1e-3 days meant a thousand purchases a day
    start = np.array([0.0, np.log(max(float(T.mean()), 1.0)), 0.0, 0.0])
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
    """E[purchases in the next t | x, t_x, T] (FHL 2005, eq. 10) = p_alive x E[purchases | alive].

    Alive, a customer's rate and drop-out probability follow their posteriors lambda ~ Gamma(r + x, alpha + T)
    and p ~ Beta(a, b + x), and E[purchases | alive] = E_p[(1 - (1 + p s)^-(r + x)) / p] with s = t / (alpha + T).
    The closed form's Gaussian hypergeometric term 2F1(r+x, b+x; a+b+x-1; z) x (1-z)^(r+x) is taken through
    Euler's transformation as (1-z)^(a-1) x 2F1(a+b-1-r, a-1; a+b+x-1; z): the same value, with parameters
    that do not grow with x, so a customer with hundreds of orders neither overflows nor loses the series'
    convergence. A fit that did not settle can run r, alpha, a or b towards 1e-7 or 1e8, where that series
    cancels to nothing or to inf x 0 (NaN); there, and wherever the closed form falls outside the bounds
    the expectation must keep, it is integrated over p instead (_integrated)."""
    x, tx, T = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (x, tx, T)))
    a = f.a if abs(f.a - 1.0) > 1e-9 else 1.0 + 1e-9      # the formula's a - 1 divides: a = 1 is its limit
    R, log1p_s = f.r + x, np.log1p(t / (f.alpha + T))
    with np.errstate(all="ignore"):
        z = t / (f.alpha + T + t)
        c = a + f.b + x - 1
        tail = np.exp(-(a - 1) * log1p_s) * hyp2f1(a + f.b - 1 - f.r, a - 1, c, z)
        alive = (c / (a - 1)) * (1.0 - tail)
    # the integrand falls from (r + x) s (never dropping out) at p = 0 to 1 - (1 + s)^-(r + x) at p = 1, so
    # E[purchases | alive] lies between them; a closed form outside (with a little room for rounding), not
    # finite, or the small difference of two large terms (1 - tail cancelling more than 6 of the 16 digits)
    # has lost its digits
    high, low = R * np.expm1(log1p_s), -np.expm1(-R * log1p_s)
    with np.errstate(all="ignore"):
        cancelled = np.abs(c / (a - 1)) * np.maximum(1.0, np.abs(tail)) > 1e6 * np.abs(alive)
    lost = ~(np.isfinite(alive) & (alive >= low * (1 - 1e-9)) & (alive <= high * (1 + 1e-9))) | cancelled
    if lost.any():
        alive = np.where(lost, 0.0, alive)
        alive[lost] = _integrated(f.a, (f.b + x)[lost], R[lost], log1p_s[lost])
    return alive * p_alive(f, x, tx, T)


# Gauss-Legendre nodes on (0, 1) over the Beta distribution's quantiles: E_p[g(p)] = integral of g(F^-1(u)) du
_NODES, _WEIGHTS = np.polynomial.legendre.leggauss(64)
_NODES, _WEIGHTS = (_NODES + 1) / 2, _WEIGHTS / 2


def _integrated(a: float, b_x: np.ndarray, R: np.ndarray, log1p_s: np.ndarray) -> np.ndarray:
    """E_p[(1 - (1 + p s)^-R) / p] for p ~ Beta(a, b_x), by quadrature over p's quantiles: a weighted mean of
    the integrand's values (positive weights summing to 1), so always finite and within its bounds, whatever
    the parameters; to about 1e-5 relative where the quantile function is steep at an end (a or b_x small;
    1e-4 with every parameter at a bound; checked by hand against mpmath at 30 digits over a grid of
    parameters from 1e-7 to 1e8),
    far closer than an unsettled fit's parameters are known. Each distinct b_x is inverted once."""
    from scipy.special import betaincinv

    b_unique, which = np.unique(b_x, return_inverse=True)
    p = betaincinv(a, b_unique[:, None], _NODES[None, :])[which]            # rows x nodes
    s = np.expm1(log1p_s)[:, None]
    ps = p * s
    # (1 - (1 + ps)^-R) / p, written to keep its digits both where ps is tiny and where p is 0 (the limit R s)
    g = np.where(p > 0, -np.expm1(-R[:, None] * np.log1p(ps)) / np.where(p > 0, p, 1.0), R[:, None] * s)
    return g @ _WEIGHTS
