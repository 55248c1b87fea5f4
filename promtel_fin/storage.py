"""Where uploaded files live: a small interface, and a filesystem store under DOCUMENTS_DIR.

Files are content-addressed: each is stored once under its SHA-256 (``ab/abcdef…``), whatever
its name, so a client's file name is never part of a path and the same file uploaded twice is
kept once. A file is written to a temporary file in the store's own directory while it is
hashed, flushed to disk and renamed into place, so a reader never sees half a file. Object
storage (S3 and the like) can be added later by another class with the same methods.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO, Protocol
from urllib.parse import quote

from flask import Flask, Response, current_app
from werkzeug.datastructures import Headers

CHUNK = 64 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class Incoming(Protocol):
    """A file being received: written in chunks, hashed as it goes, kept or dropped."""

    size: int

    def write(self, chunk: bytes) -> None:
        """Append a chunk."""

    @property
    def sha256(self) -> str:
        """Give the hex SHA-256 of what was written."""

    def reader(self) -> BinaryIO:
        """Give a seekable stream of what was written so far (to sniff its type)."""

    def keep(self) -> str:
        """Store what was written under its SHA-256; answer the digest."""


class DocumentStore(Protocol):
    """What the services need of a place to keep files."""

    def receive(self) -> contextlib.AbstractContextManager[Incoming]:
        """Open an incoming file; unless ``keep`` is called, it is dropped on leaving."""

    def open(self, sha256: str) -> BinaryIO:
        """Open a stored file for reading; FileNotFoundError when it is not there."""

    def exists(self, sha256: str) -> bool:
        """Tell whether a file is stored under this digest."""

    def intact(self, sha256: str) -> bool:
        """Tell whether the file stored under a digest is there and still hashes to it."""


def _check_digest(sha256: str) -> str:
    if not _SHA256.match(sha256):
        raise ValueError(f"not a SHA-256 in hex: {sha256!r}")
    return sha256


class _IncomingFile:
    """An incoming file as a temporary file beside the store's files."""

    def __init__(self, store: FileSystemStore, handle: BinaryIO, path: Path):
        self._store, self._handle, self._path = store, handle, path
        self._hash = hashlib.sha256()
        self.size = 0
        self.kept = False

    def write(self, chunk: bytes) -> None:
        self._handle.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    def reader(self) -> BinaryIO:
        self._handle.flush()
        self._handle.seek(0)
        return self._handle

    def keep(self) -> str:
        digest = self.sha256
        self._handle.flush()
        os.fsync(self._handle.fileno())
        self._handle.close()
        target = self._store.path_of(digest)
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.is_file() and self._store.intact(digest):
            self._path.unlink(missing_ok=True)   # the same content is stored already
        else:                                    # new, or a damaged copy: put this one there
            os.replace(self._path, target)
            self._store.sync_directory(target.parent)
        self.kept = True
        return digest


class FileSystemStore:
    """Files under a directory, named by SHA-256 in subdirectories of its first two digits."""

    def __init__(self, root: str | os.PathLike[str]):
        self.root = Path(root)

    def path_of(self, sha256: str) -> Path:
        """Give the path of the file stored under a digest (which must be 64 hex digits)."""
        digest = _check_digest(sha256)
        return self.root / digest[:2] / digest

    @contextlib.contextmanager
    def receive(self) -> Iterator[_IncomingFile]:
        """Open a temporary file in ``<root>/.incoming``; it is removed unless kept."""
        incoming_dir = self.root / ".incoming"
        incoming_dir.mkdir(parents=True, exist_ok=True)
        descriptor, name = tempfile.mkstemp(dir=incoming_dir, prefix="upload-")
        handle = os.fdopen(descriptor, "w+b")
        incoming = _IncomingFile(self, handle, Path(name))
        try:
            yield incoming
        finally:
            if not incoming.kept:
                handle.close()
                Path(name).unlink(missing_ok=True)

    def open(self, sha256: str) -> BinaryIO:
        return self.path_of(sha256).open("rb")

    def exists(self, sha256: str) -> bool:
        return self.path_of(sha256).is_file()

    def intact(self, sha256: str) -> bool:
        """Tell whether the file stored under a digest is there and still hashes to it."""
        try:
            with self.open(sha256) as stream:
                return file_sha256(stream) == sha256
        except FileNotFoundError:
            return False

    @staticmethod
    def sync_directory(directory: Path) -> None:
        """Flush a directory's entry of a renamed file to disk (where the system allows)."""
        try:
            descriptor = os.open(directory, os.O_RDONLY)
        except OSError:  # pragma: no cover - e.g. Windows cannot open a directory
            return
        try:
            os.fsync(descriptor)
        except OSError:  # pragma: no cover
            pass
        finally:
            os.close(descriptor)


def file_sha256(stream: BinaryIO) -> str:
    """Hash a stream in chunks, never holding the whole file."""
    digest = hashlib.sha256()
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
    return digest.hexdigest()


class _Chunks:
    """A stored file sent in chunks; closed after the last one, or when the server closes the
    response (a HEAD request, a client that went away)."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream

    def __iter__(self) -> Iterator[bytes]:
        try:
            while chunk := self.stream.read(CHUNK):
                yield chunk
        finally:
            self.stream.close()

    def close(self) -> None:
        self.stream.close()


def attachment(stream: BinaryIO, content_type: str, download_name: str, size: int,
               sha256: str) -> Response:
    """Send a stored file as an attachment, in chunks, with its type, its length, its digest as
    ETag and ``nosniff``; the stream is closed once sent. Never shown inline: a download's own
    Content-Security-Policy sandboxes it should a browser try."""
    headers = Headers()
    headers.set("Content-Disposition", "attachment", **_names(download_name))
    headers["Content-Length"] = str(size)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response = Response(_Chunks(stream), mimetype=content_type, headers=headers,
                        direct_passthrough=True)
    response.set_etag(sha256)
    return response


def _names(download_name: str) -> dict[str, str]:
    """Give Content-Disposition's file names: ASCII, and RFC 5987's UTF-8 when it is not."""
    try:
        download_name.encode("ascii")
    except UnicodeEncodeError:
        simple = unicodedata.normalize("NFKD", download_name).encode("ascii", "ignore")
        return {"filename": simple.decode("ascii"),
                "filename*": "UTF-8''" + quote(download_name, safe="!#$&+-.^_`|~")}
    return {"filename": download_name}


def init_app(app: Flask) -> None:
    """Attach the configured store (DOCUMENTS_DIR) to the app; its directory is made on the
    first upload."""
    app.extensions["documents"] = FileSystemStore(app.config["DOCUMENTS_DIR"])


def document_store() -> DocumentStore:
    """Give the current app's store."""
    store: DocumentStore = current_app.extensions["documents"]
    return store
