# Runs the official alibabacloud-credentials default chain (Client().get_credential()) on one
# case read from stdin: {"env": {...}, "files": {"<path under HOME>": "<text>"}}. Fresh fake HOME,
# clean environment, ECS metadata disabled: nothing leaves the machine. Needs
# `pip install alibabacloud-credentials`; set OFFICIAL_PYTHON to the interpreter that has it.
import json, os, subprocess, sys, tempfile
case = json.load(sys.stdin)
home = tempfile.mkdtemp()
for rel, body in case.get("files", {}).items():
    p = os.path.join(home, rel); os.makedirs(os.path.dirname(p), exist_ok=True)
    open(p, "w").write(body if isinstance(body, str) else json.dumps(body))
env = {"HOME": home, "PATH": os.environ["PATH"], "ALIBABA_CLOUD_ECS_METADATA_DISABLED": "true"}
env.update({k: v.replace("{home}", home) for k, v in case.get("env", {}).items()})
code = r'''
import json
from alibabacloud_credentials.client import Client
try:
    c = Client().get_credential()
    print(json.dumps({"access_key_id": c.access_key_id, "access_key_secret": c.access_key_secret, "security_token": c.security_token, "provider": c.provider_name}))
except Exception as e:
    print(json.dumps({"error": type(e).__name__ + ": " + str(e)}))
'''
print(subprocess.run([os.environ.get("OFFICIAL_PYTHON", sys.executable), "-c", code], env=env, capture_output=True, text=True).stdout.strip())
