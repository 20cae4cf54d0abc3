"""The one error type of a results folder that cannot be written, resumed or read."""

from __future__ import annotations

from pathlib import Path


class ResultsError(Exception):
    """A results folder that cannot be used; ``str(error)`` is one line naming the file.

    Args:
        path: the offending file or folder.
        problem: what is wrong with it, in words.
    """

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        self.problem = " ".join(str(problem).split())
        super().__init__(f"{self.path}: {self.problem}")


def first_line(error: BaseException) -> str:
    """The first line of an exception's message (its type name when the message is empty).

    Args:
        error: the exception.

    Returns:
        One line of text.
    """
    text = str(error).strip().splitlines()
    return text[0] if text else type(error).__name__
