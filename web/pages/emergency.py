"""Emergency command's pages (应急指挥): the emergencies and the declare form (``/emergencies``), one emergency's
assembly by team (``/emergencies/{id}/assembly``), and the called person's phone page
(``/emergencies/{id}/assembly/me``, 390×844): 收到 acknowledge, then 到达集合点 check in with the phone's position
(geolocation; typed in when the phone gives none) and the time. Every form sends the same command as the API.
The dashboard and the after-action report are ``web.pages.emergency_dashboard``'s."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from city.emergency import commands as ec
from city.emergency import status
from city.emergency.handlers import city_defaults
from engine.domain.errors import GridcaseError
from engine.domain.forms import FieldsRejected
from web.context import bus, deps
from web.pages.common import bp, me, signed_in
from web.policy import ANSWER_ASSEMBLY_CALLS, DECLARE_EMERGENCIES, READ_EMERGENCIES, allows


def _problem(exc: GridcaseError) -> str:
    if isinstance(exc, FieldsRejected):
        return "; ".join(f"{field}: {message}" for field, message in sorted(exc.fields.items()))
    field = getattr(exc, "field", None)
    return f"{field}: {exc.message}" if field else exc.message


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace("，", ",").split(",") if part.strip()]


def _declare_form() -> dict[str, Any]:
    """What the declare form shows first: the city's defaults."""
    defaults = city_defaults(deps())
    return {"kind": defaults.get("kind", "typhoon"), "level": defaults.get("level", "II"),
            "districts": ",".join((defaults.get("area") or {}).get("districts") or []),
            "commander": defaults.get("commander", ""), "ack_within_minutes": defaults.get("ack_within_minutes", 20),
            "teams": len(defaults.get("teams") or [])}


@bp.route("/emergencies", methods=["GET", "POST"])
@signed_in(READ_EMERGENCIES)
def emergencies_page() -> ResponseReturnValue:
    """The emergencies, newest first; the declare form for those who may declare (POST declares)."""
    who, problem = me(), None
    if request.method == "POST":
        if not allows(who, DECLARE_EMERGENCIES):
            return render_template("error.html", message=_("无权宣布应急")), 403
        form = request.form
        minutes = form.get("ack_within_minutes", "").strip()
        command = ec.DeclareEmergency(
            kind=form.get("kind", ""), level=form.get("level", ""),
            area={"districts": _codes(form.get("districts", "")), "streets": _codes(form.get("streets", ""))},
            starts_at=form.get("starts_at", ""), ends_at=form.get("ends_at", ""),
            commander=form.get("commander", "").strip(), actor=who.username, name=form.get("name", "").strip(),
            ack_within_minutes=int(minutes) if minutes.isdigit() else None, actor_kind=who.actor_kind)
        try:
            result = bus().handle(command)
        except GridcaseError as exc:
            problem = _problem(exc)
        else:
            return redirect(url_for("pages.emergency_assembly_page", emergency_id=result["id"]))
    return render_template("emergencies.html", rows=status.emergency_list(deps()), problem=problem,
                           may_declare=allows(who, DECLARE_EMERGENCIES), form=_declare_form()), (
        422 if problem else 200)


@bp.get("/emergencies/<int:emergency_id>/assembly")
@signed_in(READ_EMERGENCIES)
def emergency_assembly_page(emergency_id: int) -> ResponseReturnValue:
    """One emergency's calls by team with their states."""
    return render_template("emergency_assembly.html", e=status.emergency_detail(deps(), emergency_id),
                           a=status.assembly(deps(), emergency_id))


@bp.route("/emergencies/<int:emergency_id>/assembly/me", methods=["GET", "POST"])
@signed_in(ANSWER_ASSEMBLY_CALLS)
def emergency_my_call_page(emergency_id: int) -> ResponseReturnValue:
    """The called person's phone page: acknowledge, then check in (POST ``action`` = acknowledge | check_in)."""
    who, problem = me(), None
    mine = status.my_call(deps(), emergency_id, who.username)  # 404 when not called
    if request.method == "POST":
        try:
            if request.form.get("action") == "acknowledge":
                bus().handle(ec.AcknowledgeAssembly(emergency_id, who.username, actor_kind=who.actor_kind))
            else:
                lon, lat = _number(request.form.get("lon")), _number(request.form.get("lat"))
                bus().handle(ec.CheckInAssembly(emergency_id, lon, lat, who.username,  # type: ignore[arg-type]
                                                actor_kind=who.actor_kind))
        except GridcaseError as exc:
            problem = _problem(exc)
        else:
            return redirect(url_for("pages.emergency_my_call_page", emergency_id=emergency_id))
        mine = status.my_call(deps(), emergency_id, who.username)
    return render_template("emergency_me.html", e=mine["emergency"], call=mine["call"], problem=problem), (
        422 if problem else 200)


def _number(text: str | None) -> float | None:
    """A coordinate typed or filled in by the phone (None: the command names the field)."""
    try:
        return float(text) if text not in (None, "") else None
    except ValueError:
        return None
