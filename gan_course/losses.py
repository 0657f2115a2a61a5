"""GAN losses, all computed from the discriminator's raw scores (logits).

Notation: ``real`` = D's logits on data x, ``fake`` = D's logits on generated G(z);
D(x) = sigmoid(logit). With softplus(a) = log(1 + e^a), the identities

    -log D(x)     = softplus(-logit)        -log(1 - D(x)) = softplus(logit)

give every log-loss below without ever computing log(0).
"""

import torch
import torch.nn.functional as F


def d_loss_gan(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Discriminator loss of the original GAN: minus the value function (Goodfellow et al. 2014, eq. 1).

    L_D = -E_x[log D(x)] - E_z[log(1 - D(G(z)))] = E[softplus(-real)] + E[softplus(fake)],
    i.e. binary cross-entropy with label 1 for data and 0 for samples.
    """
    return (F.binary_cross_entropy_with_logits(real, torch.ones_like(real))
            + F.binary_cross_entropy_with_logits(fake, torch.zeros_like(fake)))


def g_loss_saturating(fake: torch.Tensor) -> torch.Tensor:
    """The minimax generator loss L_G = E_z[log(1 - D(G(z)))] = -E[softplus(fake)].

    Its gradient vanishes when D confidently rejects the samples (D(G(z)) -> 0), early in training.
    """
    return -F.softplus(fake).mean()


def g_loss_nonsaturating(fake: torch.Tensor) -> torch.Tensor:
    """The non-saturating generator loss L_G = -E_z[log D(G(z))] = E[softplus(-fake)].

    Same fixed point as the minimax loss, strong gradients when D(G(z)) is small (Goodfellow et al.
    2014, section 3).
    """
    return F.softplus(-fake).mean()


def d_loss_wgan(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """WGAN critic loss: -(E[f(x)] - E[f(G(z))]) (Arjovsky et al. 2017, algorithm 1).

    Minimising it maximises the critic's estimate of the Wasserstein-1 distance.
    """
    return fake.mean() - real.mean()


def g_loss_wgan(fake: torch.Tensor) -> torch.Tensor:
    """WGAN generator loss: -E[f(G(z))]."""
    return -fake.mean()


def d_loss_lsgan(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Least-squares discriminator loss 1/2 E[(D(x) - 1)^2] + 1/2 E[D(G(z))^2] (Mao et al. 2017)."""
    return 0.5 * ((real - 1) ** 2).mean() + 0.5 * (fake**2).mean()


def g_loss_lsgan(fake: torch.Tensor) -> torch.Tensor:
    """Least-squares generator loss 1/2 E[(D(G(z)) - 1)^2] (Mao et al. 2017)."""
    return 0.5 * ((fake - 1) ** 2).mean()


def gradient_norms(critic, real: torch.Tensor, fake: torch.Tensor, labels=None,
                   generator: torch.Generator | None = None) -> torch.Tensor:
    """||grad_x f(x_hat)||_2 at random points x_hat between real and generated samples.

    x_hat = eps * x + (1 - eps) * G(z), one eps ~ U[0, 1] per sample (Gulrajani et al. 2017,
    Algorithm 1, line 6): the points where WGAN-GP asks the critic's gradient norm to be 1.
    ``create_graph=True`` keeps the norms differentiable with respect to the critic's weights.
    ``labels`` are passed on to a conditional critic. Returns one norm per sample, shape (N,).
    """
    eps = torch.rand(len(real), generator=generator).to(real.device)
    eps = eps.view(-1, *([1] * (real.dim() - 1)))
    x_hat = (eps * real + (1 - eps) * fake.detach()).requires_grad_(True)
    scores = critic(x_hat) if labels is None else critic(x_hat, labels)
    (grad,) = torch.autograd.grad(scores.sum(), x_hat, create_graph=True)
    return grad.flatten(1).norm(dim=1)


def gradient_penalty(critic, real: torch.Tensor, fake: torch.Tensor, labels=None,
                     generator: torch.Generator | None = None) -> torch.Tensor:
    """WGAN-GP penalty E[(||grad f(x_hat)||_2 - 1)^2] (Gulrajani et al. 2017, eq. 3), with the
    norms of :func:`gradient_norms`."""
    return ((gradient_norms(critic, real, fake, labels, generator) - 1) ** 2).mean()


def d_loss_hinge(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
    """Hinge discriminator loss E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (Lim & Ye 2017;
    SAGAN, Zhang et al. 2019, eq. 9; BigGAN). A sample scored beyond the margin costs nothing."""
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


def g_loss_hinge(fake: torch.Tensor) -> torch.Tensor:
    """Hinge generator loss -E[D(G(z))] (the same as the WGAN generator's)."""
    return -fake.mean()


def r1_penalty(real_scores: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
    """R1 penalty E_x[||grad_x D(x)||^2] on data (Mescheder et al. 2018, eq. 9, without the gamma/2).

    ``real`` must require gradients and ``real_scores`` be D's scores of it (one per sample, each
    depending on its own sample only). ``create_graph=True`` lets the penalty train D.
    """
    (grad,) = torch.autograd.grad(real_scores.sum(), real, create_graph=True)
    return grad.reshape(len(grad), -1).pow(2).sum(1).mean()
