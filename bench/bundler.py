"""What a bundler would cost the designer: esbuild and vite, measured on this machine, printed as JSON.

The designer's properties panel is hand-written (web/static/js/properties.js) because the published
bpmn-js-properties-panel ships as ES modules that need a bundler. This measures that alternative so the decision
in docs/designer.md can be re-checked: in a scratch folder (never the project's node_modules), for the panel's
libraries alone and for them plus each bundler — the ``npm install`` time with an empty npm cache (as a clean CI
starts) and the node_modules size it leaves; then a bundle of bpmn-js + bpmn-js-properties-panel +
@bpmn-io/properties-panel + camunda-bpmn-moddle built twice (cold: no bundler cache; warm: again) and its size.

Run: ``python -m bench.bundler [--workdir DIR] [--keep]`` (needs Node.js, npm and the npm registry; a few minutes).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# Versions measured (pinned, so that a re-run measures the same thing; bump them together with the figures).
PANEL = {"bpmn-js": "18.31.1", "bpmn-js-properties-panel": "5.65.3", "@bpmn-io/properties-panel": "3.55.0",
         "camunda-bpmn-moddle": "8.0.1", "camunda-bpmn-js-behaviors": "1.18.0"}
BUNDLERS = {"esbuild": {"esbuild": "0.28.2"}, "vite": {"vite": "8.4.1"}}
ENTRIES = {  # what gridcase would ship (its own provider beside the base one), and with Camunda's provider too
    "panel": """import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from "bpmn-js-properties-panel";
window.GridcaseModeler = function (options) {
  return new BpmnModeler(Object.assign({
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule] }, options));
};
""",
    "panel_camunda": """import BpmnModeler from "bpmn-js/lib/Modeler";
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule }
  from "bpmn-js-properties-panel";
import camundaModdle from "camunda-bpmn-moddle/resources/camunda.json";
window.GridcaseModeler = function (options) {
  return new BpmnModeler(Object.assign({
    additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule,
                        CamundaPlatformPropertiesProviderModule],
    moddleExtensions: { camunda: camundaModdle } }, options));
};
"""}
VITE_CONFIG = """export default { logLevel: "warn", build: { outDir: "dist", emptyOutDir: true, minify: true,
  lib: { entry: process.env.ENTRY, formats: ["iife"], name: "gridcaseDesigner", fileName: () => "designer.js" } } };
"""


def _run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds ``args`` took in ``cwd``; raises with its output when it fails."""
    started = time.perf_counter()
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({done.returncode}): {done.stderr[-2000:]}")
    return round(time.perf_counter() - started, 2)


def _size(path: Path) -> int:
    """Bytes of the files under ``path`` (a file: its size)."""
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def _install(folder: Path, dependencies: dict[str, str]) -> dict[str, Any]:
    """A fresh project in ``folder`` with ``dependencies``, installed from an empty npm cache."""
    folder.mkdir(parents=True)
    package = {"name": folder.name, "private": True, "version": "0.0.0", "dependencies": dependencies}
    (folder / "package.json").write_text(json.dumps(package, indent=2), "utf-8")
    cache = folder / ".npm-cache"  # empty: what a clean CI machine downloads
    seconds = _run(["npm", "install", "--no-audit", "--no-fund", "--cache", str(cache)], folder)
    modules = folder / "node_modules"
    tops = [d for d in modules.iterdir() if d.is_dir() and not d.name.startswith(".")]
    count = sum(len(list(d.iterdir())) if d.name.startswith("@") else 1 for d in tops)
    return {"install_seconds": seconds, "node_modules_bytes": _size(modules), "packages": count}


def _bundle_command(bundler: str, entry: str) -> list[str]:
    if bundler == "esbuild":
        return ["node_modules/.bin/esbuild", f"{entry}.js", "--bundle", "--minify", "--format=iife",
                "--loader:.json=json", "--outfile=dist/designer.js", "--log-level=warning"]
    return ["node_modules/.bin/vite", "build"]


def _build(folder: Path, bundler: str, entry: str) -> dict[str, Any]:
    """Cold and warm build times of one bundle, and its size (raw and gzip)."""
    (folder / f"{entry}.js").write_text(ENTRIES[entry], "utf-8")
    if bundler == "vite":
        (folder / "vite.config.mjs").write_text(VITE_CONFIG, "utf-8")
    shutil.rmtree(folder / "node_modules" / ".vite", ignore_errors=True)
    env = {**os.environ, "NODE_ENV": "production", "ENTRY": f"{entry}.js"}
    cold = _run(_bundle_command(bundler, entry), folder, env)
    warm = _run(_bundle_command(bundler, entry), folder, env)
    script = (folder / "dist" / "designer.js").read_bytes()
    return {"build_cold_seconds": cold, "build_warm_seconds": warm, "bundle_bytes": len(script),
            "bundle_gzip_bytes": len(gzip.compress(script, 9))}


def _today(project: Path) -> dict[str, Any]:
    """What the designer serves now: the prebuilt modeler and the hand-written panel."""
    modeler = project / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.production.min.js"
    own = [project / "web" / "static" / "js" / name
           for name in ("properties.js", "properties-engine.js", "spiff-moddle.js")]
    data = modeler.read_bytes() if modeler.exists() else b""
    return {"modeler_bytes": len(data), "modeler_gzip_bytes": len(gzip.compress(data, 9)) if data else 0,
            "hand_written_panel_bytes": sum(_size(p) for p in own if p.exists()), "build_seconds": 0}


def measure(workdir: Path) -> dict[str, Any]:
    """Every figure, as one JSON-ready dict (see the module's docstring)."""
    today = _install(workdir / "bpmn-js-only", {"bpmn-js": PANEL["bpmn-js"]})  # what the project installs now
    base = _install(workdir / "panel-only", PANEL)
    base["node_modules_bytes_added"] = base["node_modules_bytes"] - today["node_modules_bytes"]
    css = workdir / "panel-only" / "node_modules" / "@bpmn-io" / "properties-panel" / "dist" / "assets"
    result: dict[str, Any] = {
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True, check=True).stdout.strip(),
        "cpus": os.cpu_count(), "versions": {**PANEL, **{k: v for d in BUNDLERS.values() for k, v in d.items()}},
        "today": {**_today(Path(__file__).resolve().parents[1]), "bpmn_js_install": today},
        "panel_libraries": {**base, "panel_css_bytes": _size(css / "properties-panel.css")}, "bundlers": {}}
    for bundler, dependency in BUNDLERS.items():
        folder = workdir / bundler
        installed = _install(folder, {**PANEL, **dependency})
        installed["bundler_install_seconds_added"] = round(installed["install_seconds"] - base["install_seconds"], 2)
        installed["bundler_node_modules_bytes_added"] = installed["node_modules_bytes"] - base["node_modules_bytes"]
        builds = {entry: _build(folder, bundler, entry) for entry in ENTRIES}
        # what a clean CI run of `make test` would pay on top of today's npm install: the extra install and one build
        installed["ci_seconds_added"] = round(installed["install_seconds"] - today["install_seconds"]
                                              + builds["panel"]["build_cold_seconds"], 2)
        installed["ci_node_modules_bytes_added"] = installed["node_modules_bytes"] - today["node_modules_bytes"]
        result["bundlers"][bundler] = {**installed, **builds}
    return result


def main(argv: list[str] | None = None) -> int:
    """Measure and print the JSON; the scratch folder is removed unless ``--keep``."""
    parser = argparse.ArgumentParser(prog="python -m bench.bundler", description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args(argv)
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="gridcase-bundler-"))
    if workdir.exists() and any(workdir.iterdir()):
        print(f"{workdir} is not empty: give an empty or new --workdir", file=sys.stderr)
        return 2
    try:
        print(json.dumps(measure(workdir), indent=2))
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
