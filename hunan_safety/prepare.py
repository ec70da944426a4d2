"""Makes the local folders and the development secret key that the settings read but never write.

`make run` and `make test` run it (`python -m hunan_safety.prepare`) before anything imports the
settings; it keeps what is already there, so running it again changes nothing. It imports no Django
settings on purpose: it must work before they can load.
"""

import os
import secrets
from pathlib import Path

from hunan_safety import paths


def prepare() -> list[Path]:
    """Create var/, its folders and (unless SECRET_KEY is set) var/secret_key; return what was created."""
    created = []
    folders = [paths.var_dir(), paths.static_root(), paths.media_root()]
    folders += [paths.broker_dir() / folder for folder in paths.BROKER_FOLDERS]
    for folder in folders:
        if not folder.is_dir():
            folder.mkdir(parents=True)
            created.append(folder)
    key_file = paths.secret_key_file()
    if not os.environ.get("SECRET_KEY") and not key_file.exists():
        # Owner-only from the first byte: the key signs sessions and password-reset links.
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key:
            key.write(secrets.token_urlsafe(50))
        created.append(key_file)
    return created


if __name__ == "__main__":
    for path in prepare():
        print(f"created {path}")
