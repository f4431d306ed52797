"""posy's PEP 517 hook runner: loads a build backend and calls one hook.

Usage: python shim.py REQUEST.json RESPONSE.json

REQUEST is {"backend": "module:object", "backend_path": [dirs],
"hook": "build_wheel", "kwargs": {...}}. The answer goes to RESPONSE, not to
stdout, which belongs to the backend (it prints freely): {"result": value},
{"unsupported": true} when the backend lacks the hook, or {"error": text}.
The exit status is 0 unless the hook failed.
"""

import importlib
import json
import os
import sys
import traceback


def respond(path, answer):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(answer, f)


def load_backend(spec, backend_path):
    module_name, _, object_path = spec.partition(":")
    module = importlib.import_module(module_name.strip())
    if backend_path:
        # PEP 517: an in-tree backend must come from backend-path.
        origin = os.path.abspath(getattr(module, "__file__", "") or "")
        roots = [os.path.abspath(p) for p in backend_path]
        if not any(os.path.commonpath([origin, r]) == r for r in roots if origin):
            raise ImportError(
                "backend %r was loaded from %r, which is not in backend-path %r"
                % (spec, origin, backend_path)
            )
    backend = module
    for attribute in filter(None, object_path.strip().split(".")):
        backend = getattr(backend, attribute)
    return backend


def main():
    request_path, response_path = sys.argv[1], sys.argv[2]
    with open(request_path, encoding="utf-8") as f:
        request = json.load(f)
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != here]
    sys.path[0:0] = request["backend_path"]

    try:
        backend = load_backend(request["backend"], request["backend_path"])
    except BaseException:
        traceback.print_exc()
        respond(
            response_path,
            {
                "error": "cannot import the build backend %r: %s"
                % (request["backend"], sys.exc_info()[1])
            },
        )
        return 1

    hook = getattr(backend, request["hook"], None)
    if hook is None:
        respond(response_path, {"unsupported": True})
        return 0
    try:
        result = hook(**request["kwargs"])
    except BaseException:
        # SystemExit too: a legacy setup.py may call sys.exit().
        traceback.print_exc()
        error = sys.exc_info()[1]
        respond(response_path, {"error": "%s: %s" % (type(error).__name__, error)})
        return 1
    respond(response_path, {"result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
