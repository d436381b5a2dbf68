"""The admin API's rows of the OpenAPI document (``web.api.openapi``): ``/admin/…`` of ``web.api.admin`` and
``web.api.admin_users``."""

from __future__ import annotations

from web.api.admin import ChannelEdit, ChannelNew, DepartmentEdit, DepartmentNew, RoutingMove, SubtypeEdit, SubtypeNew
from web.api.admin_users import PasswordReset, RoleChange

_CHANGE = (400, 401, 403, 404, 422)
# (path, method, summary, request schema, success status, response schema, error statuses)
ADMIN_OPERATIONS: list[tuple[str, str, str, type | None, int, type | None, tuple[int, ...]]] = [
    ("/admin/departments", "get", "Departments with level, district and state (admins)", None, 200, None, (401, 403)),
    ("/admin/departments", "post", "Add a department (admins)", DepartmentNew, 201, None, _CHANGE),
    ("/admin/departments/{code}", "patch", "Change a department's names, level or district", DepartmentEdit, 200,
     None, _CHANGE),
    ("/admin/departments/{code}/{action}", "post", "Disable (refused while open tasks or routing rules name it) or "
     "enable a department", None, 200, None, _CHANGE),
    ("/admin/subtypes", "get", "Subtypes with every field and state; the aspects (admins)", None, 200, None,
     (401, 403)),
    ("/admin/subtypes", "post", "Add a subtype (admins)", SubtypeNew, 201, None, _CHANGE),
    ("/admin/subtypes/{code}", "patch", "Change a subtype's names, urgency, time limit, closing standard",
     SubtypeEdit, 200, None, _CHANGE),
    ("/admin/subtypes/{code}/{action}", "post", "Disable (no new reports) or enable a subtype", None, 200, None,
     _CHANGE),
    ("/admin/channels", "get", "The channels in order (admins)", None, 200, None, (401, 403)),
    ("/admin/channels", "post", "Add a channel (admins)", ChannelNew, 201, None, _CHANGE),
    ("/admin/channels/{code}", "patch", "Rename, mark urgent, disable or enable a channel", ChannelEdit, 200, None,
     _CHANGE),
    ("/admin/routing", "get", "The routing rules in force: per subtype the departments they name", None, 200, None,
     (401, 403)),
    ("/admin/routing/{subtype}", "put", "Route a subtype to a department: a new rules version", RoutingMove, 200,
     None, _CHANGE),
    ("/admin/changes", "get", "Admin changes, newest first (?kind=, ?key=): each object's versions", None, 200, None,
     (401, 403)),
    ("/admin/users", "get", "Users matching ?q=, with their state (admins)", None, 200, None, (401, 403)),
    ("/admin/users/{username}/{action}", "post", "Disable (no sign-in; sessions and tokens end) or enable a user",
     None, 200, None, _CHANGE),
    ("/admin/users/{username}/role", "put", "Change a user's role, department or district", RoleChange, 200, None,
     _CHANGE),
    ("/admin/users/{username}/password-reset", "post", "Reset a password (a one-time one shown once)", PasswordReset,
     200, None, _CHANGE),
]
