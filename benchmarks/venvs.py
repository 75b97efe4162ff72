"""The virtual environments under `benchmarks/.venvs/`, one per peer, created on demand.

PyPI's httpcore (under httpx) and this project's httpcore share an import name, and
urllib3-future (under niquests) replaces urllib3's: each peer gets its own environment.
A venv is (re)installed when its requirement file (for ours: the project's sources) changed
since it was last installed.

```python
python = ensure("httpx")  # benchmarks/.venvs/httpx/bin/python, installed from requirements/
```
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENVS = os.path.join(HERE, ".venvs")


def _install_spec(name: str) -> tuple[list[str], list[str]]:
    """The pip arguments for venv `name`, and the files whose content decides a reinstall."""
    if name == "ours":
        # Installed as users get it from a wheel (compiled bytecode, no editable-install
        # finder on the import path), so its import time compares fairly with the peers'.
        constraints = os.path.join(ROOT, "requirements-dev.txt")
        sources = sorted(
            os.path.join(folder, file)
            for package in ("httpcore", "requests_async")
            for folder, _, names in os.walk(os.path.join(ROOT, package))
            for file in names
            if file.endswith(".py")
        )
        files = [os.path.join(ROOT, "pyproject.toml"), constraints, *sources]
        # pip reinstalls a local project every time: the digest of `files` decides when.
        return [f"{ROOT}[brotli,zstd,http2]", "-c", constraints], files
    requirements = os.path.join(HERE, "requirements", f"{name}.txt")
    return ["-r", requirements], [requirements]


def python_path(name: str) -> str:
    return os.path.join(VENVS, name, "bin", "python")


def ensure(name: str) -> str:
    """Create or update venv `name`; return its python."""
    args, files = _install_spec(name)
    digest = hashlib.sha256()
    for path in files:
        with open(path, "rb") as file:
            digest.update(file.read())
    stamp = os.path.join(VENVS, name, ".installed")
    python = python_path(name)
    try:
        with open(stamp) as file:
            if file.read() == digest.hexdigest() and os.path.exists(python):
                return python
    except FileNotFoundError:
        pass
    print(f"setting up benchmarks/.venvs/{name}", file=sys.stderr, flush=True)
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", os.path.dirname(os.path.dirname(python))],
                       check=True)  # fmt: skip
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, *args], check=True, cwd=ROOT)
    with open(stamp, "w") as file:
        file.write(digest.hexdigest())
    return python
