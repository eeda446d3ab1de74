"""The QuickBooks query language, parsed (docs/quickbooks-api.md, Queries).

SELECT * | COUNT(*) FROM Entity [WHERE f op v AND ...] [ORDERBY f [ASC|DESC], ...] [STARTPOSITION n] [MAXRESULTS m]
Operators = < > <= >= IN LIKE (LIKE knows only %); no OR; strings in single quotes, backslash escapes.
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal

from .faults import parser_error, query_validation

MAX_RESULTS, DEFAULT_RESULTS = 1000, 100
_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>'(?:\\.|[^'\\])*')
  | (?P<number>-?\d+(?:\.\d+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<op><=|>=|!=|=|<|>)
  | (?P<punct>[(),*])
""",
    re.VERBOSE,
)
COMPARISONS = {"=", "<", ">", "<=", ">="}


@dataclass
class Condition:
    field: str
    op: str  # = < > <= >= IN LIKE
    value: object  # str, Decimal, bool, or a list of them for IN


@dataclass
class Query:
    entity: str
    count: bool = False
    where: list[Condition] = field(default_factory=list)
    order: list[tuple[str, bool]] = field(default_factory=list)  # (field, descending)
    start: int = 1
    max_results: int = DEFAULT_RESULTS


def tokenize(text: str) -> list[tuple[str, str, int]]:
    tokens, position = [], 0
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise parser_error(
                f'Invalid content. Lexical error at line 1, column {position + 1}.  Encountered: "{text[position]}"'
            )
        if match.lastgroup != "space":
            tokens.append((match.lastgroup, match.group(), position + 1))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> tuple[str, str, int]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("eof", "<EOF>", 0)

    def fail(self, expecting: str):
        kind, text, column = self.peek()
        raise parser_error(f'Encountered "{text}" at line 1, column {column}.\nWas expecting:\n    {expecting} ...')

    def keyword(self, *words: str) -> str | None:
        kind, text, _ = self.peek()
        if kind == "word" and text.upper() in words:
            self.index += 1
            return text.upper()
        return None

    def expect(self, *words: str) -> str:
        return self.keyword(*words) or self.fail(" | ".join(f'"{w.lower()}"' for w in words))

    def punct(self, char: str, required: bool = True) -> bool:
        kind, text, _ = self.peek()
        if kind in ("punct", "op") and text == char:
            self.index += 1
            return True
        if required:
            self.fail(f'"{char}"')
        return False

    def take(self, kind_wanted: str, expecting: str) -> str:
        kind, text, _ = self.peek()
        if kind != kind_wanted:
            self.fail(expecting)
        self.index += 1
        return text


def parse(text: str) -> Query:
    """The statement as a `Query`, or Intuit's QueryParserError (4000) / QueryValidationError (4001)."""
    parser = _Parser(text or "")
    parser.expect("SELECT")
    count = bool(parser.keyword("COUNT"))
    if count:
        parser.punct("(")
        parser.punct("*")
        parser.punct(")")
    else:
        parser.punct("*")
    parser.expect("FROM")
    query = Query(entity=parser.take("word", "<IDENTIFIER>"), count=count)
    if parser.keyword("WHERE"):
        query.where.append(_condition(parser))
        while parser.keyword("AND"):
            query.where.append(_condition(parser))
    _tail(parser, query)
    return query


def _tail(parser: _Parser, query: Query) -> None:
    while parser.peek()[0] != "eof":
        word = parser.expect("ORDERBY", "ORDER", "STARTPOSITION", "MAXRESULTS")
        if word in ("ORDERBY", "ORDER"):
            if word == "ORDER":
                parser.expect("BY")
            query.order = _order(parser)
        elif word == "STARTPOSITION":
            query.start = max(int(parser.take("number", "<INTEGER>")), 1)  # 0 is read as the first row
        else:
            query.max_results = int(parser.take("number", "<INTEGER>"))
            if query.max_results > MAX_RESULTS:
                raise query_validation(f"value {query.max_results} is too large. Max allowed value is {MAX_RESULTS}")


def _order(parser: _Parser) -> list[tuple[str, bool]]:
    order = []
    while True:
        name = parser.take("word", "<IDENTIFIER>")
        order.append((name, parser.keyword("ASC", "DESC") == "DESC"))
        if not parser.punct(",", required=False):
            return order


def _condition(parser: _Parser) -> Condition:
    name = parser.take("word", "<IDENTIFIER>")
    if parser.keyword("IN"):
        parser.punct("(")
        values = [_value(parser)]
        while parser.punct(",", required=False):
            values.append(_value(parser))
        parser.punct(")")
        return Condition(name, "IN", values)
    if parser.keyword("LIKE"):
        return Condition(name, "LIKE", _string(parser))
    kind, op, _ = parser.peek()
    if kind != "op" or op not in COMPARISONS:
        parser.fail('"=" | "<" | ">" | "<=" | ">=" | "in" | "like"')
    parser.index += 1
    return Condition(name, op, _value(parser))


def _string(parser: _Parser) -> str:
    raw = parser.take("string", "<STRING>")
    return re.sub(r"\\(.)", r"\1", raw[1:-1])


def _value(parser: _Parser):
    kind, text, _ = parser.peek()
    if kind == "string":
        return _string(parser)
    if kind == "number":
        parser.index += 1
        return Decimal(text)
    if kind == "word" and text.lower() in ("true", "false"):
        parser.index += 1
        return text.lower() == "true"
    return parser.fail("<STRING> | <NUMBER> | true | false")
