"""Benchmark: one epoch of the seed notebook's MLP GAN, written as the seed writes it, against the
package's Trainer on the same models, batch size and optimiser settings.

The seed's loop (after the CS231n GAN assignment) reads MNIST through a per-item DataLoader with
``ToTensor`` and evaluates the generator twice per step: once for the discriminator step (then
detached) and once again for the generator step, scoring real and fake images in separate
discriminator calls. The Trainer keeps MNIST in memory, runs the generator once per step, and
scores real and fake in one call. Also prints the Trainer's achieved GFLOP/s (FLOPs counted by
``torch.utils.flop_counter``) against a large matrix multiply on the same machine.

    make bench            # or: .venv/bin/python benchmarks/bench_trainer.py [--steps N]
"""

import argparse
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader
from torch.utils.flop_counter import FlopCounterMode
from torchvision import transforms
from torchvision.datasets import MNIST

from gan_course import data, games, models, seed_everything
from gan_course.settings import RunSettings, TrainSettings
from gan_course.train import Trainer

BATCH, LR, BETAS = 128, 3e-4, (0.5, 0.999)


def seed_style_epoch(max_steps: int) -> tuple[float, int]:
    """The seed notebook's training loop, for one epoch (or ``max_steps``)."""
    seed_everything(0)
    G, D = models.mnist_generator(), models.mnist_discriminator()
    opt_g = torch.optim.Adam(G.parameters(), lr=LR, betas=BETAS)
    opt_d = torch.optim.Adam(D.parameters(), lr=LR, betas=BETAS)
    data.verify_mnist()
    dataset = MNIST(root=str(data.DATA_DIR), train=True, download=False,
                    transform=transforms.ToTensor())
    loader = DataLoader(dataset, batch_size=BATCH, shuffle=True, drop_last=True)
    steps, start = 0, time.perf_counter()
    for x, _ in loader:
        real = 2 * (x - 0.5)
        opt_d.zero_grad()
        logits_real = D(real)
        fake = G(models.sample_noise(BATCH, 96)).detach()  # generator pass 1
        logits_fake = D(fake)
        d_loss = (F.binary_cross_entropy_with_logits(logits_real, torch.ones_like(logits_real))
                  + F.binary_cross_entropy_with_logits(logits_fake, torch.zeros_like(logits_fake)))
        d_loss.backward()
        opt_d.step()
        opt_g.zero_grad()
        fake = G(models.sample_noise(BATCH, 96))  # generator pass 2
        logits = D(fake)
        g_loss = F.binary_cross_entropy_with_logits(logits, torch.ones_like(logits))
        g_loss.backward()
        opt_g.step()
        steps += 1
        if steps == max_steps:
            break
    return time.perf_counter() - start, steps


def trainer_epoch(max_steps: int, sync_every: int = 50) -> tuple[float, int, float]:
    """The package's Trainer on the same pair; returns seconds, steps and FLOPs per step.
    ``sync_every``: steps between transfers of the losses to the host (1: every step)."""
    seed_everything(0)
    images, _ = data.mnist("train")
    game = games.GAN(models.mnist_generator(), models.mnist_discriminator())
    trainer = Trainer(game, images, TrainSettings(batch_size=BATCH, lr_g=LR, lr_d=LR, betas=BETAS),
                      RunSettings(device="cpu", progress=False, sync_every=sync_every))
    return timed_steps(trainer, max_steps)


def timed_steps(trainer: Trainer, max_steps: int) -> tuple[float, int, float]:
    """One step under a FLOP counter (it also warms up), then up to ``max_steps`` more within
    one epoch, timed; returns seconds, steps and FLOPs per step (also used by bench_dcgan.py)."""
    steps = min(max_steps, trainer.steps_per_epoch)
    counter = FlopCounterMode(display=False)
    with counter:
        trainer.train_step()
    start = time.perf_counter()
    trainer.fit(steps=steps + 1)
    return time.perf_counter() - start, steps, counter.get_total_flops()


def matmul_gflops(n: int = 2048, repeats: int = 10) -> float:
    a, b = torch.randn(n, n), torch.randn(n, n)
    a @ b
    start = time.perf_counter()
    for _ in range(repeats):
        a @ b
    return 2 * n**3 * repeats / (time.perf_counter() - start) / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=10**9, help="cap on steps (default: one epoch)")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BATCH}")
    seed_seconds, seed_steps = seed_style_epoch(args.steps)
    print(f"seed-style loop : {seed_steps} steps in {seed_seconds:6.1f} s "
          f"({1000 * seed_seconds / seed_steps:.1f} ms/step)")
    ours_seconds, ours_steps, flops = trainer_epoch(args.steps)
    print(f"gan_course      : {ours_steps} steps in {ours_seconds:6.1f} s "
          f"({1000 * ours_seconds / ours_steps:.1f} ms/step)")
    ratio = (seed_seconds / seed_steps) / (ours_seconds / ours_steps)
    print(f"speed-up per step: {ratio:.2f}x (target >= 1.7x)")
    achieved = flops * ours_steps / ours_seconds / 1e9
    peak = matmul_gflops()
    print(f"trainer: {flops / 1e9:.2f} GFLOP per step, {achieved:.1f} GFLOP/s; "
          f"2048x2048 matmul: {peak:.1f} GFLOP/s ({100 * achieved / peak:.0f} % of it)")
    every_seconds, every_steps, _ = trainer_epoch(args.steps, sync_every=1)
    print(f"history to the host every step  : {every_steps / every_seconds:6.1f} steps/s")
    print(f"history to the host every 50    : {ours_steps / ours_seconds:6.1f} steps/s "
          f"({(every_seconds / every_steps) / (ours_seconds / ours_steps):.2f}x)")


if __name__ == "__main__":
    main()
