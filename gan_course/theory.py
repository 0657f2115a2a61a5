"""The closed forms of chapter 01, evaluated numerically on a grid of points ``x``.

Densities are NumPy arrays of values on the grid; integrals use the trapezoid rule.

- value function (Goodfellow et al. 2014, eq. 1, written as an integral over x):
  V(D, G) = int p_data(x) log D(x) + p_g(x) log(1 - D(x)) dx;
- optimal discriminator (Proposition 1): D*(x) = p_data(x) / (p_data(x) + p_g(x));
- its value (Theorem 1): C(G) = V(D*, G) = -log 4 + 2 JSD(p_data || p_g);
- the two generator losses as integrals, E_{p_g}[log(1 - D)] (saturating) and E_{p_g}[-log D]
  (non-saturating), and what the latter follows against D*: the gradient of
  KL(p_g || p_data) - 2 JSD(p_data || p_g) (Arjovsky & Bottou 2017, Theorem 2.5);
- the parallel-lines example of Arjovsky et al. 2017 (Example 1), where JSD is stuck at log 2.
"""

import numpy as np
from scipy.special import xlogy

LOG2 = float(np.log(2.0))


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray) -> np.ndarray:
    """D*(x) = p_data(x) / (p_data(x) + p_g(x)); 1/2 where both densities vanish."""
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = p_data + p_g
    return np.divide(p_data, total, out=np.full_like(total, 0.5), where=total > 0)


def value_function(d: np.ndarray, p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """V(D, G) = int p_data log D + p_g log(1 - D) dx (0 log 0 counts as 0)."""
    integrand = xlogy(p_data, d) + xlogy(p_g, 1.0 - np.asarray(d, float))
    return float(np.trapezoid(integrand, x))


def kl_divergence(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """KL(p || q) = int p log(p / q) dx; infinite when p > 0 where q = 0."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    if np.any((p > 0) & (q == 0)):
        return float("inf")
    integrand = xlogy(p, p) - xlogy(p, np.where(q > 0, q, 1.0))
    return float(np.trapezoid(integrand, x))


def js_divergence(p: np.ndarray, q: np.ndarray, x: np.ndarray) -> float:
    """JSD(p || q) = 1/2 KL(p || m) + 1/2 KL(q || m) with m = (p + q) / 2; between 0 and log 2."""
    m = (np.asarray(p, float) + np.asarray(q, float)) / 2
    return 0.5 * kl_divergence(p, m, x) + 0.5 * kl_divergence(q, m, x)


def c_of_g(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """C(G) = max_D V(D, G) = V(D*, G); equals -log 4 + 2 JSD(p_data || p_g) (Theorem 1).

    Written with D* = p_data / (p_data + p_g) and 1 - D* = p_g / (p_data + p_g) substituted, so
    that no rounding of D* to exactly 1 in a tail turns a tiny p_g log(1 - D*) into -inf.
    """
    p_data, p_g = np.asarray(p_data, float), np.asarray(p_g, float)
    total = np.where(p_data + p_g > 0, p_data + p_g, 1.0)
    integrand = xlogy(p_data, p_data) + xlogy(p_g, p_g) - xlogy(p_data + p_g, total)
    return float(np.trapezoid(integrand, x))


def saturating_loss(d: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """The minimax generator loss E_{x ~ p_g}[log(1 - D(x))] = int p_g log(1 - D) dx
    (Goodfellow et al. 2014, eq. 1, the only term of V that depends on G)."""
    return float(np.trapezoid(xlogy(p_g, 1.0 - np.asarray(d, float)), x))


def nonsaturating_loss(d: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """The non-saturating generator loss E_{x ~ p_g}[-log D(x)] = -int p_g log D dx
    (Goodfellow et al. 2014, section 3)."""
    return float(np.trapezoid(-xlogy(p_g, np.asarray(d, float)), x))


def kl_minus_2jsd(p_data: np.ndarray, p_g: np.ndarray, x: np.ndarray) -> float:
    """KL(p_g || p_data) - 2 JSD(p_data || p_g): with D held at the optimal D*_G, the
    non-saturating loss E_{p_g}[-log D*] has the gradient (in G's parameters) of this quantity
    (Arjovsky & Bottou 2017, Theorem 2.5). Infinite when p_g has mass where p_data has none."""
    return kl_divergence(p_g, p_data, x) - 2 * js_divergence(p_data, p_g, x)


def parallel_lines(theta: float) -> dict[str, float]:
    """Distances between P_0 = (0, U[0, 1]) and P_theta = (theta, U[0, 1]) (Arjovsky et al. 2017).

    W1 = |theta|; JSD = log 2 and KL = +inf whenever theta != 0 (all three are 0 at theta = 0).
    """
    if theta == 0:
        return {"wasserstein": 0.0, "jsd": 0.0, "kl": 0.0}
    return {"wasserstein": abs(float(theta)), "jsd": LOG2, "kl": float("inf")}
