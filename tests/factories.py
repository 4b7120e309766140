"""factory_boy factories for the foundation's models."""

from __future__ import annotations

import factory

from wushe.accounts.models import User
from wushe.accounts.roles import Role
from wushe.areas.levels import Level
from wushe.areas.models import Area


class AreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"区域{n}")
    level = Level.BUILDING
    parent = None
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COMMUNITY_WORKER
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def persist_password(obj, create, extracted, **kwargs):  # noqa: N805 - factory_boy hook
        if create:
            obj.save()
