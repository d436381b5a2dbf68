"""``gridcase process layout``: generate the diagram (BPMN DI) of hand-written process files."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("layout")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 listing files whose diagram is missing or stale.")
def process_layout(files: tuple[Path, ...], check: bool) -> None:
    """Lay out the diagram of each BPMN file (folders: their *.bpmn) in place, so bpmn-js can display it.

    Only the bpmndi:BPMNDiagram elements are replaced; the process XML is left byte for byte as it was.
    """
    from engine.bpmn.layout import layout_bpmn

    paths = [file for path in files for file in (sorted(path.glob("*.bpmn")) if path.is_dir() else [path])]
    stale = []
    for path in paths:
        text = path.read_bytes()
        try:
            laid_out = layout_bpmn(text)
        except (ValueError, SyntaxError) as exc:  # lxml's XMLSyntaxError is a SyntaxError
            raise click.ClickException(f"{path}: {exc}") from None
        if laid_out != text:
            stale.append(path)
            if not check:
                path.write_bytes(laid_out)
    for path in stale:
        click.echo(f"{path}: diagram {'missing or out of date' if check else 'laid out'}")
    if check and stale:
        sys.exit(1)
