"""``gridcase assessment``: garbage-sorting assessment (垃圾分类考评) and property supervision (物业监管).

The registries' commands are in ``cli.assessment_registry``, the rounds' in ``cli.assessment_rounds``, the rankings'
and the monthly report's in ``cli.assessment_report``; each sends the same command or reads the same read model as
the API and the pages."""

from __future__ import annotations

import click

from cli import assessment_registry, assessment_report, assessment_rounds


@click.group()
def assessment() -> None:
    """Garbage-sorting assessment and property supervision (垃圾分类考评, 物业监管): registries, rounds, rankings."""


for _module in (assessment_registry, assessment_rounds, assessment_report):
    for _command in _module.COMMANDS:
        assessment.add_command(_command)
