"""Content-addressed blob storage: each distinct content once, by SHA-256, zstd-compressed.

Most new versions of a UN document differ from the previous one by a few paragraphs, so a
text blob is compressed with the previous version's text as a zstd raw-content dictionary:
the stored delta is a few hundred bytes instead of a full copy. Chains are cut every
`chain_max` deltas (a whole copy again) so a read never decompresses more than that many.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

import zstandard
from sqlalchemy.orm import Session

from tracker.models import Blob

FULL_LEVEL = 10
DELTA_LEVEL = 19  # deltas are small: a high level costs little time and saves bytes


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def compress(data: bytes, base: bytes | None = None) -> bytes:
    """zstd-compress `data`, using `base` as a raw-content dictionary when given."""
    if base is None:
        return zstandard.ZstdCompressor(level=FULL_LEVEL).compress(data)
    dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    params = zstandard.ZstdCompressionParameters.from_level(
        DELTA_LEVEL, source_size=len(data), dict_size=len(base), enable_ldm=True
    )
    return zstandard.ZstdCompressor(dict_data=dictionary, compression_params=params).compress(data)


def decompress(stored: bytes, base: bytes | None = None) -> bytes:
    if base is None:
        return zstandard.ZstdDecompressor().decompress(stored)
    dictionary = zstandard.ZstdCompressionDict(base, dict_type=zstandard.DICT_TYPE_RAWCONTENT)
    return zstandard.ZstdDecompressor(dict_data=dictionary).decompress(stored)


class BlobStore:
    """Reads and writes blobs inside the caller's session (and so inside its transaction)."""

    def __init__(self, session: Session, *, chain_max: int = 100, cache_size: int = 8) -> None:
        self.session = session
        self.chain_max = chain_max
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._cache_size = cache_size

    def put(self, data: bytes, *, base_sha256: str | None = None, base: bytes | None = None) -> str:
        """Store `data` once; as a delta against `base_sha256` (content `base`) when given."""
        digest = sha256_hex(data)
        if self.session.get(Blob, digest) is not None:
            return digest
        depth = 0
        if base_sha256 is not None:
            base_blob = self.session.get(Blob, base_sha256)
            if base_blob is None or base_blob.depth + 1 > self.chain_max:
                base_sha256 = None
            else:
                if base is None:
                    base = self.get(base_sha256)
                depth = base_blob.depth + 1
        if base_sha256 is not None and base is not None:
            stored, codec = compress(data, base), "zstd-delta"
            # A large delta means the texts share little: then a whole copy may be smaller.
            if len(stored) > len(data) // 8:
                whole = compress(data)
                if len(whole) <= len(stored):
                    stored, codec, base_sha256, depth = whole, "zstd", None, 0
        else:
            stored, codec = compress(data), "zstd"
        self.session.add(
            Blob(
                sha256=digest,
                size=len(data),
                codec=codec,
                base_sha256=base_sha256,
                depth=depth,
                stored_size=len(stored),
                data=stored,
            )
        )
        self.session.flush()
        self._remember(digest, data)
        return digest

    def get(self, digest: str) -> bytes:
        """The content of a blob, following its delta chain."""
        if digest in self._cache:
            self._cache.move_to_end(digest)
            return self._cache[digest]
        chain: list[Blob] = []
        cursor: str | None = digest
        base_data: bytes | None = None
        while cursor is not None:
            if cursor in self._cache:
                base_data = self._cache[cursor]
                break
            blob = self.session.get(Blob, cursor)
            if blob is None:
                raise KeyError(f"blob {cursor} is missing from the store")
            chain.append(blob)
            cursor = blob.base_sha256
        for blob in reversed(chain):
            if blob.codec == "raw":
                base_data = blob.data
            elif blob.codec == "zstd":
                base_data = decompress(blob.data)
            else:
                base_data = decompress(blob.data, base_data)
        assert base_data is not None
        self._remember(digest, base_data)
        return base_data

    def _remember(self, digest: str, data: bytes) -> None:
        self._cache[digest] = data
        self._cache.move_to_end(digest)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
