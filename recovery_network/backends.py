"""Signing in: allauth's authentication backend, loading the person behind a session with a query built once."""

import functools

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import get_user_model
from django.db import connections, router

from . import compiled


@functools.cache
def select_by_pk(model, alias):
    """The ORM's own SELECT of every column of one row by primary key, compiled once per process.

    Returns (sql, converts): whether the database hands back any column in a form
    the ORM must convert (SQLite's dates and times do; PostgreSQL's never do here).
    """
    query = model._default_manager.filter(pk=0).order_by().query
    compiler = query.get_compiler(using=alias)
    sql, _ = compiler.as_sql()
    converts = bool(compiler.get_converters([column for column, _, _ in compiler.select]))
    return sql, converts


class AuthenticationBackend(AllauthBackend):
    """allauth's backend (email and password, the same checks), with a cheaper get_user.

    Every signed-in request loads its person through get_user. The ORM builds and
    compiles the same SELECT of the user's seventeen columns each time: 0.3 ms of
    CPU, a fifth of what a bare request cost. The SQL compiled once, run on a
    cursor and handed to Model.from_db (as the ORM does with each row) gives the
    same object for 0.05 ms; where columns need converting, raw() does it (0.15 ms).
    """

    def get_user(self, user_id):
        model = get_user_model()
        alias = router.db_for_read(model)
        sql, converts = select_by_pk(model, alias)
        if converts:
            user = next(iter(model._default_manager.db_manager(alias).raw(sql, [user_id])), None)
        else:
            with connections[alias].cursor() as cursor:
                compiled.execute(cursor, sql, [user_id])
                row = cursor.fetchone()
            # The columns are the model's concrete fields in order, as from_db expects.
            user = row and model.from_db(alias, [field.attname for field in model._meta.concrete_fields], row)
        return user if user and self.user_can_authenticate(user) else None
