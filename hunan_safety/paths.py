"""Where the product keeps its local files, read from the environment.

Shared by the settings, which only read these paths, and by `python -m hunan_safety.prepare`, which
creates them: importing the settings writes nothing.
"""

from pathlib import Path

from hunan_safety.env import env_str

BASE_DIR = Path(__file__).resolve().parent.parent
# kombu's filesystem transport: messages wait in queue/, control messages (broadcasts) in control/.
BROKER_FOLDERS = ("queue", "processed", "control")


def var_dir() -> Path:
    """The folder of everything the product writes locally (SQLite, broker, uploads, static files)."""
    return Path(env_str("VAR_DIR", str(BASE_DIR / "var")))


def static_root() -> Path:
    return Path(env_str("STATIC_ROOT", str(var_dir() / "static")))


def media_root() -> Path:
    return Path(env_str("MEDIA_ROOT", str(var_dir() / "media")))


def broker_dir() -> Path:
    return var_dir() / "broker"


def secret_key_file() -> Path:
    """The development secret key, made once by `prepare` and read by the settings when DEBUG is on."""
    return var_dir() / "secret_key"
