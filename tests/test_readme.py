"""The README's Python examples run as written (the package section shows a new game)."""

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_python_examples_run(monkeypatch):
    monkeypatch.setenv("TQDM_DISABLE", "1")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)
    assert blocks, "the README has no Python example"
    for block in blocks:
        namespace: dict = {}
        exec(compile(block, "README.md", "exec"), namespace)  # noqa: S102
        if "trainer" in namespace:  # the custom-game example trained through the real trainer
            trainer = namespace["trainer"]
            assert trainer.step == 500 and len(trainer.history["d_loss"]) == 500
            assert type(trainer.game).__name__ == "HingeGAN"
