"""Chapter 07's two new games, registered in :data:`gan_course.games.GAMES`:

- :class:`HingeGAN` (``"hinge"``): the hinge loss of Lim & Ye 2017, used by SAGAN and BigGAN;
- :class:`R1GAN` (``"gan-r1"``): the non-saturating GAN with the R1 penalty on data
  (Mescheder et al. 2018).

:mod:`gan_course.zoo` compares them with the other losses; :mod:`gan_course.recipes` imports this
module so that ``games.make("hinge", ...)`` works wherever recipes are used.
"""

from gan_course import games, losses


class HingeGAN(games.GAN):
    """GAN with the hinge loss (Lim & Ye 2017; Zhang et al. 2019, SAGAN, eq. 9):
    L_D = E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))], L_G = -E[D(G(z))].

    D is a margin classifier: a sample scored beyond its margin (D(x) >= 1, D(G(z)) <= -1) adds
    nothing to L_D, so D stops pushing its scores once it is confident. G's loss is linear in
    the score: its slope never vanishes."""

    def discriminator_loss(self, real, fake):
        """E[max(0, 1 - D(x))] + E[max(0, 1 + D(G(z)))] (:func:`losses.d_loss_hinge`)."""
        return losses.d_loss_hinge(real, fake)

    def generator_loss(self, fake):
        """-E[D(G(z))] (:func:`losses.g_loss_hinge`)."""
        return losses.g_loss_hinge(fake)

    def report(self, real, fake, penalty) -> dict:
        """Mean raw scores D(x), D(G(z)): the margins are +1 and -1."""
        return {"d_real": real.mean(), "d_fake": fake.mean()}


class R1GAN(games.GAN):
    """The non-saturating GAN with the R1 penalty (Mescheder et al. 2018, eq. 9):
    L_D = -E[log D(x)] - E[log(1 - D(G(z)))] + (gamma / 2) E_x[||grad_x D(x)||^2], with
    gamma = ``r1_weight``, the gradient of D's logit on real data only.

    The penalty flattens D on the data: at the equilibrium p_g = p_data, D is constant and its
    gradient is zero, and R1 pulls training towards that point instead of letting D and G
    circle around it."""

    def __init__(self, generator, discriminator, d_steps: int = 1, r1_weight: float = 1.0):
        super().__init__(generator, discriminator, d_steps)
        if isinstance(r1_weight, bool) or not isinstance(r1_weight, int | float) or not r1_weight > 0:
            raise ValueError(f"r1_weight must be a positive number, got {r1_weight!r}")
        self.r1_weight = r1_weight

    def scores(self, real, fake, labels) -> tuple:
        """D's logits, with the R1 penalty of the real ones kept for :meth:`discriminator_loss`."""
        real = real.detach().requires_grad_(True)
        real_score, fake_score = super().scores(real, fake, labels)
        self.r1 = losses.r1_penalty(real_score, real)
        return real_score, fake_score

    def discriminator_loss(self, real, fake):
        """The GAN's loss plus (gamma / 2) R1."""
        return losses.d_loss_gan(real, fake) + 0.5 * self.r1_weight * self.r1

    def report(self, real, fake, penalty) -> dict:
        """GAN's report plus the R1 penalty E||grad_x D(x)||^2."""
        return {**super().report(real, fake, penalty), "r1_penalty": self.r1}


games.GAMES.update({"hinge": HingeGAN, "gan-r1": R1GAN})
