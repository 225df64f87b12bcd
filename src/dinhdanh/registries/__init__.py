"""Reference registries: sources, snapshots, import adapters (CSV/XLSX/API) and reconciliation.

Reading a file is pure Python and needs no database: ``readers.open_rows`` streams rows,
``headers.read_records`` maps them to fields, ``errors.RegistryError`` names every file-level refusal.
"""
