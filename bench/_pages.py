"""Forms and links of a page, read with the standard library's HTML parser: used by the load
test's virtual users (``bench/_locustfile.py``) and by its tests, which check that the pages
still carry what the virtual users look for. Standard library only (no locust, no Django)."""

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    method: str
    course: str = ""  # the data-course of the row or catalogue item the form sits in
    inputs: dict[str, str] = field(default_factory=dict)
    submit_enabled: bool = False


class PageParser(HTMLParser):
    """The forms of a page (hidden inputs, whether a submit button is enabled, the course
    row they belong to) and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.links: list[str] = []
        self.assets: list[str] = []
        self._course = ""
        self._form: Form | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "data-course" in a and tag in ("tr", "li"):
            self._course = a["data-course"]
        if tag == "form":
            self._form = Form(action=a.get("action", ""), method=a.get("method", "get").lower(), course=self._course)
            self.forms.append(self._form)
        elif tag == "input" and self._form is not None and a.get("name"):
            if a.get("type", "text") not in ("checkbox", "radio") or "checked" in a:
                self._form.inputs[a["name"]] = a.get("value", "")
        elif tag == "button" and self._form is not None:
            if a.get("type", "submit") == "submit" and "disabled" not in a:
                self._form.submit_enabled = True
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif (tag == "link" and a.get("rel") == "stylesheet" and a.get("href")) or (tag == "script" and a.get("src")):
            self.assets.append(a.get("href") or a.get("src"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    return parser
