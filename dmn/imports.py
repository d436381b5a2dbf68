"""Which loaded model an ``import`` names: by namespace, told apart by ``locationURI``.

An import names a namespace and, optionally, a file (``locationURI``, relative to the importing file). Usually
one loaded model declares that namespace. But several files may declare one namespace (copies of a model, or
a chain of models that all keep their modeler's default namespace), and an import may name a namespace no file
declares, its locationURI finding the file: the TCK's 0086a chains A → B → C, every file declaring the same
namespace, each importing the next under a namespace of its own choosing. So an import is resolved for its
importer, never by a namespace-wide table.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from dmn import model as m


def import_target(definitions: Sequence[m.Definitions], importer: m.Definitions,
                  imported: m.Import) -> m.Definitions | None:
    """The model ``imported`` (an import of ``importer``) names among ``definitions``: of the models declaring
    its namespace, the one at its locationURI, else the first; when none declares it, the model at its
    locationURI; None when nothing fits. A model never imports itself."""
    others = [defs for defs in definitions if defs is not importer]
    same = [defs for defs in others if defs.namespace == imported.namespace]
    found = located(same, importer, imported) or same or located(others, importer, imported)
    return found[0] if found else None


def located(candidates: Sequence[m.Definitions], importer: m.Definitions, imported: m.Import) -> list[m.Definitions]:
    """The candidates at the import's locationURI: the same file, else (files moved together into one folder,
    or read from text) one of the same file name."""
    if not imported.location:
        return []
    target = (Path(importer.path).parent / imported.location).resolve()
    exact = [defs for defs in candidates if Path(defs.path).resolve() == target]
    return exact or [defs for defs in candidates if Path(defs.path).name == Path(imported.location).name]


def with_imports(definitions: list[m.Definitions]) -> list[m.Definitions]:
    """The first model and every model it imports, directly or not (each once)."""
    chosen = definitions[:1]
    for defs in chosen:  # grows while it is walked: imports of imports
        for imported in defs.imports:
            target = import_target(definitions, defs, imported)
            if target is not None and all(target is not other for other in chosen):
                chosen.append(target)
    return chosen
