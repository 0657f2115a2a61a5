import hashlib
import shutil

import pytest
import torch

from gan_course import checkpoints, classifiers, data, metrics

MIN_ACCURACY = {"mnist": 0.99, "fashion": 0.90}


@pytest.mark.parametrize("dataset", ["mnist", "fashion"])
def test_committed_classifier_is_the_recorded_one_and_accurate(dataset):
    path = classifiers.classifier_path(dataset)
    assert path == data.DATA_DIR / f"{dataset}_classifier.pt"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == classifiers.SHA256[dataset]
    saved = checkpoints.load_checkpoint(path)
    assert saved["seed"] == classifiers.SEED
    images, labels = data.images(dataset, "test")
    measured = classifiers.accuracy(classifiers.load(dataset), images, labels)
    assert measured >= MIN_ACCURACY[dataset]
    assert measured == pytest.approx(saved["test_accuracy"], abs=3e-4)  # 3 images: thread-count noise


def test_one_network_for_both_datasets():
    mnist, fashion = classifiers.load("mnist"), classifiers.load("fashion")
    shapes = {name: p.shape for name, p in mnist.state_dict().items()}
    assert shapes == {name: p.shape for name, p in fashion.state_dict().items()}
    assert not torch.equal(mnist.features[0].weight, fashion.features[0].weight)
    assert classifiers.load("mnist") is mnist  # loaded once per process
    assert metrics.mnist_classifier() is mnist
    assert metrics.CLASSIFIER_PATH == classifiers.classifier_path("mnist")


@pytest.fixture
def classifier_copy(tmp_path):
    shutil.copy(classifiers.classifier_path("fashion"), tmp_path / "fashion_classifier.pt")
    return tmp_path


def test_copy_of_committed_file_loads(classifier_copy):
    copy = classifiers.load("fashion", root=classifier_copy)
    assert torch.equal(copy.head[1].weight, classifiers.load("fashion").head[1].weight)


def test_missing_classifier_is_an_error_not_a_retrain(tmp_path):
    with pytest.raises(classifiers.ClassifierError) as error:
        classifiers.load("fashion", root=tmp_path)
    message = str(error.value)
    assert "no fashion classifier at" in message and "fashion_classifier.pt" in message
    assert "git checkout -- data/fashion_classifier.pt" in message
    assert "python -m gan_course.classifiers --dataset fashion --overwrite" in message
    assert "\n" not in message and not list(tmp_path.iterdir())  # nothing was trained or written
    assert isinstance(error.value, data.DataError)


@pytest.mark.parametrize("damage", ["flip", "truncate"])
def test_corrupt_classifier_is_refused(classifier_copy, damage):
    path = classifier_copy / "fashion_classifier.pt"
    content = bytearray(path.read_bytes())
    if damage == "flip":  # torch.load would accept this file with one weight changed
        content[len(content) // 2] ^= 0xFF
    else:
        del content[len(content) // 3:]
    path.write_bytes(bytes(content))
    got = hashlib.sha256(bytes(content)).hexdigest()
    with pytest.raises(classifiers.ClassifierError,
                       match=f"has SHA-256 {got}, not the recorded {classifiers.SHA256['fashion']}.*"
                             "git checkout -- data/fashion_classifier.pt"):
        classifiers.load("fashion", root=classifier_copy)


def test_command_line_refuses_to_overwrite(classifier_copy, capsys):
    before = (classifier_copy / "fashion_classifier.pt").read_bytes()
    with pytest.raises(SystemExit) as exit_info:
        classifiers.main(["--dataset", "fashion", "--root", str(classifier_copy)])
    assert exit_info.value.code == 1
    assert "exists and published scores depend on it: pass --overwrite" in capsys.readouterr().err
    assert (classifier_copy / "fashion_classifier.pt").read_bytes() == before


def test_deliberate_retrain_writes_a_file_that_needs_its_checksum_recorded(tmp_path, monkeypatch, capsys):
    untrained = classifiers.Classifier().eval()
    calls = []

    def fake_train(dataset, epochs, seed, progress):  # stands in for four minutes of training
        calls.append((dataset, epochs, seed))
        return untrained, 0.1

    monkeypatch.setattr(classifiers, "train", fake_train)
    info = classifiers.main(["--dataset", "fashion", "--root", str(tmp_path), "--epochs", "2"])
    assert calls == [("fashion", 2, classifiers.SEED)]
    path = tmp_path / "fashion_classifier.pt"
    saved = checkpoints.load_checkpoint(path)
    assert saved["dataset"] == "fashion" and saved["epochs"] == 2 and saved["test_accuracy"] == 0.1
    assert torch.equal(saved["state"]["head.1.weight"], untrained.head[1].weight)
    assert info["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert f"SHA-256 {info['sha256']}" in capsys.readouterr().out
    with pytest.raises(classifiers.ClassifierError, match="After a deliberate retrain, record the new"):
        classifiers.load("fashion", root=tmp_path)
    classifiers.main(["--dataset", "fashion", "--root", str(tmp_path), "--overwrite"])
    assert len(calls) == 2
