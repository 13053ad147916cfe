"""The docs in a real browser: headless Chromium opens `dbt docs generate --static` output, driven over the
Chrome DevTools Protocol (a tiny stdlib websocket client below, no extra package).

Checks: the overview page shows its text and every picture (embedded as data URIs, so the one HTML file is
self-contained), and the lineage graph opens and draws. Screenshots are saved to target/screenshots/.
If Chromium is missing or cannot run, the test FAILS (run scripts/ensure_chromium.sh); it never skips.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, dbt
from ecom_analytics import charts

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = REPO / "target" / "screenshots"
# A hang guard for each wait (the page normally renders in a second or two); not a performance threshold.
WAIT_SECONDS = 120

pytestmark = pytest.mark.slow


# --------------------------------------------------------------------------------------------------
# A minimal websocket client (RFC 6455, text frames only) and a DevTools session on one page


class WebSocket:
    def __init__(self, url: str, timeout: float = WAIT_SECONDS):
        match = re.fullmatch(r"ws://([^/:]+):(\d+)(/.*)", url)
        if not match:
            raise ValueError(f"not a ws:// url: {url}")
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        # No Origin header: Chromium then accepts the connection without --remote-allow-origins.
        request = (
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        self.sock.sendall(request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self._recv_exact(1)
        status = head.split(b"\r\n", 1)[0]
        if b" 101 " not in status:
            raise ConnectionError(
                f"websocket handshake with {url} refused: {status.decode(errors='replace')}"
            )

    def _recv_exact(self, n: int) -> bytes:
        buf = bytearray()
        while len(buf) < n:
            chunk = self.sock.recv(n - len(buf))
            if not chunk:
                raise ConnectionError("the browser closed the DevTools connection")
            buf += chunk
        return bytes(buf)

    def send(self, text: str) -> None:
        payload = text.encode()
        n = len(payload)
        header = bytearray([0x81])  # FIN + text frame
        if n < 126:
            header.append(0x80 | n)
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)  # clients must mask every frame
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.sock.sendall(bytes(header) + mask + masked)

    def recv(self) -> str:
        message = bytearray()
        while True:
            b1, b2 = self._recv_exact(2)
            fin, opcode, n = b1 & 0x80, b1 & 0x0F, b2 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._recv_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._recv_exact(8))[0]
            data = self._recv_exact(n)
            if opcode == 0x8:
                raise ConnectionError("the browser closed the DevTools connection")
            if opcode in (0x9, 0xA):  # ping / pong: Chromium does not ping clients, ignore either way
                continue
            message += data
            if fin:
                return message.decode()

    def close(self) -> None:
        self.sock.close()


class Chromium:
    """Headless Chromium with a fresh profile, driven over DevTools on its first page."""

    def __init__(self, workdir: Path):
        if not CHROMIUM.exists():
            pytest.fail(
                f"Chromium is not installed at {CHROMIUM}: run `scripts/ensure_chromium.sh` (apt-get install "
                "chromium) or set CHROMIUM=/path/to/chromium. The docs browser test does not skip.",
                pytrace=False,
            )
        self.profile = workdir / "profile"
        self.profile.mkdir(parents=True)
        self.log = workdir / "chromium.log"
        self._next_id = 0
        with open(self.log, "w") as log:
            self.proc = subprocess.Popen(
                [
                    str(CHROMIUM),
                    *CHROMIUM_FLAGS,
                    f"--user-data-dir={self.profile}",
                    "--remote-debugging-port=0",
                    "--window-size=1400,1000",
                    "about:blank",
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # one process group: closing kills every helper process too
            )
        try:
            self.ws = WebSocket(self._page_url())
        except BaseException:
            self.close()
            raise

    def _fail(self, what: str) -> None:
        log = self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""
        pytest.fail(f"Chromium ({CHROMIUM}) {what}.\n--- chromium output ---\n{log}", pytrace=False)

    def _page_url(self) -> str:
        # With port 0 Chromium picks a free port and writes it to <profile>/DevToolsActivePort.
        port_file = self.profile / "DevToolsActivePort"
        deadline = time.monotonic() + WAIT_SECONDS
        while not (port_file.exists() and port_file.read_text().strip()):
            if self.proc.poll() is not None:
                self._fail(f"exited with code {self.proc.returncode} before DevTools came up")
            if time.monotonic() > deadline:
                self._fail("did not open its DevTools port")
            time.sleep(0.05)
        port = port_file.read_text().split()[0]
        while True:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=WAIT_SECONDS) as resp:
                pages = [t for t in json.load(resp) if t.get("type") == "page"]
            if pages:
                return pages[0]["webSocketDebuggerUrl"]
            if time.monotonic() > deadline:
                self._fail("opened no page")
            time.sleep(0.05)

    def call(self, method: str, **params):
        self._next_id += 1
        self.ws.send(json.dumps({"id": self._next_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self._next_id:  # anything else is an event we did not ask for
                if "error" in message:
                    raise RuntimeError(f"DevTools {method} failed: {message['error']}")
                return message["result"]

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        if "exceptionDetails" in result:
            details = result["exceptionDetails"]
            raise RuntimeError(
                f"page script failed: {details.get('exception', {}).get('description', details)}"
            )
        return result["result"].get("value")

    def wait_for(self, expression: str, what: str, screenshot: Path):
        deadline = time.monotonic() + WAIT_SECONDS
        last_error = None
        while True:
            try:
                value = self.evaluate(expression)
            except RuntimeError as exc:  # e.g. the page is between documents right after a navigation
                value, last_error = None, exc
            if value:
                return value
            if time.monotonic() > deadline:
                self.screenshot(screenshot)
                raise AssertionError(
                    f"{what}: not true after {WAIT_SECONDS}s (page screenshot: {screenshot}; "
                    f"last script error: {last_error})"
                )
            time.sleep(0.1)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self.call("Page.captureScreenshot", format="png")["data"]))
        return path

    def click(self, selector: str) -> None:
        """A real mouse click (press + release) in the middle of the element, as a user would."""
        rect = self.evaluate(
            f"(() => {{ const r = document.querySelector({json.dumps(selector)}).getBoundingClientRect();"
            " return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()"
        )
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call(
                "Input.dispatchMouseEvent", type=kind, x=rect["x"], y=rect["y"], button="left", clickCount=1
            )

    def close(self) -> None:
        if getattr(self, "ws", None) is not None:
            self.ws.close()
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


# --------------------------------------------------------------------------------------------------
# The static docs of the shop build, with the pictures drawn from its marts and embedded


def overview_pictures() -> list[str]:
    text = (REPO / "models" / "overview.md").read_text()
    return sorted(set(re.findall(r"\]\(assets/([A-Za-z0-9_\-]+\.png)\)", text)))


@pytest.fixture(scope="module")
def static_docs(shop_build, tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("browser_docs")
    target, db = base / "target", base / "warehouse.duckdb"
    # docs generate opens its warehouse for writing; a copy leaves the shared one to parallel readers.
    shutil.copyfile(shop_build.db, db)
    dbt(["docs", "generate", "--static"], db=db, target=target)
    html = target / "static_index.html"
    assets = base / "assets"
    drawn = charts.render_all(shop_build.db, assets, log=lambda _: None)
    missing = [name for name in overview_pictures() if drawn.get(name) is None]
    assert not missing, (
        f"the overview shows pictures the build cannot draw: {missing} (see charts.render_all)"
    )
    inlined = charts.inline_html(html, assets)
    assert inlined == overview_pictures(), (
        f"embedded {inlined}, the overview references {overview_pictures()}"
    )
    return html


@pytest.fixture
def browser(tmp_path):
    chromium = Chromium(tmp_path)
    try:
        yield chromium
    finally:
        chromium.close()


def test_chromium_runs(browser):
    version = browser.call("Browser.getVersion")
    assert "Chrome" in version["product"] or "Chromium" in version["product"], version


def test_overview_shows_its_text_and_pictures(browser, static_docs):
    shot = SCREENSHOTS / "docs_overview.png"
    browser.call("Page.navigate", url=static_docs.as_uri() + "#!/overview")
    # Text from each part of the overview (models/overview.md), not dbt's default welcome page.
    for phrase in ("Revenue over time", "Top items", "Customer segments", "Data quality"):
        browser.wait_for(
            f"document.body && document.body.innerText.includes({json.dumps(phrase)})",
            f"the overview shows '{phrase}'",
            shot,
        )
    assert not browser.evaluate(
        "document.body.innerText.includes('Welcome to the auto-generated documentation')"
    )
    # The key figures are rendered as a table, and their generator markers stay invisible.
    browser.wait_for(
        "document.body.innerText.includes('Customers with a sale')",
        "the overview shows its key figures",
        shot,
    )
    markers = browser.evaluate("document.body.innerText.includes('KEY FIGURES')")
    assert not markers, "the key-figures markers are visible on the page"
    expected = overview_pictures()
    pictures = browser.wait_for(
        """(() => {
            const imgs = Array.from(document.querySelectorAll('img'))
                .filter(i => i.src.startsWith('data:image/png'));
            if (imgs.length < EXPECTED || !imgs.every(i => i.complete)) return null;
            return imgs.map(i => ({alt: i.alt, width: i.naturalWidth, height: i.naturalHeight}));
        })()""".replace("EXPECTED", str(len(expected))),
        f"the overview shows its {len(expected)} pictures",
        shot,
    )
    broken = [p for p in pictures if p["width"] == 0 or p["height"] == 0]
    assert not broken, f"pictures that did not decode: {broken}"
    assert len(pictures) == len(expected)
    browser.screenshot(shot)
    # The overview scrolls inside the app, so a second screenshot shows the first picture.
    browser.evaluate("document.querySelector('img[src^=\"data:image/png\"]').scrollIntoView()")
    browser.screenshot(SCREENSHOTS / "docs_overview_pictures.png")


def test_lineage_graph_opens(browser, static_docs):
    shot = SCREENSHOTS / "docs_lineage.png"
    browser.call("Page.navigate", url=static_docs.as_uri() + "#!/model/model.ecom_analytics.fct_orders")
    browser.wait_for(
        "!!document.querySelector('.launcher-btn a') && document.body.innerText.includes('fct_orders')",
        "the model page of fct_orders with its lineage button",
        shot,
    )
    browser.click(".launcher-btn a")
    browser.wait_for(
        "document.querySelector('.launcher').classList.contains('on')", "the lineage panel opens", shot
    )
    # cytoscape draws on canvases: wait until one of them has painted pixels (nodes and edges).
    browser.wait_for(
        """(() => Array.from(document.querySelectorAll('.launcher canvas')).some(c => {
            if (!c.width || !c.height) return false;
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            for (let i = 3; i < d.length; i += 4) if (d[i] > 0) return true;
            return false;
        }))()""",
        "the lineage graph draws nodes",
        shot,
    )
    # The graph directive's own state: which nodes it drew.
    nodes = browser.evaluate(
        "angular.element(document.querySelector('.launcher')).isolateScope().graphService.graph.elements"
        ".filter(e => e.group === 'nodes').map(e => e.data.unique_id)"
    )
    assert "model.ecom_analytics.fct_orders" in nodes, f"fct_orders is not in the lineage graph: {nodes}"
    assert "model.ecom_analytics.fct_order_lines" in nodes, f"its parent is not in the lineage graph: {nodes}"
    browser.screenshot(shot)
