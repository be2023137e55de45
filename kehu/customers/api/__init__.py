"""The customer module's API routers, mounted by kehu/config/api.py."""

from kehu.customers.api import contacts, customers, followups, imports, merge, pool, tags
from kehu.customers.privacy import api as privacy

# Mounted at /customers, in this order: fixed paths before /{customer_id}.
customer_routers = [pool.router, merge.router, imports.router, customers.router]
# Mounted at the API root.
root_routers = [contacts.router, followups.router, tags.router, privacy.router]
