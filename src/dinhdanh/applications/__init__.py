"""Requests (hồ sơ) about organizations: kinds, the state machine, routing and deadlines, automatic
registry checks, verification requests to partners, documents and decisions (SPEC §3)."""
