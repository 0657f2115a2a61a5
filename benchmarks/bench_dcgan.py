"""Benchmark: DCGAN training steps on MNIST, written the way the PyTorch DCGAN example writes them,
against the package's Trainer with the ``mnist-dcgan`` recipe (same networks, batch, optimiser).

The example (github.com/pytorch/examples, ``dcgan/main.py``) reads the images through a per-item
``DataLoader`` with ``ToTensor`` and ``Normalize``, calls D on the real batch and on the generated
batch with one ``backward`` each, reads four numbers back to the host with ``.item()`` every step,
and uses the default (for-each) Adam. The Trainer keeps the images in memory as one tensor, uses
the fused Adam kernel, and brings the losses back every 50 steps; the networks are the recipe's
(:mod:`gan_course.conv_models`), in the memory format the recipe trains them in. It also prints
the DCGAN step's achieved GFLOP/s (FLOPs counted by ``torch.utils.flop_counter``) against one
large convolution on the same machine, and with ``--explore`` the time of one step under each
option the CPU offers (memory format, oneDNN, threads, batch size, bfloat16, torch.compile).

    make bench            # or: .venv/bin/python benchmarks/bench_dcgan.py [--steps N] [--explore]
"""

import argparse
import time

import torch
from bench_trainer import timed_steps  # the sibling script: the same timing of the Trainer
from torch import nn
from torch.utils.data import DataLoader
from torchvision import transforms
from torchvision.datasets import MNIST

from gan_course import data, recipes, seed_everything

RECIPE = "mnist-dcgan"


def example_style(max_steps: int, memory_format=torch.contiguous_format,
                  workers: int = 0) -> tuple[float, int]:
    """The PyTorch DCGAN example's loop on the recipe's networks (seed 0), batch and optimiser
    settings; the networks in ``memory_format`` (the example's: PyTorch's default, contiguous),
    ``workers`` DataLoader processes (the example's default is 2)."""
    recipe = recipes.get(RECIPE)
    s = recipe.training
    seed_everything(0)
    netG, netD = (net.to(memory_format=memory_format) for net in recipes.networks(recipe))
    optimizerD = torch.optim.Adam(netD.parameters(), lr=s.lr_d, betas=s.betas)
    optimizerG = torch.optim.Adam(netG.parameters(), lr=s.lr_g, betas=s.betas)
    criterion = nn.BCEWithLogitsLoss()  # our D returns logits; the example's ends in a Sigmoid + BCELoss
    data.verify("mnist")
    dataset = MNIST(root=str(data.DATA_DIR), train=True, download=False, transform=transforms.Compose(
        [transforms.ToTensor(), transforms.Normalize((0.5,), (0.5,))]))
    dataloader = DataLoader(dataset, batch_size=s.batch_size, shuffle=True, drop_last=True,
                            num_workers=workers)
    steps, start = 0, time.perf_counter()
    for real in dataloader:
        # (1) Update D network: maximize log(D(x)) + log(1 - D(G(z)))
        netD.zero_grad()
        real_cpu = real[0]
        label = torch.full((len(real_cpu),), 1.0)
        output = netD(real_cpu)
        errD_real = criterion(output, label)
        errD_real.backward()
        D_x = output.sigmoid().mean().item()
        noise = torch.randn(len(real_cpu), netG.noise_dim)
        fake = netG(noise)
        label.fill_(0.0)
        output = netD(fake.detach())
        errD_fake = criterion(output, label)
        errD_fake.backward()
        D_G_z1 = output.sigmoid().mean().item()
        errD = errD_real + errD_fake
        optimizerD.step()
        # (2) Update G network: maximize log(D(G(z)))
        netG.zero_grad()
        label.fill_(1.0)
        output = netD(fake)
        errG = criterion(output, label)
        errG.backward()
        D_G_z2 = output.sigmoid().mean().item()
        optimizerG.step()
        _ = (errD.item(), errG.item(), D_x, D_G_z1, D_G_z2)  # the example prints these every step
        steps += 1
        if steps == max_steps:
            break
    return time.perf_counter() - start, steps


def trainer_run(max_steps: int) -> tuple[float, int, float]:
    """The package's Trainer with the recipe; returns seconds, steps and FLOPs per step."""
    trainer, _ = recipes.build(RECIPE, seed=0, device="cpu", progress=False, n_snapshots=0)
    return timed_steps(trainer, max_steps)


def conv_gflops(batch: int = 64, channels: int = 128, size: int = 28, repeats: int = 10) -> float:
    """GFLOP/s of one large 3x3 convolution (forward, channels-last), a practical peak here."""
    conv = nn.Conv2d(channels, channels, 3, padding=1, bias=False).to(memory_format=torch.channels_last)
    x = torch.randn(batch, channels, size, size).contiguous(memory_format=torch.channels_last)
    with torch.no_grad():
        conv(x)
        start = time.perf_counter()
        for _ in range(repeats):
            conv(x)
        seconds = time.perf_counter() - start
    return 2 * batch * channels * channels * 9 * size * size * repeats / seconds / 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="steps timed in each loop")
    parser.add_argument("--explore", action="store_true", help="also time each CPU option")
    args = parser.parse_args()
    recipe = recipes.get(RECIPE)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; {RECIPE}: batch "
          f"{recipe.training.batch_size}, widths {recipe.generator}, {recipe.discriminator}")
    ex_seconds, ex_steps = example_style(args.steps)
    print(f"DCGAN example-style loop (NCHW networks, DataLoader): {ex_steps} steps in {ex_seconds:6.1f} s "
          f"({1000 * ex_seconds / ex_steps:.1f} ms/step)")
    cl_seconds, cl_steps = example_style(args.steps, memory_format=torch.channels_last)
    print(f"  the same loop, the package's channels-last networks: "
          f"{1000 * cl_seconds / cl_steps:.1f} ms/step")
    ours_seconds, ours_steps, flops = trainer_run(args.steps)
    print(f"gan_course Trainer (recipe {RECIPE}): {ours_steps} steps in {ours_seconds:6.1f} s "
          f"({1000 * ours_seconds / ours_steps:.1f} ms/step)")
    ratio = (ex_seconds / ex_steps) / (ours_seconds / ours_steps)
    print(f"DCGAN speed-up per step: {ratio:.2f}x (target >= 1.5x); of it, memory format "
          f"{(ex_seconds / ex_steps) / (cl_seconds / cl_steps):.2f}x and the training loop "
          f"{(cl_seconds / cl_steps) / (ours_seconds / ours_steps):.2f}x")
    achieved, peak = flops * ours_steps / ours_seconds / 1e9, conv_gflops()
    print(f"DCGAN step: {flops / 1e9:.2f} GFLOP, {achieved:.1f} GFLOP/s; one large convolution "
          f"(64 x 128 x 28 x 28, 3x3): {peak:.1f} GFLOP/s ({100 * achieved / peak:.0f} % of it)")
    if args.explore:
        from bench_options import explore  # noqa: PLC0415 (only with --explore)

        explore(recipe)


if __name__ == "__main__":
    main()
