"""Write the next Alembic revision from what the models changed: `make migration m="what"`.

The revision is generated against a temporary SQLite database migrated to the newest revision,
numbered after the last one (0003, 0004, ...). Read it before committing: autogenerate knows
the new schema, not how to convert existing rows (see 0002 for a migration that does).
"""

import sys
import tempfile
from pathlib import Path

from alembic import command

from acara.db import MIGRATIONS, alembic_config, upgrade

message = " ".join(sys.argv[1:]).strip()
if not message:
    sys.exit('usage: make migration m="what changed"')
versions = MIGRATIONS / "versions"
number = f"{max(int(p.name[:4]) for p in versions.glob('[0-9][0-9][0-9][0-9]_*.py')) + 1:04d}"
with tempfile.TemporaryDirectory() as tmp:
    url = f"sqlite:///{Path(tmp) / 'head.db'}"
    upgrade(url)
    command.revision(alembic_config(url), message=message, autogenerate=True, rev_id=number)
generated = next(versions.glob(f"{number}_*.py"))
# Drop the timestamp so the file says only what changed.
generated.write_text(
    "".join(
        line
        for line in generated.read_text().splitlines(keepends=True)
        if not line.startswith("Create Date:")
    )
)
print(f"wrote {generated}")
