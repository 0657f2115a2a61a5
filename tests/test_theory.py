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


def _gradient(loss, theta, h=1e-4):
    """Central differences of loss(mu_g, sigma_g) at theta = (mu_g, sigma_g)."""
    steps = [np.array([h, 0.0]), np.array([0.0, h])]
    return np.array([(loss(*(theta + e)) - loss(*(theta - e))) / (2 * h) for e in steps])


@pytest.mark.parametrize("theta", [(1.0, 1.5), (-0.5, 0.7)])
def test_generator_losses_against_d_star_follow_kl_minus_2jsd_and_the_jsd(theta):
    # D is held at the optimal discriminator of the generator theta; the generator then moves
    p_data, p_g = densities(*theta)
    d_star = theory.optimal_discriminator(p_data, p_g)
    theta = np.array(theta)

    def p(mu_g, sigma_g):
        return densities(mu_g, sigma_g)[1]

    non_saturating = _gradient(lambda m, s: theory.nonsaturating_loss(d_star, p(m, s), X), theta)
    kl_minus_2jsd = _gradient(lambda m, s: theory.kl_minus_2jsd(p_data, p(m, s), X), theta)
    # Arjovsky & Bottou 2017, Theorem 2.5: the same gradient, although the values differ
    assert non_saturating == pytest.approx(kl_minus_2jsd, abs=1e-6)
    assert theory.nonsaturating_loss(d_star, p_g, X) != pytest.approx(theory.kl_minus_2jsd(p_data, p_g, X))
    # the JSD term matters (a sign error would show): its gradient is not small
    two_jsd = _gradient(lambda m, s: 2 * theory.js_divergence(p_data, p(m, s), X), theta)
    assert np.abs(two_jsd).max() > 0.05
    # the saturating loss against D* follows 2 JSD, i.e. C(G) (Theorem 1 and the envelope theorem)
    # (1 - D* rounds to 0 in a far tail where p_g << p_data: keep log(1 - D) finite there)
    below_one = np.minimum(d_star, 1 - 1e-15)
    saturating = _gradient(lambda m, s: theory.saturating_loss(below_one, p(m, s), X), theta)
    assert saturating == pytest.approx(two_jsd, abs=1e-6)


def test_generator_losses_of_a_coin_flip_discriminator():
    _, p_g = densities(2.0, 1.0)
    half = np.full_like(X, 0.5)
    assert theory.nonsaturating_loss(half, p_g, X) == pytest.approx(np.log(2), abs=1e-9)
    assert theory.saturating_loss(half, p_g, X) == pytest.approx(-np.log(2), abs=1e-9)


def test_kl_minus_2jsd_of_a_generator_on_one_of_two_far_modes():
    # data: 1/2 N(-10, 1) + 1/2 N(10, 1); generator: N(10, 1), all its mass on one mode.
    # KL(p_g || p_data) = log 2; JSD = 3/4 log(4/3) (the modes do not overlap at this distance)
    p_data = 0.5 * stats.norm(-10, 1).pdf(X) + 0.5 * stats.norm(10, 1).pdf(X)
    p_g = stats.norm(10, 1).pdf(X)
    assert theory.kl_divergence(p_g, p_data, X) == pytest.approx(np.log(2), abs=1e-6)
    want = np.log(2) - 1.5 * np.log(4 / 3)
    assert theory.kl_minus_2jsd(p_data, p_g, X) == pytest.approx(want, abs=1e-6)
    assert theory.kl_minus_2jsd(p_data, p_data, X) == pytest.approx(0.0, abs=1e-9)
    # a generator with mass where the data has none: the reverse KL is infinite
    narrow, wide = ((X >= 0) & (X < 1)).astype(float), ((X >= 0) & (X < 2)).astype(float) / 2
    assert theory.kl_minus_2jsd(narrow, wide, X) == float("inf")
    assert np.isfinite(theory.kl_minus_2jsd(wide, narrow, X))
