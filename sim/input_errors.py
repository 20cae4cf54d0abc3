"""The one-line errors of input files: ``file:line: field: message``, one per problem.

:class:`InputError` is what every check of an input file raises (exit status 2 at the command line);
:class:`InputErrors` carries several problems of one file; :class:`FileChecker` makes errors located
by a field's position in a file (through the loader's line index).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.loader import LineIndex

MAX_ERRORS = 10
"""Most problems of one file reported at once."""


class InputError(Exception):
    """One-line user-facing error: ``str(e) == f"{file}:{line}: {field}: {message}"``.

    ``:{line}`` is omitted when the line is unknown and ``{field}: `` when there is no field.
    """

    def __init__(
        self, file: str | Path, message: str, *, line: int | None = None, field: str | None = None
    ) -> None:
        self.file, self.message, self.line, self.field = str(file), message, line, field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field + ': ' if self.field else ''}{self.message}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.file, self.message), {"line": self.line, "field": self.field})


class InputErrors(InputError):
    """Several problems with one file; ``str(e)`` is one line per problem (at most :data:`MAX_ERRORS`).

    The attributes of :class:`InputError` are those of the first problem.

    Args:
        errors: the problems, in the order to report them.
    """

    def __init__(self, errors: list[InputError]) -> None:
        self.errors = list(errors)
        first = self.errors[0]
        super().__init__(first.file, first.message, line=first.line, field=first.field)

    def __str__(self) -> str:
        shown = [str(e) for e in self.errors[:MAX_ERRORS]]
        hidden = len(self.errors) - len(shown)
        if hidden:
            shown.append(f"{self.errors[0].file}: ... and {hidden} more problem(s)")
        return "\n".join(shown)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.errors,))


class FileChecker:
    """Makes :class:`InputError` s located in one input file, by the location of a field.

    Args:
        path: the file.
        index: its line index.
    """

    def __init__(self, path: Path, index: LineIndex) -> None:
        self.path, self.index = path, index

    def fail(self, message: str, *loc: str | int) -> InputError:
        """The error for ``message`` at field ``loc`` (its line, or line 1).

        Args:
            message: what is wrong.
            *loc: the field's location, outermost first.
        """
        field = ".".join(str(p) for p in loc) if loc else None
        return InputError(self.path, message, line=self.index.line_of(loc) or 1, field=field)
