"""The mutant generator: every mechanical mutant of the C files under src/.

A mutant is (file, operator, start, end, replacement). Its id is a hash of the file, the
operator, the source line it changes (stripped) and the occurrence of that triple in the
file, so it survives edits elsewhere in the file and never depends on line numbers.
Assertion macros, comments, strings and character constants are never mutated.
"""
import hashlib
import os

import clex

ASSERT_MACROS = ("RINGER_ASSERT", "assert", "static_assert", "_Static_assert")
SWAPS = {
    "rel": {"<": "<=", "<=": "<", ">": ">=", ">=": ">", "==": "!=", "!=": "=="},
    "arith": {"+": "-", "-": "+", "*": "/", "/": "*", "%": "*", "<<": ">>", ">>": "<<"},
    "logic": {"&&": "||", "||": "&&"},
    "assign": {"+=": "-=", "-=": "+=", "|=": "&=", "&=": "|="},
}
BINARY_LEFT = ("id", "num")


class Mutant:
    __slots__ = ("file", "op", "start", "end", "replacement", "line_text", "id", "path")

    def apply(self, source):
        return source[: self.start] + self.replacement + source[self.end :]

    def diff_line(self, source):
        mutated = self.apply(source)
        line_start = source.rfind("\n", 0, self.start) + 1
        old_end = source.find("\n", self.end)
        new_end = mutated.find("\n", self.start + len(self.replacement))
        return "- %s\n+ %s" % (source[line_start:old_end].strip(), mutated[line_start:new_end].strip())


def _assert_spans(tokens):
    """Token index ranges [i, j] inside an assertion macro's parentheses."""
    skip = set()
    for i, tok in enumerate(tokens):
        if tok.kind == "id" and tok.text.startswith(ASSERT_MACROS) and i + 1 < len(tokens) \
                and tokens[i + 1].text == "(":
            j = _matching(tokens, i + 1)
            skip.update(range(i, j + 1))
    return skip


def _matching(tokens, i):
    """Index of the bracket closing tokens[i]."""
    pairs = {"(": ")", "{": "}", "[": "]"}
    depth, opener = 0, tokens[i].text
    for j in range(i, len(tokens)):
        if tokens[j].text == opener:
            depth += 1
        elif tokens[j].text == pairs[opener]:
            depth -= 1
            if depth == 0:
                return j
    return len(tokens) - 1


def _binary(tokens, i):
    prev = tokens[i - 1] if i > 0 else None
    return prev is not None and (prev.kind in BINARY_LEFT or prev.text in (")", "]"))


def _candidates(tokens, source):
    """(op, start, end, replacement) for every mutation point."""
    for i, tok in enumerate(tokens):
        for op, table in SWAPS.items():
            if tok.kind == "punct" and tok.text in table:
                if op == "arith" and not _binary(tokens, i):
                    continue
                yield op, tok.start, tok.end, table[tok.text]
        if tok.kind == "num" and tok.text.isdigit():
            value = int(tok.text)
            yield "const+1", tok.start, tok.end, str(value + 1)
            if value > 0:
                yield "const-1", tok.start, tok.end, str(value - 1)
        if tok.text in ("if", "while") and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            j = _matching(tokens, i + 1)
            yield "negate", tokens[i + 1].start, tokens[j].end, \
                "(!" + source[tokens[i + 1].start : tokens[j].end] + ")"
        at_statement = i == 0 or tokens[i - 1].text in (";", "{", "}")
        if at_statement and tok.text in ("return", "break", "continue"):
            end = _statement_end(tokens, i)
            yield "del-" + tok.text, tok.start, tokens[end].end, ";"
        elif at_statement and tok.kind == "id" and i + 1 < len(tokens) and tokens[i + 1].text == "(":
            close = _matching(tokens, i + 1)
            if close + 1 < len(tokens) and tokens[close + 1].text == ";":
                yield "del-call", tok.start, tokens[close + 1].end, ";"


def _statement_end(tokens, i):
    for j in range(i, len(tokens)):
        if tokens[j].text == ";":
            return j
    return len(tokens) - 1


def mutants_of(path, rel):
    with open(path) as f:
        source = f.read()
    tokens = [t for t in clex.tokenize(source) if t.macro is None]
    skip = _assert_spans(tokens)
    by_offset = {t.start: k for k, t in enumerate(tokens)}
    seen = {}
    result = []
    for op, start, end, replacement in _candidates(tokens, source):
        if by_offset.get(start) in skip:
            continue
        m = Mutant()
        m.file, m.op, m.start, m.end, m.replacement = rel, op, start, end, replacement
        m.path = path
        line_start = source.rfind("\n", 0, start) + 1
        line_end = source.find("\n", start)
        m.line_text = " ".join(source[line_start:line_end].split())
        key = (rel, op, m.line_text, replacement)
        seen[key] = seen.get(key, 0) + 1
        digest = hashlib.sha1(repr(key + (seen[key],)).encode()).hexdigest()[:10]
        m.id = digest
        result.append(m)
    return result


def all_mutants(root):
    result = []
    for name in sorted(os.listdir(os.path.join(root, "src"))):
        if name.endswith(".c") or name.endswith(".h"):
            if name == "ringer.h":
                continue
            result.extend(mutants_of(os.path.join(root, "src", name), "src/" + name))
    return result
