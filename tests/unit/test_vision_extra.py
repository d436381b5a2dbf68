"""The web server and the `gridcase` command line work without the `vision` and `models` extras; the vision
commands then say what to install (the extras are blocked in a child process: ``sys.modules[name] = None``)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import json, sys
    for name in ("cv2", "openvino", "tensorboard"):
        sys.modules[name] = None  # importing them now fails, as on a host without the extras
    import web.app
    import cli.main
    from click.testing import CliRunner

    runner = CliRunner()
    out = {}
    for name, args in {"help": ["--help"], "vision": ["vision", "run", "--camera", "CAM-DEMO-01", "--once"],
                       "bench": ["bench", "vision", "--json"]}.items():
        result = runner.invoke(cli.main.cli, args, env={"GRIDCASE_VISION_TOKEN": "t"})
        out[name] = [result.exit_code, result.output]
    print(json.dumps(out))
""")


def test_cli_and_web_import_without_the_vision_extra() -> None:
    done = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["help"][0] == 0 and "vision" in out["help"][1]
    for name in ("vision", "bench"):
        code, text = out[name]
        assert code == 1, text
        assert "needs the vision extra" in text and "pip install -e '.[vision]'" in text, text
