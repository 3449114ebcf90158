"""The seed's Python example, with Trellis's names, run as a user would run it."""
from __future__ import annotations

import os
import subprocess
import sys

from conftest import Server

EXAMPLE = """
from trellis import Trellis
client = Trellis(api_key=os.environ["KEY"], base_url=os.environ["URL"])
contacts = client.contacts.list(status="active", limit=50)
print(contacts.data)
"""


def test_the_three_lines_list_active_contacts(server: Server) -> None:
    tenant = server.new_tenant()
    active = tenant.client.contacts.create(first_name="Active")
    tenant.client.contacts.create(first_name="Archived", status="archived")
    output = subprocess.run([sys.executable, "-c", "import os\n" + EXAMPLE], env={**os.environ, "KEY": tenant.key, "URL": server.url},
                            capture_output=True, text=True, check=True).stdout
    assert active["id"] in output and "Archived" not in output
