"""The customer module's HTML pages, one module per job:

    listing      the list: search, filters, sort, keyset pages, export
    columns      the list's columns, chosen and ordered per user
    bulk         actions on the checked rows of the list
    detail       the 360° page and its blocks (figures, profile, panels, history)
    history      the audit log as people read it
    edit         create, edit, delete
    contacts     contacts, inline on the 360° page
    followups    the follow-up timeline, logging one with files, attachment downloads
    customer_tasks  marking a customer's task done
    tags         tags on a customer, and the tags page
    pool         the customer pool, claiming and releasing, the pool policy
    merge        the merge flow and undo
    segments     saved filters and their condition builder
    recycle      the recycle bin

Shared helpers live in _common. URLs are in ../urls.py.
"""
