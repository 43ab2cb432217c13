"""Turning the rows of a kept query (`permissions.CompiledQuery`) into model objects, as Django's own
iteration does (`ModelIterable` with its `RelatedPopulator`s), only faster.

Django makes each object by calling the model's `__init__`, which sends two signals and sets every
field through its descriptor one at a time: about 10 µs an object. A trigger's page turns some 250
rows into objects (its matched services with their service, region and lead, its notices with their
owners), so that alone was a tenth of the page. For a model whose `__init__` does nothing more than
that (Django's own, no `pre_init` or `post_init` receiver, and only fields whose descriptors just
store the value), writing the values straight into the new object's `__dict__` gives the same object.
Any other model is made by `from_db`, as Django makes it.
"""

from functools import cache

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import RelatedPopulator
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init

# Descriptors whose setting a value on a new object only stores it in the object's __dict__.
_STORING = (DeferredAttribute, ForeignKeyDeferredAttribute)


@cache
def _plain_fields(model) -> bool:
    """Whether making `model` needs nothing but its field values stored (signals are asked apart,
    since a receiver may connect later)."""
    return (
        model.__init__ is Model.__init__
        and model.from_db.__func__ is Model.from_db.__func__
        and all(type(getattr(model, f.attname, None)) in _STORING for f in model._meta.concrete_fields)
    )


def maker(model, db: str, names: list[str]):
    """A function of one row's values for the `names` columns (attnames, in that order) that returns the
    object of `model` Django's `from_db` would: deferred fields are absent, and read when first used."""
    if not _plain_fields(model) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return lambda values: model.from_db(db, names, values)
    new = model.__new__

    def make(values):
        obj = new(model)
        state = obj._state = ModelState()
        state.adding, state.db = False, db
        obj.__dict__.update(zip(names, values, strict=True))
        return obj

    return make


class Populator:
    """Makes one model's object from its columns of a row, then the objects `select_related` joined
    to it, and links each to the one it was reached from, as Django's `RelatedPopulator` does."""

    def __init__(self, klass_info: dict, select: list, db: str):
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[self.start : self.end]]
        model = klass_info["model"]
        self.make = maker(model, db, names)
        self.pk_index = names.index(model._meta.pk_fields[0].attname)
        self.related = [_related(info, select, db) for info in klass_info.get("related_klass_infos", [])]
        self.local_setter = klass_info.get("local_setter")
        self.remote_setter = klass_info.get("remote_setter")

    def object(self, row):
        """The object of this row's columns, with the related ones joined to it."""
        obj = self.make(row[self.start : self.end])
        for related in self.related:
            related.populate(row, obj)
        return obj

    def populate(self, row, from_obj) -> None:
        """Make the related object of this row (none when the joined row is missing: a NULL key) and
        link it and `from_obj` both ways."""
        obj = None if row[self.start + self.pk_index] is None else self.object(row)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


def _related(klass_info: dict, select: list, db: str):
    """What makes a joined model's object: Django's own `RelatedPopulator` for a child model of
    multi-table inheritance reached through its parent (its columns are the parent's, reordered), this
    module's for any other."""
    if klass_info.get("from_parent"):
        return RelatedPopulator(klass_info, select, db)
    return Populator(klass_info, select, db)
