"""Headless Chromium, offline, driven over the DevTools protocol: the browser that tests use.

    with Browser() as browser:                      # 1280x720, no network
        browser.open(deck.as_uri(), until="document.querySelector('.reveal.ready')")
        browser.evaluate("document.title")           # any JavaScript expression's value
        browser.screenshot(Path("title.png"))
        assert browser.requests == []                # nothing tried to leave the machine

Debian's /usr/bin/chromium runs with `--remote-debugging-port=0`; its DevTools endpoint is read
from the profile's DevToolsActivePort file and spoken to through tornado's websocket client
(installed with JupyterLab). Every page runs in one tab attached with a flat session
(Target.attachToTarget). No request can leave: every hostname but localhost and 127.0.0.1
resolves to nothing and proxied requests go to a closed port. The requests that the page tried
to send anywhere but this machine are collected from Network.requestWillBeSent /
webSocketCreated events, so a test sees them instead of a timeout. Protocol reference: https://chromedevtools.github.io/devtools-protocol/
"""

import asyncio
import base64
import json
import os
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from tornado.websocket import websocket_connect

CHROMIUM = "/usr/bin/chromium"
OFFLINE_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync",
    "--disable-background-networking", "--disable-component-update", "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0", "--remote-allow-origins=*",
]
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


class BrowserError(RuntimeError):
    """Chromium could not start, a protocol command failed, or a page never got ready."""


class Browser:
    """One headless Chromium tab of `width` x `height` CSS pixels; a context manager."""

    def __init__(self, width: int = 1280, height: int = 720, timeout: float = 60.0):
        self.width, self.height, self.timeout = width, height, timeout
        self.requests: list[str] = []  # http(s)/ws(s) URLs the page asked for off this machine
        self.errors: list[str] = []  # uncaught JavaScript exceptions
        self._loop = asyncio.new_event_loop()
        self._next_id = 0
        self._loaded = False

    def __enter__(self) -> "Browser":
        if not Path(CHROMIUM).exists():
            raise BrowserError(f"{CHROMIUM} is missing: `make test-slides` installs Debian's chromium")
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        self._log = Path(self._profile.name) / "chromium.log"  # a file: a pipe nobody reads fills up
        with self._log.open("w") as log:
            self._process = subprocess.Popen(  # its own process group: close() stops its helpers too
                [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={self._profile.name}",
                 f"--window-size={self.width},{self.height}", "about:blank"],
                stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        try:
            self._connect()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop Chromium (the process this object started) and remove its profile."""
        if getattr(self, "_ws", None) is not None:
            self._ws.close()
            self._ws = None
        for stop in (signal.SIGTERM, signal.SIGKILL):  # Chromium and its helper processes
            try:
                os.killpg(self._process.pid, stop)
            except ProcessLookupError:
                break
            try:
                self._process.wait(timeout=10)
                break
            except subprocess.TimeoutExpired:
                continue
        self._remove_profile()
        self._loop.close()

    def _remove_profile(self, seconds: float = 10.0) -> None:
        """Remove the profile folder; a helper process that outlived Chromium may still be
        writing into it for a moment (CI once failed with "Directory not empty"), so retry."""
        deadline = time.monotonic() + seconds
        while True:
            try:
                self._profile.cleanup()
                return
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    def _connect(self) -> None:
        port_file = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + self.timeout
        while not port_file.exists() or len(port_file.read_text().split()) < 2:
            if self._process.poll() is not None:
                raise BrowserError(f"chromium exited: {self._log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise BrowserError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        self._ws = self._run(lambda: websocket_connect(f"ws://127.0.0.1:{port}{path}",
                                                       max_message_size=1 << 30))
        self._session = None
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        self._session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Network"):
            self.send(f"{domain}.enable")
        self.send("Emulation.setDeviceMetricsOverride", width=self.width, height=self.height,
                  deviceScaleFactor=1, mobile=False)

    def _run(self, start, timeout: float | None = None):
        """Run `start()` (which returns an awaitable) on this browser's event loop, to its end."""
        async def run():
            return await asyncio.wait_for(start(), timeout or self.timeout)
        return self._loop.run_until_complete(run())

    def send(self, method: str, timeout: float | None = None, **params) -> dict:
        """One DevTools command; returns its result, handling the events that arrive meanwhile."""
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params}
        if self._session:
            message["sessionId"] = self._session
        self._run(lambda: self._ws.write_message(json.dumps(message)))
        while True:
            reply = self._receive(method, timeout)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise BrowserError(f"{method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def _receive(self, waiting_for: str, timeout: float | None) -> dict:
        """The next message from Chromium; events are handled on the way."""
        try:
            raw = self._run(self._ws.read_message, timeout)
        except TimeoutError:
            raise BrowserError(f"no answer from chromium while waiting for {waiting_for}") from None
        if raw is None:
            raise BrowserError(f"chromium closed the connection while waiting for {waiting_for}")
        message = json.loads(raw)
        self._on_event(message.get("method"), message.get("params", {}))
        return message

    def _on_event(self, method: str | None, params: dict) -> None:
        if method == "Page.loadEventFired":
            self._loaded = True
        elif method == "Network.requestWillBeSent":
            self._note_request(params["request"]["url"])
        elif method == "Network.webSocketCreated":
            self._note_request(params["url"])
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            self.errors.append(details.get("exception", {}).get("description") or details["text"])

    def _note_request(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in LOCAL_HOSTS:
            self.requests.append(url)

    def evaluate(self, expression: str, timeout: float | None = None):
        """The value of a JavaScript expression in the page (promises are awaited); JSON values."""
        result = self.send("Runtime.evaluate", timeout=timeout, expression=expression,
                           awaitPromise=True, returnByValue=True, userGesture=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise BrowserError(details.get("exception", {}).get("description") or details["text"])
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float | None = None):
        """Poll `expression` until it is truthy; its value (true for an element), or BrowserError
        after `timeout` s."""
        deadline = time.monotonic() + (timeout or self.timeout)
        while True:
            value = self.evaluate(f"(value => value instanceof Node || value)({expression})")
            if value:
                return value
            if time.monotonic() > deadline:
                raise BrowserError(f"timed out waiting for: {expression}")
            time.sleep(0.1)

    def open(self, url: str, until: str = "true", scripts: bool = True,
             timeout: float | None = None):
        """Load `url` afresh (forgetting earlier requests and errors), wait for its load event and
        then until `until` is truthy; returns its value. `scripts=False`: with JavaScript off."""
        self.requests, self.errors = [], []
        self.send("Emulation.setScriptExecutionDisabled", value=not scripts)
        self._loaded = False
        navigation = self.send("Page.navigate", url=url)
        if "errorText" in navigation:
            raise BrowserError(f"{url}: {navigation['errorText']}")
        if "loaderId" not in navigation:  # only the #fragment changed: load the page afresh
            self.send("Page.reload", ignoreCache=True)
        while not self._loaded:
            self._receive(f"the load event of {url}", timeout)
        return self.wait_for(until, timeout) if scripts else True

    def dom(self) -> str:
        """The rendered page as HTML (what `chromium --dump-dom` prints)."""
        return self.evaluate("document.documentElement.outerHTML")

    def screenshot(self, path: Path) -> Path:
        """Save what the viewport shows as a PNG."""
        path.write_bytes(base64.b64decode(self.send("Page.captureScreenshot", format="png")["data"]))
        return path

    def press(self, key: str, code: str | None = None, key_code: int = 0) -> None:
        """Press and release one key (a DOM `key` value such as 'ArrowDown' or ' ')."""
        for kind in ("keyDown", "keyUp"):
            self.send("Input.dispatchKeyEvent", type=kind, key=key, code=code or key,
                      windowsVirtualKeyCode=key_code, nativeVirtualKeyCode=key_code)

    def click(self, selector: str) -> None:
        """A real mouse click at the centre of the first element matching `selector`."""
        self.click_element(f"document.querySelector({json.dumps(selector)})")

    def click_element(self, expression: str) -> None:
        """A real mouse click at the centre of the element `expression` evaluates to, scrolled
        into view first (BrowserError if there is none)."""
        box = self.evaluate(f"(() => {{ const e = {expression}; if (!e) return null; "
                            "e.scrollIntoView({block: 'center'}); const r = e.getBoundingClientRect(); "
                            "return [r.x + r.width / 2, r.y + r.height / 2]; })()")
        if box is None:
            raise BrowserError(f"nothing to click: {expression}")
        for kind in ("mousePressed", "mouseReleased"):
            self.send("Input.dispatchMouseEvent", type=kind, x=box[0], y=box[1], button="left",
                      clickCount=1)
