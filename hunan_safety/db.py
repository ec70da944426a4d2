"""Database helpers the query plans depend on."""

from django.db.models import Field, ForeignObject, Lookup


@ForeignObject.register_lookup
@Field.register_lookup
class AnyOf(Lookup):
    """`field__any_of=<subquery>`: membership in a subquery that PostgreSQL evaluates once, up front.

    `x IN (SELECT …)` inside an OR becomes a per-row filter, so a rule such as "in my region OR on an
    inspection I was on" scans the whole table. Written `x = ANY(ARRAY(SELECT …))`, the subquery runs
    once (an InitPlan) and each arm of the OR is an index condition that PostgreSQL can combine with
    a BitmapOr. Other databases get the plain IN.
    """

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", [*lhs_params, *rhs_params]
