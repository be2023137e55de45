"""Every write to customers, contacts, follow-ups, tags, the pool and merges."""

from kehu.customers.services.bulk import customers_assign, customers_delete
from kehu.customers.services.contacts import contact_create, contact_delete, contact_update
from kehu.customers.services.customers import (
    DuplicateFound,
    check_duplicates,
    customer_create,
    customer_delete,
    customer_restore,
    customer_update,
    normalize_phone,
)
from kehu.customers.services.followups import follow_up_create, follow_up_delete
from kehu.customers.services.merge import customer_merge, customer_merge_undo
from kehu.customers.services.pool import (
    customer_claim,
    customers_release,
    pool_policy,
    pool_policy_update,
    pool_return_due,
)
from kehu.customers.services.segments import segment_delete, segment_save
from kehu.customers.services.tags import customers_tag, tag_delete, tag_get_or_create

__all__ = [
    "DuplicateFound", "check_duplicates", "contact_create", "contact_delete", "contact_update",
    "customer_claim", "customer_create", "customer_delete", "customer_merge",
    "customer_merge_undo", "customer_restore", "customer_update", "customers_assign",
    "customers_delete", "customers_release", "customers_tag", "follow_up_create",
    "follow_up_delete", "normalize_phone", "pool_policy", "pool_policy_update", "pool_return_due",
    "segment_delete", "segment_save", "tag_delete", "tag_get_or_create",
]
