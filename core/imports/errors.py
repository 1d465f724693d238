"""What an import reports when it rejects a file."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One reason a file was rejected.

    `row` is the spreadsheet row as a user sees it (header = 1, first data row = 2); None for
    problems of the whole file. `column` is the column name from the format, None when the
    problem is not about one column.
    """

    row: int | None
    column: str | None
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "message": str(self.message)}

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        prefix = ", ".join(where)
        return f"{prefix}: {self.message}" if prefix else str(self.message)


class ImportRejected(Exception):
    """The file was rejected; `problems` lists every reason found, in row order. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems, key=lambda p: (p.row is not None, p.row or 0))
        super().__init__("; ".join(str(p) for p in self.problems[:5]))

    @classmethod
    def single(cls, message: str, *, row: int | None = None, column: str | None = None) -> "ImportRejected":
        return cls([Problem(row, column, message)])


class Problems:
    """Collects problems while a file is read, so that one pass reports all of them."""

    def __init__(self) -> None:
        self.items: list[Problem] = []

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.items.append(Problem(row, column, str(message)))

    def __bool__(self) -> bool:
        return bool(self.items)

    def __len__(self) -> int:
        return len(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportRejected(self.items)


class DatabaseUnavailable(Exception):
    """The database connection failed during an import (a restart, a failover, a network cut).

    `saved` is False when the failure came before the commit (the transaction is gone, nothing
    from the file was written), None when it came during the commit itself (it may or may not have
    been written: look before retrying). `message` says so to the user, translated.
    """

    def __init__(self, filename: str, *, saved: bool | None):
        from django.utils.translation import gettext as _

        self.filename = filename
        self.saved = saved
        if saved is None:
            message = _(
                "The database connection was lost while %(file)s was being saved; it may or may not have "
                "been imported. Check the data, then retry if it is missing."
            )
        else:
            message = _(
                "The database connection was lost while importing %(file)s; nothing from the file was saved. "
                "Please retry in a minute."
            )
        self.message = message % {"file": filename or _("the file")}
        super().__init__(self.message)
