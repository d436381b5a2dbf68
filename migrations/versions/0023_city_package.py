"""The city package: the city profile, channels and streets (city/package) —
``city_profiles`` (one row: the city's name, time zone, locale, holiday calendar, load version),
``channels`` (how reports arrive, with the urgent ones), ``streets`` (街道/乡镇, each with its street office's
department), ``resp_grids.street_code`` (the street a responsibility grid belongs to) and ``subtypes.national_code``
(the national standard's code of a subtype, where it has one), ``holiday_calendars`` (the profile's holiday table
as loaded with the package: working time reads it, not GRIDCASE_CALENDAR_FILE, once a package is loaded),
``package_extras`` (what the package says that no other table keeps — department aspects, subtypes' English major
class names, districts' names — so that its export gives them back)
(engine/persistence/city_package_records.py).

A database without a profile row behaves as before: Asia/Shanghai, zh, the fixed channel list (city/package/profile.py).

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "city_profiles",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.String(64), nullable=False),
        sa.Column("locale", sa.String(10), nullable=False),
        sa.Column("calendar", sa.String(100), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
        sa.Column("loaded_by", sa.String(100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
    )
    op.create_table(
        "channels",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("name_zh", sa.Text(), nullable=False),
        sa.Column("name_en", sa.Text(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
    )
    op.create_table(
        "streets",
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("district_code", sa.String(20), nullable=False),
        sa.Column("department_code", sa.String(30), nullable=True),
    )
    op.create_index("ix_streets_district_code", "streets", ["district_code"])
    # no foreign key: a grids-only load (city load --unit-grids) replaces resp_grids without touching streets
    op.add_column("resp_grids", sa.Column("street_code", sa.String(30), nullable=True))
    op.create_index("ix_resp_grids_street_code", "resp_grids", ["street_code"])
    op.add_column("subtypes", sa.Column("national_code", sa.String(20), nullable=True))
    op.create_table(
        "holiday_calendars",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("loaded_at", TS, nullable=False),
    )
    op.create_table(  # what a package says that no other table keeps, for its export
        "package_extras",
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("code", sa.String(30), primary_key=True),
        sa.Column("data", sa.Text(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("package_extras")
    op.drop_table("holiday_calendars")
    with op.batch_alter_table("subtypes") as batch:
        batch.drop_column("national_code")
    op.drop_index("ix_resp_grids_street_code", table_name="resp_grids")
    with op.batch_alter_table("resp_grids") as batch:  # SQLite before 3.35 cannot drop a column in place
        batch.drop_column("street_code")
    op.drop_index("ix_streets_district_code", table_name="streets")
    op.drop_table("streets")
    op.drop_table("channels")
    op.drop_table("city_profiles")
