"""requirements.txt (pip) and environment.yml (conda) must install the same pinned set."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^\s*(?:-\s+)?([A-Za-z0-9_.\-]+)==([A-Za-z0-9_.+\-]+)\s*$")


def pins(path: Path) -> dict[str, str]:
    found = {}
    for line in path.read_text().splitlines():
        match = PIN.match(line.split("#")[0])
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2)
    return found


def test_requirements_and_environment_pin_the_same_versions():
    requirements, environment = pins(ROOT / "requirements.txt"), pins(ROOT / "environment.yml")
    assert requirements, "no pins found in requirements.txt"
    assert requirements == environment


def test_every_requirement_is_pinned_and_torch_is_the_right_build():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text()
             .splitlines()]
    unpinned = [line for line in lines if line and "==" not in line]
    assert not unpinned, f"unpinned requirements: {unpinned}"
    requirements = pins(ROOT / "requirements.txt")
    assert requirements["torch"] == "2.14.1" and requirements["torchvision"] == "0.29.1"
