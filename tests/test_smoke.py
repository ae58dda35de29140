"""The package imports and the CLI answers --help."""

import subprocess
import sys


def test_cli_help():
    out = subprocess.run([sys.executable, "-m", "ogi", "--help"], capture_output=True, text=True, check=True)
    assert "extract" in out.stdout or "usage" in out.stdout
