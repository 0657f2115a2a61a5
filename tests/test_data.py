import shutil

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
