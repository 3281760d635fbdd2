"""Entry point of the pack: the CLI's pulumi-analyzer-policy-python shim runs
`venv/bin/python -u -m pulumi.policy <engine address> .` in this directory, which runs this file.

The CLI puts this directory, not its parent, on sys.path, and the pack may be unpacked under any
directory name; so the rules are loaded as the package `policies` from this file's directory,
which is also how the tests import them.
"""

import importlib.util
import sys
from pathlib import Path


def _load_package() -> None:
    here = Path(__file__).resolve().parent
    spec = importlib.util.spec_from_file_location(
        "policies", here / "__init__.py", submodule_search_locations=[str(here)]
    )
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the policy package from {here}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["policies"] = module
    spec.loader.exec_module(module)


if "policies" not in sys.modules:
    _load_package()

from policies.pack import PACK_DESCRIPTION, PACK_NAME, build_policies  # noqa: E402 - after the package is loaded
from policies.server import serve  # noqa: E402

# Instead of pulumi_policy's PolicyPack(...): the same server, with each request converted once.
serve(PACK_NAME, build_policies(), PACK_DESCRIPTION)
