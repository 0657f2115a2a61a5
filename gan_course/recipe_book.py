"""The course's recipes: one named set of training settings per model the chapters train.

:class:`Recipe` says which data, which networks and which trainer settings; :data:`RECIPES` holds
them all, by name. :mod:`gan_course.recipes` builds, trains the length of and scores a recipe.
"""

from dataclasses import dataclass, field

from gan_course import (
    autoencoders,
    conv_models,
    cyclegan,
    data,
    dcgan,
    energy,
    games,
    infogan,
    models,
    zoo_games,
)
from gan_course.settings import TrainSettings


@dataclass(frozen=True)
class Recipe:
    """One model's full-length training settings."""

    name: str
    description: str
    target: str  # an image dataset of data.DATASETS ("mnist", "fashion") or a toy target in TARGETS
    epochs: float  # full length; fast mode trains ``fast_steps`` steps instead
    fast_steps: int
    game: str = "gan"  # a name in games.GAMES
    game_options: dict = field(default_factory=dict)  # keyword arguments of that game's class
    training: TrainSettings = TrainSettings()  # batch, optimiser, learning rates, EMA
    conditional: bool = False
    # arguments of toy_generator / toy_discriminator, or extra ones of the MNIST models
    # (mnist_generator / mnist_discriminator, e.g. embed_dim, dropout)
    generator: dict = field(default_factory=dict)
    discriminator: dict = field(default_factory=dict)
    n_toy_samples: int = 20_000  # size of the fixed training set drawn from a toy target
    networks: str = "mlp"  # for image data, a key of IMAGE_NETWORKS: "mlp", "dcgan" (chapter 06), ...
    seeds: int | None = None  # make results trains at most this many of its seeds (ablations: 1)


TARGETS = {
    "gaussian-1d": data.gaussian_1d,
    "bimodal-1d": data.gaussian_mixture_1d,
    "ring8": data.ring_of_gaussians,
    "grid25": data.grid_of_gaussians,
}

# The networks of image recipes: (generator, discriminator) factories taking n_classes and options.
IMAGE_NETWORKS = {
    "mlp": (models.mnist_generator, models.mnist_discriminator),
    "dcgan": (conv_models.dcgan_generator, conv_models.dcgan_discriminator),
    # chapter 09: an autoencoder as D, against chapter 03's generator (EBGAN) or chapter 06's (BEGAN)
    "mlp-autoencoder": (models.mnist_generator, autoencoders.mnist_autoencoder),
    "dcgan-autoencoder": (conv_models.dcgan_generator, autoencoders.mnist_autoencoder),
    "infogan": (infogan.info_generator, infogan.info_discriminator),  # chapter 10: G(z, c); D with Q
    # chapter 11: the pair of translators G_AB, G_BA ("conv" or "mlp") and the pair D_A, D_B
    "cyclegan": (cyclegan.translator_pair, cyclegan.discriminator_pair),
}
# Translation tasks (chapter 11): a function of the split giving (pairs (N, 2, H, W), labels (N, 2)).
TRANSLATIONS = {"mnist-strokes": cyclegan.stroke_domains}
assert dcgan.DCGAN is games.GAMES["dcgan"]  # importing gan_course.dcgan registered the game
assert zoo_games.HingeGAN is games.GAMES["hinge"]  # and zoo_games chapter 07's hinge and R1 games
assert energy.EBGAN is games.GAMES["ebgan"]  # and energy chapter 09's EBGAN and BEGAN
assert infogan.InfoGAN is games.GAMES["infogan"]  # and infogan chapter 10's InfoGAN
assert cyclegan.CycleGAN is games.GAMES["cyclegan"]  # and cyclegan chapter 11's CycleGAN

# 4-D uniform noise: from 1-D noise a ReLU generator tends to fold its line onto itself (chapter 02).
_TOY_1D = {"generator": {"dim": 1, "noise_dim": 4, "hidden": (32, 32)},
           "discriminator": {"dim": 1, "hidden": (32, 32)}}
# k = 5 discriminator steps on batches of 512 (two batches of 128 points differ by about 0.08 in W1),
# the discriminator 3x faster than the generator, and a weight average of the generator.
_TOY_1D_GAME = {"game": "gan", "game_options": {"d_steps": 5},
                "training": TrainSettings(lr_g=3e-4, lr_d=1e-3, batch_size=512, ema_decay=0.995)}
_TOY_2D = {"generator": {"dim": 2, "noise_dim": 2, "hidden": (128, 128, 128), "noise": "normal"},
           "discriminator": {"dim": 2, "hidden": (128, 128, 128)}}
_DCGAN = {"generator": {"width": 32}, "discriminator": {"width": 32},
          "training": TrainSettings(lr_g=4e-4, lr_d=4e-4, batch_size=64, ema_decay=0.999)}
_RMSPROP_5E5 = {"optimizer": "rmsprop", "lr_g": 5e-5, "lr_d": 5e-5}  # the WGAN paper's optimiser
# ring-gan's optimiser, batch and weight average, shared by grid-gan (chapter 07)
_TOY_2D_GAN_TRAINING = TrainSettings(lr_g=1e-3, lr_d=1e-3, batch_size=256, ema_decay=0.995)
# mnist-gan's, shared by chapter 07's zoo-mnist-* recipes
_MNIST_GAN_TRAINING = TrainSettings(lr_g=3e-4, lr_d=3e-4, batch_size=32, ema_decay=0.999)
RECIPES = {r.name: r for r in [
    # 430 passes of the discriminator over 20,000 points = 3,010 generator steps
    Recipe("toy1d", "1-D Gaussian N(4, 0.5^2), non-saturating GAN, k = 5 (chapter 02)", "gaussian-1d",
           epochs=430, fast_steps=200, **_TOY_1D_GAME, **_TOY_1D),
    Recipe("toy1d-bimodal", "1-D mixture of N(-2, 0.5^2) and N(2, 0.5^2), toy1d's settings: "
           "collapses onto one mode (chapter 02)", "bimodal-1d",
           epochs=430, fast_steps=200, **_TOY_1D_GAME, **_TOY_1D),
    # Matched budgets: 4,056 generator steps each, the same networks, batch and weight average.
    # The non-saturating GAN makes 1 discriminator step per generator step (78 steps per epoch),
    # the two WGANs 2 critic steps (39 per epoch): 52 and 104 epochs.
    Recipe("ring-gan", "ring of 8 Gaussians, non-saturating GAN (chapter 05)", "ring8",
           epochs=52, fast_steps=100, game="gan",
           training=_TOY_2D_GAN_TRAINING, **_TOY_2D),
    # Chapter 07's loss zoo on the 5x5 grid: ring-gan's settings and length on 25 modes
    # (gan_course.zoo varies the loss and spectral normalisation on both).
    Recipe("grid-gan", "5x5 grid of Gaussians, non-saturating GAN, ring-gan's settings (chapter 07)",
           "grid25", epochs=52, fast_steps=100, game="gan",
           training=_TOY_2D_GAN_TRAINING, **_TOY_2D),
    Recipe("ring-wgan", "ring of 8 Gaussians, WGAN with weight clipping (chapter 05)", "ring8",
           epochs=104, fast_steps=100, game="wgan", game_options={"clip": 0.01, "d_steps": 2},
           training=TrainSettings(**_RMSPROP_5E5, batch_size=256, ema_decay=0.995), **_TOY_2D),
    # lambda = 0.1: the authors' toy script's value for this ring's scale (the paper uses 10).
    Recipe("ring-wgan-gp", "ring of 8 Gaussians, WGAN-GP (chapter 05)", "ring8",
           epochs=104, fast_steps=100, game="wgan-gp", game_options={"gp_weight": 0.1, "d_steps": 2},
           training=TrainSettings(betas=(0.5, 0.9), lr_g=1e-3, lr_d=1e-3, batch_size=256,
                                  ema_decay=0.995), **_TOY_2D),
    # Batches of 32: on a 2-core CPU a step costs half as much as on 128 images and the GAN
    # improves almost as much per step, so it gets further per second (chapter 03, section 3).
    # 20 epochs = 37,500 generator steps, about 4 minutes on 2 cores.
    Recipe("mnist-gan", "MLP GAN on MNIST, non-saturating loss, EMA generator (chapter 03)",
           "mnist", epochs=20, fast_steps=30, game="gan", training=_MNIST_GAN_TRAINING),
    # With labels the MLP pair collapses on some seeds (the generator's tanh saturates, then D
    # wins); a gradient penalty (lambda = 1) on D kept every run stable (chapter 04, section 3).
    # 28 epochs = 26,236 generator steps, about 6 minutes on 2 cores.
    Recipe("mnist-cgan", "conditional MLP GAN on MNIST, gradient penalty on D (chapter 04)", "mnist",
           epochs=28, fast_steps=30, conditional=True, game="gan", game_options={"gp_weight": 1.0},
           training=TrainSettings(lr_g=3e-4, lr_d=3e-4, batch_size=64, ema_decay=0.999)),
    Recipe("mnist-wgan", "MLP WGAN (weight clipping) on MNIST (chapter 05)", "mnist", epochs=10,
           fast_steps=20, game="wgan", game_options={"clip": 0.01, "d_steps": 5},
           training=TrainSettings(**_RMSPROP_5E5, batch_size=64)),
    Recipe("mnist-wgan-gp", "MLP WGAN-GP on MNIST (chapter 05)", "mnist", epochs=10,
           fast_steps=20, game="wgan-gp", game_options={"gp_weight": 10.0, "d_steps": 5},
           training=TrainSettings(betas=(0.0, 0.9), lr_g=3e-4, lr_d=3e-4, batch_size=64)),
    # mnist-wgan-gp given mnist-gan's wall time and weight average (chapter 05, section 8): one
    # WGAN-GP epoch (187 generator steps, 5 critic steps each) costs about half a mnist-gan
    # epoch on 2 cores, so 40 epochs = 7,480 generator steps train about as long as mnist-gan's 20.
    Recipe("mnist-wgan-gp-ema", "MLP WGAN-GP on MNIST with mnist-gan's wall time and EMA (chapter 05)",
           "mnist", epochs=40, fast_steps=20, game="wgan-gp",
           game_options={"gp_weight": 10.0, "d_steps": 5},
           training=TrainSettings(betas=(0.0, 0.9), lr_g=3e-4, lr_d=3e-4, batch_size=64,
                                  ema_decay=0.999)),
    # Chapter 06: DCGANs (Adam with the paper's beta1 = 0.5, but lr 4e-4: in 5 epochs it reached
    # FID 32 where 2e-4 was at 42 after 6). 11 epochs of mnist-dcgan = 10,307 steps, about 250 s
    # on 2 cores: mnist-gan's training time (chapter 06, section 4).
    Recipe("mnist-dcgan", "DCGAN on MNIST, real and generated batches apart in D (chapter 06)",
           "mnist", epochs=11, fast_steps=20, game="dcgan", networks="dcgan", **_DCGAN),
    Recipe("fashion-dcgan", "DCGAN on Fashion-MNIST, mnist-dcgan's settings (chapter 06)", "fashion",
           epochs=8, fast_steps=20, game="dcgan", networks="dcgan", **_DCGAN),
    Recipe("fashion-cdcgan", "conditional DCGAN on Fashion-MNIST (chapter 06)", "fashion", epochs=8,
           fast_steps=20, conditional=True, game="dcgan", networks="dcgan", **_DCGAN),
    # Chapter 09: energy-based GANs, an MLP autoencoder 784-256-32-256-784 as D
    # (gan_course.autoencoders), 3 epochs (about a minute each on 2 cores), mnist-gan's batch and
    # weight average. EBGAN keeps chapter 03's generator and learning rates. BEGAN takes chapter
    # 06's generator at width 32 (with chapter 03's it collapsed to one image, chapter 09 shows it),
    # D slower than G (with lr_d = lr_g = 2e-4 one of two seeds collapsed), and gamma = 1.
    Recipe("mnist-ebgan", "EBGAN on MNIST: autoencoder D, margin loss, pulling-away term (chapter 09)",
           "mnist", epochs=3, fast_steps=20, game="ebgan", networks="mlp-autoencoder",
           game_options={"margin": 0.3, "pt_weight": 0.1}, training=_MNIST_GAN_TRAINING),
    Recipe("mnist-began", "BEGAN on MNIST: autoencoder D, proportional control of k_t (chapter 09)",
           "mnist", epochs=3, fast_steps=20, game="began", networks="dcgan-autoencoder",
           generator={"width": 32}, game_options={"gamma": 1.0, "lambda_k": 0.01},
           training=TrainSettings(lr_g=2e-4, lr_d=1e-4, batch_size=32, ema_decay=0.999)),
    # Chapter 10: chapter 06's networks with codes, the paper's lambda and rates; 5 epochs, ~2 minutes
    Recipe("mnist-infogan", "InfoGAN on MNIST: a 10-way categorical and 2 continuous codes (chapter 10)",
           "mnist", epochs=5, fast_steps=20, game="infogan", networks="infogan",
           game_options={"info_weight": 1.0, "continuous_weight": 1.0},
           training=TrainSettings(lr_g=1e-3, lr_d=2e-4, batch_size=64, ema_decay=0.999)),
    # Chapter 11: thin <-> thick strokes. The paper's losses, weights (lambda 10, identity 0.5
    # lambda), learning rate and Adam betas; batch 64, no weight average. The convolutional
    # translators (0.11 s a step on 2 cores), then ablations: the convolutional ones without cycle and
    # identity losses, the MLP translators (4x faster) with both, one or neither. make results trains
    # the ablations for its first seed only (about 2.5 minutes; a second seed would add as much).
    *[Recipe(f"mnist-cyclegan{suffix}", f"CycleGAN, MNIST thin <-> thick strokes, {kind} translators, "
             f"{what} (chapter 11)", "mnist-strokes", epochs=epochs, fast_steps=10, game="cyclegan",
             networks="cyclegan", generator={"translator": kind}, seeds=None if suffix == "" else 1,
             game_options={"cycle_weight": cycle, "identity_weight": identity},
             training=TrainSettings(lr_g=2e-4, lr_d=2e-4, batch_size=64))
      for suffix, kind, cycle, identity, what, epochs in [
          ("", "conv", 10.0, 5.0, "cycle and identity losses", 2),
          ("-gan-only", "conv", 0.0, 0.0, "adversarial losses only", 2),
          ("-mlp", "mlp", 10.0, 5.0, "cycle and identity losses", 3),
          ("-mlp-no-identity", "mlp", 10.0, 0.0, "no identity loss", 3),
          ("-mlp-no-cycle", "mlp", 0.0, 5.0, "no cycle loss", 3),
          ("-mlp-gan-only", "mlp", 0.0, 0.0, "adversarial losses only", 3)]],
]}

# Chapter 07's loss zoo on MNIST: mnist-gan's networks, batch, learning rates and weight average,
# four losses, D with and without spectral normalisation, all at one matched budget of 3 epochs
# (5,625 generator steps, about 40 s each on 2 cores): zoo-mnist-hinge, zoo-mnist-hinge-sn, ...
ZOO_MNIST_LOSSES = {"saturating": "gan-saturating", "nonsaturating": "gan", "lsgan": "lsgan",
                    "hinge": "hinge"}
for _loss, _game in ZOO_MNIST_LOSSES.items():
    for _sn in (False, True):
        _name = f"zoo-mnist-{_loss}" + ("-sn" if _sn else "")
        RECIPES[_name] = Recipe(
            _name, f"MLP GAN on MNIST, {_game} game, D {'with' if _sn else 'without'} spectral norm, "
            "3 epochs (chapter 07)", "mnist", epochs=3, fast_steps=20, game=_game,
            discriminator={"spectral_norm": _sn}, training=_MNIST_GAN_TRAINING)
