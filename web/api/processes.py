"""The process designer's API: deployed processes and versions, diffs between versions, the files of workflows/
and rules/ on disk, drafts saved per designer, validation and deployment.

Designers (and admins) do everything here; auditors read processes, versions and diffs; everyone else gets 403.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask import Blueprint, jsonify, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError, fields, validate

from designer.form_diff import FormDiffError, diff_form
from designer.form_diff import summary as form_summary
from designer.version_diff import VersionDiffError, diff_bpmn, diff_dmn
from engine.bpmn.form_files import FORM_FILE
from engine.bpmn.starters import start_settings
from engine.domain.commands import DeleteDraft, DeployProcesses, SaveDraft
from engine.domain.errors import ProcessInvalid
from engine.persistence.db import as_utc
from engine.persistence.repositories.versions import get_version, list_versions, newest_listings, version_listing
from engine.service import drafts as draft_service
from engine.service.drafts import FILE_NAME, MAX_CONTENT_BYTES, PROCESS_ID, Draft
from engine.service.timer_starts import next_timer_starts
from web import context
from web.api.auth import authenticated, caller
from web.api.cases import json_body
from web.api.errors import ApiError, error_body
from web.api.schemas import Strict
from web.policy import DESIGN_PROCESSES, READ_PROCESS_MODELS

bp = Blueprint("api_processes", __name__)
MAX_NUMBER = 2**31 - 1  # process_versions.number is a 32-bit integer
MAX_FILES = 50


def plain_text(value: str) -> None:
    """Refuse text a database cannot store: NUL characters and lone surrogates."""
    if "\x00" in value:
        raise ValidationError("must not hold NUL characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValidationError("must be valid Unicode text") from None


DEPLOY_FILE = re.compile(f"{FILE_NAME.pattern}|{FORM_FILE.pattern}")
FILES = fields.Dict(
    keys=fields.String(validate=validate.Regexp(
        DEPLOY_FILE, error="a .bpmn or .dmn file name without folders, or a form file forms/<name>.json")),
    values=fields.String(validate=[validate.Length(max=MAX_CONTENT_BYTES), plain_text]),
    required=True, validate=validate.Length(min=1, max=MAX_FILES))


class FilesRequest(Strict):
    files = FILES


class DeployRequest(Strict):
    files = FILES
    comment = fields.String(load_default="", validate=[validate.Length(max=1000), plain_text])


class DraftSave(Strict):
    content = fields.String(required=True, validate=[validate.Length(max=MAX_CONTENT_BYTES), plain_text])
    base_version = fields.Integer(allow_none=True, strict=True, validate=validate.Range(1, MAX_NUMBER))
    process_id = fields.String(allow_none=True, validate=validate.Regexp(PROCESS_ID, error="a process id"))


class DiffQuery(Strict):
    from_ = fields.Integer(required=True, data_key="from", validate=validate.Range(1, MAX_NUMBER))
    to = fields.Integer(required=True, validate=validate.Range(1, MAX_NUMBER))


def _stamp(value: Any) -> str | None:
    moment = as_utc(value)
    return None if moment is None else moment.isoformat()


def _version_view(process_id: str, row: tuple[Any, ...]) -> dict[str, Any]:
    return {"process_id": process_id, "number": row[0], "sha256": row[1], "deployed_at": _stamp(row[2]),
            "deployed_by": row[3], "comment": row[4]}


def _known_process(process_id: str) -> str:
    if not PROCESS_ID.fullmatch(process_id):
        raise ApiError(404, f"process {process_id} not found")
    return process_id


def _version(process_id: str, number: int) -> tuple[dict[str, Any], dict[str, str]]:
    """A version's view and its sources; 404 when the process has no such version."""
    row = None
    if 1 <= number <= MAX_NUMBER:
        with context.deps().uow(read_only=True) as uow:
            row = version_listing(uow.store, _known_process(process_id), number)
    if row is None:
        raise ApiError(404, f"process {process_id} has no version {number}")
    return _version_view(process_id, row), json.loads(row[5])


@bp.get("/processes")
@authenticated(READ_PROCESS_MODELS)
def processes() -> ResponseReturnValue:
    """Every deployed process with its newest version (number, sha256, when, who), that version's files, and who
    may start it (``starter_groups``, null when the model names none: admins and designers only) with which start
    form, and when its timer start events next start a case (``next_start_at``, null without one)."""
    with context.deps().uow(read_only=True) as uow:
        rows = newest_listings(uow.store)
    upcoming = next_timer_starts(context.deps(), context.deps().clock.now())
    listed = []
    for row in rows:
        sources = json.loads(row[6])
        start = start_settings(sources, row[0])
        groups = None if start.starter_groups is None else list(start.starter_groups)
        listed.append({**_version_view(row[0], row[1:]), "files": sorted(sources), "name": start.name,
                       "starter_groups": groups, "start_form": start.form,
                       "next_start_at": upcoming[row[0]].isoformat() if row[0] in upcoming else None})
    return jsonify({"processes": listed})


@bp.get("/processes/<process_id>/versions")
@authenticated(READ_PROCESS_MODELS)
def versions(process_id: str) -> ResponseReturnValue:
    """The process's versions, oldest first; 404 for a process never deployed."""
    with context.deps().uow(read_only=True) as uow:
        rows = [(v.number, v.sha256, v.deployed_at, v.deployed_by, v.comment)
                for v in list_versions(uow.store, _known_process(process_id))]
    if not rows:
        raise ApiError(404, f"process {process_id} not found")
    return jsonify({"process_id": process_id, "versions": [_version_view(process_id, row) for row in rows]})


@bp.get("/processes/<process_id>/versions/<int:number>")
@authenticated(READ_PROCESS_MODELS)
def version(process_id: str, number: int) -> ResponseReturnValue:
    """One version with its sources (file name → text)."""
    view, sources = _version(process_id, number)
    return jsonify({**view, "sources": sources})


def _file_diff(name: str, old: str | None, new: str | None) -> dict[str, Any]:
    kind = "form" if name.startswith("forms/") else "dmn" if name.endswith(".dmn") else "bpmn"
    status = "added" if old is None else "removed" if new is None else "unchanged" if old == new else "changed"
    entry: dict[str, Any] = {"file": name, "kind": kind, "status": status}
    if status != "unchanged":
        try:
            if kind == "form":  # fields added, removed, changed (type, required, enum, constraints)
                entry["diff"] = diff_form(old, new)
                entry["summary"] = form_summary(entry["diff"])
            else:
                entry["diff"] = (diff_dmn if kind == "dmn" else diff_bpmn)(old or "", new or "")
        except (VersionDiffError, FormDiffError) as exc:
            raise ApiError(422, f"{name}: {exc}") from None
    return entry


@bp.get("/processes/<process_id>/diff")
@authenticated(READ_PROCESS_MODELS)
def diff(process_id: str) -> ResponseReturnValue:
    """``?from=N&to=M``: per file of either version, its status and the elements (BPMN), rules (DMN) or form
    fields (``forms/…``, with a one-line ``summary``) added, removed and changed from version N to version M."""
    query = DiffQuery().load(request.args.to_dict())
    old_view, old = _version(process_id, query["from_"])
    new_view, new = _version(process_id, query["to"])
    files = [_file_diff(name, old.get(name), new.get(name)) for name in sorted(set(old) | set(new))]
    return jsonify({"process_id": process_id, "from": old_view, "to": new_view, "files": files})


def _source_folders() -> list[tuple[str, Path]]:
    workflows = Path(context.settings().workflows_dir)
    return [("workflows", workflows), ("rules", workflows.parent / "rules")]


def _is_source(folder: Path, file: Path) -> bool:
    """A .bpmn/.dmn file right inside ``folder`` (a link leading elsewhere is not)."""
    return FILE_NAME.fullmatch(file.name) is not None and file.is_file() and file.resolve().parent == folder.resolve()


@bp.get("/processes/sources")
@authenticated(DESIGN_PROCESSES)
def sources() -> ResponseReturnValue:
    """The BPMN and DMN files of workflows/ and rules/ on the server's disk (names, not contents)."""
    found = [{"name": file.name, "folder": label, "kind": "dmn" if file.suffix == ".dmn" else "bpmn"}
             for label, folder in _source_folders() if folder.is_dir()
             for file in sorted(folder.iterdir()) if _is_source(folder, file)]
    return jsonify({"sources": found})


@bp.get("/processes/sources/<name>")
@authenticated(DESIGN_PROCESSES)
def source(name: str) -> ResponseReturnValue:
    """One file of workflows/ or rules/ with its text; 404 for anything else (no folders, no other files)."""
    if FILE_NAME.fullmatch(name):
        for label, folder in _source_folders():
            file = folder / name
            if _is_source(folder, file):
                return jsonify({"name": name, "folder": label, "kind": "dmn" if file.suffix == ".dmn" else "bpmn",
                                "content": file.read_text(encoding="utf-8")})
    raise ApiError(404, f"no source file {name}")


def _draft_view(draft: Draft, with_content: bool = False) -> dict[str, Any]:
    base = None if draft.base_number is None else {"process_id": draft.base_process_id, "number": draft.base_number}
    view = {"file_name": draft.file_name, "process_id": draft.process_id, "base_version": base,
            "updated_at": draft.updated_at.isoformat(), "size": draft.size}
    return {**view, "content": draft.content} if with_content else view


@bp.get("/drafts")
@authenticated(DESIGN_PROCESSES)
def drafts() -> ResponseReturnValue:
    """The caller's drafts (without their contents)."""
    return jsonify({"drafts": [_draft_view(d) for d in draft_service.list_drafts(context.deps(), caller().username)]})


@bp.get("/drafts/<file_name>")
@authenticated(DESIGN_PROCESSES)
def draft(file_name: str) -> ResponseReturnValue:
    """One of the caller's drafts with its content; 404 for another designer's."""
    found = draft_service.get_draft(context.deps(), caller().username, file_name)
    return jsonify(_draft_view(found, with_content=True))


@bp.put("/drafts/<file_name>")
@authenticated(DESIGN_PROCESSES)
def put_draft(file_name: str) -> ResponseReturnValue:
    """Save (create or replace) a draft: ``{content, base_version?, process_id?}``; 201 when new, else 200."""
    body = DraftSave().load(json_body())
    saved, created = context.bus().handle(
        SaveDraft(caller().username, file_name, body["content"], base_version=body.get("base_version"),
                  process_id=body.get("process_id")))
    return jsonify(_draft_view(saved)), 201 if created else 200


@bp.delete("/drafts/<file_name>")
@authenticated(DESIGN_PROCESSES)
def remove_draft(file_name: str) -> ResponseReturnValue:
    """Delete one of the caller's drafts."""
    context.bus().handle(DeleteDraft(caller().username, file_name))
    return jsonify({"file_name": file_name, "deleted": True})


def _problem(problem: Any) -> dict[str, Any]:
    """A validation problem (a dict or an object with these attributes) as JSON."""
    get = problem.get if isinstance(problem, dict) else lambda key: getattr(problem, key, None)
    return {key: get(key) for key in ("file", "element_id", "severity", "message")}


@bp.post("/processes/validate")
@authenticated(DESIGN_PROCESSES)
def validate_files() -> ResponseReturnValue:
    """``{files: {name: text}}`` → ``{problems: [{file, element_id, severity, message}], valid}``; stores nothing."""
    body = FilesRequest().load(json_body())
    from engine.service.validate import validate_sources  # imported when used: a service added separately

    forms = Path(context.settings().workflows_dir)
    problems = [_problem(p) for p in validate_sources(context.deps(), body["files"], forms_dir=forms)]
    return jsonify({"problems": problems, "valid": not any(p["severity"] == "error" for p in problems)})


def _refusal(exc: ProcessInvalid) -> ResponseReturnValue:
    """422 for an invalid model, with the validation problems when the deploy found them."""
    body = error_body(422, exc.message, {exc.field: exc.message} if exc.field else None)
    problems = getattr(exc, "problems", None)
    if problems:
        body["error"]["problems"] = [_problem(p) for p in problems]
    return jsonify(body), 422


@bp.post("/processes/deploy")
@authenticated(DESIGN_PROCESSES)
def deploy_files() -> ResponseReturnValue:
    """``{files: {name: text}, comment}`` → 201 with the versions created, 200 when nothing changed; an invalid
    model → 422 with its problems, and nothing is stored."""
    body = DeployRequest().load(json_body())
    deps = context.deps()
    try:
        results = context.bus().handle(
            DeployProcesses(body["files"], caller().username, body["comment"],
                            forms_dir=Path(context.settings().workflows_dir)))
    except ProcessInvalid as exc:
        return _refusal(exc)
    with deps.uow(read_only=True) as uow:
        rows = {r.version_id: get_version(uow.store, r.version_id) for r in results}
    deployed = []
    for result in results:
        row = rows[result.version_id]
        assert row is not None
        deployed.append({"process_id": row.process_id, "number": row.number, "sha256": row.sha256,
                         "created": result.created, "deployed_at": row.deployed_at.isoformat(),
                         "deployed_by": row.deployed_by, "comment": row.comment})
    return jsonify({"versions": deployed}), 201 if any(r.created for r in results) else 200
