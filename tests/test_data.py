import gzip
import hashlib
import os
import shutil
import subprocess
import sys

import numpy as np
import pytest
import torch

from gan_course import data


def test_mnist_tensors_scaled_to_minus_one_one():
    images, labels = data.mnist("train")
    assert images.shape == (60000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.shape == (60000,) and labels.dtype == torch.int64
    assert images.min().item() == -1.0 and images.max().item() == 1.0
    assert labels[:8].tolist() == [5, 0, 4, 1, 9, 2, 1, 3]  # the first MNIST training labels
    test_images, test_labels = data.mnist("test")
    assert test_images.shape == (10000, 1, 28, 28)
    assert torch.bincount(test_labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028,
                                                    974, 1009]


def test_mnist_bad_split():
    with pytest.raises(ValueError, match="split must be 'train' or 'test'"):
        data.mnist("validation")


@pytest.fixture
def mnist_copy(tmp_path):
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for name in (*data.MNIST_FILES, "SHA256SUMS"):
        shutil.copy(data.DATA_DIR / "MNIST" / "raw" / name, raw / name)
    return tmp_path


def test_missing_file_names_it_and_its_checksum(mnist_copy):
    (mnist_copy / "MNIST" / "raw" / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(data.DataError) as error:
        data.verify_mnist(mnist_copy)
    message = str(error.value)
    assert "t10k-labels-idx1-ubyte.gz" in message and "missing" in message
    assert "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6" in message
    assert "git checkout -- data/MNIST/raw" in message and "Nothing is downloaded" in message


def test_corrupt_file_is_refused(mnist_copy):
    archive = mnist_copy / "MNIST" / "raw" / "train-labels-idx1-ubyte.gz"
    content = bytearray(archive.read_bytes())
    content[100] ^= 0xFF
    archive.write_bytes(bytes(content))
    with pytest.raises(data.DataError, match="corrupt.*train-labels-idx1-ubyte.gz.*expected "
                       "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"):
        data.mnist("train", root=mnist_copy)


def test_verified_copy_loads_through_torchvision(mnist_copy):
    images, labels = data.mnist("test", root=mnist_copy)
    reference, reference_labels = data.mnist("test")
    assert torch.equal(images, reference) and torch.equal(labels, reference_labels)
    assert (mnist_copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte").is_file()


def test_batches_are_seeded_reshuffled_and_complete():
    x = torch.arange(10.0)
    b = data.Batches(x, x * 2, batch_size=3, seed=7)
    assert len(b) == 3  # the incomplete last batch is dropped
    epoch0 = torch.cat([b.batch(i)[0] for i in range(3)])
    epoch1 = torch.cat([b.batch(i)[0] for i in range(3, 6)])
    assert len(set(epoch0.tolist())) == 9 and not torch.equal(epoch0, epoch1)
    again = data.Batches(x, x * 2, batch_size=3, seed=7)
    assert torch.equal(again.batch(4)[0], b.batch(4)[0])
    xs, ys = b.batch(2)
    assert torch.equal(ys, xs * 2)  # rows stay aligned across tensors
    with pytest.raises(ValueError, match="batch_size"):
        data.Batches(x, batch_size=11)
    with pytest.raises(ValueError, match="same length"):
        data.Batches(x, x[:5], batch_size=2)


def test_toy_targets():
    gen = torch.Generator().manual_seed(0)
    one = data.gaussian_1d(4.0, 0.5).sample(20000, gen)
    assert one.shape == (20000, 1)
    assert one.mean().item() == pytest.approx(4.0, abs=0.02)
    assert one.std().item() == pytest.approx(0.5, abs=0.01)
    ring = data.ring_of_gaussians()
    assert ring.modes.shape == (8, 2)
    assert torch.allclose(ring.modes.norm(dim=1), torch.full((8,), 2.0))
    grid = data.grid_of_gaussians()
    assert grid.modes.shape == (25, 2) and grid.modes.min().item() == -4.0
    samples = ring.sample(4000, gen)
    nearest = torch.cdist(samples, ring.modes).min(dim=1).values
    assert nearest.max().item() < 6 * ring.std
    bimodal = data.gaussian_mixture_1d((-2.0, 2.0), 0.5)
    assert bimodal.cdf([0.0])[0] == pytest.approx(0.5)
    assert bimodal.pdf([2.0])[0] == pytest.approx(0.5 * 0.7978845608, rel=1e-6)


def _idx_bytes(archive, header: int) -> np.ndarray:
    """The bytes after the header of an IDX archive (16 bytes for images, 8 for labels)."""
    return np.frombuffer(gzip.decompress(archive.read_bytes()), dtype=np.uint8, offset=header)


@pytest.mark.parametrize("dataset", ["mnist", "fashion"])
def test_images_are_the_idx_bytes_scaled_exactly(dataset):
    images, labels = data.images(dataset, "test")
    raw = data.DATA_DIR / data.DATASETS[dataset].folder / "raw"
    pixels = _idx_bytes(raw / "t10k-images-idx3-ubyte.gz", 16).astype(np.float32)
    scaled = pixels / np.float32(127.5) - np.float32(1)  # x / 127.5 - 1 in float32
    assert torch.equal(images, torch.from_numpy(scaled).reshape(-1, 1, 28, 28))
    assert labels.tolist() == _idx_bytes(raw / "t10k-labels-idx1-ubyte.gz", 8).tolist()


def test_fashion_mnist_like_mnist():
    images, labels = data.fashion_mnist("train")
    assert images.shape == (60000, 1, 28, 28) and images.dtype == torch.float32
    assert labels.dtype == torch.int64 and images.min().item() == -1.0 and images.max().item() == 1.0
    assert torch.bincount(labels).tolist() == [6000] * 10  # Fashion-MNIST is balanced
    assert labels[:10].tolist() == [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]  # the published first training labels
    test_images, test_labels = data.images("fashion", "test")
    assert test_images.shape == (10000, 1, 28, 28) and torch.bincount(test_labels).tolist() == [1000] * 10
    assert not torch.equal(test_images, data.mnist("test")[0])
    assert data.class_names("fashion") == data.FASHION_CLASSES
    assert data.FASHION_CLASSES[9] == "Ankle boot" and len(data.FASHION_CLASSES) == 10
    assert data.class_names("mnist") == tuple(str(d) for d in range(10))


def test_unknown_dataset_is_named():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'.*'mnist', 'fashion'"):
        data.images("cifar", "test")


def test_missing_fashion_file_names_it_and_how_to_restore(tmp_path):
    raw = tmp_path / "FashionMNIST" / "raw"
    shutil.copytree(data.DATA_DIR / "FashionMNIST" / "raw", raw, ignore=shutil.ignore_patterns("*-ubyte"))
    (raw / "train-images-idx3-ubyte.gz").unlink()
    want = (raw / "SHA256SUMS").read_text().split("train-images")[0].split()[-1]
    with pytest.raises(data.DataError) as error:
        data.fashion_mnist("train", root=tmp_path)
    message = str(error.value)
    assert "Fashion-MNIST file missing" in message and "train-images-idx3-ubyte.gz" in message
    assert want in message and "git checkout -- data/FashionMNIST/raw" in message
    assert "\n" not in message


def test_truncated_unpacked_file_is_unpacked_again(mnist_copy):
    data.verify_mnist(mnist_copy)
    unpacked = mnist_copy / "MNIST" / "raw" / "t10k-images-idx3-ubyte"
    complete = unpacked.read_bytes()
    unpacked.write_bytes(complete[:1000])  # what a crash in a non-atomic writer would leave
    data.verify_mnist(mnist_copy)
    assert unpacked.read_bytes() == complete


# Each worker waits at a file barrier until all have started, then unpacks and loads the same
# folder, and prints the SHA-256 of what it sees (or the error it met) for each trial.
UNPACK_WORKER = r"""
import hashlib, sys, time
from pathlib import Path
from gan_course import data
me, count, roots = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
for root in map(Path, roots):
    (root / f"ready-{me}").touch()
    deadline = time.monotonic() + 60
    while len(list(root.glob("ready-*"))) < count and time.monotonic() < deadline:
        time.sleep(0.001)
    try:
        raw = data.verify_mnist(root)
        images, _ = data.mnist("test", root=root)
        seen = [hashlib.sha256((raw / n[:-3]).read_bytes()).hexdigest() for n in data.IDX_FILES]
        print(root.name, *seen, hashlib.sha256(images.numpy().tobytes()).hexdigest(), flush=True)
    except Exception as error:
        print(root.name, "failed:", repr(error), flush=True)
"""


def test_processes_unpacking_at_once_never_see_half_a_file(tmp_path):
    """Issue "nothing lost": two notebook kernels unpack the same fresh data folder at once."""
    workers, trials = 4, 3
    roots = []
    for trial in range(trials):
        raw = tmp_path / f"trial{trial}" / "MNIST" / "raw"
        raw.mkdir(parents=True)
        for name in (*data.IDX_FILES, "SHA256SUMS"):
            shutil.copy(data.DATA_DIR / "MNIST" / "raw" / name, raw / name)
        roots.append(str(raw.parent.parent))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
    processes = [subprocess.Popen([sys.executable, "-c", UNPACK_WORKER, str(w), str(workers), *roots],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for w in range(workers)]
    outputs = [p.communicate(timeout=300) for p in processes]
    assert [p.returncode for p in processes] == [0] * workers, [err[-2000:] for _, err in outputs]
    raw = data.DATA_DIR / "MNIST" / "raw"
    complete = [hashlib.sha256(gzip.decompress((raw / n).read_bytes())).hexdigest() for n in data.IDX_FILES]
    loaded = hashlib.sha256(data.mnist("test")[0].numpy().tobytes()).hexdigest()
    expected = [f"trial{t} " + " ".join([*complete, loaded]) for t in range(trials)]
    for out, _ in outputs:
        assert out.split("\n")[:trials] == expected, out  # every process, every trial: complete, identical
    assert not list(tmp_path.rglob("*.tmp"))  # no temporary file left behind
