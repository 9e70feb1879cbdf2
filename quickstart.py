"""The README's Quick start: ``python3 quickstart.py demo`` or ``python3 quickstart.py test [pytest's arguments]``.

Standard library only, so it runs on a stock ``python3`` (Debian's and Ubuntu's included, whose
system Python refuses ``pip install`` outside a virtual environment, PEP 668, and may lack
``ensurepip``). It makes ``.venv`` beside this file, gets pip into it (from PyPI's pip wheel,
checked against PyPI's SHA-256, when ``ensurepip`` is missing), installs the project into it
(again only when ``pyproject.toml`` changed), then runs the app on its demo or the test suite
with that environment's Python.
"""

import hashlib
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

MINIMUM = (3, 11)
ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")
STAMP = VENV / "exchange-tui-installed"
PIP_RELEASES = "https://pypi.org/pypi/pip/json"


def main(argv):
    if not argv or argv[0] not in ("demo", "test") or (argv[0] == "demo" and len(argv) > 1):
        print("usage: python3 quickstart.py demo | test [pytest's arguments]", file=sys.stderr)
        return 2
    if sys.version_info < MINIMUM:
        print(
            f"exchange-tui needs Python {'.'.join(map(str, MINIMUM))} or newer; this is {sys.version.split()[0]}. "
            "Run this file with a newer python3 (python3.11, python3.12 …).",
            file=sys.stderr,
        )
        return 1
    command = argv[0]
    ensure_venv()
    install(extra="test" if command == "test" else None)
    env = dict(os.environ, PATH=os.pathsep.join([str(BIN), os.environ.get("PATH", "")]), VIRTUAL_ENV=str(VENV))
    run = [str(PYTHON), "-m", "exchange_tui", "--demo"] if command == "demo" else [str(PYTHON), "-m", "pytest", *argv[1:]]
    return subprocess.call(run, cwd=ROOT, env=env)


def ensure_venv():
    if PYTHON.exists():
        return
    import venv

    has_ensurepip = importlib.util.find_spec("ensurepip") is not None
    print(f"Creating the virtual environment {VENV} …", flush=True)
    venv.EnvBuilder(with_pip=has_ensurepip).create(VENV)
    if not has_ensurepip:
        bootstrap_pip()


def bootstrap_pip():
    """pip into the venv from PyPI's own wheel: a wheel of pip can run pip to install itself."""
    release = json.load(urllib.request.urlopen(PIP_RELEASES, timeout=60))
    wheel = next(f for f in release["urls"] if f["packagetype"] == "bdist_wheel" and f["filename"].endswith("-none-any.whl"))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / wheel["filename"]
        url = urllib.parse.urljoin(PIP_RELEASES, wheel["url"])
        data = urllib.request.urlopen(url, timeout=120).read()
        if hashlib.sha256(data).hexdigest() != wheel["digests"]["sha256"]:
            raise SystemExit(f"the pip wheel from PyPI does not match its published SHA-256: {url}")
        path.write_bytes(data)
        subprocess.check_call([str(PYTHON), f"{path}/pip", "install", "--quiet", str(path)])


def install(extra):
    target = f".[{extra}]" if extra else "."
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + target.encode()).hexdigest()
    installed = STAMP.read_text().split() if STAMP.exists() else []
    if wanted in installed:
        return
    print(f"Installing exchange-tui{'' if not extra else ' with its ' + extra + ' extra'} into {VENV} …", flush=True)
    subprocess.check_call(
        [str(PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", target], cwd=ROOT
    )
    STAMP.write_text("\n".join([*installed, wanted]) + "\n")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
