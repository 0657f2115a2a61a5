"""gan_course: the reference implementation behind the gan-course notebooks.

Modules, in the order the chapters meet them:

- ``runtime``: device choice, seeding, and the fast mode used by the tests;
- ``theory``: closed forms of chapter 01 (optimal discriminator, C(G) and the JSD);
- ``data``: offline MNIST and Fashion-MNIST as tensors, a seeded batch iterator, and toy Gaussian targets;
- ``models``: MLP generators and discriminators/critics (optionally conditional);
- ``conv_models``, ``dcgan``: DCGAN's convolutional networks, its game, and batch norm at sampling
  time (chapter 06);
- ``losses``: GAN, non-saturating, WGAN, WGAN-GP, LSGAN and hinge losses and the R1 penalty, all
  from logits;
- ``zoo_games``, ``zoo``: chapter 07's hinge and R1 games, the loss-zoo table's runs, power
  iteration and spectral-norm estimates;
- ``monitor``, ``monitor_report``: the training-health monitor (a callback) and its report;
- ``distances``, ``evaluation``, ``stress``: FID, KID and precision/recall on features, chapter
  08's evaluation of the measures, and its generators with known defects;
- ``autoencoders``, ``energy``: chapter 09's autoencoder discriminator and its energy-based
  games, EBGAN (margin loss, pulling-away term) and BEGAN (the control of k_t, M_global);
- ``infogan``, ``infogan_eval``: chapter 10's InfoGAN (codes, Q on D's body, the mutual
  information bound) and its measurements (codes matched to classes, stroke moments);
- ``train``: one trainer for every chapter, with checkpoints;
- ``metrics``: classifier FID / Inception Score on MNIST, and toy-target distances;
- ``plots``, ``widgets``: figures, animations and interactive panels;
- ``checks``: the exercise checkers;
- ``recipes``: the named, full-length training settings shared by the chapters, the command
  line (``python -m gan_course``) and ``make results``.
"""

from gan_course.runtime import FAST, device, fast_or_full, seed_everything

__all__ = ["FAST", "device", "fast_or_full", "seed_everything"]
__version__ = "0.1.0"
