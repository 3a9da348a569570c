"""The segment query language: a readable text form of every condition tree (issue 10).

``to_text(tree)`` prints a tree as its canonical query and ``parse(text)`` reads a query back,
so that ``parse(to_text(tree)) == tree`` for every tree ``clean_tree`` returns and
``to_text(parse(text)) == text`` for every text ``to_text`` prints. ``parse_and_check(text,
apply_to)`` also runs the catalogue's checks and points each problem at its line and column.
The reference is docs/segment-query-language.md, written by ``segment_query_docs``.

Example::

    orders.count(status: complete, within: 90d) >= 2 and address.any(country_id = "DE", city
    contains "Berl")
"""

from patron.segments.query.parser import parse, parse_and_check
from patron.segments.query.printer import to_text
from patron.segments.query.syntax import QueryProblem, QuerySyntaxError

__all__ = ["QueryProblem", "QuerySyntaxError", "parse", "parse_and_check", "to_text"]
