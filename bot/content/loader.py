"""Load content/*.yaml into validated, immutable models.

Errors name the file and the item (by id, or by position when the id itself is bad) so a
content author can fix them without reading a traceback.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.content.schema import KINDS, Item

try:  # the C loader is several times faster; fall back where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

CACHE_VERSION = f"1|{marshal.version}|{yaml.__version__}"
CACHE_KEEP = 64  # a few versions of each content file
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "content"


def content_dir() -> Path:
    """The content directory: ``$MLE_CONTENT_DIR`` or the repository's ``content/``."""
    return Path(os.environ.get("MLE_CONTENT_DIR") or DEFAULT_DIR)


@dataclass(frozen=True)
class ContentError:
    file: str
    item: str  # the item's id, or "#<index>" when it has none
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.item}: {self.message}"


@dataclass
class LoadResult:
    items: dict[str, list[Item]] = field(default_factory=dict)  # kind → items
    files: dict[tuple[str, str], str] = field(default_factory=dict)  # (kind, id) → file name
    errors: list[ContentError] = field(default_factory=list)


def _kind_of(path: Path) -> str:
    return path.stem.split("_")[0]


def _fmt(err: ValidationError) -> str:
    parts = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "item"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "mle-study-bot"


def parse_yaml(path: Path):
    """The file's YAML, parsed once per version of the file.

    Parsing the content is most of a cold start, so the parsed data is kept in a cache
    keyed by the file's name, size and modification time (``marshal``: only the plain types
    safe YAML yields). Validation still runs on every load. Any cache problem just parses.
    """
    st = path.stat()
    key = hashlib.blake2b(
        f"{CACHE_VERSION}|{path.resolve()}|{st.st_size}|{st.st_mtime_ns}".encode(), digest_size=16
    ).hexdigest()
    cached = _cache_dir() / f"{key}.marshal"
    try:
        return marshal.loads(cached.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        pass
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    try:
        data = marshal.dumps(raw)
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)  # atomic: a concurrent reader never sees half a file
        _prune(cached.parent, CACHE_KEEP)
    except (OSError, ValueError):  # read-only home, or a type marshal can't keep
        pass
    return raw


def _prune(directory: Path, keep: int) -> None:
    """Keep the newest ``keep`` entries: edited or temporary content leaves old ones behind."""
    entries = sorted(directory.glob("*.marshal"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)


def load_dir(directory: Path | None = None) -> LoadResult:
    """Parse and validate every ``*.yaml`` file; collect all errors rather than stop at one."""
    directory = directory or content_dir()
    result = LoadResult()
    seen: dict[tuple[str, str], str] = {}
    for path in sorted(directory.glob("*.yaml")):
        kind = _kind_of(path)
        model = KINDS.get(kind)
        if model is None:
            result.errors.append(
                ContentError(path.name, "-", f"unknown kind '{kind}' (expected {sorted(KINDS)})")
            )
            continue
        try:
            raw = parse_yaml(path)
        except yaml.YAMLError as exc:
            result.errors.append(ContentError(path.name, "-", f"not valid YAML: {exc}"))
            continue
        if raw is None:
            raw = []
        if not isinstance(raw, list):
            result.errors.append(ContentError(path.name, "-", "the file must be a list of items"))
            continue
        bucket = result.items.setdefault(kind, [])
        for i, entry in enumerate(raw):
            label = entry.get("id") if isinstance(entry, dict) and entry.get("id") else f"#{i}"
            if not isinstance(entry, dict):
                result.errors.append(ContentError(path.name, f"#{i}", "an item must be a mapping"))
                continue
            try:
                item = model.model_validate(entry)
            except ValidationError as exc:
                result.errors.append(ContentError(path.name, str(label), _fmt(exc)))
                continue
            key = (kind, item.id)
            if key in seen:
                result.errors.append(
                    ContentError(path.name, item.id, f"duplicate id (first in {seen[key]})")
                )
                continue
            seen[key] = path.name
            bucket.append(item)
    result.files = seen
    return result
