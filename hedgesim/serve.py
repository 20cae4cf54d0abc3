"""Start the explorer (:mod:`hedgesim.app`) with Solara's server, offline and without telemetry.

Solara normally fetches its JavaScript and CSS bundles from a CDN the first time a page asks for
them. Here its asset proxy reads them from the installed ``solara-assets`` package
(``<prefix>/share/solara/cdn``) and the CDN address points at a closed local port, so a missing asset
fails at once instead of reaching out; the telemetry that Solara's server sends by default is off,
and so is the version check.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

OFFLINE_CDN = "http://127.0.0.1:9/"
"""Where Solara would fetch an asset missing from the local cache: the discard port, closed."""


def asset_dir() -> Path:
    """The folder of Solara's assets installed by the ``solara-assets`` package."""
    return Path(sys.prefix) / "share" / "solara" / "cdn"


def server_env(base: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of the explorer's server: local assets, no telemetry.

    Args:
        base: the environment to start from (default: this process's).

    Returns:
        a copy of ``base`` with Solara's settings added (values already set there are kept, except
        that telemetry is always off).
    """
    env = dict(os.environ if base is None else base)
    env.setdefault("SOLARA_ASSETS_PROXY", "True")
    env.setdefault("SOLARA_ASSETS_PROXY_CACHE_DIR", str(asset_dir()))
    env.setdefault("SOLARA_ASSETS_CDN", OFFLINE_CDN)
    env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] = "False"
    env.setdefault("SOLARA_THEME_TITLE", "hedgesim explorer")
    return env


def server_command(host: str, port: int) -> list[str]:
    """The command line that starts the explorer's server.

    Args:
        host: address to listen on.
        port: port to listen on (0: any free port).

    Returns:
        the argument list.
    """
    return [
        sys.executable,
        "-m",
        "solara",
        "run",
        "hedgesim.app",
        "--host",
        host,
        "--port",
        str(port),
        "--production",
        "--no-open",
        "--no-check-version",
        "--log-level",
        "warning",
    ]


def serve(host: str = "127.0.0.1", port: int = 8765) -> int:
    """Run the explorer's server in the foreground until it is stopped.

    Args:
        host: address to listen on.
        port: port to listen on.

    Returns:
        the server's exit status (0 after Ctrl-C).
    """
    if not asset_dir().is_dir():
        print(
            f"hedgesim explore: Solara's assets are not installed in {asset_dir()}"
            " (pip install -e '.[viz]')",
            file=sys.stderr,
        )
        return 2
    print(f"hedgesim explorer: http://{host}:{port} (Ctrl-C to stop)", file=sys.stderr)
    try:
        return subprocess.call(server_command(host, port), env=server_env())
    except KeyboardInterrupt:
        return 0
