"""Two `hotspot serve` replicas on one PostgreSQL partner directory behind nginx: what issue 17 promises, measured.
Usage: replicas_load.py PROXY REPLICA_A REPLICA_B PID_B TOKEN DELAY
PROXY and REPLICA_* are base URLs; PID_B is replica B's process (killed mid-load); DELAY the documented refresh
delay in seconds. Prints one JSON object; the Swift test (ReplicaTests.swift) judges it."""
import json, os, signal, sys, threading, time
from concurrent.futures import ThreadPoolExecutor
import requests

proxy, replica_a, replica_b, pid_b, token, delay = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5], float(sys.argv[6])
editor = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
report = {}
public_bodies = []  # every public answer's text, searched for private e-mail at the end


def public(url):
    answer = requests.get(url, timeout=30)
    public_bodies.append(answer.text)
    return answer


# 1. 100 concurrent edits through the proxy, so both replicas take some.
def create(i):
    body = {"id": f"rep-{i:03d}", "name": f"Replica partner {i}", "type": "research_institute", "country": "FR",
            "lon": -3.7 + i * 0.01, "lat": 40.4 + i * 0.01, "themes": ["policy"], "email": f"rep{i}@private.example.org"}
    answer = requests.post(proxy + "/v1/partners", headers=editor, data=json.dumps(body), timeout=60)
    return answer.status_code, answer.headers.get("X-Upstream", "")

with ThreadPoolExecutor(max_workers=25) as pool:
    results = list(pool.map(create, range(100)))
edited = time.monotonic()
report["create_statuses"] = {str(s): sum(1 for r in results if r[0] == s) for s in {r[0] for r in results}}
report["create_upstreams"] = {u: sum(1 for r in results if r[1] == u) for u in {r[1] for r in results}}


# 2. Every replica answers the same listing within the documented delay.
def listing(base):
    answer = public(base + "/v1/partners?limit=10000")
    ids = sorted(f["properties"]["id"] for f in answer.json()["features"])
    return ids, answer.text

converged = None
while time.monotonic() - edited < delay + 5:
    (ids_a, text_a), (ids_b, text_b) = listing(replica_a), listing(replica_b)
    if text_a == text_b and sum(1 for i in ids_a if i.startswith("rep-")) == 100:
        converged = time.monotonic() - edited
        break
    time.sleep(0.05)
report["converged_s"] = converged
report["listed"] = len(ids_a)

# 3. An edit on A, then a stale If-Match on B (B's snapshot may not know the edit yet: the store does).
first = requests.get(replica_a + "/v1/partners/rep-000", headers=editor, timeout=30)
old_tag = first.headers.get("ETag")
changed = dict(first.json()["properties"], name="Renamed on A")
changed = {k: v for k, v in changed.items() if k not in ("created", "updated")}
changed.update(lon=first.json()["geometry"]["coordinates"][0], lat=first.json()["geometry"]["coordinates"][1])
put_a = requests.put(replica_a + "/v1/partners/rep-000", headers=dict(editor, **{"If-Match": old_tag}),
                     data=json.dumps(changed), timeout=30)
changed["name"] = "Renamed on B"
put_b = requests.put(replica_b + "/v1/partners/rep-000", headers=dict(editor, **{"If-Match": old_tag}),
                     data=json.dumps(changed), timeout=30)
delete_b = requests.delete(replica_b + "/v1/partners/rep-000", headers=dict(editor, **{"If-Match": old_tag}), timeout=30)
new_tag = put_a.headers.get("ETag")
delete_fresh = requests.delete(replica_b + "/v1/partners/rep-099", headers=dict(editor, **{"If-Match": requests.get(
    replica_b + "/v1/partners/rep-099", headers=editor, timeout=30).headers.get("ETag")}), timeout=30)
report["if_match"] = {"put_fresh": put_a.status_code, "put_stale": put_b.status_code, "delete_stale": delete_b.status_code,
                      "delete_fresh": delete_fresh.status_code, "stale_type": put_b.headers.get("Content-Type"),
                      "tag_changed": bool(new_tag) and new_tag != old_tag}
time.sleep(delay + 0.5)
report["renamed_on_b"] = public(replica_b + "/v1/partners/rep-000").json()["properties"]["name"]

# 4. The run id addresses immutable tiles: nginx caches them, and never those that follow the served run.
run = public(proxy + "/health").json()["run_id"]
tile = f"/tiles/hotspot_class/2/1/1.png"
report["tile_cache"] = [requests.get(proxy + tile + f"?run={run}", timeout=30).headers.get("X-Cache-Status") for _ in range(2)] \
    + [requests.get(proxy + tile, timeout=30).headers.get("X-Cache-Status")]

# 5. Load through the proxy; replica B killed (SIGKILL) after a second of it.
paths = ["/v1/partners?bbox=-10,35,5,45&theme=policy", "/v1/partners/rep-010/neighbours?radius_km=100",
         "/v1/partners/rep-020", "/collections/partners/items?limit=50", "/v1/score?lon=-3.7&lat=40.4"]
stop, lock = threading.Event(), threading.Lock()
load = {"ok": 0, "failed": 0, "failed_after_kill": 0, "upstreams_after_kill": {}}
killed_at = [None]


def client(n):
    i = n
    session = requests.Session()
    while not stop.is_set():
        i += 1
        try:
            answer = session.get(proxy + paths[i % len(paths)], timeout=30)
            good = answer.status_code == 200
            if i % 10 == 0:
                public_bodies.append(answer.text)
        except requests.RequestException:
            good, answer = False, None
        with lock:
            load["ok" if good else "failed"] += 1
            if killed_at[0] is not None and time.monotonic() - killed_at[0] > 0.5:
                if not good:
                    load["failed_after_kill"] += 1
                elif answer is not None:
                    upstream = answer.headers.get("X-Upstream", "")
                    load["upstreams_after_kill"][upstream] = load["upstreams_after_kill"].get(upstream, 0) + 1

threads = [threading.Thread(target=client, args=(n,)) for n in range(8)]
for t in threads:
    t.start()
time.sleep(1.0)
with lock:
    before_kill = load["ok"]
os.kill(pid_b, signal.SIGKILL)
killed_at[0] = time.monotonic()
time.sleep(2.5)
stop.set()
for t in threads:
    t.join()
load["clients"] = len(threads)
load["ok_before_kill"] = before_kill
report["load"] = load

# 6. No private e-mail in any public answer seen.
report["public_answers"] = len(public_bodies)
report["private_leaks"] = sum(1 for text in public_bodies if "private.example.org" in text)
print(json.dumps(report))
