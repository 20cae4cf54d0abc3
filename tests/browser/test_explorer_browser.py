"""The explorer in a real browser: Debian's Chromium, headless, offline, driven by Playwright.

The app server is started as ``hedgesim explore`` starts it (:mod:`sim.serve`). Chromium resolves
no host but 127.0.0.1, so a page that needed a CDN would not load. The test loads the page, reads the
outcome shares, moves the *China's coercion* slider with the keyboard (as a person can), waits for
the shares to change, and fails on any browser console error, uncaught page error or failed
request. Screenshots go to the test's temporary folder (the path is printed) and, when
``HEDGESIM_SCREENSHOT_DIR`` is set, there too (``docs/img/explorer.png`` is made that way).

Chromium comes from Debian (``apt-get install chromium``; ``make test`` installs it where apt works);
``HEDGESIM_CHROMIUM`` names another binary.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, sync_playwright

from hedgesim.serve import server_command, server_env

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
SHARES_JS = (
    "() => Object.fromEntries(Array.from(document.querySelectorAll('.hedgesim-share'))"
    ".map(e => [e.dataset.outcome, e.textContent]))"
)


def chromium() -> str:
    """The Chromium binary: ``HEDGESIM_CHROMIUM``, else ``chromium`` on PATH."""
    path = os.environ.get("HEDGESIM_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.fail(
            "Chromium is not installed: run 'make test' (installs it) or apt-get install chromium"
        )
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The explorer's server on a free local port; its log is in the module's temporary folder."""
    port = free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            server_command("127.0.0.1", port), env=server_env(), stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"explorer server did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.5)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def wait_for_change(page: Page, before: dict[str, str], timeout_ms: int = 60_000) -> dict[str, str]:
    page.wait_for_function(
        f"b => JSON.stringify(({SHARES_JS})()) !== JSON.stringify(b)",
        arg=before,
        timeout=timeout_ms,
    )
    return page.evaluate(SHARES_JS)


def save(page: Page, tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    page.screenshot(path=str(path), full_page=True)
    extra = os.environ.get("HEDGESIM_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(extra) / name)
    print(f"screenshot: {path}")
    return path


def test_slider_changes_the_shares_offline_without_console_errors(
    server: str, tmp_path: Path
) -> None:
    problems: list[str] = []
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=chromium(),
            args=CHROMIUM_FLAGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            page = context.new_page()
            page.on(
                "console",
                lambda m: (
                    problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
                ),
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
            page.on(
                "response",
                lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
            )
            page.goto(server)
            page.wait_for_selector(".hedgesim-share", timeout=90_000)
            before = page.evaluate(SHARES_JS)
            assert set(before) == {"hedging", "tilt_us", "tilt_china", "caught_between_giants"}
            assert all(text.endswith("%") for text in before.values())
            # the figures follow the shares once drawn
            page.wait_for_function("document.querySelectorAll('img').length >= 3", timeout=60_000)
            save(page, tmp_path, "explorer.png")

            slider = page.get_by_role("slider", name="China's coercion")
            assert slider.get_attribute("aria-valuenow") == "0.3"
            slider.focus()
            page.keyboard.press("End")  # coercion to its maximum, 1.0
            after = wait_for_change(page, before)
            assert slider.get_attribute("aria-valuenow") == "1"
            share = {c: float(text.rstrip("%")) for c, text in after.items()}
            assert share["caught_between_giants"] > float(
                before["caught_between_giants"].rstrip("%")
            )
            assert sum(share.values()) == pytest.approx(100.0, abs=0.3)
            page.wait_for_function("document.querySelectorAll('img').length >= 3", timeout=60_000)
            page.wait_for_timeout(500)
            save(page, tmp_path, "explorer-moved.png")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
