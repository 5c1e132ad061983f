"""The workflow: registration, the transitions of the 条例, deadlines, notices and the sweep.

It stands on the case records and the access door (``xinfang.cases``) and on detection, which
registration runs; nothing below it imports it (docs/architecture.md)."""
