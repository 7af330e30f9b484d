"""Model fields of the clients app."""

from __future__ import annotations

from django.db import models

# Created by migration 0102: ICU's Chinese pinyin order (zh-u-co-pinyin) where
# PostgreSQL has ICU, a copy of "C" (code point order) where it has not.
PINYIN_COLLATION = "steward_pinyin"


class PinyinCharField(models.CharField):
    """A CharField that sorts Chinese by pinyin on PostgreSQL: 阿明, 李四, 王五, 张三.

    The collation is applied only on PostgreSQL (``db_parameters``), so SQLite
    keeps its code point order and needs no collation of its own. It is a
    deterministic ICU collation: equality, LIKE and the trigram index behave
    as with the default one.
    """

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = PINYIN_COLLATION
        return params
