#!/usr/bin/env python3
"""Print azure-ai-ml's upload content hash of a file or directory.

A standard-library-only re-statement of what azure-ai-ml (the SDK behind
`az ml`) computes in sdk/ml/azure-ai-ml/azure/ai/ml/_utils/_asset_utils.py
(get_object_hash, _get_dir_hash, _get_file_hash, IgnoreFile, get_ignore_file)
and _utils/_pathspec.py (GitWildMatchPattern.pattern_to_regex,
_translate_segment_glob, normalize_file). It exists so ml's Go port
(internal/upload) can be checked against the SDK's algorithm without
installing the SDK. It keeps the SDK's quirks on purpose:

* the ignore file is .amlignore in the top directory, else .gitignore;
* the FIRST pattern that matches a path decides (git lets the last win);
* directory entries are sorted with key str(path).lower();
* a symlink is followed with os.readlink, so a relative target is read
  relative to the current working directory.

Usage: azml_hash.py PATH
"""

import hashlib
import os
import re
import sys
from pathlib import Path

SEED = b"Initialize for october 2021 AML CLI version"
READ_SIZE = 1024


class BadPattern(ValueError):
    pass


def segment_glob(seg):
    """Regex for one path segment of a gitwildmatch pattern."""
    out = []
    i, n = 0, len(seg)
    escaped = False
    while i < n:
        c = seg[i]
        i += 1
        if escaped:
            escaped = False
            out.append(re.escape(c))
        elif c == "\\":
            escaped = True
        elif c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            k = i
            if k < n and seg[k] == "!":
                k += 1
            if k < n and seg[k] == "]":
                k += 1
            while k < n and seg[k] != "]":
                k += 1
            if k < n:
                k += 1
                cls = "["
                if seg[i] == "!":
                    cls += "^"
                    i += 1
                elif seg[i] == "^":
                    cls += "\\^"
                    i += 1
                cls += seg[i:k].replace("\\", "\\\\")
                out.append(cls)
                i = k
            else:
                out.append("\\[")
        else:
            out.append(re.escape(c))
    if escaped:
        raise BadPattern("dangling escape in %r" % seg)
    return "".join(out)


def compile_pattern(line):
    """(compiled regex, include) or (None, None) for a no-op line."""
    pat = line.strip()
    if not pat or pat.startswith("#") or pat == "/":
        return None, None
    include = True
    if pat.startswith("!"):
        include = False
        pat = pat[1:]
    segs = pat.split("/")
    i = len(segs) - 1
    while i > 0:
        if segs[i - 1] == "**" and segs[i] == "**":
            del segs[i]
        i -= 1
    override = None
    if len(segs) == 2 and segs[0] == "**" and not segs[1]:
        override = "^.+(?P<ps_d>/).*$"
    if not segs[0]:
        del segs[0]
    elif len(segs) == 1 or (len(segs) == 2 and not segs[1]):
        if segs[0] != "**":
            segs.insert(0, "**")
    if not segs:
        raise BadPattern("invalid pattern %r" % line)
    if not segs[-1] and len(segs) > 1:
        segs[-1] = "**"
    if override is not None:
        return re.compile(override), include
    parts = ["^"]
    slash = False
    last = len(segs) - 1
    for idx, seg in enumerate(segs):
        if seg == "**":
            if idx == 0 and idx == last:
                parts.append(".+")
            elif idx == 0:
                parts.append("(?:.+/)?")
                slash = False
            elif idx == last:
                parts.append("(?P<ps_d>/).*")
            else:
                parts.append("(?:/.+)?")
                slash = True
        else:
            if slash:
                parts.append("/")
            parts.append("[^/]+" if seg == "*" else segment_glob(seg))
            if idx == last:
                parts.append("(?:(?P<ps_d>/).*)?")
            slash = True
    parts.append("$")
    return re.compile("".join(parts)), include


class Ignore:
    def __init__(self, top):
        self.file = None
        self.patterns = []
        for name in (".amlignore", ".gitignore"):
            candidate = Path(top).joinpath(name).resolve()
            if candidate.exists():
                self.file = candidate
                break
        if self.file is not None:
            with open(self.file, "r", encoding="utf-8") as fh:
                for line in fh:
                    regex, include = compile_pattern(line)
                    if include is not None:
                        self.patterns.append((regex, include))

    def excluded(self, path):
        if self.file is None:
            return False
        path = Path(path)
        if path.is_absolute():
            base = str(self.file.parent)
            if len(os.path.commonprefix([str(path), base])) != len(base):
                return True
            path = os.path.relpath(path, base)
        rel = str(path)
        if rel.startswith("/"):
            rel = rel[1:]
        elif rel.startswith("./"):
            rel = rel[2:]
        for regex, include in self.patterns:
            if regex.match(rel) is not None:
                return include
        return False


def feed_file(path, h):
    with open(str(path), "rb") as fh:
        while True:
            chunk = fh.read(READ_SIZE)
            if not chunk:
                return
            h.update(chunk)


def feed_dir(directory, h, ignore):
    for entry in sorted(Path(directory).iterdir(), key=lambda p: str(p).lower()):
        if ignore.excluded(entry):
            continue
        h.update(entry.name.encode())
        if os.path.islink(entry):
            entry = Path(os.readlink(entry))
        if entry.is_file():
            feed_file(entry, h)
        elif entry.is_dir():
            feed_dir(entry, h, ignore)


def object_hash(path):
    h = hashlib.md5(SEED)
    if Path(path).is_dir():
        feed_dir(path, h, Ignore(path))
    else:
        if os.path.islink(path):
            path = Path(os.readlink(path))
        feed_file(path, h)
    return h.hexdigest()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: azml_hash.py PATH")
    print(object_hash(sys.argv[1]))
