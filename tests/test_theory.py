import numpy as np
import pytest
from scipy import stats

from gan_course import theory

X = np.linspace(-20, 20, 80001)


def densities(mu_g, sigma_g):
    return stats.norm(0, 1).pdf(X), stats.norm(mu_g, sigma_g).pdf(X)


def test_optimal_discriminator_on_two_known_densities():
    p_data, p_g = densities(2.0, 1.0)
    d = theory.optimal_discriminator(p_data, p_g)
    # equal variances: D*(x) = sigmoid(log p_data - log p_g) = sigmoid(2 - 2x)
    assert np.allclose(d, 1 / (1 + np.exp(-(2 - 2 * X))), atol=1e-9)
    assert theory.optimal_discriminator(np.array([0.0]), np.array([0.0]))[0] == 0.5


def test_optimal_discriminator_maximises_the_value_function():
    p_data, p_g = densities(1.0, 2.0)
    best = theory.value_function(theory.optimal_discriminator(p_data, p_g), p_data, p_g, X)
    for d in (np.full_like(X, 0.5), theory.optimal_discriminator(p_data, p_g) * 0.9,
              np.clip(theory.optimal_discriminator(p_data, p_g) + 0.05, 0, 1 - 1e-9)):
        assert theory.value_function(d, p_data, p_g, X) < best


@pytest.mark.parametrize("mu_g, sigma_g", [(0.0, 1.0), (1.0, 1.0), (3.0, 0.5), (-2.0, 2.0)])
def test_c_of_g_equals_minus_log4_plus_twice_jsd(mu_g, sigma_g):
    p_data, p_g = densities(mu_g, sigma_g)
    jsd = theory.js_divergence(p_data, p_g, X)
    assert theory.c_of_g(p_data, p_g, X) == pytest.approx(-np.log(4) + 2 * jsd, abs=1e-6)
    assert 0 <= jsd <= np.log(2) + 1e-9


def test_c_of_g_minimum_at_p_g_equal_p_data():
    p_data, p_g = densities(0.0, 1.0)
    assert theory.c_of_g(p_data, p_g, X) == pytest.approx(-np.log(4), abs=1e-6)


def test_kl_of_known_gaussians():
    p, q = densities(1.0, 2.0)  # KL(N(0,1) || N(1, 4)) = log 2 + (1 + 1) / 8 - 1/2
    assert theory.kl_divergence(p, q, X) == pytest.approx(np.log(2) + 2 / 8 - 0.5, abs=1e-6)


def test_jsd_is_log2_for_disjoint_supports_and_parallel_lines():
    p = ((X >= 0) & (X < 1)).astype(float)
    q = ((X >= 3) & (X < 4)).astype(float)
    assert theory.js_divergence(p, q, X) == pytest.approx(np.log(2), abs=1e-3)
    assert theory.kl_divergence(p, q, X) == float("inf")
    for theta in (0.1, 1.0, -3.0):
        d = theory.parallel_lines(theta)
        assert d["jsd"] == pytest.approx(np.log(2)) and d["wasserstein"] == abs(theta)
    assert theory.parallel_lines(0.0) == {"wasserstein": 0.0, "jsd": 0.0, "kl": 0.0}
