#!/usr/bin/env python3
"""Derive data/divisions.bin and data/divisions.check from the national tables.

Usage (from the repository root):

    python3 data/derive_divisions.py [SOURCE_DIR]

SOURCE_DIR defaults to ../shared/data/divisions (a sibling of the repository).
Python 3.11 standard library only. The output is deterministic: the same input
gives byte-identical files (with the same zlib; CPython bundles or links one).

divisions.bin is a zlib stream; inflated it reads, all integers little-endian:

    magic    b"SJDV" and format version u8 (= 1)
    suffixes u8 count, then each as u8 length + UTF-8 bytes (index 0 is "")
    counts   u32 per level: provinces, cities, counties, towns, villages
    levels   for each level in that order, entries sorted by code:
               digits    u16 per entry: the code's own digits below its parent
               children  u32 per entry, all levels but villages: how many
                         entries of the next level it has (they follow in order)
               names     name block (below)
    history  u32 count, u32 per entry: six-digit codes sorted; then a name block
    name block, for n entries:
               u8 per entry: suffix index; u8 per entry: stem length in bytes;
               then the stems, concatenated. A name is stem + suffixes[index].

Storing names as stem + common suffix ("村民委员会", "社区居委会", …) halves the
memory the decoded names take; the columns keep deflate effective.

divisions.check is a small text fixture for the Rust integration tests: the
count of each level and an FNV-1a 64 hash of every "code<TAB>name" line in
tree order (each entry followed by its children), so the tests prove that all
620,573 villages decode with the source's names without reading the source;
likewise for the six-digit codes known today or in the history since 1980,
each with the name county_name_in_history must give (today's name first).
"""

from __future__ import annotations

import argparse
import csv
import lzma
import re
import struct
import sys
import zlib
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO.parent / "shared" / "data" / "divisions"
OUT_BIN = REPO / "data" / "divisions.bin"
OUT_CHECK = REPO / "data" / "divisions.check"

MAGIC = b"SJDV"
VERSION = 1

# (file, code length) from the top level down; a code's parent is its prefix
# of the previous level's length.
LEVELS = [
    ("provinces.csv.xz", 2),
    ("cities.csv.xz", 4),
    ("areas.csv.xz", 6),
    ("streets.csv.xz", 9),
    ("villages.csv.xz", 12),
]
HISTORY_FILE = "county_codes_history.csv"

# Chosen by measuring the bytes each saves over the 2023 tables; the longest
# match wins, so order does not matter here (it is sorted below).
SUFFIXES = [
    "社区居民委员会",
    "村民委员会",
    "居民委员会",
    "社区居委会",
    "村委会",
    "居委会",
    "委员会",
    "生活区",
    "管理区",
    "社区",
    "街道",
    "镇",
    "乡",
]

FNV_OFFSET = 0xCBF29CE484222325
FNV_PRIME = 0x100000001B3
MASK64 = (1 << 64) - 1

# "东郊区,[1992-]东丽区": each later name carries the years it was used.
HISTORY_NAME_PART = re.compile(r"^(?:\[\d{4}-(?:\d{4})?\])?([^,\[\]]+)$")


@dataclass
class Level:
    code_len: int
    codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)


def fail(message: str) -> None:
    sys.exit(f"derive_divisions: {message}")


def read_csv(path: Path) -> list[dict[str, str]]:
    opener = lzma.open if path.suffix == ".xz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_level(path: Path, code_len: int) -> Level:
    rows = sorted(read_csv(path), key=lambda row: row["code"])
    level = Level(code_len)
    for row in rows:
        code, name = row["code"], row["name"].strip()
        if len(code) != code_len or not code.isdigit():
            fail(f"{path.name}: bad code {code!r}")
        if not name:
            fail(f"{path.name}: {code} has no name")
        if level.codes and level.codes[-1] == code:
            fail(f"{path.name}: duplicate code {code}")
        level.codes.append(code)
        level.names.append(name)
    return level


def child_counts(parent: Level, child: Level) -> list[int]:
    """Children per parent entry; every child must have its parent."""
    index = {code: i for i, code in enumerate(parent.codes)}
    counts = [0] * len(parent.codes)
    for code in child.codes:
        position = index.get(code[: parent.code_len])
        if position is None:
            fail(f"{code} has no parent {code[: parent.code_len]}")
        counts[position] += 1
    return counts


def latest_history_name(field_text: str, code: str) -> str:
    parts = [HISTORY_NAME_PART.match(part) for part in field_text.split(",")]
    if not parts or any(match is None for match in parts):
        fail(f"{HISTORY_FILE}: cannot read the names of {code}: {field_text!r}")
    return parts[-1].group(1).strip()


def read_history(path: Path) -> tuple[list[str], list[str]]:
    names: dict[str, str] = {}
    for row in read_csv(path):
        code = row["code"]
        if len(code) != 6 or not code.isdigit():
            fail(f"{HISTORY_FILE}: bad code {code!r}")
        if code in names:
            fail(f"{HISTORY_FILE}: duplicate code {code}")
        names[code] = latest_history_name(row["name"], code)
    codes = sorted(names)
    return codes, [names[code] for code in codes]


def split_suffix(name: str, suffixes: list[str]) -> tuple[int, bytes]:
    # A name that is only a suffix keeps it as its stem: stems are never empty.
    for index, suffix in enumerate(suffixes):
        if index and name.endswith(suffix) and len(name) > len(suffix):
            return index, name[: -len(suffix)].encode()
    return 0, name.encode()


def name_block(names: list[str], suffixes: list[str]) -> bytes:
    tags, lengths, stems = bytearray(), bytearray(), bytearray()
    for name in names:
        tag, stem = split_suffix(name, suffixes)
        if len(stem) > 255:
            fail(f"name too long for a u8 length: {name}")
        tags.append(tag)
        lengths.append(len(stem))
        stems += stem
    return bytes(tags + lengths + stems)


def suffix_table(suffixes: list[str]) -> bytes:
    out = bytearray([len(suffixes)])
    for suffix in suffixes:
        encoded = suffix.encode()
        out += bytes([len(encoded)]) + encoded
    return bytes(out)


def level_block(level: Level, children: list[int] | None, suffixes: list[str]) -> bytes:
    digits = [int(code[parent_len(level.code_len) :]) for code in level.codes]
    out = bytearray(struct.pack(f"<{len(digits)}H", *digits))
    if children is not None:
        out += struct.pack(f"<{len(children)}I", *children)
    return bytes(out) + name_block(level.names, suffixes)


def encode(levels: list[Level], history: tuple[list[str], list[str]]) -> bytes:
    suffixes = [""] + sorted(SUFFIXES, key=lambda s: (-len(s), s))
    out = bytearray(MAGIC + bytes([VERSION]))
    out += suffix_table(suffixes)
    out += struct.pack("<5I", *(len(level.codes) for level in levels))
    for depth, level in enumerate(levels):
        below = levels[depth + 1] if depth + 1 < len(levels) else None
        children = child_counts(level, below) if below else None
        out += level_block(level, children, suffixes)
    codes, names = history
    out += struct.pack(f"<I{len(codes)}I", len(codes), *(int(code) for code in codes))
    out += name_block(names, suffixes)
    return bytes(out)


def tree_order(levels: list[Level]) -> list[tuple[str, str]]:
    """Every entry followed by its children: the order the tests walk."""
    by_parent: dict[str, list[tuple[str, str]]] = {}
    for level in levels[1:]:
        for code, name in zip(level.codes, level.names):
            by_parent.setdefault(code[: parent_len(level.code_len)], []).append((code, name))
    out: list[tuple[str, str]] = []
    stack = list(reversed(list(zip(levels[0].codes, levels[0].names))))
    while stack:
        code, name = stack.pop()
        out.append((code, name))
        stack.extend(reversed(by_parent.get(code, [])))
    return out


def parent_len(code_len: int) -> int:
    return {2: 0, 4: 2, 6: 4, 9: 6, 12: 9}[code_len]


def fnv1a64(data: bytes) -> int:
    value = FNV_OFFSET
    for byte in data:
        value = ((value ^ byte) * FNV_PRIME) & MASK64
    return value


def known_counties(levels: list[Level], history: tuple[list[str], list[str]]) -> list[tuple[str, str]]:
    """Six-digit codes known today or since 1980; today's name wins."""
    names = dict(zip(*history))
    names.update(zip(levels[2].codes, levels[2].names))
    return sorted(names.items())


def check_text(levels: list[Level], history: tuple[list[str], list[str]]) -> str:
    listing = "".join(f"{code}\t{name}\n" for code, name in tree_order(levels))
    counties = known_counties(levels, history)
    county_listing = "".join(f"{code}\t{name}\n" for code, name in counties)
    labels = ["provinces", "cities", "counties", "towns", "villages"]
    lines = [f"{label} {len(level.codes)}" for label, level in zip(labels, levels)]
    lines.append(f"tree_fnv1a64 {fnv1a64(listing.encode()):016x}")
    lines.append(f"known_county_codes {len(counties)}")
    lines.append(f"known_county_fnv1a64 {fnv1a64(county_listing.encode()):016x}")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("source", nargs="?", type=Path, default=DEFAULT_SOURCE)
    source = parser.parse_args().source
    levels = [read_level(source / name, code_len) for name, code_len in LEVELS]
    history = read_history(source / HISTORY_FILE)
    packed = zlib.compress(encode(levels, history), 9)
    OUT_BIN.write_bytes(packed)
    OUT_CHECK.write_text(check_text(levels, history), encoding="utf-8", newline="\n")
    print(f"wrote {OUT_BIN.name} ({len(packed):,} bytes) and {OUT_CHECK.name}")


if __name__ == "__main__":
    main()
