"""The customer pool (公海): claim, release, and the organization's rules."""

from django.http import HttpRequest
from ninja import Router, Schema

from kehu.customers import selectors, services
from kehu.customers.api.schemas import CountOut, CustomerOut, IdsIn

router = Router(tags=["customer pool"])


class ReleaseIn(IdsIn):
    reason: str = ""


class PoolPolicyIO(Schema):
    claim_limit: int
    no_follow_up_days: int
    no_deal_days: int
    warn_days_before: int = 3


@router.post("/{customer_id}/claim", response=CustomerOut)
def claim(request: HttpRequest, customer_id: int):
    """Take a pool customer. 409 `claim_limit` at the per-rep limit, 409 `not_in_pool` if
    someone was faster."""
    customer = selectors.customer_get(actor=request.actor, customer_id=customer_id)
    return services.customer_claim(actor=request.actor, customer=customer)


@router.post("/release", response=CountOut)
def release(request: HttpRequest, payload: ReleaseIn):
    return {"count": services.customers_release(actor=request.actor,
                                                customer_ids=payload.customer_ids,
                                                reason=payload.reason)}


@router.get("/pool-policy", response=PoolPolicyIO)
def get_policy(request: HttpRequest):
    return services.pool_policy(organization=request.actor.organization)


@router.put("/pool-policy", response=PoolPolicyIO)
def put_policy(request: HttpRequest, payload: PoolPolicyIO):
    return services.pool_policy_update(actor=request.actor, **payload.dict())
