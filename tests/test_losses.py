import math

import pytest
import torch

from gan_course import losses


def logit(p):
    return math.log(p / (1 - p))


def test_discriminator_loss_matches_hand_computation():
    # D(x) = 0.8 on data, D(G(z)) = 0.3 on samples: -log 0.8 - log(1 - 0.3)
    real, fake = torch.tensor([logit(0.8)]), torch.tensor([logit(0.3)])
    assert losses.d_loss_gan(real, fake).item() == pytest.approx(-math.log(0.8) - math.log(0.7))


def test_generator_losses_match_hand_computation():
    fake = torch.tensor([logit(0.2), logit(0.6)])
    assert losses.g_loss_saturating(fake).item() == pytest.approx(
        (math.log(0.8) + math.log(0.4)) / 2)
    assert losses.g_loss_nonsaturating(fake).item() == pytest.approx(
        -(math.log(0.2) + math.log(0.6)) / 2)


def test_losses_are_finite_for_extreme_logits():
    extreme = torch.tensor([-500.0, 500.0])
    for value in (losses.d_loss_gan(extreme, extreme), losses.g_loss_saturating(extreme),
                  losses.g_loss_nonsaturating(extreme)):
        assert torch.isfinite(value)
    # -log D for D(G(z)) = sigmoid(-500) is 500, not inf
    assert losses.g_loss_nonsaturating(torch.tensor([-500.0])).item() == pytest.approx(500.0)


def test_saturating_gradient_vanishes_where_nonsaturating_does_not():
    # D confidently rejects the samples: D(G(z)) = sigmoid(-10) ~ 4.5e-5
    for loss, expect_small in ((losses.g_loss_saturating, True),
                               (losses.g_loss_nonsaturating, False)):
        fake = torch.tensor([-10.0], requires_grad=True)
        loss(fake).backward()
        grad = fake.grad.abs().item()
        if expect_small:
            assert grad < 1e-4  # d/da [-softplus(a)] = -sigmoid(a)
        else:
            assert grad > 0.99  # d/da softplus(-a) = -sigmoid(-a)


def test_wgan_and_lsgan_losses():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([-1.0, 0.0])
    assert losses.d_loss_wgan(real, fake).item() == pytest.approx(-0.5 - 3.0)
    assert losses.g_loss_wgan(fake).item() == pytest.approx(0.5)
    assert losses.d_loss_lsgan(real, fake).item() == pytest.approx(0.5 * 5 + 0.5 * 0.5)
    assert losses.g_loss_lsgan(fake).item() == pytest.approx(0.5 * 2.5)


def test_gradient_penalty_of_a_linear_critic():
    critic = torch.nn.Linear(3, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[1.0, 2.0, 2.0]]))  # ||grad f|| = 3 everywhere
    real, fake = torch.randn(16, 3), torch.randn(16, 3)
    penalty = losses.gradient_penalty(lambda x: critic(x).squeeze(1), real, fake)
    assert penalty.item() == pytest.approx((3 - 1) ** 2)
    penalty.backward()  # differentiable in the critic's weights: d/dw (||w|| - 1)^2 = 2 (3-1) w/3
    assert torch.allclose(critic.weight.grad, 4 * torch.tensor([[1.0, 2.0, 2.0]]) / 3)


def test_gradient_penalty_is_zero_for_a_unit_gradient_critic():
    critic = torch.nn.Linear(2, 1)
    with torch.no_grad():
        critic.weight.copy_(torch.tensor([[0.6, 0.8]]))
    penalty = losses.gradient_penalty(lambda x: critic(x).squeeze(1), torch.randn(8, 2),
                                      torch.randn(8, 2))
    assert penalty.item() == pytest.approx(0.0, abs=1e-10)
