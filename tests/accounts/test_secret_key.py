"""Production settings refuse to start with the built-in SECRET_KEY (it would let anyone forge sessions)."""

import os
import subprocess
import sys

from django.conf import settings


def load_settings(**variables):
    env = {key: value for key, value in os.environ.items() if key not in {"SECRET_KEY", "DEBUG"}}
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=settings.BASE_DIR,
        env={**env, **variables},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_debug_off_with_the_built_in_key_refuses_to_start():
    result = load_settings(DEBUG="false")
    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in result.stderr


def test_debug_off_with_a_real_key_starts():
    assert load_settings(DEBUG="false", SECRET_KEY="a-long-random-production-key-" * 2).returncode == 0


def test_debug_on_with_the_built_in_key_starts_for_a_developer():
    assert load_settings(DEBUG="true").returncode == 0
