"""The college's date and number formats per language (settings.FORMAT_MODULE_PATH).

One day-month-year format per language, on every page, message and e-mail: 01/12/2026.
Files for other programs (CSV, the exchange files) keep ISO dates (2026-12-01).
Django's own locale formats fill in what these modules leave out.
"""
