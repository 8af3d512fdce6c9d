"""Front matter: YAML between `---` lines or TOML between `+++` lines (python-frontmatter's
handlers), or none. Values become typed fields; every error names its line."""

import datetime
import re
from dataclasses import dataclass

import toml
import yaml
from django.utils import dateparse, timezone
from frontmatter.default_handlers import TOMLHandler, YAMLHandler

from sitecontent.publishing import Status

from .errors import DocumentError

DELIMITERS = {"---": YAMLHandler, "+++": TOMLHandler}
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*[:=]")


@dataclass
class FrontMatter:
    """The metadata of one document, with the line of each top-level key for error messages."""

    name: str
    metadata: dict
    key_lines: dict
    body: str
    body_line: int

    def error(self, key, message):
        return DocumentError(self.name, self.key_lines.get(key, 1), message)

    def _value(self, key, valid, what, default=None):
        if not valid(value := self.metadata.get(key, default)):
            raise self.error(key, f"{key} must be {what}")
        return value

    def text(self, key):
        value = self._value(key, lambda value: not isinstance(value, dict | list), "text")
        return "" if value is None else str(value).strip()

    def boolean(self, key, default):
        return self._value(key, lambda value: isinstance(value, bool), "true or false", default)

    def whole_number(self, key):
        return self._value(key, lambda value: type(value) is int and value >= 0, "a whole number")

    def date(self, key, with_time=False):
        """A date (with_time: an aware date-time, UTC unless it says) as YAML or TOML typed it,
        else parsed from its text; or None."""
        if (value := self.metadata.get(key)) is None or value == "":
            return None
        parsed = value if isinstance(value, datetime.date) else parse_date(str(value), with_time)
        if parsed is None:
            form = "YYYY-MM-DD[ HH:MM]" if with_time else "YYYY-MM-DD"
            raise self.error(key, f"{key} “{str(value).strip()}” is not a date ({form})")
        if not isinstance(parsed, datetime.datetime):
            parsed = datetime.datetime.combine(parsed, datetime.time())
        if not with_time:
            return parsed.date()
        return timezone.make_aware(parsed, datetime.UTC) if timezone.is_naive(parsed) else parsed

    def publication(self):
        """Status and publish_at: `published: false` (Jekyll) or `draft: true` (Hugo) make a
        draft; publish_date or date (a date or a date-time) is when it goes live."""
        published = self.boolean("published", True) and not self.boolean("draft", False)
        key = "publish_date" if "publish_date" in self.metadata else "date"
        status = Status.PUBLISHED if published else Status.DRAFT
        return {"status": status, "publish_at": self.date(key, with_time=True)}


def parse_date(text, with_time=False):
    """The date YYYY-MM-DD (with_time: or a date-time, YYYY-MM-DD HH:MM…), or None, also for a
    well-formed but impossible one (2025-02-30)."""
    text = text.strip()
    try:
        if with_time and len(text) > 10:
            return dateparse.parse_datetime(text.replace(" ", "T", 1))
        return dateparse.parse_date(text)
    except ValueError:
        return None


def read(name, text):
    lines = text.split("\n")
    opening = lines[0].rstrip()
    if opening not in DELIMITERS:
        return FrontMatter(name, {}, {}, text, 1)
    # The closing delimiter is a line of its own at the left margin: an indented "---" inside a
    # YAML block scalar is text, not the end.
    closing = ("---", "...") if opening == "---" else ("+++",)
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in closing), None)
    if end is None:
        raise DocumentError(name, 1, f"the front matter opened with “{opening}” is never closed")
    # Each top-level key's line, read bottom up so that the first one of a key wins.
    key_lines = {m[1]: n for n in range(end, 1, -1) if (m := _KEY.match(lines[n - 1]))}
    source = "\n".join(lines[1:end])
    try:
        metadata = DELIMITERS[opening]().load(source) if source.strip() else {}
    except (yaml.YAMLError, toml.TomlDecodeError) as error:
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        line = 2 + mark.line if mark else 1 + (getattr(error, "lineno", None) or 0)
        reason = getattr(error, "problem", None) or getattr(error, "msg", None) or str(error)
        raise DocumentError(name, line, f"broken front matter: {reason}") from error
    except ValueError as error:  # a well-formed but impossible date, e.g. 2025-02-30
        dated = (n for n in key_lines.values() if re.search(r"\d{4}-\d\d-\d\d", lines[n - 1]))
        raise DocumentError(name, min(dated, default=2), f"broken front matter: {error}") from error
    if not isinstance(metadata, dict | None):
        raise DocumentError(name, 2, "the front matter must be “key: value” lines")
    return FrontMatter(name, metadata or {}, key_lines, "\n".join(lines[end + 1 :]), end + 2)
