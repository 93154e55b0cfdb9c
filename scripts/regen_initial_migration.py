"""Regenerate migrations/versions/0001_initial.py from the models (before the first release).

Until acara is released there is one initial migration; anyone who changes a table runs this
(`make migration`). After the first release, new changes get their own revisions instead.
"""

import tempfile
from pathlib import Path

from alembic import command

from acara.db import MIGRATIONS, alembic_config

target = MIGRATIONS / "versions" / "0001_initial.py"
target.unlink(missing_ok=True)
with tempfile.TemporaryDirectory() as tmp:
    config = alembic_config(f"sqlite:///{Path(tmp) / 'empty.db'}")
    command.revision(config, message="initial schema", autogenerate=True, rev_id="0001")
generated = next((MIGRATIONS / "versions").glob("0001_*.py"))
# Drop the timestamp so regenerating an unchanged schema gives an unchanged file.
text = "".join(
    line
    for line in generated.read_text().splitlines(keepends=True)
    if not line.startswith("Create Date:")
)
target.write_text(text)
generated.unlink()
print(f"wrote {target}")
