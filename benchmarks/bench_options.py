"""What each CPU option does to one DCGAN training step (``bench_dcgan.py --explore``).

One step is the ``dcgan`` game's: G(z), D on the real batch and on the generated batch (separate
calls), D's Adam step, D on the generated batch again, G's Adam step. Each option changes one
thing against the baseline (the recipe's networks, batch and threads; eager PyTorch, oneDNN on):
the memory format, oneDNN off, the number of threads, the batch size, bfloat16 autocast, the
resize-convolution generator and ``torch.compile`` (its compile time printed apart).
"""

import time

import torch
import torch.nn.functional as F

from gan_course import recipes, seed_everything


def _setup(recipe, batch: int, memory_format=torch.contiguous_format, **generator):
    seed_everything(0)
    G, D = recipes.networks(recipe.__class__(**{**recipe.__dict__,
                                                "generator": {**recipe.generator, **generator}}))
    G, D = G.to(memory_format=memory_format), D.to(memory_format=memory_format)
    betas, lr = recipe.training.betas, recipe.training.lr_g
    opt_g = torch.optim.Adam(G.parameters(), lr, betas=betas, fused=True)
    opt_d = torch.optim.Adam(D.parameters(), lr, betas=betas, fused=True)
    x = (torch.rand(batch, 1, 28, 28) * 2 - 1).contiguous(memory_format=memory_format)
    return G, D, opt_g, opt_d, x


def _step(G, D, opt_g, opt_d, x, run_g=None, run_d=None, bf16: bool = False) -> None:
    run_g = G if run_g is None else run_g
    run_d = D if run_d is None else run_d
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        fake = run_g(G.sample_noise(len(x)))
        d_loss = F.softplus(-run_d(x).float()).mean() + F.softplus(run_d(fake.detach()).float()).mean()
    opt_d.zero_grad(set_to_none=True)
    d_loss.backward()
    opt_d.step()
    D.requires_grad_(False)
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=bf16):
        g_loss = F.softplus(-run_d(fake).float()).mean()
    D.requires_grad_(True)
    opt_g.zero_grad(set_to_none=True)
    g_loss.backward()
    opt_g.step()


def _ms_per_step(step, n: int = 30, repeats: int = 3) -> float:
    """The best of ``repeats`` timings of ``n`` steps, after 5 warm-up steps."""
    for _ in range(5):
        step()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(n):
            step()
        best = min(best, (time.perf_counter() - start) / n)
    return 1000 * best


def _report(name: str, ms: float, base: float, batch: int, base_batch: int) -> None:
    """One row: time per step and per image, and images per second against the baseline's."""
    speed = (base / base_batch) / (ms / batch)
    print(f"  {name:38s} {ms:7.1f} ms/step {1000 * ms / batch:6.0f} us/image {speed:6.2f}x", flush=True)


def explore(recipe) -> None:
    """Print the time of one DCGAN step under each option, against the baseline."""
    batch = recipe.training.batch_size
    print(f"one DCGAN step, batch {batch} unless said, {torch.get_num_threads()} threads "
          "(last column: images per second against the baseline):")
    parts = _setup(recipe, batch)
    base = _ms_per_step(lambda: _step(*parts))
    _report("baseline (eager, NCHW, oneDNN on)", base, base, batch, batch)
    parts = _setup(recipe, batch, torch.channels_last)
    _report("channels_last memory format", _ms_per_step(lambda: _step(*parts)), base, batch, batch)
    torch.backends.mkldnn.enabled = False
    parts = _setup(recipe, batch)
    _report("oneDNN (mkldnn) off", _ms_per_step(lambda: _step(*parts)), base, batch, batch)
    torch.backends.mkldnn.enabled = True
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    _report("1 thread", _ms_per_step(lambda: _step(*parts)), base, batch, batch)
    torch.set_num_threads(threads)
    _report("bfloat16 autocast", _ms_per_step(lambda: _step(*parts, bf16=True)), base, batch, batch)
    parts = _setup(recipe, batch, upsample="resize")
    _report("resize-convolution generator", _ms_per_step(lambda: _step(*parts)), base, batch, batch)
    for other in (32, 128, 256):
        parts = _setup(recipe, other)
        _report(f"batch {other}", _ms_per_step(lambda parts=parts: _step(*parts), n=15), base, other, batch)
    parts = _setup(recipe, batch)
    start = time.perf_counter()
    compiled = torch.compile(parts[0]), torch.compile(parts[1])
    _step(*parts, *compiled)
    _step(*parts, *compiled)
    compile_seconds = time.perf_counter() - start
    _report(f"torch.compile (compiling: {compile_seconds:.0f} s)",
            _ms_per_step(lambda: _step(*parts, *compiled)), base, batch, batch)
