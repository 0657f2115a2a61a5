"""The playground in a real JupyterLab, driven from headless Chromium (`make test-lab`).

JupyterLab starts from this .venv on a free local port (no token, the app exposed to the page as
`window.jupyterapp`, its news feed off), serving a temporary copy of chapters/00_playground.ipynb,
with the notebooks' fast mode on. Chromium (tests/browser.py: offline, nothing may leave the
machine) opens the notebook, runs every cell through JupyterLab's own command, and then uses the
panel as a student would, with real mouse clicks: step D, step G, play for a few seconds, pause,
and a new loss from the menu. After each action the status line's counters and the image must
change as they should. The frames per second reached while playing, the whole machine shared by
the kernel, the server and the browser, are written to build/lab/playground.json with a
screenshot (build/lab/playground.png); playing must reach at least MIN_FPS.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from browser import Browser, BrowserError  # noqa: E402 (tests/ is not a package)

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "chapters" / "00_playground.ipynb"
OUT = ROOT / "build" / "lab"
MIN_FPS = 3.0  # "several frames a second" while JupyterLab and Chromium share the 2 cores
PLAY_SECONDS = 8

# The open notebook's code cells, from JupyterLab's own model: how many, how many have run
# (an execution count), and the error outputs.
CODE_CELLS = """(() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const found = {total: 0, run: 0, errors: []};
  for (let i = 0; i < cells.length; i++) {
    const cell = cells.get(i).toJSON();
    if (cell.cell_type !== 'code') continue;
    found.total++;
    if (cell.execution_count) found.run++;
    for (const out of cell.outputs) {
      if (out.output_type === 'error') found.errors.push(out.ename + ': ' + out.evalue);
    }
  }
  return found;
})()"""
KERNEL_READY = ("(s => s.isReady && s.session.kernel.connectionStatus === 'connected' && "
                "s.session.kernel.status === 'idle')(window.jupyterapp.shell.currentWidget.sessionContext)")
IDLE = "document.querySelector('.jp-Notebook-ExecutionIndicator[data-status=\"idle\"]')"
STATUS = ("[...document.querySelectorAll('.widget-html-content')].map(e => e.textContent)"
          ".find(t => t.includes('D updates'))")
LOSS_MENU = ("[...document.querySelectorAll('.widget-dropdown select')]"
             ".find(s => [...s.options].some(o => o.text === 'hinge'))")
IMAGE = "(document.querySelector('.jupyter-widgets img') || {}).src"
MESSAGE = ("[...document.querySelectorAll('.widget-html-content')].map(e => e.textContent)"
           ".filter(t => !t.includes('D updates')).join(' ')")


def button(label: str) -> str:
    return (f"[...document.querySelectorAll('button.jupyter-button')]"
            f".find(b => b.textContent.trim() === {json.dumps(label)})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def counters(text: str) -> dict:
    """The status line's numbers: step, D updates, G updates, frames per second."""
    found = re.search(r"step (\d+) · D updates (\d+) · G updates (\d+) · .* ([\d.]+) frames/s", text)
    assert found, f"unexpected status line: {text!r}"
    step, d, g, fps = found.groups()
    return {"step": int(step), "d": int(d), "g": int(g), "fps": float(fps)}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a copy of the playground notebook; yields its URL."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port = free_port()
    env = {**os.environ, "GAN_COURSE_FAST": "1", "TQDM_DISABLE": "1", "PYTHONHASHSEED": "0"}
    log_file = tmp_path_factory.mktemp("lab-log") / "jupyterlab.log"
    log = log_file.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         "--IdentityProvider.token=", "--ServerApp.password=", "--LabApp.expose_app_in_browser=True",
         "--LabApp.news_url=None", "--allow-root", f"--ServerApp.root_dir={root}"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start: {log_file.read_text()[-2000:]}")
            time.sleep(0.2)
    yield url
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def test_the_playground_plays_in_jupyterlab(lab):
    OUT.mkdir(parents=True, exist_ok=True)
    report = {}
    with Browser(width=1280, height=900, timeout=120) as browser:
        browser.open(f"{lab}/lab/tree/{NOTEBOOK.name}",
                     until="!!window.jupyterapp && document.querySelector('.jp-Notebook')")
        # The notebook's model fully loaded, then its outputs cleared. Commands are not awaited
        # (`void`): run-all's promise settles only when every cell has run.
        n_code = sum(cell.cell_type == "code" for cell in nbformat.read(NOTEBOOK, as_version=4).cells)
        browser.wait_for(f"{CODE_CELLS}.total === {n_code} && {IDLE}", timeout=90)
        browser.evaluate("void window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
        browser.wait_for(f"{CODE_CELLS}.run === 0", timeout=30)
        # The kernel's session ready and connected: a run-all sent before that ran the first cell
        # only (seen every time in this container).
        browser.wait_for(KERNEL_READY, timeout=90)
        started = time.monotonic()
        browser.evaluate("void window.jupyterapp.commands.execute('notebook:run-all-cells')")
        browser.wait_for(f"{CODE_CELLS}.run === {n_code} && {IDLE}", timeout=300)
        cells = browser.evaluate(CODE_CELLS)
        assert cells["errors"] == [], f"cells failed in JupyterLab: {cells['errors']}"
        report["run_all_seconds"] = round(time.monotonic() - started, 1)
        # The last cell that touched the panel loaded the tour's fifth stop: a new run at step 0.
        browser.wait_for(f"({MESSAGE}).includes('The weight average of G')", timeout=30)
        status = browser.evaluate(STATUS)
        assert counters(status)["step"] == 0, status

        image = browser.evaluate(IMAGE)
        browser.click_element(button("step D"))
        status = browser.wait_for(f"(t => t && t.includes('step 1 ') && t)({STATUS})", timeout=30)
        assert counters(status) | {"fps": 0} == {"step": 1, "d": 1, "g": 0, "fps": 0}
        assert browser.wait_for(f"{IMAGE} !== {json.dumps(image)}", timeout=10)

        image = browser.evaluate(IMAGE)
        browser.click_element(button("step G"))
        status = browser.wait_for(f"(t => t && t.includes('G updates 1') && t)({STATUS})", timeout=30)
        assert counters(status)["step"] == 2 and counters(status)["d"] == 1
        assert browser.wait_for(f"{IMAGE} !== {json.dumps(image)}", timeout=10)

        browser.click_element(button("play"))
        time.sleep(PLAY_SECONDS)
        playing = counters(browser.evaluate(STATUS))
        browser.evaluate(f"{button('play')}.scrollIntoView({{block: 'start'}})")  # the whole panel
        browser.screenshot(OUT / "playground.png")
        browser.click_element(button("pause"))
        browser.wait_for(f"(t => t && t.includes('paused'))({STATUS})", timeout=30)
        paused = counters(browser.evaluate(STATUS))
        time.sleep(1.5)
        assert counters(browser.evaluate(STATUS)) == paused, "training went on after pause"
        steps_per_second = (paused["step"] - 2) / PLAY_SECONDS
        report.update(frames_per_second=playing["fps"], steps_while_playing=paused["step"] - 2,
                      steps_per_second=round(steps_per_second, 1))
        assert paused["step"] > 2 + 5 * MIN_FPS, paused  # 5 steps per frame
        assert playing["fps"] >= MIN_FPS, f"only {playing['fps']} frames per second in JupyterLab"

        # A new loss from the menu starts a new run with it.
        browser.evaluate(f"(s => {{ s.value = [...s.options].find(o => o.text === 'hinge').value; "
                         f"s.dispatchEvent(new Event('change', {{bubbles: true}})); }})({LOSS_MENU})")
        status = browser.wait_for(f"(t => t && t.includes('step 0 ') && t)({STATUS})", timeout=30)
        assert browser.evaluate(f"(s => s.options[s.selectedIndex].text)({LOSS_MENU})") == "hinge"
        report["requests_off_machine"] = browser.requests
        assert browser.requests == [], f"the page asked the network for {browser.requests}"
    report["min_fps"] = MIN_FPS
    (OUT / "playground.json").write_text(json.dumps(report, indent=1) + "\n")
    print(f"\nplayground in JupyterLab: {report}")


def test_browser_error_names_a_missing_element(lab):
    """The click helper fails loudly instead of clicking nothing (so the test above can fail)."""
    with Browser(timeout=60) as browser:
        browser.open(f"{lab}/lab", until="!!window.jupyterapp")
        with pytest.raises(BrowserError, match="nothing to click"):
            browser.click_element(button("no such button"))
