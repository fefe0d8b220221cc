"""A slowloris attack and a real client beside it: open N connections that send half a request head, time
/health on a fresh connection while they hang, then report how many of the slow ones the server has closed after
WAIT seconds. Prints one JSON object. Usage: slow_clients.py HOST PORT N WAIT"""
import json, select, socket, sys, time

host, port, count, wait = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])

def health():
    start = time.monotonic()
    with socket.create_connection((host, port), timeout=5) as s:
        s.sendall(b"GET /health HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return time.monotonic() - start, data.split(b"\r\n", 1)[0].decode()

slow, refused = [], 0
for _ in range(count):
    try:
        s = socket.create_connection((host, port), timeout=5)
        s.sendall(b"GET /v1/layers HTTP/1.1\r\nHost: test\r\nX-Slow: ")  # the head never ends
        slow.append(s)
    except OSError:
        refused += 1

timings = [health() for _ in range(5)]

def closed_by_server(s):
    poller = select.poll()  # select() cannot take descriptors above 1024
    poller.register(s, select.POLLIN | select.POLLHUP | select.POLLERR)
    if not poller.poll(0):
        return False
    try:
        return s.recv(1) == b""
    except OSError:
        return True

closed_during_attack = sum(closed_by_server(s) for s in slow)
time.sleep(wait)
closed_after_wait = sum(closed_by_server(s) for s in slow)
for s in slow:
    s.close()
print(json.dumps({
    "opened": len(slow), "refused": refused,
    "health_seconds": [round(t, 3) for t, _ in timings], "health_status": [line for _, line in timings],
    "closed_during_attack": closed_during_attack, "closed_after_wait": closed_after_wait,
}))
