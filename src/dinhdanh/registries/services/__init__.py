"""Every write to the registries: imports (file and push), import jobs, declared coverage, the Art. 8
organization sync."""
