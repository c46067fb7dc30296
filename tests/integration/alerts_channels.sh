#!/usr/bin/env bash
# Notification channels end to end: a UPS (pantau-sim-modbus) -> agent ->
# collector with the shipped pack -> e-mail (SMTP with AUTH PLAIN, to a
# small asyncio SMTP receiver), Telegram (sendMessage against a local
# receiver standing in for api.telegram.org) and a WhatsApp gateway (a
# webhook with its own body and a bearer token).
#
#   - the UPS switching to battery sends exactly one message to each
#     channel; its resolution exactly one more; more polls nothing;
#   - the e-mail has From, To (two recipients), a subject with the summary,
#     the text body; the SMTP receiver saw the configured user; its first
#     attempt met "451 try again later" and was retried;
#   - Telegram got /bot<TOKEN>/sendMessage with chat_id and the text, after
#     a first attempt that failed with 502 and was retried (logged as retry);
#   - the gateway got its template with the number and the bearer token;
#   - every delivery is in pantau.notifications; no secret in the log.
set -euo pipefail
source "$(dirname "$0")/../lib/proc.sh"
source "$PANTAU_ROOT/tests/lib/pg.sh"
source "$PANTAU_ROOT/tests/lib/alerts.sh"
alerts_init modbus smtp tg wa
bot_token=123456:ABC-secret-bot-token
smtp_pass=s3cret-smtp-pass
wa_token=wa-s3cret-token

alerts_rules "$smtp_port" "$tg_port" "$wa_port" "$bot_token" "$smtp_pass" "$wa_token" <<'PY'
smtp, tg, wa, bot, pw, wat = args
pack["settings"].update(default_interval="1s", agent_grace="3s")
pack["notify"] = {
    "email": [{"name": "noc-mail", "url": "smtp://127.0.0.1:%s" % smtp,
               "from": "pantau@dc.example.go.id",
               "to": ["noc@dc.example.go.id", "kabid@dc.example.go.id"],
               "username": "pantau", "password": pw, "min_severity": "critical",
               "retry_first": "200ms", "retry_max": "1s"}],
    "telegram": [{"name": "noc-telegram", "api_url": "http://127.0.0.1:%s" % tg,
                  "bot_token": bot, "chat_id": "-1001234567", "min_severity": "critical",
                  "retry_first": "200ms", "retry_max": "1s"}],
    "whatsapp": [{"name": "noc-wa", "url": "http://127.0.0.1:%s/send" % wa,
                  "to": "+6281234567890", "token": wat, "min_severity": "critical",
                  "retry_first": "200ms", "retry_max": "1s"}],
}
PY

pg_collector_config "$WORK/collector.yaml" "$agent_port" "$http_port" "$WORK/rules.yaml"
"$collector" --config "$WORK/collector.yaml" --check >/dev/null || fail "--check refused the channels"
alerts_ups_config chan-agent

# An SMTP receiver: EHLO, AUTH PLAIN, MAIL, RCPT, DATA, QUIT; one JSON line
# per message received.
cat >"$WORK/smtp.py" <<'PY'
import asyncio, base64, json, sys
port, out = int(sys.argv[1]), sys.argv[2]
async def session(reader, writer):
    try:
        await converse(reader, writer)
    except (ConnectionError, IndexError, ValueError):
        pass  # a port probe or a client that went away
    writer.close()
async def converse(reader, writer):
    def send(line):
        writer.write((line + "\r\n").encode())
    send("220 test ESMTP")
    user, frm, rcpt = None, None, []
    while True:
        line = await reader.readline()
        if not line:
            break
        cmd = line.decode("utf-8", "replace").rstrip("\r\n")
        up = cmd.upper()
        if up.startswith("EHLO") or up.startswith("HELO"):
            send("250-test\r\n250-AUTH PLAIN\r\n250 8BITMIME")
        elif up.startswith("AUTH PLAIN"):
            arg = cmd[10:].strip()
            if not arg:
                send("334 ")
                await writer.drain()
                arg = (await reader.readline()).decode().strip()
            parts = base64.b64decode(arg).split(b"\0")
            user = parts[1].decode()
            send("235 ok" if parts[2].decode() == sys.argv[3] else "535 bad")
        elif up.startswith("MAIL FROM:"):
            frm, rcpt = cmd[10:].strip(), []
            if state["busy"] > 0:  # the first message meets a busy mail server
                state["busy"] -= 1
                send("451 4.3.2 try again later")
            else:
                send("250 ok")
        elif up.startswith("RCPT TO:"):
            rcpt.append(cmd[8:].strip())
            send("250 ok")
        elif up == "DATA":
            send("354 go")
            await writer.drain()
            data = b""
            while not data.endswith(b"\r\n.\r\n"):
                chunk = await reader.readline()
                if not chunk:
                    return
                data += chunk
            with open(out, "a") as f:
                f.write(json.dumps({"user": user, "from": frm, "rcpt": rcpt,
                                    "data": data[:-5].decode("utf-8")}) + "\n")
            send("250 queued")
        elif up == "QUIT":
            send("221 bye")
            await writer.drain()
            break
        else:
            send("250 ok")
        await writer.drain()
state = {"busy": 1}
async def main():
    server = await asyncio.start_server(session, "127.0.0.1", port)
    async with server:
        await server.serve_forever()
asyncio.run(main())
PY
proc_start smtp /usr/bin/python3 "$WORK/smtp.py" "$smtp_port" "$WORK/mail.got" "$smtp_pass"
wait_until 10 bash -c "echo > /dev/tcp/127.0.0.1/$smtp_port" || fail "receiver on $smtp_port did not start"
alerts_receiver tg "$tg_port" --json --fail-first 1 # Telegram is down for the first try
alerts_receiver wa "$wa_port" --json

all_have() { [ "$(lines mail)" -ge "$1" ] && [ "$(lines tg)" -ge "$1" ] && [ "$(lines wa)" -ge "$1" ]; }

alerts_sim_start sim "$modbus_port" --seed "$WORK/seed"
alerts_start
polls 2
[ "$(lines mail)$(lines tg)$(lines wa)" = 000 ] || fail "messages before anything fired"

set_reg 301 5
export -f all_have lines
export WORK
wait_until 30 all_have 1 || fail "not every channel got the alert: mail $(lines mail) tg $(lines tg) wa $(lines wa)"
polls 3
[ "$(lines mail)$(lines tg)$(lines wa)" = 111 ] || fail "want one message each, got mail $(lines mail) tg $(lines tg) wa $(lines wa)"
echo "ok - on battery: exactly one message per channel"

set_reg 301 3
wait_until 30 all_have 2 || fail "not every channel got the resolution"
polls 3
[ "$(lines mail)$(lines tg)$(lines wa)" = 222 ] || fail "want two messages each, got mail $(lines mail) tg $(lines tg) wa $(lines wa)"
echo "ok - resolved: exactly one more message per channel"

/usr/bin/python3 - "$WORK" "$bot_token" "$wa_token" <<'PY' || fail "message contents"
import json, sys, email
work, bot, wat = sys.argv[1:4]
summary = {"fire": "ups-a: UPS on battery (battery)",
           "resolve": "ups-a: ups_on_battery resolved (normal)"}
mails = [json.loads(l) for l in open(work + "/mail.got")]
for m, want in zip(mails, ["fire", "resolve"]):
    assert m["user"] == "pantau", m
    assert m["from"] == "<pantau@dc.example.go.id>", m
    assert m["rcpt"] == ["<noc@dc.example.go.id>", "<kabid@dc.example.go.id>"], m
    msg = email.message_from_string(m["data"])
    assert msg["From"] == "pantau@dc.example.go.id", msg["From"]
    assert msg["To"] == "noc@dc.example.go.id, kabid@dc.example.go.id", msg["To"]
    assert msg["Subject"] == "[pantau] critical %s: %s" % (want, summary[want]), msg["Subject"]
    body = msg.get_payload()
    assert "device:    ups-a" in body and "rule:      ups_on_battery" in body, body
    assert ("state:     %s (%s)" % ("firing" if want == "fire" else "resolved", want)) in body, body
tgs = [json.loads(l) for l in open(work + "/tg.got")]
for t, want in zip(tgs, ["fire", "resolve"]):
    assert t["path"] == "/bot%s/sendMessage" % bot, t
    assert t["body"]["chat_id"] == "-1001234567", t
    assert t["body"]["text"].startswith("[critical] %s: %s\nups-a" % (want, summary[want])), t
was = [json.loads(l) for l in open(work + "/wa.got")]
for w, want in zip(was, ["fire", "resolve"]):
    assert w["path"] == "/send" and w["auth"] == "Bearer " + wat, w
    assert w["body"]["to"] == "+6281234567890" and w["body"]["type"] == "text", w
    assert w["body"]["text"].startswith("[critical] %s: %s (ups-a, " % (want, summary[want])), w
PY
echo "ok - e-mail headers and body, Telegram sendMessage, gateway template and token"

got=$(q "select channel || ':' || transition || ':' || outcome || ':' || coalesce(http_status::text, '')
         from pantau.notifications order by channel, id" | tr '\n' ' ')
want="noc-mail:fire:retry:451 noc-mail:fire:sent:250 noc-mail:resolve:sent:250 noc-telegram:fire:retry:502 noc-telegram:fire:sent:200 noc-telegram:resolve:sent:200 noc-wa:fire:sent:200 noc-wa:resolve:sent:200 "
[ "$got" = "$want" ] || fail "delivery log: got '$got', want '$want'"
echo "ok - every delivery in pantau.notifications"
for secret in "$bot_token" "$smtp_pass" "$wa_token"; do
	grep -qF "$secret" "$WORK/collector.log" && fail "a secret is in the collector log"
done
echo "ok - no secret in the log"
proc_stop agent
proc_stop collector || fail "collector did not stop cleanly"
echo "PASS"
