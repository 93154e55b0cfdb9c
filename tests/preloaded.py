"""`acara` commands in fresh processes forked from an interpreter that has imported acara.cli.

Each command still gets a process of its own: its environment, working folder, arguments,
output, exit code and normal interpreter exit (atexit handlers, a traceback and code 1 for an
uncaught exception), as from the console script. Only Python's start and acara's imports,
about 1.5 s of CPU a command, are paid once per test process instead of once per command.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

ACARA = Path(sys.executable).parent / "acara"

# The forking loop. A child leaves it by exiting the interpreter the way the console script
# (`sys.exit(main())`) does; the parent reports each child's exit code on one line.
_LOOP = r"""
import json, os, sys
import acara.cli
for line in sys.stdin:
    request = json.loads(line)
    sys.stdout.flush()
    pid = os.fork()
    if pid == 0:
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        for fd, path, flags in (
            (0, os.devnull, os.O_RDONLY),
            (1, request["out"], os.O_WRONLY | os.O_TRUNC),
            (2, request["err"], os.O_WRONLY | os.O_TRUNC),
        ):
            os.dup2(os.open(path, flags), fd)
        sys.argv = request["argv"]
        sys.exit(acara.cli.main())
    _, status = os.waitpid(pid, 0)
    print(os.waitstatus_to_exitcode(status), flush=True)
"""


class _Forker:
    """The preloaded interpreter; one per test process, started on first use."""

    def __init__(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ACARA_")}
        env.pop("COLUMNS", None)  # rich would fix its width at import time
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LOOP],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
        )
        atexit.register(self.close)

    def run(
        self, args: tuple[str, ...], *, cwd: Path, env: dict[str, str], timeout: float
    ) -> tuple[int, str, str]:
        """Run one command in a forked child; return its exit code, stdout and stderr."""
        assert self.process.stdin is not None and self.process.stdout is not None
        with tempfile.TemporaryDirectory(prefix="acara-cli-") as folder:
            out, err = Path(folder) / "out", Path(folder) / "err"
            out.touch()
            err.touch()
            request = {
                "argv": [str(ACARA), *args],
                "cwd": str(cwd),
                "env": env,
                "out": str(out),
                "err": str(err),
            }
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
            ready, _, _ = select.select([self.process.stdout], [], [], timeout)
            if not ready:
                self.process.kill()
                forker.cache_clear()
                raise TimeoutError(f"acara {' '.join(args)} ran longer than {timeout} s")
            code = int(self.process.stdout.readline())
            return code, out.read_text(encoding="utf-8"), err.read_text(encoding="utf-8")

    def close(self) -> None:
        if self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()
            self.process.wait(timeout=30)


@cache
def forker() -> _Forker:
    """This test process's preloaded interpreter."""
    return _Forker()
