# A Werkzeug application (Flask's request object: Debian's python3-werkzeug) that answers with
# what a Flask view would read for the request it received: request.args, request.form,
# request.values (the query's values first, then the form's: Flask's request.values.get), the
# files' names, and the JSON body (get_json(silent=True)). Run behind Envoy as the service.
import json
import sys
from importlib.metadata import version

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def first(multi):
    return {k: multi.getlist(k)[0] for k in multi.keys()}


@Request.application
def app(request):
    out = {"method": request.method}
    try:
        out["args"] = first(request.args)
        out["form"] = first(request.form)
        out["values"] = first(request.values)
        out["files"] = list(request.files.keys())
        doc = request.get_json(silent=True, force=False)
        out["json"] = doc if isinstance(doc, dict) else None
    except Exception as e:  # a parse error is the framework refusing the request
        out["error"] = type(e).__name__ + ": " + str(e)[:120]
    out["identity"] = {k: v for k, v in request.environ.items() if isinstance(v, str) and ("MESHGUARD" in k or "FORWARDED_CLIENT_CERT" in k)}
    return Response(json.dumps(out), content_type="application/json")


server = make_server("127.0.0.1", 0, app, threaded=True)
print(f"listening {server.server_port} werkzeug {version('werkzeug')} python {sys.version.split()[0]}", flush=True)
server.serve_forever()
