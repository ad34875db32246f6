"""A small C lexer for the mutant generator: tokens with their byte offsets.

It knows just enough C to tell code from comments, strings, character constants and
preprocessor lines, so that a mutation never lands inside any of those. A `#define` body
is lexed too (its tokens carry the macro's name), because constants live there.
"""
import re

PUNCTUATORS = sorted(
    """>>= <<= ... -> ++ -- << >> <= >= == != && || += -= *= /= %= &= |= ^= ## { } [ ] ( )
    ; : , . ? ~ ! + - * / % & | ^ < > = #""".split(),
    key=len,
    reverse=True,
)
IDENTIFIER = re.compile(r"[A-Za-z_]\w*")
PP_NUMBER = re.compile(r"\.?[0-9](?:[eEpP][+-]|[0-9A-Za-z_.])*")
SPACE = re.compile(r"[ \t\r\f\v]+")


class Token:
    """One token: kind is 'id', 'num', 'str', 'chr' or 'punct'; `macro` names the #define
    whose body holds it (None in ordinary code)."""

    __slots__ = ("kind", "text", "start", "end", "macro")

    def __init__(self, kind, text, start, end, macro=None):
        self.kind, self.text, self.start, self.end, self.macro = kind, text, start, end, macro

    def __repr__(self):
        return "Token(%s %r @%d)" % (self.kind, self.text, self.start)


def _skip_quoted(source, i, quote):
    """Offset just past the literal that starts at source[i] (the opening quote)."""
    j = i + 1
    while j < len(source) and source[j] != quote:
        j += 2 if source[j] == "\\" else 1
    assert j < len(source), "unterminated literal at offset %d" % i
    return j + 1


def _directive_end(source, i):
    """Offset of the newline that ends the preprocessor line starting at i (continuations
    included), or len(source)."""
    j = i
    while True:
        newline = source.find("\n", j)
        if newline < 0:
            return len(source)
        if source[newline - 1] != "\\":
            return newline
        j = newline + 1


def _define_name(source, i, end):
    """The macro name of a `#define` directive spanning [i, end), or None."""
    match = re.compile(r"#\s*define\s+([A-Za-z_]\w*)").match(source, i, end)
    return match.group(1) if match else None


class _Lexer:
    def __init__(self, source):
        self.source = source
        self.tokens = []

    def run(self, start, end, macro):
        i = start
        line_start = True
        while i < end:
            i, line_start = self.step(i, end, macro, line_start)
        return self.tokens

    def step(self, i, end, macro, line_start):
        source = self.source
        c = source[i]
        if c == "\n":
            return i + 1, True
        if source.startswith("\\\n", i):  # a line continuation
            return i + 2, line_start
        space = SPACE.match(source, i, end)
        if space:
            return space.end(), line_start
        if source.startswith("//", i):
            newline = source.find("\n", i, end)
            return (newline if newline >= 0 else end), line_start
        if source.startswith("/*", i):
            close = source.find("*/", i + 2)
            assert close >= 0, "unterminated comment at offset %d" % i
            return close + 2, line_start
        if c == "#" and line_start and macro is None:
            return self.directive(i), True
        return self.token(i, end, macro), False

    def directive(self, i):
        end = _directive_end(self.source, i)
        name = _define_name(self.source, i, end)
        if name is not None:
            body = self.source.index(name, i) + len(name)
            if self.source.startswith("(", body):  # a function-like macro: skip its parameters
                body = self.source.index(")", body) + 1
            _Lexer.run(self, body, end, name)
        return end

    def token(self, i, end, macro):
        source = self.source
        c = source[i]
        if c in "\"'":
            j = _skip_quoted(source, i, c)
            self.tokens.append(Token("str" if c == '"' else "chr", source[i:j], i, j, macro))
            return j
        for kind, pattern in (("num", PP_NUMBER), ("id", IDENTIFIER)):
            match = pattern.match(source, i, end)
            if match:
                self.tokens.append(Token(kind, match.group(), i, match.end(), macro))
                return match.end()
        for punct in PUNCTUATORS:
            if source.startswith(punct, i):
                self.tokens.append(Token("punct", punct, i, i + len(punct), macro))
                return i + len(punct)
        raise ValueError("unexpected character %r at offset %d" % (c, i))


def tokenize(source):
    """Every code token of `source`, in order; comments, directives other than #define
    bodies, and whitespace produce none."""
    return _Lexer(source).run(0, len(source), None)
