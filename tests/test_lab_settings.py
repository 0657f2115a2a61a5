"""The JupyterLab settings that `make install` writes (the Makefile's `install` target): RISE's local
white theme, and no prompt to fetch Jupyter news nor update check from the internet. Each plugin's
overrides are validated against the settings schema that plugin installed, so a misspelt key or
value fails here rather than being ignored by JupyterLab."""

import json
import sys
from pathlib import Path

import jsonschema
import pytest

SHARE = Path(sys.prefix) / "share" / "jupyter"
OVERRIDES = SHARE / "lab" / "settings" / "overrides.json"
SCHEMAS = {  # plugin id -> the schema file JupyterLab reads it from
    "@jupyterlab/apputils-extension:notification":
        SHARE / "lab" / "schemas" / "@jupyterlab" / "apputils-extension" / "notification.json",
    "jupyterlab-rise:plugin":
        SHARE / "labextensions" / "jupyterlab-rise" / "schemas" / "jupyterlab-rise" / "plugin.json",
}


@pytest.fixture(scope="module")
def overrides() -> dict:
    if not OVERRIDES.exists():
        pytest.fail(f"{OVERRIDES} is missing: run `make install`")
    return json.loads(OVERRIDES.read_text())


def test_no_news_and_no_update_check(overrides):
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false"  # "none", the default, asks on first start
    assert notification["checkForUpdates"] is False


def test_rise_uses_its_local_white_theme(overrides):
    assert overrides["jupyterlab-rise:plugin"]["theme"] == "white"


@pytest.mark.parametrize("plugin", sorted(SCHEMAS))
def test_overrides_match_the_installed_schemas(overrides, plugin):
    schema = json.loads(SCHEMAS[plugin].read_text())
    jsonschema.validate(overrides[plugin], schema)
    assert set(overrides[plugin]) <= set(schema["properties"]), "a setting the plugin does not have"


def test_schema_check_can_fail():
    schema = json.loads(SCHEMAS["@jupyterlab/apputils-extension:notification"].read_text())
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fetchNews": False}, schema)  # a boolean, where the schema wants "false"
