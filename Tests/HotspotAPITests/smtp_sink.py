"""A real SMTP server on loopback for the contact relay's tests (aiosmtpd, from PyPI): every message it accepts is
written to OUTDIR as one JSON file (envelope sender, recipients, the message's bytes), named by arrival.
Usage: smtp_sink.py PORT OUTDIR [CERT KEY]  (runs until killed; with a certificate, STARTTLS is required)"""
import asyncio, json, os, ssl, sys, time
from aiosmtpd.controller import Controller

port, out = int(sys.argv[1]), sys.argv[2]
os.makedirs(out, exist_ok=True)
count = [len(os.listdir(out))]


class Sink:
    async def handle_DATA(self, server, session, envelope):
        count[0] += 1
        record = {"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
                  "data": envelope.original_content.decode("utf-8", "replace")}
        name = os.path.join(out, f"{time.time_ns()}-{count[0]:05d}.json")
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        return "250 Message accepted for delivery"


options = {}
if len(sys.argv) > 4:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(sys.argv[3], sys.argv[4])
    options = {"tls_context": context, "require_starttls": True}
controller = Controller(Sink(), hostname="127.0.0.1", port=port, **options)
controller.start()
print("ready", flush=True)
try:
    while True:
        time.sleep(3600)
finally:
    controller.stop()
