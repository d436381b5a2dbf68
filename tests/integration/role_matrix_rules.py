"""The Flask rule each path of the API role matrix (``test_api_role_matrix``) stands for: its ids and codes put back
as the rule's converters, so the matrix can be checked to name every API route."""

from __future__ import annotations

import re

# (a path's pattern, the rule's text), applied in order
RULES: list[tuple[str, str]] = [
    (r"^/tasks/0", "/tasks/<task_id>"),
    (r"^/processes/case_lifecycle/versions/1$", "/processes/<process_id>/versions/<int:number>"),
    (r"^/processes/case_lifecycle/", "/processes/<process_id>/"),
    (r"^/processes/sources/.+$", "/processes/sources/<name>"),
    (r"^/processes/forms/.+$", "/processes/forms/<name>"),
    (r"^/drafts/.+$", "/drafts/<file_name>"),
    (r"^/users/[^/]+/password$", "/users/<username>/password"),
    (r"^/users/[^/]+/tokens$", "/users/<username>/tokens"),
    (r"^/users/[^/]+/tokens/\d+$", "/users/<username>/tokens/<int(max=2147483647):token_id>"),
    (r"^/analysis/grids/\d+/cases$", "/analysis/grids/<unit_grid>/cases"),
    (r"^/jobs/\d+", "/jobs/<int:job_id>"),
    (r"^/incidents/\d+", "/incidents/<int:incident_id>"),
    (r"^/notification-subscriptions/\d+$", "/notification-subscriptions/<int:subscription_id>"),
    (r"^/notifications/deliveries/\d+", "/notifications/deliveries/<int:delivery_id>"),
    (r"^/admin/(departments|subtypes)/NOPE/(disable|enable)$", r"/admin/\1/<code>/<any(disable, enable):action>"),
    (r"^/admin/(departments|subtypes|channels)/NOPE$", r"/admin/\1/<code>"),
    (r"^/admin/routing/NOPE$", "/admin/routing/<subtype>"),
    (r"^/admin/users/nobody-here/(disable|enable)$", "/admin/users/<username>/<any(disable, enable):action>"),
    (r"^/admin/users/nobody-here/", "/admin/users/<username>/"),
    (r"^/emergencies/\d+/(dashboard|report|assembly|acknowledge|check-in|end)$", r"/emergencies/<int:emergency_id>/\1"),
    (r"^/emergencies/\d+$", "/emergencies/<int:emergency_id>"),
    (r"^/transport/vehicles/NOPE/track$", "/transport/vehicles/<plate>/track"),
    (r"^/transport/alerts/\d+$", "/transport/alerts/<int(max=2147483647):alert_id>"),
    (r"^/campaigns/\d+", "/campaigns/<int(max=2147483647):campaign_id>"),
    (r"/grids/\d+", "/grids/<grid>"),
    (r"^/campaign-findings/\d+", "/campaign-findings/<int(max=2147483647):finding_id>"),
    (r"^/enforcement/cases/\d+$", "/enforcement/cases/<int(max=2147483647):enforcement_id>"),
    (r"^/decoration-works/NOPE", "/decoration-works/<code>"),
    (r"^/property/companies/NOPE", "/property/companies/<code>"),
    (r"^/assessment/inspections/\d+", "/assessment/inspections/<int(max=2147483647):inspection_id>"),
    (r"^/assessment/rounds/\d+", "/assessment/rounds/<int(max=2147483647):round_id>"),
    (r"^/assessment/objects/property/NOPE", "/assessment/objects/<scheme>/<code>"),
    (r"^/assessment/checklists/property$", "/assessment/checklists/<scheme>"),
    (r"^/connectors/deliveries/\d+/retry$", "/connectors/deliveries/<int:delivery_id>/retry"),
    (r"^/connectors/NOPE", "/connectors/<code>"),
    (r"^/open311/keys/\d+/revoke$", "/open311/keys/<int:key_id>/revoke"),
    (r"^/exchange/NOPE/", "/exchange/<code>/"),
    (r"^/kpi/departments/.+$", "/kpi/departments/<code>"),
]


def rule_of(template: str, case: str, digest: str) -> str:
    """The Flask rule a matrix path stands for (``case``/``digest``: the placeholders of a case and a photo)."""
    path = template.split("?")[0].replace(case, "<case_no>").replace(digest, "<digest>")
    for pattern, rule in RULES:
        path = re.sub(pattern, rule, path)
    return path
