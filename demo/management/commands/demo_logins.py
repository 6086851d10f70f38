"""``manage.py demo_logins``: the demo logins that ``load_demo`` created, for ``make run``."""

from concurrent.futures import ThreadPoolExecutor

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import check_password
from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from demo.college import DEMO_PASSWORD, DEMO_USERS

# Where ``make run`` serves the site (Procfile).
SITE_URL = "http://127.0.0.1:8000/"


def write_logins(out) -> None:
    """Print the demo users that exist, with their role; say so when there are none.

    A demo user whose password is no longer 'demo', or who is inactive, is marked
    so: the list never promises a login that does not work.
    """
    User = get_user_model()
    users = {
        user.username: user
        for user in User.objects.filter(username__in=[d.username for d in DEMO_USERS]).prefetch_related("groups")
    }
    if not users:
        out.write("No demo users yet: run `make run` or `python manage.py load_demo` first.")
        return
    # Each check costs a deliberately slow hash; the hashing releases the GIL, so check them side by side.
    # (hashers.check_password, unlike User.check_password, never writes: safe outside this thread.)
    with ThreadPoolExecutor(max_workers=len(users)) as pool:
        still_demo = dict(
            zip(users, pool.map(lambda user: check_password(DEMO_PASSWORD, user.password), users.values()), strict=True)
        )
    out.write(f"Demo logins at {SITE_URL} (password for each: {DEMO_PASSWORD}):")
    rows = []
    for demo in DEMO_USERS:
        user = users.get(demo.username)
        if user is None:
            continue
        if not user.is_active:
            note = "  [inactive: cannot log in]"
        elif not still_demo[demo.username]:
            note = "  [password changed: not 'demo' any more]"
        else:
            note = ""
        role = "superuser" if user.is_superuser else ", ".join(g.name for g in user.groups.all()) or "no role"
        rows.append((demo.username, role, demo.can + note))
    name_width = max(len(row[0]) for row in rows)
    role_width = max(len(row[1]) for row in rows)
    for username, role, can in rows:
        out.write(f"  {username:<{name_width}}  {role:<{role_width}}  {can}")
    missing = [d.username for d in DEMO_USERS if d.username not in users]
    if missing:
        out.write(f"  (not present: {', '.join(missing)})")


class Command(BaseCommand):
    @property
    def help(self):
        return _("Show the demo logins created by load_demo (username, password, role).")

    def handle(self, *args, **options):
        write_logins(self.stdout)
