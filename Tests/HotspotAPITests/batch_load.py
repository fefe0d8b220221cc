"""Concurrent batch load on a real `hotspot serve`: starts the server (BINARY serve --config CONFIG --port PORT),
sends CONCURRENCY threads x ROUNDS POSTs of POINTS points each, and reports the server's resident memory before,
at its peak and after the load, with the statuses and Retry-After headers seen. Prints one JSON object.
Usage: batch_load.py BINARY CONFIG PORT CONCURRENCY ROUNDS POINTS"""
import json, random, subprocess, sys, threading, time
import requests

binary, config, port, concurrency, rounds, count = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
base = f"http://127.0.0.1:{port}"
server = subprocess.Popen([binary, "serve", "--config", config, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

def rss_mib():
    with open(f"/proc/{server.pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

try:
    for _ in range(300):
        try:
            if requests.get(base + "/health", timeout=1).status_code == 200:
                break
        except requests.RequestException:
            time.sleep(0.1)
    rng = random.Random(7)
    body = json.dumps({"points": [[rng.uniform(-10, 30), rng.uniform(35, 60)] for _ in range(count)]})
    # Warm up: the run's blocks in GDAL's cache, the thread pool started.
    first = requests.post(base + "/v1/score", data=body, headers={"Content-Type": "application/json"}, timeout=300)
    reference = first.json()
    time.sleep(1)
    before = rss_mib()
    peak = [before]
    statuses, retry_after, mismatches, lock = {}, set(), [0], threading.Lock()
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            peak[0] = max(peak[0], rss_mib())
            time.sleep(0.05)

    def client():
        session = requests.Session()
        for _ in range(rounds):
            answer = session.post(base + "/v1/score", data=body, headers={"Content-Type": "application/json"}, timeout=300)
            with lock:
                statuses[answer.status_code] = statuses.get(answer.status_code, 0) + 1
                if answer.status_code == 503:
                    retry_after.add(answer.headers.get("Retry-After"))
                elif answer.status_code == 200 and answer.json() != reference:
                    mismatches[0] += 1

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.monotonic()
    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - started
    stop.set()
    sampler.join()
    time.sleep(2)
    after = rss_mib()
    print(json.dumps({
        "before_mib": round(before, 1), "peak_mib": round(peak[0], 1), "after_mib": round(after, 1),
        "statuses": {str(k): v for k, v in statuses.items()}, "retry_after": sorted(r or "" for r in retry_after),
        "mismatches": mismatches[0], "seconds": round(seconds, 2), "answer_bytes": len(first.content),
        "health": requests.get(base + "/health", timeout=5).status_code,
    }))
finally:
    server.terminate()
    server.wait(timeout=30)
