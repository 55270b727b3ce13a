"""Lark's parse exceptions → a sentence a student understands, at the place in the program."""

from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from app.errors import ErrorType, UserError, error_at

# Operator tokens as a student reads them in an error message.
_TOKEN_WORDS = {
    "PLUS": "'+'",
    "MINUS": "'-'",
    "TIMES": "'*'",
    "DIV": "'/'",
    "POW": "'**'",
    "AT": "'@'",
    "LPAR": "'('",
    "RPAR": "')'",
    "EQUAL": "'='",
    "COMMA": "','",
    "NAME": "a name",
    "CALLNAME": "a function call",
    "NUMBER": "a number",
    "_SEP": "the end of the line",
    "$END": "the end of the program",
    "SQUARED": "'²'",
    "CUBED": "'³'",
    "TRANSPOSE": "'.T'",
}


def _unclosed_paren(source: str, end: int) -> int | None:
    """Offset of the innermost '(' still open at `end` in the statement that ends there."""
    start = max(source.rfind("\n", 0, end), source.rfind(";", 0, end)) + 1
    opened: list[int] = []
    for i in range(start, end):
        if source[i] == "(":
            opened.append(i)
        elif source[i] == ")" and opened:
            opened.pop()
    return opened[-1] if opened else None


def syntax_error(source: str, exc: UnexpectedInput) -> UserError:
    """Translate Lark's exception into a sentence a student understands."""
    pos = exc.pos_in_stream if exc.pos_in_stream is not None else len(source)
    if isinstance(exc, UnexpectedCharacters):
        ch = source[pos] if pos < len(source) else ""
        if ch == ".":
            msg = "'.' can only be used in numbers and in x.T (transpose); attributes don't exist."
        elif ch == "_":
            msg = "names start with a letter, not '_'."
        elif ch in "'\"":
            msg = "text in quotes is not part of the language; use numbers and names."
        elif ch in "[]{}":
            msg = f"'{ch}' is not part of the language; give tensors as input values instead."
        else:
            msg = f"'{ch}' is not part of the language."
        return error_at(source, pos, pos + 1, msg, ErrorType.SYNTAX_ERROR)
    if isinstance(exc, UnexpectedToken | UnexpectedEOF):
        token = getattr(exc, "token", None)
        expected = set(getattr(exc, "expected", set()) or ())
        ttype = token.type if token is not None else "$END"
        at_end = ttype in ("$END", "_SEP")
        if at_end:
            pos = len(source) if ttype == "$END" else pos
            # point at the last character of the unfinished statement
            back = pos
            while back > 0 and source[back - 1] in " \t\r\n;":
                back -= 1
            start = max(back - 1, 0)
            if "RPAR" in expected and not (expected & {"NAME", "NUMBER", "LPAR"}):
                opened = _unclosed_paren(source, back)
                if opened is not None:
                    msg = "a ')' is missing: this parenthesis is opened but never closed."
                    return error_at(source, opened, opened + 1, msg, ErrorType.SYNTAX_ERROR)
                msg = "a ')' is missing: a parenthesis is opened but never closed."
            elif "EQUAL" in expected:
                msg = "a statement must assign a name, like z = 2*(a - b) + c."
            else:
                msg = "the expression ends too early: an operand is missing."
            return error_at(source, start, max(back, start + 1), msg, ErrorType.SYNTAX_ERROR)
        text = token.value if token is not None else ""
        end = pos + max(len(text), 1)
        if ttype == "RPAR":
            # Parentheses still open in this statement: `()` or `(a +)` lacks an operand.
            stmt_start = max(source.rfind("\n", 0, pos), source.rfind(";", 0, pos)) + 1
            still_open = source.count("(", stmt_start, pos) > source.count(")", stmt_start, pos)
            msg = (
                "an operand is missing before ')'."
                if "RPAR" in expected or still_open
                else "there is a ')' without a matching '('."
            )
        elif ttype == "EQUAL":
            msg = (
                "'=' can only follow the name at the start of a statement."
                if "EQUAL" not in expected
                else ""
            )
        elif "EQUAL" in expected or not expected & {"NUMBER", "LPAR", "PLUS", "MINUS", "RPAR"}:
            # After the name (expects '=') or at the start of a statement (expects a name).
            msg = "a statement must assign a name, like z = 2*(a - b) + c."
        elif ttype == "NUMBER" and "NUMBER" not in expected:
            msg = f"a number can't follow here without an operator; write *{text}."
        elif expected & {"NAME", "NUMBER", "LPAR", "CALLNAME"}:
            msg = f"an operand is missing before {_TOKEN_WORDS.get(ttype, repr(text))}."
        else:
            msg = f"{_TOKEN_WORDS.get(ttype, repr(text))} is not expected here."
        if not msg:
            msg = f"{_TOKEN_WORDS.get(ttype, repr(text))} is not expected here."
        return error_at(source, pos, end, msg, ErrorType.SYNTAX_ERROR)
    return error_at(source, pos, pos + 1, "the program can't be read here.", ErrorType.SYNTAX_ERROR)
