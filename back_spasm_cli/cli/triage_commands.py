"""triage_commands: commands registered on the app (being built)."""

from __future__ import annotations
