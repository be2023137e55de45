"""Custom-field definitions: the schema of each object type's `custom` object."""


from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status

from kehu.core.customfields import selectors, services
from kehu.core.customfields.models import FieldDefinition

router = Router(tags=["custom fields"])

JSON_TYPES = {"integer": "integer", "boolean": "boolean", "multiselect": "array",
              "money": "object", "user": "integer"}


class FieldDefinitionOut(Schema):
    id: int
    object_type: str
    key: str
    label: str
    kind: str
    json_type: str
    choices: list[Any]
    required: bool
    unique: bool
    default: Any = None
    help_text: str
    position: int
    is_active: bool

    @staticmethod
    def resolve_json_type(obj) -> str:
        return JSON_TYPES.get(obj.kind, "string")


class FieldDefinitionIn(Schema):
    object_type: str
    key: str
    label: str
    kind: FieldDefinition.Kind
    choices: list[str] = []
    required: bool = False
    unique: bool = False
    default: Any = None
    help_text: str = ""
    position: int = 0


class FieldDefinitionPatch(Schema):
    label: str | None = None
    choices: list[str] | None = None
    required: bool | None = None
    unique: bool | None = None
    default: Any = None
    help_text: str | None = None
    position: int | None = None
    is_active: bool | None = None


@router.get("", response=list[FieldDefinitionOut])
def list_definitions(request: HttpRequest, object_type: str = "", include_inactive: bool = False):
    return selectors.field_definition_list(organization=request.actor.organization,
                                           object_type=object_type,
                                           include_inactive=include_inactive)


@router.post("", response={201: FieldDefinitionOut})
def create_definition(request: HttpRequest, payload: FieldDefinitionIn):
    data = payload.dict()
    return Status(201, services.field_definition_create(actor=request.actor, **data))


@router.patch("/{definition_id}", response=FieldDefinitionOut)
def update_definition(request: HttpRequest, definition_id: int, payload: FieldDefinitionPatch):
    definition = get_object_or_404(FieldDefinition, pk=definition_id,
                                   organization=request.actor.organization)
    # null means "leave as is", except for `default`, where it clears the default value
    changes = {name: value for name, value in payload.dict(exclude_unset=True).items()
               if value is not None or name == "default"}
    return services.field_definition_update(actor=request.actor, definition=definition,
                                            **changes)
