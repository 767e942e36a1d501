"""Advice: what spasm concludes from the knowledge and the person's words or answers (the
red-flag recogniser, search and ask, triage, the plan, guided sessions). Returns data,
never sentences of its own; depends on `knowledge` and `system`."""
