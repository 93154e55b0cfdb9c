"""Rich consoles shared by the commands."""

from rich.console import Console

console = Console()
err_console = Console(stderr=True)
