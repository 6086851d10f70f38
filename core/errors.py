"""The refusal hierarchy: how a write says no.

A service that refuses a write raises a ``Refused`` (or a subclass named after what it
refuses, such as ``progress.services.ISPRefused``) and changes nothing. A refusal carries
``problems``: each has a ``code`` (stable, for tests and for callers that branch on it) and
a ``message`` for the user, in their language. A page or the admin shows ``messages``; one
that does not care which service refused catches ``Refused``.

``Conflict`` is the refusal of a change prepared on a version that someone else has saved
over in the meantime: the user looks at the current version and does the change again.
``RefusedValidationError`` is a refusal that forms take as their own ``ValidationError``.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Problem:
    """One reason for a refusal."""

    code: str
    message: str

    def __str__(self) -> str:
        return str(self.message)


class Refused(Exception):
    """A write refused by the rules: nothing was changed.

    ``problems`` are ``Problem``-like: anything with a ``code`` and a ``message`` (a
    subclass keeps its own kind of problem, such as a marksheet's refused row); a plain
    text is wrapped in a ``Problem`` with the class's ``default_code``. ``summary`` is the
    exception's text when it should not be the messages joined (a log line, a count).
    """

    default_code = "refused"

    def __init__(self, problems: Iterable = (), *, summary: str | None = None):
        self.problems = self.as_problems(problems)
        super().__init__("; ".join(self.messages) if summary is None else summary)

    @classmethod
    def as_problems(cls, problems: Iterable) -> list:
        return [
            problem
            if hasattr(problem, "code") and hasattr(problem, "message")
            else Problem(cls.default_code, str(problem))
            for problem in problems
        ]

    @property
    def messages(self) -> list[str]:
        """Why, as texts for the user."""
        return [str(problem.message) for problem in self.problems]

    @property
    def codes(self) -> list[str]:
        return [problem.code for problem in self.problems]


class RefusedValidationError(Refused, ValidationError):
    """A refusal that is also Django's ``ValidationError``, so that a form or the admin can
    take it as its own error: one error per problem, with the problem's code; a single
    problem is the error itself (``message``, ``code``). Its text is the ValidationError's."""

    def __init__(self, problems: Iterable = ()):
        self.problems = self.as_problems(problems)
        if len(self.problems) == 1:
            (problem,) = self.problems
            ValidationError.__init__(self, problem.message, code=problem.code)
        else:
            ValidationError.__init__(self, [ValidationError(p.message, code=p.code) for p in self.problems])


STALE_VERSION = _(
    "Someone else saved this while you were working on it: nothing of yours was saved. "
    "Look at the current version and do your change again."
)


class Conflict(Refused):
    """The change was prepared on version ``expected`` and someone saved since (now
    ``current``, None when the record is gone): nothing was changed."""

    default_code = "stale_version"

    def __init__(self, *, expected: int, current: int | None, message=STALE_VERSION, summary: str | None = None):
        self.expected, self.current = expected, current
        super().__init__([Problem(self.default_code, message)], summary=summary)
