"""The sales module's HTML pages, one module per job:

    board      the kanban per pipeline: columns, totals, drag and drop, "load more"
    listing    the opportunity list: filters and keyset pages
    detail     one opportunity: fields, lines, stage history; create, edit, delete,
               win, lose, reopen
    lines      product lines, inline on the detail page
    settings   pipelines, stages and lost reasons (admins)

Shared helpers live in _common. URLs are in ../urls.py.
"""
