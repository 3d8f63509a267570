import os
from pathlib import Path


def secret_key_from_file(path: Path) -> str:
    """The key stored at ``path``, created (mode 0600) on first use.

    Used when SECRET_KEY is not set, so a fresh checkout runs without any configuration and
    sessions survive restarts. Deployments set SECRET_KEY instead.
    """
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    from django.core.management.utils import get_random_secret_key

    path.parent.mkdir(parents=True, exist_ok=True)
    key = get_random_secret_key()
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as file:
        file.write(key + "\n")
    return key
