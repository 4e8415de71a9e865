#!/usr/bin/env python3
"""Wire conformance: drive the official `anthropic` Python SDK (2.14.0) against `overseer sim`.

Every response body and stream frame the script can provoke is validated with the SDK's own
pydantic types in strict mode, and checked recursively for fields the SDK types do not declare
(the SDK models accept extras silently, so this walks the model fields itself).

usage: conformance.py PATH/TO/overseer
Exit status is non-zero when anything mismatches; the last line is "N passed, M failed".
"""

import importlib
import json
import subprocess
import sys
import time
import types as pytypes
import typing

import anthropic
import httpx2 as httpx  # the HTTP library the SDK itself uses
import pydantic
from pydantic import BaseModel, TypeAdapter

SDK_VERSION = "2.14.0"
MODULES = [
    "anthropic.types.beta",
    "anthropic.types.beta.sessions",
    "anthropic.types.beta.memory_stores",
    "anthropic.types.beta.agents",
    "anthropic.types.shared",
]


def sdk_type(name):
    for mod in MODULES:
        m = importlib.import_module(mod)
        if hasattr(m, name):
            return getattr(m, name)
    raise LookupError(f"SDK {anthropic.__version__} has no type {name}")


Agent = sdk_type("BetaManagedAgentsAgent")
Environment = sdk_type("BetaEnvironment")
Session = sdk_type("BetaManagedAgentsSession")
DeletedSession = sdk_type("BetaManagedAgentsDeletedSession")
SessionEvent = sdk_type("BetaManagedAgentsSessionEvent")
StreamEvent = sdk_type("BetaManagedAgentsStreamSessionEvents")
StreamThreadEvent = sdk_type("BetaManagedAgentsStreamSessionThreadEvents")
SendEvents = sdk_type("BetaManagedAgentsSendSessionEvents")
Thread = sdk_type("BetaManagedAgentsSessionThread")
MemoryStore = sdk_type("BetaManagedAgentsMemoryStore")
DeletedMemoryStore = sdk_type("BetaManagedAgentsDeletedMemoryStore")
Memory = sdk_type("BetaManagedAgentsMemory")
MemoryListItem = sdk_type("BetaManagedAgentsMemoryListItem")
DeletedMemory = sdk_type("BetaManagedAgentsDeletedMemory")
MemoryVersion = sdk_type("BetaManagedAgentsMemoryVersion")
Dream = sdk_type("BetaDream")
Deployment = sdk_type("BetaManagedAgentsDeployment")
DeploymentRun = sdk_type("BetaManagedAgentsDeploymentRun")
ErrorResponse = sdk_type("ErrorResponse")
ErrorDetails = sdk_type("ErrorDetails")
BETAS = "managed-agents-2026-04-01,agent-memory-2026-07-22,dreaming-2026-04-21"


class Report:
    def __init__(self):
        self.passed = 0
        self.failures = []

    def ok(self):
        self.passed += 1

    def fail(self, where, what):
        self.failures.append(f"{where}: {what}")
        print(f"FAIL {where}: {what}", flush=True)


R = Report()
PINGS = [0]

# ---------------------------------------------------------------------------------------------
# Recursive "no undeclared field" check


def unwrap(t):
    while True:
        origin = typing.get_origin(t)
        if origin is typing.Annotated:
            t = typing.get_args(t)[0]
            continue
        return t


def is_union(t):
    o = typing.get_origin(t)
    return o is typing.Union or o is pytypes.UnionType


def model_type_literals(m):
    f = m.model_fields.get("type")
    if f is None:
        return None
    t = unwrap(f.annotation)
    if typing.get_origin(t) is typing.Literal:
        return set(typing.get_args(t))
    return None


_ADAPTERS = {}


def adapter(t):
    """One TypeAdapter per type: building one for the big event unions costs tens of
    milliseconds, and rebuilding it per event made the run take many minutes."""
    key = id(t)
    hit = _ADAPTERS.get(key)
    if hit is None:
        hit = _ADAPTERS[key] = (t, TypeAdapter(t))
    return hit[1]


def strict_ok(t, value):
    try:
        adapter(t).validate_json(json.dumps(value), strict=True)
        return True
    except pydantic.ValidationError:
        return False


def extras(value, t, path, out):
    t = unwrap(t)
    if t is None or t is typing.Any or t is object:
        return
    if is_union(t):
        members = [unwrap(a) for a in typing.get_args(t) if a is not type(None)]
        if value is None:
            return
        models = [m for m in members if isinstance(m, type) and issubclass(m, BaseModel)]
        if isinstance(value, dict) and models:
            tag = value.get("type")
            tagged = [m for m in models if tag is not None and tag in (model_type_literals(m) or ())]
            candidates = tagged or [m for m in models if strict_ok(m, value)] or models[:1]
            extras(value, candidates[0], path, out)
            return
        for m in members:
            if strict_ok(m, value):
                extras(value, m, path, out)
                return
        return
    origin = typing.get_origin(t)
    if origin in (list, typing.List) and isinstance(value, list):
        (item,) = typing.get_args(t) or (typing.Any,)
        for i, v in enumerate(value):
            extras(v, item, f"{path}[{i}]", out)
        return
    if origin in (dict, typing.Dict) and isinstance(value, dict):
        args = typing.get_args(t)
        if len(args) == 2:
            for k, v in value.items():
                extras(v, args[1], f"{path}.{k}", out)
        return
    if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(value, dict):
        fields = {}
        for name, f in t.model_fields.items():
            fields[f.alias or name] = f
        for k, v in value.items():
            if k not in fields:
                out.append(f"{path}.{k} is not a field of {t.__name__}")
            else:
                extras(v, fields[k].annotation, f"{path}.{k}", out)


def validate(where, value, t):
    """Strict validation of one JSON value against an SDK type, plus the extra-field walk."""
    raw = json.dumps(value)
    try:
        adapter(t).validate_json(raw, strict=True)
    except pydantic.ValidationError as e:
        msgs = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()[:6])
        R.fail(where, f"strict validation failed: {msgs}")
        return False
    found = []
    extras(value, t, "$", found)
    if found:
        R.fail(where, "; ".join(found[:8]))
        return False
    R.ok()
    return True


def check_headers(where, headers):
    rid = headers.get("request-id", "")
    if not rid.startswith("req_"):
        R.fail(where, f"missing or malformed request-id header: {rid!r}")
    else:
        R.ok()


def check_object(where, raw_response, t):
    check_headers(where, raw_response.headers)
    body = json.loads(raw_response.text())
    raw_response.parse()  # the SDK itself must accept it
    validate(where, body, t)
    return body


def check_page(where, raw_response, item_type, bidirectional=False):
    check_headers(where, raw_response.headers)
    body = json.loads(raw_response.text())
    raw_response.parse()
    want = {"data", "next_page"} | ({"prev_page"} if bidirectional else set())
    if set(body) != want:
        R.fail(where, f"page envelope keys {sorted(body)} != {sorted(want)}")
    else:
        R.ok()
    for i, item in enumerate(body.get("data", [])):
        validate(f"{where}[{i}]", item, item_type)
    return body


ErrorType = sdk_type("ErrorType")
ERROR_OBJECT_TAGS = {t for m in typing.get_args(unwrap(sdk_type("ErrorObject"))) for t in (model_type_literals(m) or ())}


def validate_error_body(where, body):
    """`ErrorResponse`'s union of error objects lacks some members of the SDK's own `ErrorType`
    (the memory 409s, `conflict_error`, `timeout_error`); those are checked as the same object
    shape with the type checked against `ErrorType`. `error.details` is what the SDK's
    exceptions read (`ErrorDetails`, by `error_code`); `conflicting_memory_id` is the memory
    path conflict's pointer to the memory already there (api-guide §1.3)."""
    body = json.loads(json.dumps(body))
    kind = body.get("error", {}).get("type") if isinstance(body.get("error"), dict) else None
    err = body.get("error") if isinstance(body.get("error"), dict) else {}
    if "details" in err:
        validate(f"{where} details", err.pop("details"), ErrorDetails)
    if kind == "memory_path_conflict_error" and "conflicting_memory_id" in err:
        cid = err.pop("conflicting_memory_id")
        (R.ok() if isinstance(cid, str) and cid.startswith("mem_") else R.fail(where, f"conflicting_memory_id {cid!r}"))
    if kind in ERROR_OBJECT_TAGS:
        return validate(where, body, ErrorResponse)
    try:
        adapter(ErrorType).validate_python(kind, strict=True)
    except pydantic.ValidationError:
        R.fail(where, f"error.type {kind!r} is not an SDK ErrorType")
        return False
    shaped = json.loads(json.dumps(body))
    shaped["error"]["type"] = "invalid_request_error"
    return validate(where, shaped, ErrorResponse)


def expect_error(where, fn, status, error_type, message=None, error_code=None):
    try:
        fn()
    except anthropic.APIStatusError as e:
        if e.status_code != status:
            R.fail(where, f"status {e.status_code}, expected {status}")
            return
        body = e.response.json()
        validate_error_body(f"{where} body", body)
        if body.get("error", {}).get("type") != error_type:
            R.fail(where, f"error.type {body.get('error', {}).get('type')!r}, expected {error_type!r}")
        elif message is not None and body["error"].get("message") != message:
            R.fail(where, f"message {body['error'].get('message')!r}, expected {message!r}")
        elif error_code is not None and getattr(e, "error_code", None) != error_code:
            R.fail(where, f"the SDK read error_code {getattr(e, 'error_code', None)!r}, expected {error_code!r}")
        elif body.get("request_id") != e.response.headers.get("request-id"):
            R.fail(where, "request_id in the body differs from the request-id header")
        else:
            R.ok()
        return
    R.fail(where, f"expected HTTP {status} {error_type}, got success")


# ---------------------------------------------------------------------------------------------
# Streams


def raw_stream(base, path, until, timeout, deltas=("agent.message", "agent.thinking"), opened=None):
    """Read SSE frames from `path` until `until(data)` is true or `timeout` seconds pass.
    Returns the list of (event, data) pairs (pings excluded) and how many pings were seen."""
    q = "&".join(f"event_deltas[]={d}" for d in deltas)
    frames, pings = [], 0
    deadline = time.time() + timeout
    with httpx.Client(timeout=httpx.Timeout(timeout, read=timeout)) as h:
        with h.stream("GET", f"{base}{path}?{q}", headers={"accept": "application/json", "anthropic-version": "2023-06-01", "anthropic-beta": BETAS}) as resp:
            if resp.status_code != 200:
                R.fail(path, f"stream HTTP {resp.status_code}")
                return frames, pings
            if not resp.headers.get("content-type", "").startswith("text/event-stream"):
                R.fail(path, f"content-type {resp.headers.get('content-type')!r}")
            if opened:
                opened()
            event, data = None, []
            for line in resp.iter_lines():
                if time.time() > deadline:
                    break
                if line == "":
                    if event == "ping":
                        pings += 1
                    elif event is not None or data:
                        frames.append((event, "\n".join(data)))
                        try:
                            if until(json.loads("\n".join(data))):
                                break
                        except json.JSONDecodeError:
                            pass
                    event, data = None, []
                    continue
                if line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value[1:] if value.startswith(" ") else value
                if field == "event":
                    event = value
                elif field == "data":
                    data.append(value)
    return frames, pings


def check_frames(where, frames, union):
    seen = set()
    for i, (event, data) in enumerate(frames):
        if event is None:
            R.fail(f"{where} frame {i}", "frame without an event: line")
            continue
        try:
            value = json.loads(data)
        except json.JSONDecodeError as e:
            R.fail(f"{where} frame {i}", f"data is not JSON: {e}")
            continue
        if value.get("type") != event:
            R.fail(f"{where} frame {i}", f"event: {event!r} but data.type {value.get('type')!r}")
            continue
        seen.add(event)
        validate(f"{where} frame {i} ({event})", value, union)
    return seen


# ---------------------------------------------------------------------------------------------


def start_sim(binary, *extra):
    proc = subprocess.Popen(
        [binary, "sim", "--seed", "7", "--speed", "20", "--heartbeat", "1", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if not line.startswith("listening on http://"):
        proc.kill()
        raise SystemExit(f"simulator did not announce itself: {line!r} {proc.stderr.read()}")
    return proc, line.removeprefix("listening on ")


def wait_for(fn, timeout=30.0, step=0.2):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return None


def run(binary):
    if anthropic.__version__ != SDK_VERSION:
        # Another SDK's types prove nothing about this one: a wrong version is a failure.
        R.fail("SDK version", f"anthropic {anthropic.__version__} installed, conformance targets {SDK_VERSION}")
        return
    proc, base = start_sim(binary)
    try:
        exercise(base)
    finally:
        proc.kill()
    # The firehose scenario's hand-built history and its live burst.
    proc, base = start_sim(binary, "--scenario", "firehose", "--events", "600")
    try:
        c = anthropic.Anthropic(base_url=base, api_key="sk-ant-sim", max_retries=0)
        sid = c.beta.sessions.list().data[0].id
        frames, _ = raw_stream(base, f"/v1/sessions/{sid}/events/stream", lambda d: False, 3)
        seen = check_frames("firehose stream", frames, StreamEvent)
        (R.ok() if len(frames) > 20 else R.fail("firehose stream", f"only {len(frames)} frames in the burst"))
        page = check_page("firehose events.list", c.beta.sessions.events.with_raw_response.list(sid, limit=1000), SessionEvent)
        # Exactly --events N history events plus the one fixed live burst (1002), then idle for good.
        idle = wait_for(lambda: c.beta.sessions.retrieve(sid).status == "idle" and sum(1 for _ in c.beta.sessions.events.list(sid, limit=1000)) == 1602, 60, 0.5)
        n = sum(1 for _ in c.beta.sessions.events.list(sid, limit=1000))
        (R.ok() if idle and n == 1602 else R.fail("firehose", f"{n} history events, expected exactly 600 + 1002"))
        time.sleep(2)
        n = sum(1 for _ in c.beta.sessions.events.list(sid, limit=1000))
        (R.ok() if n == 1602 else R.fail("firehose", f"{n} history events after the burst ended: it did not stay idle"))
    finally:
        proc.kill()
    # Authentication: only the configured key is accepted, as Bearer or x-api-key.
    proc, base = start_sim(binary, "--api-key", "sk-ant-sim-right")
    try:
        wrong = anthropic.Anthropic(base_url=base, api_key="sk-ant-sim-wrong", max_retries=0)
        expect_error("401 wrong key", lambda: wrong.beta.sessions.list(), 401, "authentication_error")
        right = anthropic.Anthropic(base_url=base, api_key="sk-ant-sim-right", max_retries=0)
        check_page("sessions.list (Bearer key)", right.beta.sessions.with_raw_response.list(limit=2), Session, True)
        r = httpx.get(f"{base}/v1/agents", headers={"x-api-key": "sk-ant-sim-right", "anthropic-beta": BETAS})
        if r.status_code == 200:
            R.ok()
        else:
            R.fail("x-api-key auth", f"HTTP {r.status_code}")
    finally:
        proc.kill()


def exercise(base):
    c = anthropic.Anthropic(base_url=base, api_key="sk-ant-sim", max_retries=0)
    b = c.beta

    # --- agents, environments
    agents = check_page("agents.list", b.agents.with_raw_response.list(limit=100), Agent)["data"]
    for a in agents:
        check_object(f"agents.retrieve {a['name']}", b.agents.with_raw_response.retrieve(a["id"]), Agent)
        versions = check_page(f"agents.versions.list {a['name']}", b.agents.versions.with_raw_response.list(a["id"]), Agent)["data"]
        if [v["version"] for v in versions] != list(range(a["version"], 0, -1)):
            R.fail(f"agents.versions.list {a['name']}", f"versions {[v['version'] for v in versions]}, expected {a['version']}..1")
        for v in versions:
            check_object(f"agents.retrieve {a['name']} version={v['version']}", b.agents.with_raw_response.retrieve(a["id"], version=v["version"]), Agent)
        expect_error(f"404 agents.retrieve {a['name']} unknown version", lambda: b.agents.retrieve(a["id"], version=a["version"] + 1), 404, "not_found_error")
    revised = [a for a in agents if a["version"] > 1]
    (R.ok() if revised else R.fail("agents", "no agent has a second version: the versions checks prove little"))
    envs = check_page("environments.list", b.environments.with_raw_response.list(), Environment)["data"]
    for e in envs:
        check_object(f"environments.retrieve {e['name']}", b.environments.with_raw_response.retrieve(e["id"]), Environment)
    by_name = {a["name"]: a["id"] for a in agents}
    env = envs[0]["id"]

    # --- sessions: every page, every session, every event
    first = check_page("sessions.list limit=5", b.sessions.with_raw_response.list(limit=5), Session, True)
    if first["next_page"]:
        second = check_page("sessions.list page 2", b.sessions.with_raw_response.list(limit=5, page=first["next_page"]), Session, True)
        if second["prev_page"]:
            check_page("sessions.list prev_page", b.sessions.with_raw_response.list(limit=5, page=second["prev_page"]), Session, True)
        else:
            R.fail("sessions.list page 2", "no prev_page: the prev_page check could not run")
    else:
        R.fail("sessions.list limit=5", "no next_page on a demo with more than 5 sessions: the paging checks could not run")
    check_page("sessions.list statuses[]", b.sessions.with_raw_response.list(statuses=["idle", "running", "rescheduling", "terminated"], order="asc", limit=100), Session, True)
    check_page("sessions.list created_at[gte]", b.sessions.with_raw_response.list(created_at_gte="2020-01-01T00:00:00+00:00", agent_id=by_name["Repo Engineer"]), Session, True)
    all_sessions = check_page("sessions.list include_archived", b.sessions.with_raw_response.list(include_archived=True, limit=100), Session, True)["data"]
    titles = {s["title"]: s for s in all_sessions}
    # The event variety the dashboard must handle, all in the demo's history within seconds.
    wait_for(lambda: any(e.type == "agent.mcp_tool_result" and e.is_error for e in b.sessions.events.list(titles["Clean up merged branches in acme/app"]["id"], limit=1000)) if "Clean up merged branches in acme/app" in titles else True, 30)
    variety = set()
    for s in all_sessions:
        check_object(f"sessions.retrieve {s['title']}", b.sessions.with_raw_response.retrieve(s["id"]), Session)
        page = check_page(f"events.list {s['title']}", b.sessions.events.with_raw_response.list(s["id"], limit=1000), SessionEvent)
        while True:
            for e in page["data"]:
                if e["type"] == "session.status_idle":
                    variety.add(f"idle {e['stop_reason']['type']}")
                elif e["type"] == "session.error":
                    variety.add(f"error {e['error']['retry_status']['type']}")
                elif e["type"] in ("agent.tool_use", "agent.mcp_tool_use"):
                    variety.add(f"permission {e.get('evaluated_permission')}")
                else:
                    variety.add(e["type"])
            if not page["next_page"]:
                break
            page = check_page(f"events.list {s['title']} (next)", b.sessions.events.with_raw_response.list(s["id"], limit=1000, page=page["next_page"]), SessionEvent)
    for needed in ["idle refusal", "idle retries_exhausted", "idle budget_reached", "idle requires_action", "error terminal", "error exhausted", "error retrying",
                   "permission deny", "permission ask", "agent.thread_context_compacted", "session.status_terminated", "session.status_rescheduled"]:
        (R.ok() if needed in variety else R.fail("demo history", f"never saw {needed}"))
    coder = titles["Fix invoice rounding for multi-currency carts"]["id"]
    check_page("events.list types[] order=desc", b.sessions.events.with_raw_response.list(coder, types=["agent.tool_use", "session.status_idle"], order="desc", limit=7), SessionEvent)
    check_page("events.list created_at[gt]", b.sessions.events.with_raw_response.list(coder, created_at_gt="2020-01-01T00:00:00Z", limit=3), SessionEvent)

    # --- threads of the multiagent session
    lead = titles["Market sizing: observability platforms 2026"]["id"]
    threads = check_page("threads.list", b.sessions.threads.with_raw_response.list(lead), Thread)["data"]
    for t in threads:
        check_object("threads.retrieve", b.sessions.threads.with_raw_response.retrieve(t["id"], session_id=lead), Thread)
        check_page("threads.events.list", b.sessions.threads.events.with_raw_response.list(t["id"], session_id=lead), SessionEvent)
    child = next((t for t in threads if t["parent_thread_id"]), None)
    if not child:
        R.fail("threads.list", "the multiagent session has no sub-agent thread: the thread stream and archive checks could not run")
    if child:
        frames, pings = raw_stream(base, f"/v1/sessions/{lead}/threads/{child['id']}/stream", lambda d: False, 6)
        PINGS[0] += pings
        check_frames("thread stream", frames, StreamThreadEvent)

    # --- a fresh session: create, update, send, stream
    sess = check_object("sessions.create", b.sessions.with_raw_response.create(agent=by_name["Deep Researcher"], environment_id=env, title="Conformance run", metadata={"suite": "conformance"}), Session)
    sid = sess["id"]
    check_object("sessions.update", b.sessions.with_raw_response.update(sid, title="Conformance run (renamed)", metadata={"suite": None, "k": "v"}), Session)
    rid = by_name["Repo Engineer"]
    stores_now = b.memory_stores.list(limit=100).data
    pinned = check_object("sessions.create agent version", b.sessions.with_raw_response.create(agent={"type": "agent", "id": rid, "version": 1}, environment_id=env, vault_ids=["vlt_01Conformance"], resources=[
        {"type": "github_repository", "url": "https://github.com/acme/app", "authorization_token": "ghp_x", "checkout": {"type": "commit", "sha": "4f1c2a9"}},
        {"type": "file", "file_id": "file_011Conformance"},
        {"type": "memory_store", "memory_store_id": stores_now[0].id, "access": "read_only"},
    ]), Session)
    (R.ok() if pinned["agent"]["version"] == 1 else R.fail("sessions.create agent version", f"agent.version {pinned['agent']['version']}"))
    check_object("sessions.create agent_with_overrides", b.sessions.with_raw_response.create(agent={"type": "agent_with_overrides", "id": rid, "model": "claude-opus-5-5", "system": "Be brief.", "tools": [{"type": "custom", "name": "lookup", "description": "Look it up.", "input_schema": {"type": "object"}}]}, environment_id=env), Session)
    check_object("sessions.update agent", b.sessions.with_raw_response.update(pinned["id"], agent={"tools": [{"type": "custom", "name": "deploy", "description": "Deploy.", "input_schema": {"type": "object"}}], "mcp_servers": []}), Session)
    expect_error("404 sessions.create unknown agent version", lambda: b.sessions.create(agent={"type": "agent", "id": rid, "version": 99}, environment_id=env), 404, "not_found_error")
    expect_error("404 sessions.create unknown environment", lambda: b.sessions.create(agent=rid, environment_id="env_01DoesNotExist"), 404, "not_found_error", error_code="environment_not_found")
    expect_error("400 sessions.create bad metadata", lambda: b.sessions.create(agent=rid, environment_id=env, metadata={f"k{i}": "v" for i in range(17)}), 400, "invalid_request_error", error_code="invalid_metadata")
    expect_error("400 system.message alone", lambda: b.sessions.events.send(pinned["id"], events=[{"type": "system.message", "content": [{"type": "text", "text": "x"}]}]), 400, "invalid_request_error",
                 "system.message must immediately follow the user.message, user.tool_result or user.custom_tool_result it accompanies")
    cloud = next((e["id"] for e in envs if e["config"]["type"] == "cloud"), env)
    cloud_session = b.sessions.create(agent=rid, environment_id=cloud)
    expect_error("400 user.tool_result on a cloud session", lambda: b.sessions.events.send(cloud_session.id, events=[{"type": "user.tool_result", "tool_use_id": "sevt_01x"}]), 400, "invalid_request_error",
                 "user.tool_result: only accepted on sessions in a self_hosted environment; in a cloud environment the sandbox runs the tools and answers them itself")
    check_object("events.send user.message + system.message", b.sessions.events.with_raw_response.send(cloud_session.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "Fix it."}]}, {"type": "system.message", "content": [{"type": "text", "text": "Be terse."}]}]), SendEvents)
    expect_error("409 sessions.update agent while running", lambda: b.sessions.update(cloud_session.id, agent={"tools": []}), 409, "conflict_error")
    sent = {}

    def kick():
        sent["msg"] = check_object("events.send user.message", b.sessions.events.with_raw_response.send(sid, events=[{"type": "user.message", "content": [{"type": "text", "text": "Compare three open-source vector databases."}]}]), SendEvents)

    frames, pings = raw_stream(base, f"/v1/sessions/{sid}/events/stream", lambda d: d.get("type") == "session.status_idle", 60, opened=kick)
    seen = check_frames("session stream", frames, StreamEvent)
    for needed in ["user.message", "session.status_running", "span.model_request_start", "event_start", "event_delta", "agent.message", "agent.tool_use", "agent.tool_result", "span.model_request_end", "session.usage", "session.status_idle"]:
        if needed in seen:
            R.ok()
        else:
            R.fail("session stream", f"never saw {needed}")
    PINGS[0] += pings
    # The SDK's own stream parser over the second path.
    def outcome():
        check_object("events.send user.define_outcome", b.sessions.events.with_raw_response.send(sid, events=[{"type": "user.define_outcome", "description": "A cited comparison table", "rubric": {"type": "text", "content": "Every figure cited"}, "max_iterations": 2}]), SendEvents)

    frames, _ = raw_stream(base, f"/v1/sessions/{sid}/stream", lambda d: d.get("type") == "span.outcome_evaluation_end", 60, opened=outcome)
    seen = check_frames("session /stream path", frames, StreamEvent)
    for needed in ["user.define_outcome", "span.outcome_evaluation_start", "span.outcome_evaluation_ongoing", "span.outcome_evaluation_end"]:
        (R.ok() if needed in seen else R.fail("outcome stream", f"never saw {needed}"))
    n = 0
    with b.sessions.events.stream(sid, event_deltas=["agent.message"], timeout=60) as stream:
        # New work and an interrupt: an idle always follows, whether or not the outcome's
        # turn already ended (an interrupt alone to an idle session emits nothing to wait for).
        b.sessions.events.send(sid, events=[{"type": "user.message", "content": [{"type": "text", "text": "One more source, please."}]}, {"type": "user.interrupt"}])
        for ev in stream:
            n += 1
            if getattr(ev, "type", "") == "session.status_idle" or n > 200:
                break
    (R.ok() if n > 0 else R.fail("SDK stream", "no events parsed by the SDK"))
    check_object("sessions.retrieve after outcome", b.sessions.with_raw_response.retrieve(sid), Session)

    # Approvals: a coder session that asks twice.
    cs = b.sessions.create(agent=by_name["Repo Engineer"], environment_id=env, title="Conformance approvals")
    frames, _ = raw_stream(base, f"/v1/sessions/{cs.id}/events/stream", lambda d: d.get("type") == "session.status_idle" and d["stop_reason"]["type"] == "requires_action", 60,
                           opened=lambda: b.sessions.events.send(cs.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "Fix the flaky test."}]}]))
    check_frames("approval stream", frames, StreamEvent)
    pending = wait_for(lambda: [e for e in b.sessions.events.list(cs.id, types=["session.status_idle"], order="desc", limit=1).data if e.stop_reason.type == "requires_action"])
    if pending:
        ids = pending[0].stop_reason.event_ids
        expect_error("400 custom result for a tool use", lambda: b.sessions.events.send(cs.id, events=[{"type": "user.custom_tool_result", "custom_tool_use_id": ids[0], "content": [{"type": "text", "text": "x"}]}]), 400, "invalid_request_error")
        expect_error("400 unknown tool use", lambda: b.sessions.events.send(cs.id, events=[{"type": "user.tool_confirmation", "tool_use_id": "sevt_01DoesNotExist", "result": "allow"}]), 400, "invalid_request_error")
        check_object("events.send tool_confirmation allow", b.sessions.events.with_raw_response.send(cs.id, events=[{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "allow"}]), SendEvents)
        expect_error("400 already answered", lambda: b.sessions.events.send(cs.id, events=[{"type": "user.tool_confirmation", "tool_use_id": ids[0], "result": "deny"}]), 400, "invalid_request_error")
        if len(ids) > 1:
            check_object("events.send tool_confirmation deny", b.sessions.events.with_raw_response.send(cs.id, events=[{"type": "user.tool_confirmation", "tool_use_id": ids[1], "result": "deny", "deny_message": "not now"}]), SendEvents)
        else:
            R.fail("approvals", f"the coder asked for {len(ids)} call(s), expected 2: the deny check could not run")
    else:
        R.fail("approvals", "the coder session never asked for approval")
    # Custom tool result.
    ss = b.sessions.create(agent=by_name["Support Concierge"], environment_id=env, title="Conformance custom tool")
    b.sessions.events.send(ss.id, events=[{"type": "user.message", "content": [{"type": "text", "text": "Where is order A-1?"}]}])
    custom = wait_for(lambda: b.sessions.events.list(ss.id, types=["agent.custom_tool_use"]).data)
    if custom:
        expect_error("400 confirmation for a custom tool use", lambda: b.sessions.events.send(ss.id, events=[{"type": "user.tool_confirmation", "tool_use_id": custom[0].id, "result": "allow"}]), 400, "invalid_request_error")
        check_object("events.send custom_tool_result", b.sessions.events.with_raw_response.send(ss.id, events=[{"type": "user.custom_tool_result", "custom_tool_use_id": custom[0].id, "content": [{"type": "text", "text": "{\"status\": \"shipped\"}"}]}]), SendEvents)
    else:
        R.fail("custom tool", "no agent.custom_tool_use")
    for s_id in (ss.id, cs.id, sid):
        check_page("events.list after actions", b.sessions.events.with_raw_response.list(s_id), SessionEvent)
    # Archive and delete an idle session.
    idle = wait_for(lambda: b.sessions.retrieve(sid).status == "idle")
    if idle:
        check_object("sessions.archive", b.sessions.with_raw_response.archive(sid), Session)
        check_object("sessions.delete", b.sessions.with_raw_response.delete(sid), DeletedSession)
    else:
        R.fail("sessions.archive", "the session never went idle: the archive and delete checks could not run")
    # Deleting a session ends its open streams with session.deleted.
    ds = b.sessions.create(agent=by_name["Docs Writer"], environment_id=env, title="Conformance delete")
    frames, _ = raw_stream(base, f"/v1/sessions/{ds.id}/events/stream", lambda d: d.get("type") == "session.deleted", 15,
                           opened=lambda: b.sessions.delete(ds.id))
    seen = check_frames("deleted stream", frames, StreamEvent)
    (R.ok() if "session.deleted" in seen else R.fail("deleted stream", "no session.deleted frame"))
    if child:
        check_object("threads.archive", b.sessions.threads.with_raw_response.archive(child["id"], session_id=lead), Thread)
    expect_error("404 session", lambda: b.sessions.retrieve("sesn_01DoesNotExist000000000000"), 404, "not_found_error")
    expect_error("400 bad cursor", lambda: b.sessions.list(page="page_nonsense"), 400, "invalid_request_error")

    # --- memory
    stores = check_page("memory_stores.list", b.memory_stores.with_raw_response.list(limit=100), MemoryStore)["data"]
    for s in stores:
        check_object("memory_stores.retrieve", b.memory_stores.with_raw_response.retrieve(s["id"]), MemoryStore)
        check_page("memories.list basic", b.memory_stores.memories.with_raw_response.list(s["id"], limit=100), MemoryListItem)
        check_page("memories.list full", b.memory_stores.memories.with_raw_response.list(s["id"], view="full", limit=20), MemoryListItem)
        check_page("memories.list depth=1", b.memory_stores.memories.with_raw_response.list(s["id"], depth=1, path_prefix="/"), MemoryListItem)
        versions = check_page("memory_versions.list", b.memory_stores.memory_versions.with_raw_response.list(s["id"], limit=100), MemoryVersion)["data"]
        for v in versions[:5]:
            check_object("memory_versions.retrieve", b.memory_stores.memory_versions.with_raw_response.retrieve(v["id"], memory_store_id=s["id"]), MemoryVersion)
    ms = check_object("memory_stores.create", b.memory_stores.with_raw_response.create(name="conformance", description="made by the conformance run"), MemoryStore)
    check_object("memory_stores.update", b.memory_stores.with_raw_response.update(ms["id"], description="updated", metadata={"a": "b"}), MemoryStore)
    mem = check_object("memories.create", b.memory_stores.memories.with_raw_response.create(ms["id"], path="/notes/a.md", content="hello"), Memory)
    expect_error("409 path conflict", lambda: b.memory_stores.memories.create(ms["id"], path="/notes/a.md", content="again"), 409, "memory_path_conflict_error")
    check_object("memories.retrieve", b.memory_stores.memories.with_raw_response.retrieve(mem["id"], memory_store_id=ms["id"]), Memory)
    up = check_object("memories.update precondition", b.memory_stores.memories.with_raw_response.update(mem["id"], memory_store_id=ms["id"], content="hello world", precondition={"type": "content_sha256", "content_sha256": mem["content_sha256"]}), Memory)
    expect_error("409 precondition", lambda: b.memory_stores.memories.update(mem["id"], memory_store_id=ms["id"], content="lost update", precondition={"type": "content_sha256", "content_sha256": mem["content_sha256"]}), 409, "memory_precondition_failed_error")
    check_object("memories.update rename", b.memory_stores.memories.with_raw_response.update(mem["id"], memory_store_id=ms["id"], path="/notes/b.md"), Memory)
    vs = b.memory_stores.memory_versions.list(ms["id"], memory_id=mem["id"]).data
    if vs:
        check_object("memory_versions.redact", b.memory_stores.memory_versions.with_raw_response.redact(vs[-1].id, memory_store_id=ms["id"]), MemoryVersion)
    else:
        R.fail("memory_versions.list", "a written memory has no versions: the redact check could not run")
    expect_error("409 delete precondition", lambda: b.memory_stores.memories.delete(mem["id"], memory_store_id=ms["id"], expected_content_sha256="0" * 64), 409, "memory_precondition_failed_error")
    check_object("memories.delete", b.memory_stores.memories.with_raw_response.delete(mem["id"], memory_store_id=ms["id"], expected_content_sha256=up["content_sha256"]), DeletedMemory)
    check_object("memory_stores.archive", b.memory_stores.with_raw_response.archive(ms["id"]), MemoryStore)
    check_object("memory_stores.delete", b.memory_stores.with_raw_response.delete(ms["id"]), DeletedMemoryStore)

    # --- dreams
    dreams = check_page("dreams.list", b.dreams.with_raw_response.list(include_archived=True), Dream)["data"]
    check_page("dreams.list statuses[]", b.dreams.with_raw_response.list(statuses=["completed", "failed"]), Dream)
    for d in dreams:
        check_object(f"dreams.retrieve {d['status']}", b.dreams.with_raw_response.retrieve(d["id"]), Dream)
    done = next((d for d in dreams if d["status"] == "completed"), None)
    if done:
        check_object("dreams.archive", b.dreams.with_raw_response.archive(done["id"]), Dream)
    else:
        R.fail("dreams.list", "no completed dream in the demo: the archive check could not run")
    nd = check_object("dreams.create", b.dreams.with_raw_response.create(
        inputs=[{"type": "memory_store", "memory_store_id": stores[0]["id"]}, {"type": "sessions", "session_ids": [coder]}],
        model="claude-opus-5-5", instructions="Consolidate."), Dream)
    check_object("dreams.cancel", b.dreams.with_raw_response.cancel(nd["id"]), Dream)
    target = stores[-1]["id"]
    in_place = dict(inputs=[{"type": "memory_store", "memory_store_id": target}, {"type": "sessions", "session_ids": [coder]}],
                    model={"id": "claude-opus-5-5"}, output_behavior={"type": "update_existing", "memory_store_id": target})
    ud = check_object("dreams.create update_existing", b.dreams.with_raw_response.create(**in_place), Dream)
    expect_error("409 concurrent update_existing dream", lambda: b.dreams.create(**in_place), 409, "conflict_error")
    check_object("dreams.cancel update_existing", b.dreams.with_raw_response.cancel(ud["id"]), Dream)

    # --- deployments
    deps = check_page("deployments.list", b.deployments.with_raw_response.list(), Deployment)["data"]
    for d in deps:
        check_object("deployments.retrieve", b.deployments.with_raw_response.retrieve(d["id"]), Deployment)
    active = next((d for d in deps if d["status"] == "active"), deps[0])
    check_object("deployments.pause", b.deployments.with_raw_response.pause(active["id"]), Deployment)
    check_object("deployments.unpause", b.deployments.with_raw_response.unpause(active["id"]), Deployment)
    run_ = check_object("deployments.run", b.deployments.with_raw_response.run(active["id"]), DeploymentRun)
    check_object("deployment_runs.retrieve", b.deployment_runs.with_raw_response.retrieve(run_["id"]), DeploymentRun)
    check_page("deployment_runs.list", b.deployment_runs.with_raw_response.list(limit=100), DeploymentRun)
    check_page("deployment_runs.list has_error", b.deployment_runs.with_raw_response.list(has_error=True, trigger_type="schedule"), DeploymentRun)
    check_page("deployments.list status=paused", b.deployments.with_raw_response.list(status="paused"), Deployment)
    check_page("memory_versions.list filters", b.memory_stores.memory_versions.with_raw_response.list(stores[0]["id"], operation="modified", view="full"), MemoryVersion)
    check_object("deployments.archive", b.deployments.with_raw_response.archive(deps[-1]["id"]), Deployment)
    (R.ok() if PINGS[0] > 0 else R.fail("streams", "no `event: ping` heartbeat seen on any stream"))


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    started = time.time()
    try:
        run(sys.argv[1])
    except Exception as e:  # a crash is a failure with its reason, not a traceback wall
        import traceback
        traceback.print_exc()
        R.fail("conformance run", f"aborted: {e!r}")
    if R.failures:
        print("\nMismatches:")
        for f in R.failures:
            print(f"  - {f}")
    print(f"{R.passed} passed, {len(R.failures)} failed in {time.time() - started:.0f}s")
    return 1 if R.failures else 0


if __name__ == "__main__":
    sys.exit(main())
