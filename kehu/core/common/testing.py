"""Factories and helpers the tests of every app share.

    org = OrganizationFactory()                  # with the built-in roles and an admin
    rep = member(org, "sales_rep", team=east)    # a Membership
    actor = actor_for(rep)                       # an Actor for services and selectors
    client = api_client(rep)                     # a test client sending a Bearer token
"""

from __future__ import annotations

import json
from typing import Any

import factory
from django.test import Client
from factory.django import DjangoModelFactory

from kehu.core.accounts import services as account_services
from kehu.core.accounts.models import Membership, Team, User
from kehu.core.permissions.actor import Actor, Via
from kehu.core.permissions.models import Role
from kehu.core.tenancy.models import Organization
from kehu.core.tenancy.services import organization_create

PASSWORD = "correct-horse-42"  # noqa: S105


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    name = factory.Sequence(lambda n: f"用户{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy passes the object
        if create:
            obj.save()


class OrganizationFactory(factory.Factory):
    """An organization made the way Kehu makes them: built-in roles plus a first admin."""

    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"组织{n}有限公司")
    admin = factory.SubFactory(UserFactory)

    @classmethod
    def _create(cls, model_class, name: str, admin: User, **kwargs):
        return organization_create(name=name, admin=admin)


def admin_of(organization: Organization) -> Membership:
    return (Membership.objects.filter(organization=organization, role__key="admin")
            .select_related("user", "role").order_by("pk").first())


def member(organization: Organization, role_key: str = "sales_rep", *, team: Team | None = None,
           user: User | None = None) -> Membership:
    user = user or UserFactory()
    role = Role.objects.get(organization=organization, key=role_key)
    return Membership.objects.create(organization=organization, user=user, role=role, team=team)


def team(organization: Organization, name: str, parent: Team | None = None) -> Team:
    return account_services.team_create(actor=Actor.system(organization=organization), name=name,
                                        parent=parent)


def actor_for(membership: Membership, via: str = Via.UI) -> Actor:
    return Actor.for_user(organization=membership.organization, user=membership.user, via=via)


class ApiClient:
    """A Django test client that talks JSON and sends a real Bearer token."""

    def __init__(self, membership: Membership) -> None:
        _token, secret = account_services.api_token_create(actor=actor_for(membership),
                                                           name="tests")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    def _send(self, method: str, path: str, data: Any = None, **headers: Any):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        if data is not None:
            kwargs["data"] = json.dumps(data)
        return getattr(self.client, method)(path, headers=headers, **kwargs)

    def get(self, path: str, **params: Any):
        return self.client.get(path, params)

    def post(self, path: str, data: Any = None, **headers: Any):
        return self._send("post", path, data if data is not None else {}, **headers)

    def patch(self, path: str, data: Any, **headers: Any):
        return self._send("patch", path, data, **headers)

    def put(self, path: str, data: Any, **headers: Any):
        return self._send("put", path, data, **headers)

    def delete(self, path: str, **headers: Any):
        return self._send("delete", path, **headers)


def api_client(membership: Membership) -> ApiClient:
    return ApiClient(membership)


def web_client(membership: Membership) -> Client:
    client = Client()
    client.force_login(membership.user)
    session = client.session
    session["kehu_organization_id"] = membership.organization_id
    session.save()
    return client
