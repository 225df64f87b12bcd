"""Official documents of a plan (issue 14.7): the phase report and the final report as DOCX and PDF in
the administrative format of Decree 30/2020/NĐ-CP, with an XLSX annex of per-unit tables.

``services.document`` is the one entry point: it checks access, validates the header fields, builds
the content from the dashboard's numbers (``content``), renders it (``docx_report``, ``pdf``,
``annex``) and audits the generation.
"""
