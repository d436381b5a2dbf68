"""Who may do what: every capability of the web application and the roles that have it (DESIGN §2, §6).

Routes and pages ask this module, never a role list of their own: ``@authenticated(policy.READ_AUDIT)``,
``@signed_in(policy.DESIGN_PROCESSES)``, ``policy.allows(who, policy.READ_ALL_KPIS)``; templates ask
``can(policy.WORK_INBOX)``. Which *case* or *task* someone sees besides (their department's, their district's,
the groups they work) is scoping, in ``web.api.access``; who works which task group is the engine's
(``Principal.groups``, ``acts_on_tasks``).

| capability | roles | asked by |
|---|---|---|
| READ_CASES | every role but vision_worker | ``GET /cases/{no}`` (scoped), its events, diagram, files; ``/tasks…`` |
| READ_ALL_CASES | CENTRE, auditor, admin, integration | case routes (the rest: scoped); ``/cases`` |
| READ_OWN_CASES | vision_worker | ``GET /cases/{no}`` and its evidence upload, for the cases it started only |
| READ_CITY | every role but vision_worker | ``/city/…`` (grids, point lookup, subtypes, departments) |
| CREATE_CASES | collector, seat_operator, shift_lead, dispatcher, admin, integration | ``POST /cases``, report page |
| ATTACH_EVIDENCE | every role but auditor and process_designer | ``POST /cases/{no}/attachments`` (cases it sees) |
| AMEND_CLOSED_CASES | supervisor, admin | ``POST /cases/{no}/attachments`` with ``addendum`` (evidence after closing) |
| SEND_MESSAGES | integration, vision_worker (only ``video_detection``: ``may_send``), admin | ``POST /messages`` |
| THROW_SIGNALS | integration, admin | ``POST /signals`` (a BPMN signal to every waiting case: broadcast) |
| RECORD_DETECTIONS | vision_worker, integration, admin | ``POST /vision/detections`` |
| READ_DETECTIONS | seat_operator, shift_lead, supervisor, auditor, admin | ``GET /vision/precision`` |
| WORK_INBOX | CENTRE | ``/inbox`` |
| WORK_DEPARTMENT_QUEUE | department_member | ``/queue`` |
| WORK_COLLECTOR_TASKS | collector | ``/collector`` |
| READ_PROCESS_MODELS | process_designer, admin, auditor | ``GET /processes…``, ``POST /rules/evaluate`` |
| DESIGN_PROCESSES | process_designer, admin | sources, drafts, validate, deploy, timers, migrate; ``/designer`` |
| READ_AUDIT | auditor, admin | ``/audit/cases``, replay, verify; ``/audit`` pages, replay links |
| READ_ANALYSIS | supervisor, shift_lead, dispatcher, auditor, admin | ``/analysis/…`` API and pages |
| READ_ALL_KPIS | supervisor, shift_lead, auditor, admin | every department's KPIs, people's rankings |
| READ_KPIS | READ_ALL_KPIS, department_member (own department, unit rankings) | ``/kpi…`` API and pages |
| MANAGE_USERS | admin | ``/users``, their tokens; ``/admin/users…`` (disable, role, password reset) |
| MANAGE_CITY | admin | ``/admin/departments…``, ``/admin/subtypes…``, ``/admin/routing…``, ``/admin`` pages |
| READ_METRICS | admin (and the scrape token ``GRIDCASE_METRICS_TOKEN``, no account) | ``/metrics`` |
| SIGN_IN_WITH_PASSWORD | every role but the machines (integration, vision_worker) | ``/login``, ``/auth/token`` |
| READ_HEALTH_COUNTS | admin | the case and timer counts of ``/healthz`` |
| WORK_EXTERNAL_JOBS | integration | ``/jobs/…``: fetch-and-lock, complete, failure, bpmn-error, extend-lock |
| OPERATE_INCIDENTS | admin | ``/incidents`` (retry, resolve); the page 运维 · 故障 (Operations · Incidents) |
| READ_LINK_AUTHORS | READ_ALL_CASES, department_member, collector | who linked duplicates (``/cases/{no}/links``) |
| MANAGE_DUTY_CALENDAR | admin | ``POST /city/calendar``, ``/admin/calendar`` (load duty calendar versions) |
| SUPERVISE_TASKS | shift_lead, supervisor, admin | ``POST /tasks/{id}/reassign``, ``/release``; 改派/强制释放 buttons |
| EDIT_OWN_SUBSCRIPTIONS | people (not machines) | own ``/notification-subscriptions``, ``/settings/notifications`` |
| EDIT_GROUP_SUBSCRIPTIONS | admin | a group's (department, role) or anyone's subscriptions; ``/admin/notifications`` |
| RESEND_NOTIFICATIONS | supervisor, admin | ``POST /notifications/deliveries/{id}/resend``; case page's 重发 (resend) |
| READ_EMERGENCIES | CENTRE, auditor, admin | ``/emergencies/{id}/dashboard`` and ``/report`` (API and pages) |
| DECLARE_EMERGENCIES | supervisor, shift_lead, admin | ``POST /emergencies``, the declare form; ``/end`` |
| ANSWER_ASSEMBLY_CALLS | who works tasks | own call: ``/emergencies/{id}/acknowledge``, ``/check-in``, phone page |
| RUN_CAMPAIGNS | shift_lead, supervisor, admin | ``POST /campaigns``; the start form of ``/campaigns`` |
| READ_CAMPAIGNS | CENTRE, auditor, admin | ``/campaigns…`` lists, progress, grid states, report (sweepers: own grids) |
| SWEEP_CAMPAIGN_GRIDS | collector, department_member (the grid's task group) | a grid's checks, findings, sweep page |
| READ_CAMPAIGN_TOPICS | READ_CAMPAIGNS, SWEEP_CAMPAIGN_GRIDS | ``GET /campaign-topics`` |
| FOLLOW_WATCHED_HAZARDS | RUN_CAMPAIGNS, SWEEP_CAMPAIGN_GRIDS | ``POST /campaign-findings/{id}/state`` |
| SEND_GPS_POSITIONS | integration, admin | ``POST /gps/positions`` (a vendor platform's or devices' batches) |
| READ_TRANSPORT | CENTRE, department_member (scoped), auditor, admin | ``/transport/…`` registries, tracks, alerts |
| MANAGE_TRANSPORT | admin | ``POST /transport/registry`` (load the files), ``/admin/transport`` |
| READ_ENFORCEMENT | CENTRE, auditor, admin, department_member (own team's) | ``/enforcement/…`` search, records |
| READ_PARTY_IDS | auditor, admin, department_member (own team's) | parties' ids whole in ``/enforcement/…`` |
| REGISTER_DECORATION_WORKS | seat_operator, collector, department_member, admin | ``POST /decoration-works…`` |
| READ_DECORATION_WORKS | CENTRE, department_member, collector, auditor, admin | ``/decoration-works…``, pages |
| MANAGE_ASSESSMENT_REGISTRY | admin | ``POST /assessment/registry``, ``/admin/assessment`` (load files, (de)activate) |
| READ_ASSESSMENT_REGISTRY | CENTRE, department_member, collector, auditor, admin | ``/assessment/objects…`` |
| RUN_ASSESSMENT_ROUNDS | shift_lead, supervisor, admin | ``POST /assessment/rounds`` (a round started by hand) |
| INSPECT_ASSESSED_OBJECTS | collector, department_member | an inspection's sheet and items (its task group's only) |
| READ_ASSESSMENTS | CENTRE, department_member (scoped), auditor, admin | rounds, rankings, maps, reports, credits |
| MANAGE_CONNECTORS | admin | ``POST /connectors`` (load the configuration), retry a push; ``/admin/connectors`` |
| READ_CONNECTOR_DELIVERIES | shift_lead, admin | ``GET /connectors…``, ``…/{code}/deliveries`` (the push log) |
| MANAGE_OPEN311_KEYS | admin | ``/open311/keys…`` (create, list, revoke Open311 api keys); ``/admin/api-keys`` |

CENTRE is the command centre's task groups: seat_operator, shift_lead, dispatcher, supervisor.

Decisions where the modules used to disagree:

- Auditors replay cases on the exact version they ran on, so they READ process models and evaluate rules
  (``POST /rules/evaluate`` computes, it stores nothing) but never write drafts, read the working sources,
  validate, deploy or migrate: those are DESIGN_PROCESSES, designers and admins only.
- The report page is the browser's form of ``POST /cases`` (which accepts the session too), so it asks
  CREATE_CASES: dispatchers and admins, who could already create cases through the API, now get the page.
- Admins land on, and read, the same as auditors; they never act on tasks (engine ``NO_TASKS``).
- Machine roles (integration, vision_worker) hold tokens an operator issues (``gridcase user token``, ``POST
  /users/{name}/tokens``); they never sign in with a password, so no browser session is theirs. The capabilities
  they have are the narrowest their clients need (DESIGN §6): read cases, create cases or send messages, record
  detections.
- The vision worker (``vision/client.py``) sends one message, ``video_detection``, attaches its snapshot to the
  case it started, records detections, and asks ``GET /cases/{no}`` whether the case its last alert opened is
  still open (to add evidence to it rather than open another). So it reads only the cases it started itself
  (READ_OWN_CASES; any other is 404, as for everyone a case is hidden from) and nothing else: not every case, no
  events, diagrams, downloads, tasks or city catalogues (READ_CASES, READ_CITY: 403), nor the precision of the
  rules it raises alerts with.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from city.intake.report import DETECTION_MESSAGE
from engine.service.accounts import ROLES, Principal


@dataclass(frozen=True)
class Capability:
    """Something a role may do: its name (for messages) and the roles that may; ``scope``, when given, narrows it
    further for the person (``allows``, which ``@authenticated`` and ``@signed_in`` ask)."""

    name: str
    roles: frozenset[str]
    scope: Callable[[Principal], bool] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        unknown = self.roles - set(ROLES)
        if unknown:
            raise ValueError(f"capability {self.name}: unknown roles {sorted(unknown)}")

    def __contains__(self, role: object) -> bool:
        return role in self.roles


def _roles(*names: str) -> frozenset[str]:
    return frozenset(names)


CENTRE = _roles("seat_operator", "shift_lead", "dispatcher", "supervisor")  # the command centre's task groups
READ_CASES = Capability("read cases and tasks", frozenset(ROLES) - _roles("vision_worker"))  # scoped: web.api.access
READ_ALL_CASES = Capability("read every case", CENTRE | _roles("auditor", "admin", "integration"))
READ_OWN_CASES = Capability("read the cases it started", _roles("vision_worker"))
READ_CITY = Capability("read the city's grids and catalogues", frozenset(ROLES) - _roles("vision_worker"))
CREATE_CASES = Capability("create cases", _roles("collector", "seat_operator", "shift_lead", "dispatcher", "admin",
                                                 "integration"))
ATTACH_EVIDENCE = Capability("attach evidence", frozenset(ROLES) - _roles("auditor", "process_designer"))
AMEND_CLOSED_CASES = Capability("add evidence to a closed case", _roles("supervisor", "admin"))
SEND_MESSAGES = Capability("send messages", _roles("integration", "vision_worker", "admin"))
# A signal reaches every waiting case of every process (an emergency declared): integrations and admins only.
THROW_SIGNALS = Capability("throw signals", _roles("integration", "admin"))
RECORD_DETECTIONS = Capability("record camera detections", _roles("vision_worker", "integration", "admin"))
READ_DETECTIONS = Capability("read camera precision", _roles("seat_operator", "shift_lead", "supervisor", "auditor",
                                                             "admin"))
WORK_INBOX = Capability("work the centre's inbox", CENTRE)
WORK_DEPARTMENT_QUEUE = Capability("work a department's queue", _roles("department_member"))
WORK_COLLECTOR_TASKS = Capability("work a collector's tasks", _roles("collector"))
DESIGN_PROCESSES = Capability("design and deploy processes", _roles("process_designer", "admin"))
READ_PROCESS_MODELS = Capability("read process models and rules", DESIGN_PROCESSES.roles | _roles("auditor"))
READ_AUDIT = Capability("read and verify the audit", _roles("auditor", "admin"))
READ_ANALYSIS = Capability("read analysis", _roles("supervisor", "shift_lead", "dispatcher", "auditor", "admin"))
READ_ALL_KPIS = Capability("read every department's KPIs", _roles("supervisor", "shift_lead", "auditor", "admin"))
READ_KPIS = Capability("read KPIs", READ_ALL_KPIS.roles | _roles("department_member"))
MANAGE_USERS = Capability("manage users", _roles("admin"))
# Departments, the catalogue and the routing rules of the city (city/admin): admins.
MANAGE_CITY = Capability("manage the city's departments, catalogue and routing", _roles("admin"))
READ_METRICS = Capability("read metrics", _roles("admin"))  # web/metrics.py; or the scrape token
MACHINES = _roles("integration", "vision_worker")  # clients of the API, not people
SIGN_IN_WITH_PASSWORD = Capability("sign in with a password", frozenset(ROLES) - MACHINES)
READ_HEALTH_COUNTS = Capability("read the health check's counts", _roles("admin"))
WORK_EXTERNAL_JOBS = Capability("work external-task jobs", _roles("integration"))  # a worker is a machine account
OPERATE_INCIDENTS = Capability("retry and resolve incidents", _roles("admin"))
READ_LINK_AUTHORS = Capability("see who linked duplicate reports", READ_ALL_CASES.roles
                               | _roles("department_member", "collector"))  # staff: not machines, clerks
MANAGE_DUTY_CALENDAR = Capability("load the duty calendar", _roles("admin"))  # duty windows drive every deadline
# 改派 / 强制释放 a task someone else holds (docs/supervision.md); 督办 is started as a process (its starter groups).
SUPERVISE_TASKS = Capability("reassign and force-release tasks", _roles("shift_lead", "supervisor", "admin"))
# Notifications: the bell and the live stream are everyone's own (no capability); who edits whose subscriptions.
EDIT_OWN_SUBSCRIPTIONS = Capability("edit their own notification subscriptions", SIGN_IN_WITH_PASSWORD.roles)
# No department-head role exists: a department's subscriptions are the admin's to set.
EDIT_GROUP_SUBSCRIPTIONS = Capability("edit a group's notification subscriptions", _roles("admin"))
RESEND_NOTIFICATIONS = Capability("resend a notification", _roles("supervisor", "admin"))
# Census campaigns (city/campaigns; docs/campaigns.md) — edited by the campaigns' work only:
# (capabilities added here)
RUN_CAMPAIGNS = Capability("start and end census campaigns", _roles("shift_lead", "supervisor", "admin"))
READ_CAMPAIGNS = Capability("read census campaigns' progress and reports", CENTRE | _roles("auditor", "admin"))
# Who sweeps a grid (ticks items, reports findings): the grid's team; the command checks the grid's task group is
# theirs, so a collector of another district is refused there.
SWEEP_CAMPAIGN_GRIDS = Capability("sweep a campaign's grids", _roles("collector", "department_member"))
# Topics are a picker's list: whoever starts, reads or sweeps a campaign.
READ_CAMPAIGN_TOPICS = Capability("read campaign topics", READ_CAMPAIGNS.roles | SWEEP_CAMPAIGN_GRIDS.roles)
# A watched hazard's state (已整改 fixed, 升级 escalated): the campaign's runners and its sweepers.
FOLLOW_WATCHED_HAZARDS = Capability("follow watched hazards", RUN_CAMPAIGNS.roles | SWEEP_CAMPAIGN_GRIDS.roles)
# Emergency command (city/emergency; docs/emergency.md) — edited by the emergency work only:
READ_EMERGENCIES = Capability("read emergencies (command dashboard, after-action report)",
                              CENTRE | _roles("auditor", "admin"))
# Declare an emergency (应急启动) and end one though not its commander (the commander ends their own: their task).
DECLARE_EMERGENCIES = Capability("declare emergencies", _roles("supervisor", "shift_lead", "admin"))
# Acknowledge and check in to one's own assembly call (every person who works tasks may be called).
ANSWER_ASSEMBLY_CALLS = Capability("answer one's own assembly calls", frozenset(ROLES) - _roles(
    "auditor", "admin", "process_designer", "integration", "vision_worker"))
# Construction-waste transport supervision (city/transport; docs/transport.md): vendor platforms send positions with
# an integration token; the centre and the departments (the transport office works the alerts' review tasks) read.
SEND_GPS_POSITIONS = Capability("send GPS positions", _roles("integration", "admin"))


def _supervises_transport(who: Principal) -> bool:
    """READ_TRANSPORT's scope: a department member only of a department supervising transport (the city package's
    transport.json) — a gas, telecoms or construction firm's member must not read every company's trucks and phones.
    The store is asked in ``web.api.access`` (imported here when asked: it imports this module)."""
    from web.api.access import supervises_transport

    return supervises_transport(who)


READ_TRANSPORT = Capability("read transport registries, vehicles, tracks and alerts",
                            CENTRE | _roles("department_member", "auditor", "admin"), scope=_supervises_transport)
MANAGE_TRANSPORT = Capability("load and edit the transport registries", _roles("admin"))
# Smart law enforcement (city/enforcement; docs/enforcement.md): enforcement records (执法案件) are read by the centre,
# auditors and admins; a department member reads their own team's records only (scoped in web.api.enforcement).
READ_ENFORCEMENT = Capability("read enforcement records", CENTRE | _roles("auditor", "admin", "department_member"))
# Parties' identity numbers whole (and searching by them): the team (members read their own team's records only),
# auditors and admins; the centre sees them masked.
READ_PARTY_IDS = Capability("read parties' identity numbers", _roles("auditor", "admin", "department_member"))
# 转执法: the centre's dispatchers, shift leads and supervisors, and a member of the department working the case's open
# disposal (the command checks that department: city/enforcement/transfer.py).
TRANSFER_TO_ENFORCEMENT = Capability("transfer cases to enforcement", _roles("dispatcher", "shift_lead", "supervisor",
                                                                               "department_member"))
# Indoor decoration works (city/decoration; docs/decoration.md): the street offices, the centre's seats and the
# collectors register works and their waste's removal; the centre, departments, collectors and auditors read them.
REGISTER_DECORATION_WORKS = Capability("register decoration works and their waste's removal",
                                       _roles("seat_operator", "collector", "department_member", "admin"))
READ_DECORATION_WORKS = Capability("read decoration works", CENTRE | _roles("department_member", "collector", "auditor",
                                                                             "admin"))
# Garbage-sorting assessment and property supervision (city/assessment; docs/assessment.md): admins keep the
# registries; the centre's leads start a round by hand (the model's timer starts them otherwise); the area's inspectors
# (collectors, a department's members: the inspection's task group) inspect; managers read rankings and reports.
MANAGE_ASSESSMENT_REGISTRY = Capability("load and keep the assessment registries", _roles("admin"))
READ_ASSESSMENT_REGISTRY = Capability("read the assessment registries", CENTRE | _roles("department_member",
                                                                                        "collector", "auditor",
                                                                                        "admin"))
RUN_ASSESSMENT_ROUNDS = Capability("start an assessment round", _roles("shift_lead", "supervisor", "admin"))
INSPECT_ASSESSED_OBJECTS = Capability("inspect assessed objects", _roles("collector", "department_member"))


def _manages_assessments(who: Principal) -> bool:
    """READ_ASSESSMENTS' scope: a department member only of a department managing the assessments (the city
    package's assessment.json: the sanitation department, the property service centre) — any other department's
    member reaches only their own inspections (INSPECT_ASSESSED_OBJECTS). Asked in ``web.api.access``."""
    from web.api.access import manages_assessments

    return manages_assessments(who)


READ_ASSESSMENTS = Capability("read assessment rounds, rankings and reports", CENTRE | _roles(
    "department_member", "auditor", "admin"), scope=_manages_assessments)
# (capabilities added here)
# The connectors (city/connectors; docs/connectors.md):
MANAGE_CONNECTORS = Capability("load the connectors' configuration, retry pushes", _roles("admin"))
READ_CONNECTOR_DELIVERIES = Capability("read the connectors and their push log", _roles("shift_lead", "admin"))
# Open311 (city/open311; docs/open311.md):
MANAGE_OPEN311_KEYS = Capability("keep Open311 apps' api keys", _roles("admin"))
# The upper-level exchange (city/exchange; docs/exchange.md):
RUN_EXCHANGE = Capability("run the upper-level exchange's export and inbox", _roles("admin"))
READ_EXCHANGE = Capability("read the upper-level exchange's batches", _roles("shift_lead", "admin"))
# Roles whose SEND_MESSAGES is limited to these messages (others with SEND_MESSAGES send any).
ONLY_MESSAGES = {"vision_worker": frozenset({DETECTION_MESSAGE})}


def allows(who: Principal, capability: Capability) -> bool:
    """True when ``who``'s role has ``capability`` and ``who`` is within its scope, if it has one."""
    return who.role in capability.roles and (capability.scope is None or capability.scope(who))


def may_send(who: Principal, message: str) -> bool:
    """True when ``who`` may send the BPMN message named ``message`` (SEND_MESSAGES, within ``ONLY_MESSAGES``)."""
    return allows(who, SEND_MESSAGES) and message in ONLY_MESSAGES.get(who.role, frozenset({message}))
