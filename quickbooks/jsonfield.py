"""A JSONField that keeps money exact: Decimals are stored as JSON numbers and read back as Decimals."""

import json

from django.db import models

from .client import jsonio


class DecimalJSONEncoder(json.JSONEncoder):
    def encode(self, o):
        return jsonio.dumps(o)


class DecimalJSONDecoder(json.JSONDecoder):
    def decode(self, s, *args):
        try:
            return jsonio.loads(s)
        except ValueError as error:  # Django takes a JSONDecodeError as "not JSON" (a key's bare string on SQLite)
            raise json.JSONDecodeError(str(error), s, 0) from error


class MoneyJSONField(models.JSONField):
    """For QuickBooks documents: amounts in them never pass through float."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("encoder", DecimalJSONEncoder)
        kwargs.setdefault("decoder", DecimalJSONDecoder)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("encoder", None)
        kwargs.pop("decoder", None)
        return name, path, args, kwargs
