"""What an uploaded file (a follow-up photo, a contract scan) may be: its type by extension,
its size, and for images and PDFs the first bytes, so a renamed executable is not stored as a
"photo". Files are never served as HTML."""

from __future__ import annotations

import os

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

ALLOWED_TYPES = {
    ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
    ".webp": "image/webp", ".heic": "image/heic", ".pdf": "application/pdf",
    ".doc": "application/msword", ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".wps": "application/vnd.ms-works", ".et": "application/vnd.ms-excel",
    ".txt": "text/plain", ".csv": "text/csv", ".zip": "application/zip",
    ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".amr": "audio/amr",
}
# what an image or PDF must start with
IMAGE_SIGNATURES = {".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"],
                    ".png": [b"\x89PNG\r\n\x1a\n"], ".gif": [b"GIF87a", b"GIF89a"],
                    ".webp": [b"RIFF"], ".pdf": [b"%PDF"]}


def check_upload(upload: UploadedFile, *, field: str = "attachments") -> str:
    """The content type of an uploaded file, or a ValidationError on `field` when its type is
    not allowed, it is too large, or an image or PDF does not start as one."""
    name = os.path.basename(upload.name or "file")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_TYPES:
        raise ValidationError({field: _("%(name)s: this type of file is not allowed.")
                               % {"name": name}})
    if upload.size > settings.KEHU_UPLOAD_MAX_BYTES:
        raise ValidationError({field: _("%(name)s is larger than %(mb)d MB.") % {
            "name": name, "mb": settings.KEHU_UPLOAD_MAX_BYTES // (1024 * 1024)}})
    if extension in IMAGE_SIGNATURES:
        head = upload.read(16)
        upload.seek(0)
        if not any(head.startswith(sig) for sig in IMAGE_SIGNATURES[extension]):
            raise ValidationError({field: _("%(name)s is not a valid %(ext)s file.")
                                   % {"name": name, "ext": extension}})
    return ALLOWED_TYPES[extension]
