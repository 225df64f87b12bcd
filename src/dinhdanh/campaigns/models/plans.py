"""Plans, phases, targets and tasks (issue 14.1-14.3, 14.8)."""

__all__: list[str] = []
