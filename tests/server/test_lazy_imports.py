"""torch and transformers load only when a setting that needs them is chosen."""

import json
import os
import subprocess
import sys

CODE = """
import json, sys
from server.services import build_services
from server.settings import Settings
services = build_services(Settings())
services.load_assistant()
reply = services.assistant.answer("科创板开户需要什么条件？")
heavy = sorted(m for m in ("torch", "transformers", "sentence_transformers", "onnxruntime")
               if m in sys.modules)
print(json.dumps({"status": reply.status, "heavy": heavy}))
"""


def test_default_settings_never_import_torch_or_transformers(data_dir_with_index):
    env = {**os.environ, "ANXIN_DATA_DIR": str(data_dir_with_index)}
    result = subprocess.run(
        [sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": "answered", "heavy": []}
