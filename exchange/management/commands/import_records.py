"""``manage.py import_records FILE.json``: load a study-records/1 file, all or nothing (EXCHANGE.md)."""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from exchange.reading import depth_problem, too_deep_message
from exchange.records import RecordsInvalid, import_data

# Below this many students the import takes a moment: a progress bar would only flicker.
PROGRESS_FROM_STUDENTS = 200
TOO_DEEP = object()


def _refuse_duplicate_keys(pairs):
    """JSON allows a key twice and keeps the last value: in an import that silently loses data."""
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError(_("the key '%(key)s' appears twice in one object") % {"key": key})
        seen[key] = value
    return seen


class Command(BaseCommand):
    @property
    def help(self):
        # argparse needs a plain string: translate when the parser is built, not at import.
        return _(
            "Import academic years, programmes and student records from a study-records/1 JSON file. "
            "All or nothing: on bad input every problem is printed and nothing is written."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("The JSON file to import."))
        parser.add_argument(
            "--no-progress",
            action="store_true",
            help=_("Do not show a progress bar, even for large files."),
        )

    def handle(self, *args, file, no_progress=False, verbosity=1, **options):
        try:
            with open(file, encoding="utf-8") as handle:
                data = json.load(handle, object_pairs_hook=_refuse_duplicate_keys)
        except OSError as error:
            raise CommandError(
                _("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror or error}, returncode=1
            ) from error
        except ValueError as error:
            # JSONDecodeError (with line and column), UnicodeDecodeError and a key twice are all ValueErrors.
            raise CommandError(
                _("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": error}, returncode=1
            ) from error
        except RecursionError:
            data = TOO_DEEP  # Python's JSON reader gives up at about a thousand levels
        if data is TOO_DEEP or depth_problem(data):
            # Nested deeper than the format needs (exchange.reading): no records file.
            raise CommandError(
                _("%(file)s is not valid JSON: %(error)s") % {"file": file, "error": too_deep_message()},
                returncode=1,
            )

        students = data.get("students") if isinstance(data, dict) else None
        progress = (
            not no_progress and verbosity > 0 and isinstance(students, list) and len(students) > PROGRESS_FROM_STUDENTS
        )
        try:
            summary = import_data(data, progress=progress)
        except RecordsInvalid as invalid:
            for problem in invalid.problems:
                self.stderr.write(problem)
            count = len(invalid.problems)
            raise CommandError(
                ngettext(
                    "%(count)d problem in %(file)s; nothing was imported.",
                    "%(count)d problems in %(file)s; nothing was imported.",
                    count,
                )
                % {"count": count, "file": file},
                returncode=1,
            ) from None
        except IntegrityError as error:
            # Another import or a user wrote the same records between the checks and the writes.
            raise CommandError(
                _("The database changed while importing (%(error)s); nothing was imported. Run the import again.")
                % {"error": error},
                returncode=1,
            ) from error
        if verbosity > 0:
            self.stdout.write(str(summary))
