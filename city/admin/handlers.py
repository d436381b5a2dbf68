"""The commands of this package and their handlers, registered by ``city.bootstrap``."""

from __future__ import annotations

from city.admin import catalogue, channels, departments, holidays, routing
from city.admin import commands as ac
from engine.domain.commands import Command
from engine.service.bus import Handler

ADMIN_HANDLERS: dict[type[Command], Handler] = {
    ac.AddDepartment: departments.add_department,
    ac.EditDepartment: departments.edit_department,
    ac.DisableDepartment: departments.disable_department,
    ac.AddSubtype: catalogue.add_subtype,
    ac.EditSubtype: catalogue.edit_subtype,
    ac.DisableSubtype: catalogue.disable_subtype,
    ac.MoveSubtypeRouting: routing.move_subtype_routing,
    ac.AddChannel: channels.add_channel,
    ac.EditChannel: channels.edit_channel,
    ac.SetHolidayYear: holidays.set_holiday_year,
}
