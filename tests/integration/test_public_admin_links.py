"""The admin home page leads to the pages of citizens' and other systems' interfaces (Open311 keys, connectors,
the upper-level exchange), and each is for admins only."""

from __future__ import annotations

from api_support import Api
from pages_support import Browser

PAGES = (("admin-api-keys", "/admin/api-keys"), ("admin-connectors", "/admin/connectors"),
         ("admin-exchange", "/admin/exchange"))


def test_the_admin_home_links_the_interfaces_pages(api: Api) -> None:
    admin, lead = Browser(api, "admin"), Browser(api, "supervisor01")
    home = admin.get("/admin").text
    for anchor, path in PAGES:
        assert f'id="{anchor}" href="{path}"' in home
        assert admin.get(path).status_code == 200
        assert lead.get(path).status_code == 403
