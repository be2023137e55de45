from kehu.customers.models.contact import Contact
from kehu.customers.models.customer import Customer, Tag
from kehu.customers.models.followup import Attachment, FollowUp
from kehu.customers.models.imports import ImportJob, ImportMapping  # noqa: F401
from kehu.customers.models.merge import MergeRecord
from kehu.customers.models.pool import PoolPolicy
from kehu.customers.models.segment import Segment

__all__ = ["Attachment", "Contact", "Customer", "FollowUp", "MergeRecord", "PoolPolicy", "Segment",
           "Tag"]
