"""Pages of an organization's members (outer zone): the hub, switching account, profile, members,
requests and access history."""
