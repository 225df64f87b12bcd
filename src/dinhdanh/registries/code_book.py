"""The codes an import has accepted, each with the row that first listed it (issue 17.1).

An import refuses a code listed twice and, for a complete list, marks the records whose codes it did
not list as gone; both need every code of the file at hand. A ``dict`` of a million codes takes about
120 MB; this book keeps a 128-bit digest of each code and its row number in flat arrays, 20 bytes a slot,
at most 60 % full: 40–60 MB for a million codes.

Two different codes share a digest with a probability near 2^-128 per pair: for any file that can
exist, never. The digest is Python's string hash, keyed at random by each interpreter (unless
PYTHONHASHSEED pins it), so nobody can choose codes that pile into one slot.
"""

from __future__ import annotations

from array import array

__all__ = ["CodeBook"]

_SALT = "\x00"  # never in a code (readers refuse control characters): a second, independent hash
_EMPTY = 0  # no row is numbered 0: files number rows from 1, the push API records from 1
_GROW_AT = 0.6  # fraction of slots in use before the arrays double


class CodeBook:
    """``setdefault``, ``in`` and ``len`` of a ``dict[str, int]`` from code to first row number."""

    __slots__ = ("_count", "_high", "_low", "_mask", "_rows")

    def __init__(self, capacity: int = 1 << 16) -> None:
        size = 1 << max(capacity - 1, 1).bit_length()  # a power of two, for masking
        self._count = 0
        self._mask = size - 1
        self._high, self._low, self._rows = _arrays(size)

    def _digest(self, code: str) -> tuple[int, int]:
        # Python's string hash is SipHash under a key drawn at each interpreter's start, computed in C
        # and cached on the string: two hashes of different inputs make the 128 bits.
        return hash(code), hash(code + _SALT)

    def _slot(self, high: int, low: int) -> int:
        """The slot holding this digest, or the empty slot where it belongs (linear probing)."""
        mask, highs, lows, rows = self._mask, self._high, self._low, self._rows
        slot = high & mask
        while rows[slot] != _EMPTY and (highs[slot] != high or lows[slot] != low):
            slot = (slot + 1) & mask
        return slot

    def setdefault(self, code: str, row: int) -> int:
        """The row that first listed ``code``: ``row`` if this is the first time."""
        if row <= _EMPTY:
            raise ValueError(row)
        high, low = self._digest(code)
        slot = self._slot(high, low)
        first = self._rows[slot]
        if first != _EMPTY:
            return first
        self._high[slot], self._low[slot], self._rows[slot] = high, low, row
        self._count += 1
        if self._count > _GROW_AT * (self._mask + 1):
            self._grow()
        return row

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        return self._rows[self._slot(*self._digest(code))] != _EMPTY

    def __len__(self) -> int:
        return self._count

    def _grow(self) -> None:
        old = zip(self._high, self._low, self._rows, strict=True)
        size = 2 * (self._mask + 1)
        self._mask = size - 1
        self._high, self._low, self._rows = _arrays(size)
        for high, low, row in old:
            if row != _EMPTY:
                slot = self._slot(high, low)
                self._high[slot], self._low[slot], self._rows[slot] = high, low, row


def _arrays(size: int) -> tuple[array[int], array[int], array[int]]:
    """Zeroed slots: the digest's two halves (signed 64-bit) and the row number (unsigned 32-bit)."""
    return array("q", bytes(8 * size)), array("q", bytes(8 * size)), array("I", bytes(4 * size))
