"""Date and time formats for both languages: one date format, dd/mm/yyyy, everywhere (issue 15.7).

Django reads these modules first (settings FORMAT_MODULE_PATH) and falls back to its own locale files for
anything not set here (number separators: 1.234,5 in Vietnamese, 1,234.5 in English)."""
