"""A ceiling on uploaded files, applied while the body streams in, so a huge upload is neither kept
in memory nor spooled to disk. The request is flagged and the view answers with a clear message."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

TOO_LARGE = "upload_too_large"


class QuotaUploadHandler(FileUploadHandler):
    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.total = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.total += len(raw_data)
        if self.total > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                setattr(self.request, TOO_LARGE, True)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def upload_too_large(request: Any) -> bool:
    return bool(getattr(request, TOO_LARGE, False))
